;;; lsp-mode-e2e.el --- runlens end to end in Emacs (batch) with lsp-mode -*- lexical-binding: t; -*-

;;; Commentary:

;; The lsp-mode run of test/e2e/README.md: opens RUNLENS_E2E_FILE in
;; `emacs --batch', starts runlens through clients/emacs/runlens.el's
;; lsp-mode client (M-x lsp, with only that client enabled), collects what
;; lsp-mode holds and writes the contract's JSON to RUNLENS_E2E_OUT.
;;
;;   RUNLENS_E2E_ROOT=... RUNLENS_E2E_FILE=... RUNLENS_E2E_SERVER='["node","…/runlens.js","--stdio"]' \
;;   RUNLENS_E2E_CLIENT=clients/emacs RUNLENS_E2E_OUT=out.json RUNLENS_E2E_HOVER=12:6 \
;;   RUNLENS_E2E_INSERT='# runlens e2e: an inserted line' \
;;     timeout 180 emacs --batch -l test/e2e/emacs/lsp-mode-e2e.el
;;
;; The file comes from RUNLENS_E2E_FILE (else the first argument after the
;; script).  RUNLENS_E2E_CLIENT may be relative to the current directory or
;; to the repository.  Works with or without -Q.  Nothing tells lsp-mode
;; the project: it asks for it ("i ==> Import project root ..."), suggesting
;; what runlens.el finds (`runlens-project-root'), and the script answers
;; `i' as a user would; `root' is the server's.  Test-only: lsp-mode keeps
;; its session in a temporary folder, and ruby-mode's own flymake checker
;; is turned off.
;;
;; `lenses' are lsp-mode's lens data (the code lenses it fetched);
;; `renderedLenses' the text of its lens overlays, one per line (lsp-mode
;; joins the lenses of a line with "|").  Exit 0, or 1 with the problems in
;; `errors'.

;;; Code:

(load (expand-file-name "e2e-common" (file-name-directory load-file-name)) nil t)

(defvar e2e-lsp-folder (make-temp-file "runlens-lsp-mode-e2e-" t)
  "Where lsp-mode keeps its session and would install servers.")
(add-hook 'kill-emacs-hook (lambda () (ignore-errors (delete-directory e2e-lsp-folder t))))

;; lsp-mode's settings, before it loads: no bundled clients, no prompts, and
;; what batch Emacs needs (didChange at once; no idle timers run).
(setq lsp-session-file (expand-file-name "session" e2e-lsp-folder)
      lsp-server-install-dir (expand-file-name "servers" e2e-lsp-folder)
      lsp-client-packages nil
      lsp-enabled-clients '(runlens)
      lsp-auto-guess-root nil
      lsp-restart 'ignore
      lsp-keep-workspace-alive nil
      lsp-enable-file-watchers nil
      lsp-lens-enable t
      lsp-diagnostics-provider :flymake
      lsp-debounce-full-sync-notifications nil
      lsp-headerline-breadcrumb-enable nil
      lsp-modeline-code-actions-enable nil
      lsp-modeline-diagnostics-enable nil
      lsp-modeline-workspace-status-enable nil
      lsp-enable-snippet nil
      lsp-enable-symbol-highlighting nil
      lsp-log-io nil
      lsp-response-timeout 60
      lsp-warn-no-matched-clients nil)

(defun e2e-lsp-diagnostics ()
  "runlens's diagnostics of the buffer, as lsp-mode holds them."
  (e2e-sort-diagnostics
   (mapcar (lambda (diag)
             (list :line (e2e-get diag "range" "start" "line")
                   :character (e2e-get diag "range" "start" "character")
                   :endLine (e2e-get diag "range" "end" "line")
                   :endCharacter (e2e-get diag "range" "end" "character")
                   :severity (e2e-severity-name (e2e-get diag "severity"))
                   :message (e2e-get diag "message")
                   :code (e2e-get diag "code")
                   :source (e2e-get diag "source")))
           (lsp--get-buffer-diagnostics))))

(defun e2e-lsp-lenses ()
  "The code lenses lsp-mode fetched for the buffer, as (:line :title) plists."
  (e2e-sort-by-line
   (mapcar (lambda (lens)
             (list :line (e2e-get lens "range" "start" "line")
                   :title (e2e-get lens "command" "title")))
           (sort (copy-sequence lsp-lens--backend-cache)
                 (lambda (a b) (< (e2e-get a "range" "start" "character")
                                  (e2e-get b "range" "start" "character")))))))

(defun e2e-lsp-rendered-lenses ()
  "The text of lsp-mode's lens overlays, without properties, and where it shows.
An after-string shows at the overlay's end (lsp-mode's lens overlays at the
end of a line start at the buffer's start); a before-string at its start,
above the line."
  (e2e-sort-by-line
   (cl-loop for overlay in lsp-lens--overlays
            for after = (overlay-get overlay 'after-string)
            for text = (or after (overlay-get overlay 'before-string))
            when (and (overlay-buffer overlay) text)
            collect (list :line (car (e2e-point-position (if after (overlay-end overlay)
                                                               (overlay-start overlay))))
                          :text (string-trim (substring-no-properties text))))))

(defun e2e-lsp-refresh-lenses (unlike)
  "Refresh the lenses as lsp-mode does; wait (15 s at most) for data unlike UNLIKE."
  (lsp-lens-refresh t)
  (unless (e2e-wait 15 (lambda () (and lsp-lens--overlays lsp-lens--backend-cache
                                      (not (equal (e2e-lsp-lenses) unlike)))))
    (e2e-error "no new code lenses within 15 s")))

(defun e2e-lsp-main ()
  "The steps of the contract."
  (let* ((file (e2e-start))
         (hover (e2e-hover-position)))
    (require 'lsp-mode)
    (require 'lsp-lens)
    (require 'flymake)
    (e2e-put :editor (format "emacs %s, lsp-mode %s" emacs-version (e2e-package-version 'lsp-mode)))
    (add-hook 'ruby-mode-hook
              (lambda () (remove-hook 'flymake-diagnostic-functions 'ruby-flymake-auto t)))

    ;; 1. Open the file and M-x lsp; to its question about the project, the
    ;; key a user presses to take the suggested root.
    (find-file file)
    (setq unread-command-events (list ?i))
    (lsp)
    (let* ((seen nil)
           (started (e2e-wait 60 (lambda ()
                                   (let ((workspace (runlens--lsp-workspace)))
                                     (cond (workspace
                                            (setq seen t)
                                            (eq (lsp--workspace-status workspace) 'initialized))
                                           (seen 'exited)))))))
      (cond ((eq started 'exited) (error "runlens exited while starting"))
            ((not started) (error "lsp-mode did not start runlens within 60 s"))))
    (e2e-put :root (e2e-get (e2e-sync) "root"))
    (unless (e2e-wait 60 (lambda () (lsp--get-buffer-diagnostics)))
      (e2e-error "no diagnostics within 60 s"))
    (flymake-start)   ; flymake starts from idle timers, which never run in batch

    ;; 2. Diagnostics and lenses (lsp-lens-mode's overlays).
    (e2e-put :diagnostics (e2e-lsp-diagnostics))
    (e2e-step "lenses"
      (unless lsp-lens-mode (lsp-lens-mode 1))
      (e2e-lsp-refresh-lenses nil))
    (e2e-put :lenses (e2e-lsp-lenses))
    (e2e-put :renderedLenses (e2e-lsp-rendered-lenses))

    ;; 3. Hover: what lsp-mode asks and receives.
    (e2e-step "hover"
      (goto-char (e2e-position-point (car hover) (cdr hover)))
      (let ((answer (lsp-request "textDocument/hover" (lsp--text-document-position-params))))
        (e2e-put :hover (e2e-markup-text (e2e-get answer "contents")))))

    ;; 4. Code actions on the first diagnostic's range (lsp-mode puts the
    ;; diagnostics of those lines in the context); apply the first.
    (e2e-step "code actions"
      (let ((first (aref (e2e-lsp-diagnostics) 0))
            actions)
        (transient-mark-mode 1)
        (goto-char (e2e-position-point (plist-get first :endLine) (plist-get first :endCharacter)))
        (push-mark (point) t t)
        (goto-char (e2e-position-point (plist-get first :line) (plist-get first :character)))
        (setq actions (append (lsp-code-actions-at-point) nil))
        (deactivate-mark)
        (e2e-put :codeActions (vconcat (mapcar (lambda (a) (e2e-get a "title")) actions)))
        (when actions
          (lsp-execute-code-action (car actions))
          (e2e-sync))
        (e2e-put :fixedText (buffer-substring-no-properties (point-min) (point-max)))))

    ;; 5. Insert two lines at the top (lsp-mode sends didChange at once); wait
    ;; until the diagnostics moved, refresh the lenses.
    (e2e-step "after"
      (let ((diagnostics (e2e-lsp-diagnostics))
            (lenses (e2e-lsp-lenses)))
        (goto-char (point-min))
        (insert (e2e-env "RUNLENS_E2E_INSERT") "\n")
        (insert (e2e-env "RUNLENS_E2E_INSERT") "\n")
        (unless (e2e-wait 30 (lambda () (let ((now (e2e-lsp-diagnostics)))
                                          (and (> (length now) 0) (not (equal now diagnostics))))))
          (e2e-error "the diagnostics did not move within 30 s"))
        (e2e-lsp-refresh-lenses lenses)
        (e2e-put :after (list :diagnostics (e2e-lsp-diagnostics)
                              :lenses (e2e-lsp-lenses)
                              :renderedLenses (e2e-lsp-rendered-lenses)))))))

(e2e-run '(:editor :root :diagnostics :lenses :renderedLenses :hover :codeActions :fixedText :after)
         #'e2e-lsp-main)

;;; lsp-mode-e2e.el ends here
