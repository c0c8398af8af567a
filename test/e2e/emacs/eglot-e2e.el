;;; eglot-e2e.el --- runlens end to end in Emacs (batch) with eglot -*- lexical-binding: t; -*-

;;; Commentary:

;; The eglot run of test/e2e/README.md: opens RUNLENS_E2E_FILE in
;; `emacs --batch', starts runlens through clients/emacs/runlens.el's eglot
;; entry as its README sets it up (`runlens-eglot-setup' once eglot loads,
;; then M-x eglot in the visited file), collects what eglot holds and writes
;; the contract's JSON to RUNLENS_E2E_OUT.
;;
;;   RUNLENS_E2E_ROOT=... RUNLENS_E2E_FILE=... RUNLENS_E2E_SERVER='["node","…/runlens.js","--stdio"]' \
;;   RUNLENS_E2E_CLIENT=clients/emacs RUNLENS_E2E_OUT=out.json RUNLENS_E2E_HOVER=12:6 \
;;   RUNLENS_E2E_INSERT='# runlens e2e: an inserted line' \
;;     timeout 180 emacs --batch -l test/e2e/emacs/eglot-e2e.el
;;
;; The file comes from RUNLENS_E2E_FILE (else the first argument after the
;; script).  RUNLENS_E2E_CLIENT may be relative to the current directory or
;; to the repository.  Works with or without -Q.  Nothing tells eglot the
;; project: runlens.el finds it (`runlens-project-root'), which `root' (the
;; server's) shows, and `projectRoot' is what project.el says for the file
;; outside eglot (runlens must leave it alone).  Test-only: ruby-mode's own
;; flymake checker is turned off.
;;
;; eglot shows no code lenses: `lenses' and `renderedLenses' are null, and
;; `details' holds what `runlens-show-details' gives on the hover's line (the
;; action's), to show that what the lenses say is reachable.  Exit 0, or 1
;; with the problems in `errors'.

;;; Code:

(load (expand-file-name "e2e-common" (file-name-directory load-file-name)) nil t)
(require 'flymake)

(defun e2e-eglot-lsp-diagnostics ()
  "The LSP diagnostics eglot gave flymake (as the server sent them)."
  (cl-loop for diag in (flymake-diagnostics)
           for lsp = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data diag))
           when lsp collect lsp))

(defun e2e-eglot-wait-diagnostics (seconds unlike)
  "Wait up to SECONDS for runlens's diagnostics to be there and differ from UNLIKE.
UNLIKE is a value of `e2e-eglot-lsp-diagnostics': the server must have
published anew.  flymake starts its checks from idle timers, which batch
Emacs never runs, so this starts it by hand from time to time."
  (let ((next-start 0))
    (e2e-wait seconds
              (lambda ()
                (when (> (float-time) next-start)
                  (flymake-start)
                  (setq next-start (+ (float-time) 0.25)))
                (let ((diagnostics (e2e-eglot-lsp-diagnostics)))
                  (and diagnostics (not (equal diagnostics unlike))))))))

(defun e2e-eglot-apply (server action)
  "Apply the code ACTION as eglot does when one picks it (`eglot-code-actions')."
  (if (fboundp 'eglot-execute)
      ;; Newer eglot (Emacs 30's 1.17): one entry for edits and commands, and
      ;; `eglot-execute-command' is obsolete.
      (eglot-execute server action)
    ;; Older eglot (Debian's elpa-eglot 1.9): what `eglot-code-actions' does.
    (let ((edit (plist-get action :edit))
          (command (plist-get action :command)))
      (cond ((stringp command)
             (eglot-execute-command server (intern command) (plist-get action :arguments)))
            (t
             (when edit
               ;; (WEDIT &optional CONFIRM) in 1.9, (WEDIT ORIGIN) by 1.17.
               (if (= (car (func-arity #'eglot--apply-workspace-edit)) 2)
                   (eglot--apply-workspace-edit edit 'eglot-code-actions)
                 (eglot--apply-workspace-edit edit)))
             (when command
               (eglot-execute-command server (intern (plist-get command :command))
                                      (plist-get command :arguments))))))))

(defun e2e-eglot-main ()
  "The steps of the contract."
  (let* ((file (e2e-start))
         (hover (e2e-hover-position))
         server)
    ;; The README's set-up: runlens is eglot's server for its modes.
    (with-eval-after-load 'eglot (runlens-eglot-setup))
    (require 'eglot)
    (e2e-put :editor (format "emacs %s, eglot %s" emacs-version (e2e-package-version 'eglot)))
    (setq eglot-sync-connect 20
          eglot-connect-timeout 60
          eglot-confirm-server-initiated-edits nil   ; batch has no one to ask (eglot 1.9)
          eglot-confirm-server-edits nil             ; (eglot 1.16 and newer)
          eglot-events-buffer-size 0)
    (add-hook 'ruby-mode-hook
              (lambda () (remove-hook 'flymake-diagnostic-functions 'ruby-flymake-auto t)))

    ;; 1. Open the file and M-x eglot.
    (find-file file)
    (let ((project (project-current)))
      (e2e-put :projectRoot (and project (expand-file-name (project-root project)))))
    (call-interactively #'eglot)
    (setq server (or (e2e-wait 60 #'runlens--eglot-server)
                     (error "eglot did not connect to runlens within 60 s")))
    (e2e-put :root (e2e-get (e2e-sync) "root"))
    (unless (e2e-eglot-wait-diagnostics 60 nil)
      (e2e-error "no diagnostics within 60 s"))

    ;; 2. Diagnostics (eglot has no lenses).
    (e2e-put :diagnostics (e2e-eglot-diagnostics))

    ;; 3. Hover: what eglot's eldoc function asks and receives.
    (e2e-step "hover"
      (goto-char (e2e-position-point (car hover) (cdr hover)))
      (let ((answer (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
        (e2e-put :hover (e2e-markup-text (plist-get answer :contents)))))

    ;; What the lenses say, without lenses: runlens-show-details on the action.
    (e2e-step "details"
      (goto-char (e2e-position-point (car hover) 0))
      (e2e-put :details (runlens-show-details)))

    ;; 4. Code actions at the first diagnostic; apply the first.
    (e2e-step "code actions"
      (let* ((first (car (cl-remove-if-not (lambda (d) (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d)))
                                           (sort (flymake-diagnostics)
                                                 (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))
             (actions (and first (eglot-code-actions (flymake-diagnostic-beg first)
                                                     (flymake-diagnostic-end first)))))
        (unless first (error "no diagnostic to ask code actions for"))
        (e2e-put :codeActions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
        (when actions
          (e2e-eglot-apply server (car actions))
          ;; eglot sends didChange from an idle timer: flush it by hand.
          (eglot--signal-textDocument/didChange)
          (e2e-sync))
        (e2e-put :fixedText (buffer-substring-no-properties (point-min) (point-max)))))

    ;; 5. Insert two lines at the top; wait until the diagnostics moved.
    (e2e-step "after"
      (let ((before (e2e-eglot-lsp-diagnostics)))
        (goto-char (point-min))
        (insert (e2e-env "RUNLENS_E2E_INSERT") "\n")
        (insert (e2e-env "RUNLENS_E2E_INSERT") "\n")
        (eglot--signal-textDocument/didChange)
        (unless (e2e-eglot-wait-diagnostics 30 before)
          (e2e-error "the diagnostics did not move within 30 s"))
        (e2e-put :after (list :diagnostics (e2e-eglot-diagnostics) :lenses nil :renderedLenses nil))))))

(e2e-run '(:editor :root :projectRoot :diagnostics :lenses :renderedLenses :hover :details :codeActions :fixedText :after)
         #'e2e-eglot-main)

;;; eglot-e2e.el ends here
