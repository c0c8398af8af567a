;;; e2e-common.el --- What the eglot and lsp-mode end-to-end scripts share -*- lexical-binding: t; -*-

;;; Commentary:

;; Loaded by eglot-e2e.el and lsp-mode-e2e.el (see test/e2e/README.md for the
;; contract): the environment, bounded waits, the result and its JSON,
;; positions (LSP's 0-based lines and UTF-16 characters) and the exit.  It
;; only collects facts; the expectations live in test/e2e/editors.test.ts.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'json)

;; Batch Emacs does not activate packages; Debian's elpa-* packages (eglot,
;; lsp-mode) are only found after this.  Debian's site-start adds their
;; folder to `package-directory-list'; with -Q it is added here.  Their
;; byte code is compiled for Debian's own Emacs (28): another Emacs
;; (install-emacs.sh's Emacs 30) gets their sources (elpa-src) instead, and
;; none of the packages it has built in, newer there (elpa-eglot 1.9 would
;; shadow its eglot 1.17; also project, xref, seq).
(require 'package)
(defconst e2e-debian-emacs-p (string-prefix-p "/usr/share/emacs/" data-directory)
  "Whether this is Debian's own Emacs, which its elpa-* packages are built for.")
(if e2e-debian-emacs-p
    (when (file-directory-p "/usr/share/emacs/site-lisp/elpa")
      (add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa"))
  (when (file-directory-p "/usr/share/emacs/site-lisp/elpa-src")
    (add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa-src")
    (setq package-load-list (append (mapcar (lambda (builtin) (list (car builtin) nil))
                                            package--builtin-versions)
                                    '(all)))))
(package-activate-all)

;; flymake's legacy backend only complains about files it can't check.
(with-eval-after-load 'flymake-proc
  (remove-hook 'flymake-diagnostic-functions 'flymake-proc-legacy-flymake))

;; Never touch the workspace on disk: no lock files, backups or auto-saves.
(setq create-lockfiles nil
      make-backup-files nil
      auto-save-default nil
      ;; Nor compile anything natively into the throw-away HOME: it only costs time.
      native-comp-deferred-compilation nil
      comp-enable-subr-trampolines nil            ; Emacs 28
      native-comp-enable-subr-trampolines nil)    ; Emacs 29+

(defvar e2e-started (float-time) "When the script started.")
(defvar e2e-result nil "What was collected, a plist in the shape of the contract's JSON.")
(defvar e2e-errors nil "Script-level problems, newest first.")

(defun e2e-env (name &optional default)
  "The environment variable NAME; DEFAULT (or an error) when unset or empty."
  (let ((value (getenv name)))
    (cond ((and value (not (string-empty-p value))) value)
          (default default)
          (t (error "%s is not set (see test/e2e/README.md)" name)))))

(defun e2e-put (key value)
  "Record VALUE under KEY in the result."
  (setq e2e-result (plist-put e2e-result key value)))

(defun e2e-error (format-string &rest args)
  "Record a script-level problem: FORMAT-STRING with ARGS."
  (let ((text (apply #'format format-string args)))
    (push text e2e-errors)
    (message "e2e: %s" text)))

(defmacro e2e-step (name &rest body)
  "Run BODY; an error in it is recorded under step NAME, and the script goes on."
  (declare (indent 1))
  `(condition-case err
       (progn ,@body)
     (error (e2e-error "%s: %s" ,name (error-message-string err)) nil)))

(defun e2e-wait (seconds predicate)
  "Run the event loop until PREDICATE is non-nil or SECONDS have passed.
Return PREDICATE's last value.  Process output and timers run meanwhile;
idle timers never do in batch."
  (let ((deadline (+ (float-time) seconds))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.02))
    value))

(defun e2e-sync ()
  "Return once the server has handled everything sent so far.
The server handles messages in order and publishes diagnostics as it handles
a change, so once a request sent now is answered, the diagnostics of every
earlier change have arrived."
  (runlens--request "runlens/status" nil))

(defun e2e-elapsed-ms ()
  "Milliseconds since the script started."
  (round (* 1000 (- (float-time) e2e-started))))

;;; Positions

