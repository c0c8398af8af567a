;;; package-vc-e2e.el --- runlens.el installed by Emacs's own package manager -*- lexical-binding: t; -*-

;;; Commentary:

;; Installs runlens.el as clients/emacs/README.md says, from the git URL
;; RUNLENS_E2E_REPO_URL (a repository with this one's layout) into a fresh
;; `package-user-dir' under HOME, with RUNLENS_E2E_INSTALL saying how:
;; `package-vc-install' (Emacs 29+) or `use-package :vc' (Emacs 30).  Then
;; the README's eglot set-up, RUNLENS_E2E_FILE visited, M-x eglot, and the
;; diagnostics collected.  Writes to RUNLENS_E2E_OUT: `editor', `installedAs'
;; (where the loaded runlens.el is, relative to `package-user-dir'), `root'
;; (the server's), `diagnostics' and `errors'.  Only collects; the
;; expectations are in editors.test.ts.  No package archive is contacted.

;;; Code:

(load (expand-file-name "e2e-common" (file-name-directory load-file-name)) nil t)
(require 'flymake)

(defvar eglot-sync-connect)
(defvar eglot-connect-timeout)
(defvar eglot-events-buffer-size)
(defvar runlens-server-command)
(declare-function eglot-current-server "eglot" ())
(declare-function runlens-eglot-setup "runlens" ())

(defun e2e-pvc-main ()
  "Install, set up as the README says, open the file, collect."
  (let ((url (e2e-env "RUNLENS_E2E_REPO_URL"))
        (how (e2e-env "RUNLENS_E2E_INSTALL"))
        (file (e2e-env "RUNLENS_E2E_FILE")))
    (setq package-user-dir (expand-file-name "elpa-vc" (getenv "HOME"))
          package-archives nil)
    (e2e-put :editor (format "emacs %s, %s" emacs-version how))
    ;; The README's forms, with the URL given.
    (pcase how
      ("package-vc-install"
       (package-vc-install `(runlens :url ,url :lisp-dir "clients/emacs")))
      ("use-package :vc"
       (require 'use-package)
       (eval `(use-package runlens
                :vc (:url ,url :lisp-dir "clients/emacs" :rev :newest)
                :demand t)
             t))
      (_ (error "RUNLENS_E2E_INSTALL is neither package-vc-install nor use-package :vc: %s" how)))
    (unless (featurep 'runlens) (require 'runlens))
    (e2e-put :installedAs (file-relative-name (locate-library "runlens") package-user-dir))
    (setq runlens-server-command (append (json-parse-string (e2e-env "RUNLENS_E2E_SERVER")) nil))
    (with-eval-after-load 'eglot (runlens-eglot-setup))
    (require 'eglot)
    (setq eglot-sync-connect 20
          eglot-connect-timeout 20
          eglot-events-buffer-size 0)
    (find-file file)
    (call-interactively #'eglot)
    (unless (e2e-wait 60 #'runlens--eglot-server)
      (error "eglot did not connect to runlens within 60 s"))
    (e2e-put :root (e2e-get (e2e-sync) "root"))
    (let ((next 0))
      (unless (e2e-wait 60 (lambda ()
                             (when (> (float-time) next)
                               (flymake-start)
                               (setq next (+ (float-time) 0.25)))
                             (> (length (e2e-eglot-diagnostics)) 0)))
        (e2e-error "no diagnostics within 60 s")))
    (e2e-put :diagnostics (e2e-eglot-diagnostics))))

(e2e-run '(:editor :installedAs :root :diagnostics) #'e2e-pvc-main)

;;; package-vc-e2e.el ends here
