;;; root-checks.el --- runlens.el's project root, checked in batch Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; What eglot-e2e.el and lsp-mode-e2e.el do not show on their two projects:
;; `runlens-project-root' on folders made for it (where recordings are made
;; beats a nearer manifest, a manifest beats the git root, no marker gives
;; nil), and that runlens gives eglot and lsp-mode that root only for the
;; buffers it serves: project.el outside eglot, eglot for another server's
;; mode, and lsp-mode without the runlens client get what they get without
;; runlens.  Same environment as the e2e scripts (test/e2e/README.md; the
;; server is not started).  Prints one line per check and `N passed, N
;; failed'; exit status 1 when one failed.
;;
;;   RUNLENS_E2E_CLIENT=clients/emacs RUNLENS_E2E_SERVER='["node"]' RUNLENS_E2E_FILE=x \
;;     emacs --batch -l test/e2e/emacs/root-checks.el

;;; Code:

(load (expand-file-name "e2e-common" (file-name-directory load-file-name)) nil t)
(e2e-start)
(require 'project)
(require 'eglot)

;; Bound dynamically below, as eglot and lsp-mode's users bind them.
(defvar eglot-lsp-context)
(defvar lsp-enabled-clients)
(defvar lsp-disabled-clients)
(declare-function e2e-start "e2e-common")
(declare-function runlens-project-root "runlens")
(declare-function runlens-eglot-setup "runlens")
(declare-function lsp--suggest-project-root "lsp-mode")
(defvar root-checks-passed 0)
(defvar root-checks-failed 0)

(defun root-check (name ok &optional detail)
  "Count and print the check NAME: passed when OK, else with DETAIL."
  (if ok (cl-incf root-checks-passed) (cl-incf root-checks-failed))
  (princ (format "%s %s%s\n" (if ok "ok  " "FAIL") name
                 (if (or ok (null detail)) "" (format ": %S" detail)))))

(defvar root-checks-base (file-name-as-directory (make-temp-file "runlens-roots-" t))
  "The folder the checks make their projects in.")

(defun root-touch (&rest files)
  "Make FILES (relative to `root-checks-base'); return the last, absolute."
  (let (last)
    (dolist (file files last)
      (setq last (expand-file-name file root-checks-base))
      (make-directory (file-name-directory last) t)
      (write-region "" nil last nil 'silent))))

(defun root-of (file)
  "`runlens-project-root' of FILE, relative to `root-checks-base' (nil for none)."
  (let ((root (runlens-project-root file)))
    (and root (file-relative-name root root-checks-base))))

(defun root-git-init (dir)
  "Make DIR (relative) a git repository."
  (make-directory (expand-file-name dir root-checks-base) t)
  (let ((default-directory (expand-file-name dir root-checks-base)))
    (call-process "git" nil nil nil "init" "-q" ".")))

(defun root-project-in (file &optional lsp-context)
  "The root project.el gives in a buffer visiting FILE.
With LSP-CONTEXT as eglot's `eglot-lsp-context'."
  (with-current-buffer (find-file-noselect file)
    (let* ((eglot-lsp-context lsp-context)
           (project (project-current)))
      (and project (cons (car project) (file-relative-name (project-root project) root-checks-base))))))

(condition-case err
    (progn
      ;; runlens-project-root.
      (root-git-init "mono")
      (root-touch "mono/appmap.yml" "mono/packages/web/package.json")
      (let ((app (root-touch "mono/packages/web/src/app.js")))
        (root-check "in a monorepo, appmap.yml at the top beats a nested package.json"
                    (equal (root-of app) "mono/") (root-of app)))
      (root-touch "recorded/tmp/appmap/minitest/a.appmap.json" "recorded/client/package.json")
      (let ((app (root-touch "recorded/client/src/app.js")))
        (root-check "so does tmp/appmap" (equal (root-of app) "recorded/") (root-of app)))
      (root-touch "saved/.runlens/baseline.json" "saved/api/pyproject.toml")
      (let ((views (root-touch "saved/api/app/views.py")))
        (root-check "and .runlens" (equal (root-of views) "saved/") (root-of views)))
      (root-git-init "plain")
      (root-touch "plain/services/api/Gemfile")
      (let ((user (root-touch "plain/services/api/app/models/user.rb"))
            (tool (root-touch "plain/scripts/tool.py")))
        (root-check "without them, the nearest manifest"
                    (equal (root-of user) "plain/services/api/") (root-of user))
        (root-check "without a manifest, none (the client keeps its own: the git root)"
                    (null (root-of tool)) (root-of tool)))

      ;; eglot: the runlens root only in eglot's search, for runlens's modes.
      (runlens-eglot-setup)
      (let ((app (expand-file-name "mono/packages/web/src/app.js" root-checks-base))
            (user (expand-file-name "plain/services/api/app/models/user.rb" root-checks-base)))
        (root-check "eglot gets the runlens root for runlens's modes"
                    (equal (root-project-in app t) '(runlens . "mono/")) (root-project-in app t))
        (root-check "project.el's own commands get their usual project"
                    (equal (car (root-project-in user)) 'vc) (root-project-in user))
        (let ((eglot-server-programs (cons '(ruby-mode "solargraph" "stdio") eglot-server-programs)))
          (root-check "another server eglot runs for a mode gets its usual project"
                      (equal (car (root-project-in user t)) 'vc) (root-project-in user t)))
        (let ((eglot-server-programs '((ruby-mode "solargraph" "stdio")))
              (key (cons 'runlens (expand-file-name "plain/services/api/" root-checks-base))))
          ;; M-x runlens-eglot started runlens there: the project's next buffers join it.
          (puthash key '(a-runlens-server) eglot--servers-by-project)
          (root-check "a buffer where runlens-eglot runs runlens gets its root"
                      (equal (root-project-in user t) '(runlens . "plain/services/api/"))
                      (root-project-in user t))
          (remhash key eglot--servers-by-project))
        (let ((eglot-server-programs
               (cons (list '(ruby-mode) "node" "/opt/runlens/server/bin/runlens.js" "--stdio")
                     eglot-server-programs)))
          (root-check "an entry of one's own that runs runlens.js gets the runlens root"
                      (equal (root-project-in user t) '(runlens . "plain/services/api/"))
                      (root-project-in user t))))

      ;; lsp-mode: its suggested root, for buffers runlens serves.
      (require 'lsp-mode)
      (with-current-buffer (find-file-noselect (expand-file-name "plain/services/api/app/models/user.rb" root-checks-base))
        (let ((lsp-enabled-clients nil) (lsp-disabled-clients nil))
          (root-check "lsp-mode suggests the runlens root"
                      (equal (lsp--suggest-project-root) (expand-file-name "plain/services/api/" root-checks-base))
                      (lsp--suggest-project-root)))
        (let ((lsp-enabled-clients '(solargraph)))
          (root-check "not when runlens is not among lsp-enabled-clients"
                      (equal (file-name-as-directory (lsp--suggest-project-root))
                             (expand-file-name "plain/" root-checks-base))
                      (lsp--suggest-project-root)))))
  (error (root-check "no script error" nil (error-message-string err))))

(ignore-errors (delete-directory root-checks-base t))
(princ (format "%d passed, %d failed\n" root-checks-passed root-checks-failed))
(kill-emacs (if (zerop root-checks-failed) 0 1))

;;; root-checks.el ends here