(defun e2e-utf16-length (string)
  "The length of STRING in UTF-16 code units, as LSP counts characters."
  (cl-loop for char across string sum (if (> char #xFFFF) 2 1)))

(defun e2e-point-position (point)
  "The LSP position (line . character) of POINT: 0-based line, UTF-16 column."
  (save-excursion
    (save-restriction
      (widen)
      (goto-char point)
      (cons (1- (line-number-at-pos))
            (e2e-utf16-length (buffer-substring-no-properties (line-beginning-position) point))))))

(defun e2e-position-point (line character)
  "The point at the LSP position LINE, CHARACTER (0-based, UTF-16)."
  (save-excursion
    (save-restriction
      (widen)
      (goto-char (point-min))
      (forward-line line)
      (let ((units 0))
        (while (and (< units character) (not (eolp)))
          (setq units (+ units (if (> (char-after) #xFFFF) 2 1)))
          (forward-char 1)))
      (point))))

(defvar e2e-repo (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name)))
  "The repository these scripts are in.")

(defun e2e-start ()
  "Loads the client of RUNLENS_E2E_CLIENT with the server of RUNLENS_E2E_SERVER.
Returns the file to open: RUNLENS_E2E_FILE, else the first argument after the script."
  (let* ((start-dir default-directory)
         (file (expand-file-name (or (getenv "RUNLENS_E2E_FILE") (pop command-line-args-left)
                                     (error "RUNLENS_E2E_FILE is not set"))))
         (dir (e2e-env "RUNLENS_E2E_CLIENT"))
         (client (if (file-directory-p (expand-file-name dir start-dir))
                     (expand-file-name dir start-dir)
                   (expand-file-name dir e2e-repo))))
    (load (expand-file-name "runlens" client) nil t)
    (setq runlens-server-command (append (json-parse-string (e2e-env "RUNLENS_E2E_SERVER")) nil))
    file))

(defun e2e-hover-position ()
  "RUNLENS_E2E_HOVER as (LINE . CHARACTER)."
  (let ((parts (split-string (e2e-env "RUNLENS_E2E_HOVER") ":")))
    (cons (string-to-number (car parts)) (string-to-number (cadr parts)))))

;;; JSON

(defalias 'e2e-get #'runlens--get
  "The value at KEYS in a JSON object: the client's own reader (runlens.el is loaded first).")

(defun e2e-severity-name (severity)
  "The contract's name of an LSP SEVERITY number."
  (pcase severity (1 "error") (2 "warning") (3 "info") (4 "hint") (_ nil)))

(defun e2e-markup-text (contents)
  "The text of hover CONTENTS as received.
MarkupContent, a MarkedString or a list of them."
  (cond ((null contents) nil)
        ((stringp contents) contents)
        ((or (vectorp contents) (and (listp contents) (not (keywordp (car contents)))
                                     (not (hash-table-p contents))))
         (mapconcat #'e2e-markup-text contents "\n\n"))
        (t (e2e-get contents "value"))))

(defun e2e-sort-diagnostics (diagnostics)
  "DIAGNOSTICS (plists) sorted by line, then character, as a vector."
  (vconcat (sort (copy-sequence diagnostics)
                 (lambda (a b)
                   (let ((la (plist-get a :line)) (lb (plist-get b :line)))
                     (or (< la lb)
                         (and (= la lb) (< (plist-get a :character) (plist-get b :character)))))))))

(defun e2e-sort-by-line (items)
  "ITEMS (plists with :line) sorted by line, stably, as a vector."
  (vconcat (cl-stable-sort (copy-sequence items) #'< :key (lambda (item) (plist-get item :line)))))

(defun e2e-package-version (package)
  "The version of PACKAGE that loads: installed (Debian elpa-*, ELPA) or built in.
The installed package whose folder holds the library, else the built-in one."
  (let* ((library (locate-library (symbol-name package)))
         (dir (and library (file-name-as-directory (file-name-directory library))))
         (desc (cl-find-if (lambda (desc)
                             (equal (file-name-as-directory (package-desc-dir desc)) dir))
                           (cdr (assq package package-alist)))))
    (cond (desc (package-version-join (package-desc-version desc)))
          ((assq package package--builtin-versions)
           (package-version-join (alist-get package package--builtin-versions)))
          (t "unknown"))))

(defun e2e-finish ()
  "Write the result as JSON to RUNLENS_E2E_OUT, print a summary, and exit.
Exit code 0 when no error was recorded, else 1."
  (e2e-put :errors (vconcat (reverse e2e-errors)))
  (let ((out (getenv "RUNLENS_E2E_OUT"))
        (json (json-serialize e2e-result :null-object nil :false-object :json-false)))
    (if (and out (not (string-empty-p out)))
        (let ((coding-system-for-write 'utf-8-unix))
          (make-directory (file-name-directory (expand-file-name out)) t)
          (write-region (concat json "\n") nil out nil 'silent))
      (princ (concat json "\n")))
    (princ (format "%s: %d diagnostics, %s lenses, %d code actions, %d errors, %d ms\n"
                   (plist-get e2e-result :editor)
                   (length (plist-get e2e-result :diagnostics))
                   (let ((lenses (plist-get e2e-result :lenses))) (if lenses (length lenses) "no"))
                   (length (plist-get e2e-result :codeActions))
                   (length e2e-errors)
                   (e2e-elapsed-ms))))
  (kill-emacs (if e2e-errors 1 0)))

(defun e2e-start-watchdog ()
  "Write what was collected and exit 1 if the script runs too long.
RUNLENS_E2E_DEADLINE seconds, 50 by default (run.sh gives it 60)."
  (run-with-timer (string-to-number (e2e-env "RUNLENS_E2E_DEADLINE" "50")) nil
                  (lambda ()
                    (e2e-error "the script ran out of time")
                    (e2e-finish))))

(defun e2e-run (keys main)
  "Run MAIN (a function) under the watchdog; then write the JSON and exit.
KEYS are the result's keys, null until collected, so that the JSON always
has the same shape."
  (dolist (key keys) (e2e-put key nil))
  (e2e-start-watchdog)
  (condition-case err
      (funcall main)
    (error (e2e-error "%s" (error-message-string err))))
  (e2e-finish))

(defun e2e-eglot-diagnostics ()
  "runlens's diagnostics as flymake holds them (positions) with eglot's LSP data (eglot runs only)."
  (require 'flymake)
  (e2e-sort-diagnostics
   (cl-loop for diag in (flymake-diagnostics)
            for lsp = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data diag))
            when lsp
            collect (let ((beg (e2e-point-position (flymake-diagnostic-beg diag)))
                          (end (e2e-point-position (flymake-diagnostic-end diag))))
                      (list :line (car beg) :character (cdr beg)
                            :endLine (car end) :endCharacter (cdr end)
                            :severity (e2e-severity-name (plist-get lsp :severity))
                            :message (plist-get lsp :message)
                            :code (plist-get lsp :code)
                            :source (plist-get lsp :source))))))

(provide 'e2e-common)
;;; e2e-common.el ends here
