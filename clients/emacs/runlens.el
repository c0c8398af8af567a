;;; runlens.el --- Recorded performance on your code, over LSP -*- lexical-binding: t; -*-

;; Copyright (C) 2025 The runlens authors

;; Author: The runlens authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: tools, languages, processes
;; SPDX-License-Identifier: MIT

;; This file is not part of GNU Emacs.

;;; Commentary:

;; runlens is a language server that reads AppMap recordings
;; (`*.appmap.json') and shows what they recorded on the code that ran:
;; time, calls and SQL on each function (code lenses and hovers), N+1
;; queries and slow calls (diagnostics), eager-loading quick fixes and the
;; recorded call hierarchy.  This file connects Emacs to it through
;; lsp-mode or eglot.  Neither is required: each part is set up once its
;; client is loaded.
;;
;; - lsp-mode: a client `runlens' that runs as an add-on beside the
;;   language's own server (pyright, solargraph, ...) and shows code lenses
;;   with `lsp-lens-mode'.  (require 'runlens), then M-x lsp as usual.
;;
;; - eglot: M-x runlens-eglot starts runlens for the current project, or
;;   (runlens-eglot-setup) makes it the server of `runlens-modes'
;;   everywhere.  eglot runs one server per major mode and project, so
;;   there runlens takes the place of the language's own server; and eglot
;;   shows no code lenses: what they say is at M-x runlens-show-details.
;;
;; Either client starts runlens in the project's folder as runlens finds
;; it (`runlens-root-markers'): the nearest folder with `appmap.yml',
;; `tmp/appmap' or `.runlens', else the nearest with a manifest
;; (package.json, pyproject.toml, Gemfile, ...), else the client's own
;; choice (the version-control root).  eglot gets it through
;; `project-find-functions', for runlens only; lsp-mode as the root it
;; suggests (lsp-mode has one root for all the servers of a buffer).
;;
;; Commands, with either client: `runlens-show-details' (the recorded
;; numbers of the function at point), `runlens-show-queries',
;; `runlens-show-call-tree', `runlens-status'.  Text of several lines that
;; the server shows (the result of a lens or code action command) goes to
;; the *runlens-output* buffer, not to the echo area.
;;
;; Settings: one user option per server setting (`runlens-slow-call-ms'
;; and so on; M-x customize-group RET runlens).  nil means "the server's
;; default"; only options that are set are sent.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

;; Both clients are optional: what this file uses of them is declared here,
;; and called only once that client is loaded.
(defvar eglot-server-programs)
(defvar eglot--servers-by-project)
(defvar lsp--cur-workspace)
(defvar lsp--session)
(defvar lsp-lens-mode)
(declare-function eglot "ext:eglot")
(declare-function eglot-current-server "ext:eglot" ())
(declare-function eglot--capabilities "ext:eglot" (server))
(declare-function eglot--TextDocumentPositionParams "ext:eglot" ())
(declare-function jsonrpc-request "ext:jsonrpc" (connection method params &rest args))
(declare-function jsonrpc-notify "ext:jsonrpc" (connection method params))
(declare-function lsp-request "ext:lsp-mode" (method params &rest args))
(declare-function lsp-notify "ext:lsp-mode" (method params))
(declare-function lsp-workspaces "ext:lsp-mode" ())
(declare-function lsp--session-workspaces "ext:lsp-mode" (session))
(declare-function lsp--workspace-client "ext:lsp-mode" (workspace))
(declare-function lsp--workspace-buffers "ext:lsp-mode" (workspace))
(declare-function lsp--client-server-id "ext:lsp-mode" (client))
(declare-function lsp--text-document-position-params "ext:lsp-mode"
                  (&optional identifier position))
(declare-function lsp--window-show-message "ext:lsp-mode" (workspace params))
(declare-function lsp-register-client "ext:lsp-mode" (client))
(declare-function lsp-register-custom-settings "ext:lsp-mode" (props))
(declare-function lsp-stdio-connection "ext:lsp-mode" (command &optional test-command))
(declare-function make-lsp-client "ext:lsp-mode" (&rest args))
(declare-function lsp-lens-refresh "ext:lsp-lens" (buffer-modified? &optional buffer))


;;; Options

(defgroup runlens nil
  "Recorded performance (AppMap recordings) on the code, from runlens."
  :group 'tools
  :prefix "runlens-")

(defcustom runlens-server-command '("runlens" "--stdio")
  "The command that starts the runlens language server: program and arguments.
For a checkout of runlens:
  (\"node\" \"/path/to/runlens/server/bin/runlens.js\" \"--stdio\")"
  :type '(repeat string))

(defcustom runlens-modes
  '(python-mode python-ts-mode
    ruby-mode ruby-ts-mode enh-ruby-mode
    java-mode java-ts-mode
    js-mode js-ts-mode js2-mode rjsx-mode
    typescript-mode typescript-ts-mode tsx-ts-mode
    json-mode js-json-mode json-ts-mode)
  "Major modes whose buffers runlens serves.
The JSON modes are there for recordings (`*.appmap.json'): lsp-mode starts
runlens in a JSON buffer only when it visits a recording."
  :type '(repeat symbol))

(defconst runlens--json-modes '(json-mode js-json-mode json-ts-mode)
  "The modes of `runlens-modes' that matter only for recordings.")

(defcustom runlens-root-markers
  '(("appmap.yml" ".runlens" "tmp/appmap")
    ("package.json" "pyproject.toml" "setup.py" "setup.cfg" "manage.py"
     "Gemfile" "pom.xml" "build.gradle" "build.gradle.kts"))
  "How runlens finds the project folder (its root) of a file: groups of markers.
Each group is tried in turn, and the first that matches wins: the root is
the nearest folder above the file that holds one of the group's files or
folders.  The first group marks where recordings are made (the AppMap
agent's `appmap.yml', its `tmp/appmap' folder, runlens's own `.runlens');
the second a project's manifest.  So in a monorepo with `appmap.yml' at
the top, a nested package's `package.json' does not take the root from it.
With no marker above the file, the client decides as it does for any
server: for eglot and lsp-mode, the version-control root.  Recorded paths
\(src/routes/books.js) are relative to the root: with a wrong one, runlens
shows nothing.  See `runlens-project-root'."
  :type '(repeat (repeat (string :tag "File or folder"))))

(defcustom runlens-index-changed-functions nil
  "Functions called when the server has reindexed recordings.
Each gets one argument: the recordings (workspace-relative paths) that were
added, replaced or removed."
  :type 'hook)

(defun runlens--set-and-send (symbol value)
  "Set SYMBOL to VALUE, then send the settings to the running servers.
The `:set' of the server settings, so that `customize' applies them at once."
  (set-default symbol value)
  (ignore-errors (runlens-send-configuration)))

;; One user option per server setting (server/src/core/config.ts), named
;; runlens- + the setting's key in kebab case.  nil is "the server's
;; default": only options that are set are sent.

(defcustom runlens-n-plus-one-warning-count nil
  "Repeats of one SELECT shape under a request or test that make an N+1 warning.
nil: the server's default (6)."
  :type '(choice (const :tag "Server default (6)" nil) (natnum :tag "Repeats"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-n-plus-one-error-count nil
  "Repeats of one SELECT shape that make an N+1 an error.
nil: the server's default (10)."
  :type '(choice (const :tag "Server default (10)" nil) (natnum :tag "Repeats"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-n-plus-one-min-total-ms nil
  "Milliseconds the repeated queries of an N+1 must also take together.
nil: the server's default (0, no time condition)."
  :type '(choice (const :tag "Server default (0)" nil) (number :tag "Milliseconds"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-slow-call-ms nil
  "Milliseconds of a project function call that make a `slow-call'.
nil: the server's default (1000)."
  :type '(choice (const :tag "Server default (1000)" nil) (number :tag "Milliseconds"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-slow-request-ms nil
  "Milliseconds of an HTTP request that make a `slow-request'.
nil: the server's default (1000)."
  :type '(choice (const :tag "Server default (1000)" nil) (number :tag "Milliseconds"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-slow-query-ms nil
  "Milliseconds of one query that make a `slow-query'.
nil: the server's default (250)."
  :type '(choice (const :tag "Server default (250)" nil) (number :tag "Milliseconds"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-repeated-query-count nil
  "Runs of an identical query (same literals) that make a `repeated-query'.
nil: the server's default (2)."
  :type '(choice (const :tag "Server default (2)" nil) (natnum :tag "Runs"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-too-many-queries-count nil
  "Queries of a request or test that make `too-many-queries'.
nil: the server's default (100)."
  :type '(choice (const :tag "Server default (100)" nil) (natnum :tag "Queries"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-source-roots nil
  "Folders where package-relative paths (com/acme/Foo.java) are looked up.
Workspace-relative.  nil: the server's default (src/main/java,
src/test/java, src/main/kotlin, src/test/kotlin, src/main/scala, src, app,
lib)."
  :type '(repeat (string :tag "Folder"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-rules nil
  "Per rule, a severity that replaces its own, or \"off\".
An alist of (RULE . SEVERITY), e.g. ((\"slow-call\" . \"off\")).
nil: every rule keeps its own severity."
  :type '(alist :key-type (choice :tag "Rule"
                                  (const "n-plus-one") (const "slow-call")
                                  (const "slow-request") (const "slow-query")
                                  (const "repeated-query") (const "too-many-queries"))
                :value-type (choice :tag "Severity"
                                    (const "error") (const "warning")
                                    (const "info") (const "off")))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-lenses nil
  "Whether the server offers code lenses.
nil: the server's default (it does).  `:json-false' turns them off."
  :type '(choice (const :tag "Server default (on)" nil)
                 (const :tag "On" t)
                 (const :tag "Off" :json-false))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-recording-folders nil
  "Workspace folders searched for recordings.
nil: the whole workspace (skipping node_modules and .git)."
  :type '(repeat (string :tag "Folder"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-traces nil
  "Globs naming OpenTelemetry traces (OTLP JSON) read besides *.appmap.json.
Matched against the end of each path.  nil: the server's default
(**/*.otlp.json, **/*.otlp.jsonl, .runlens/traces/**)."
  :type '(repeat (string :tag "Glob"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-path-mappings nil
  "Recorded path prefixes mapped to workspace folders.
For recordings made elsewhere: an alist of (RECORDED-PREFIX . FOLDER), e.g.
\((\"/app\" . \".\")) for recordings made in a container.  nil: none."
  :type '(alist :key-type (string :tag "Recorded prefix")
                :value-type (string :tag "Workspace folder"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-compare-max-time-increase-percent nil
  "Percent a time per call must rise by to be a regression in `runlens compare'.
It must also rise by `runlens-compare-max-time-increase-ms', beyond the noise.
nil: the server's default (20)."
  :type '(choice (const :tag "Server default (20)" nil) (number :tag "Percent"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-compare-max-time-increase-ms nil
  "Milliseconds a time per call must also rise by to be a regression.
nil: the server's default (10)."
  :type '(choice (const :tag "Server default (10)" nil) (number :tag "Milliseconds"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-compare-max-sql-increase nil
  "SQL queries per call a route, test or function may gain before it regresses.
nil: the server's default (0: any more is a regression)."
  :type '(choice (const :tag "Server default (0)" nil) (natnum :tag "Queries"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-compare-fail-on-new-finding nil
  "Severity from which a finding new since the baseline is a regression.
nil: the server's default (\"error\")."
  :type '(choice (const :tag "Server default (error)" nil)
                 (const "error") (const "warning") (const "info") (const "never"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defcustom runlens-compare-noise-factor nil
  "Standard deviations of one call's time within which a time change is noise.
nil: the server's default (2)."
  :type '(choice (const :tag "Server default (2)" nil) (number :tag "Factor"))
  :set #'runlens--set-and-send
  :initialize #'custom-initialize-default)

(defconst runlens--settings
  '(("nPlusOne.warningCount" runlens-n-plus-one-warning-count number)
    ("nPlusOne.errorCount" runlens-n-plus-one-error-count number)
    ("nPlusOne.minTotalMs" runlens-n-plus-one-min-total-ms number)
    ("slowCallMs" runlens-slow-call-ms number)
    ("slowRequestMs" runlens-slow-request-ms number)
    ("slowQueryMs" runlens-slow-query-ms number)
    ("repeatedQueryCount" runlens-repeated-query-count number)
    ("tooManyQueriesCount" runlens-too-many-queries-count number)
    ("sourceRoots" runlens-source-roots strings)
    ("rules" runlens-rules object)
    ("lenses" runlens-lenses boolean)
    ("recordingFolders" runlens-recording-folders strings)
    ("traces" runlens-traces strings)
    ("pathMappings" runlens-path-mappings object)
    ("compare.maxTimeIncreasePercent" runlens-compare-max-time-increase-percent number)
    ("compare.maxTimeIncreaseMs" runlens-compare-max-time-increase-ms number)
    ("compare.maxSqlIncrease" runlens-compare-max-sql-increase number)
    ("compare.failOnNewFinding" runlens-compare-fail-on-new-finding string)
    ("compare.noiseFactor" runlens-compare-noise-factor number))
  "The server settings, as (KEY OPTION KIND); KEY is dotted as in the server.")

(defun runlens--setting-json (option kind)
  "The JSON value of OPTION, a setting of KIND; nil when it is unset."
  (let ((value (symbol-value option)))
    (when value
      (pcase kind
        ('strings (vconcat value))
        ('object (let ((object (make-hash-table :test #'equal)))
                   (pcase-dolist (`(,key . ,value) value)
                     (puthash (format "%s" key) (format "%s" value) object))
                   object))
        (_ value)))))

(defun runlens-settings ()
  "The runlens settings, from the runlens- options, as a JSON-ready hash table.
Only the options that are set (non-nil) are in it: the server uses its
defaults for the rest.  Sent as initializationOptions and as the `runlens'
section of workspace/configuration."
  (let ((settings (make-hash-table :test #'equal)))
    (pcase-dolist (`(,key ,option ,kind) runlens--settings)
      (let ((value (runlens--setting-json option kind)))
        (when value
          (let ((object settings)
                (path (split-string key "\\.")))
            (while (cdr path)
              (setq object (or (gethash (car path) object)
                               (puthash (car path) (make-hash-table :test #'equal) object))
                    path (cdr path)))
            (puthash (car path) value object)))))
    settings))


;;; The project root

(defun runlens-project-root (&optional file)
  "The folder runlens serves FILE from, by `runlens-root-markers'; nil if none.
FILE defaults to the visited file, else `default-directory'.  eglot and
lsp-mode start runlens there (see `runlens-root-markers').  Interactively,
say it."
  (interactive)
  (let* ((start (expand-file-name (or file buffer-file-name default-directory)))
         (dir (if (file-directory-p start) (file-name-as-directory start)
                (file-name-directory start)))
         (root (cl-some (lambda (group)
                          (locate-dominating-file
                           dir (lambda (folder)
                                 (cl-some (lambda (marker)
                                            (file-exists-p (expand-file-name marker folder)))
                                          group))))
                        runlens-root-markers))
         (root (and root (file-name-as-directory (expand-file-name root)))))
    (when (called-interactively-p 'interactive)
      (message "runlens: %s" (or root "no project folder here (no file of `runlens-root-markers' above)")))
    root))


;;; Talking to the server, through the client that serves the buffer

(defun runlens--wanted-p (file mode)
  "Whether runlens serves FILE, visited in major MODE.
Files of `runlens-modes', but of JSON files only recordings."
  (and (apply #'provided-mode-derived-p mode runlens-modes)
       (if (or (apply #'provided-mode-derived-p mode runlens--json-modes)
               (and file (string-match-p "\\.json\\'" file)))
           (and file (string-match-p "\\.appmap\\.json\\'" file) t)
         t)))

(defun runlens--lsp-workspace ()
  "The lsp-mode workspace of runlens that serves the current buffer, or nil."
  (and (bound-and-true-p lsp-mode)
       (cl-find 'runlens (lsp-workspaces)
                :key (lambda (ws) (lsp--client-server-id (lsp--workspace-client ws))))))

(defun runlens--eglot-server-p (server)
  "Whether the eglot SERVER is runlens, however it was started."
  (let* ((capabilities (eglot--capabilities server))
         (commands (plist-get (plist-get capabilities :executeCommandProvider) :commands)))
    (and (cl-find "runlens.showDetails" commands :test #'equal) t)))

(defun runlens--eglot-server ()
  "The eglot server of runlens that manages the current buffer, or nil."
  (and (bound-and-true-p eglot--managed-mode)
       (let ((server (eglot-current-server)))
         (and server (runlens--eglot-server-p server) server))))

(defun runlens--connection ()
  "The client connection to runlens of the current buffer, or nil.
Either (lsp-mode . WORKSPACE) or (eglot . SERVER)."
  (let (found)
    (cond ((setq found (runlens--lsp-workspace)) (cons 'lsp-mode found))
          ((setq found (runlens--eglot-server)) (cons 'eglot found)))))

(defun runlens--connection-or-lose ()
  "The client connection to runlens of the current buffer, or a `user-error'."
  (or (runlens--connection)
      (user-error "No runlens server here: start one with M-x lsp or M-x runlens-eglot")))

(defun runlens--request (method params)
  "Send the request METHOD (a string) with PARAMS (a plist) to runlens.
Return the result: plists with eglot, hash tables with lsp-mode (unless
`lsp-use-plists'); `runlens--get' reads both."
  (pcase (runlens--connection-or-lose)
    (`(eglot . ,server)
     (jsonrpc-request server (intern (concat ":" method)) params))
    (`(lsp-mode . ,workspace)
     (let ((lsp--cur-workspace workspace))
       (lsp-request method params)))))

(defun runlens--get (object &rest keys)
  "The value at KEYS (strings) in the JSON OBJECT, a plist or a hash table."
  (while (and keys object)
    (let ((key (pop keys)))
      (setq object (if (hash-table-p object)
                       (gethash key object)
                     (plist-get object (intern (concat ":" key)))))))
  object)

(defun runlens--position-params ()
  "TextDocumentPositionParams of point, as the buffer's client builds them."
  (pcase (runlens--connection-or-lose)
    (`(eglot . ,_) (eglot--TextDocumentPositionParams))
    (`(lsp-mode . ,_) (lsp--text-document-position-params))))

(defun runlens--execute (command &optional argument)
  "Run the server COMMAND with ARGUMENT (a plist); return its text, or nil."
  (let ((text (runlens--request "workspace/executeCommand"
                                (list :command command
                                      :arguments (if argument (vector argument) [])))))
    (and (stringp text) text)))


;;; Showing text

(defconst runlens-output-buffer "*runlens-output*"
  "The buffer that shows the text of runlens commands.
Not *runlens*: lsp-mode names the server's process buffer after the client,
and killing that buffer would kill the server.")

(define-derived-mode runlens-output-mode special-mode "runlens"
  "Mode of the buffer that shows what a runlens command returned.")

(defun runlens--display (text)
  "Show TEXT: in the echo area if it is one line, else in `runlens-output-buffer'.
Return TEXT."
  (if (not (string-match-p "\n" text))
      (message "%s" text)
    (with-current-buffer (get-buffer-create runlens-output-buffer)
      (let ((inhibit-read-only t))
        (unless (derived-mode-p 'runlens-output-mode) (runlens-output-mode))
        ;; A command's text comes twice: as its result and as a showMessage.
        (unless (equal (buffer-string) text)
          (erase-buffer)
          (insert text)
          (goto-char (point-min))))
      (display-buffer (current-buffer))))
  text)

(defun runlens--show-message-p (type message)
  "Non-nil if a window/showMessage of TYPE with MESSAGE is for the output buffer.
Command results do: type Info, several lines.  Errors and warnings keep the
client's own display."
  (and (numberp type) (>= type 3)
       (stringp message) (string-match-p "\n" message) t))

(defvar runlens--recordings nil
  "The recordings (workspace-relative) that servers announced.
Offered by `runlens-show-call-tree'.")

(defun runlens--index-changed (recordings)
  "Remember RECORDINGS (from runlens/indexChanged) and run the hook."
  (let ((recordings (append recordings nil)))
    (dolist (recording recordings)
      (cl-pushnew recording runlens--recordings :test #'equal))
    (run-hook-with-args 'runlens-index-changed-functions recordings)))


;;; Commands

(defun runlens--lens-fn-key (lens)
  "The function key that a code LENS of runlens carries, or nil."
  (let ((arguments (runlens--get lens "command" "arguments")))
    (and (> (length arguments) 0)
         (runlens--get (elt arguments 0) "fnKey"))))

(defun runlens--function-at-point ()
  "The function key of the recorded function at point, or nil.
The function of a code lens on this line (what clicking it would show), else
the recorded function whose definition holds point (prepareCallHierarchy)."
  (let* ((params (runlens--position-params))
         (line (runlens--get params "position" "line"))
         (lenses (runlens--request "textDocument/codeLens"
                                   (list :textDocument (plist-get params :textDocument)))))
    (or (cl-some (lambda (lens)
                   (and (eql line (runlens--get lens "range" "start" "line"))
                        (runlens--lens-fn-key lens)))
                 lenses)
        (let ((items (runlens--request "textDocument/prepareCallHierarchy" params)))
          (and (> (length items) 0)
               (runlens--get (elt items 0) "data" "node"))))))

;;;###autoload
(defun runlens-show-details ()
  "Show the recorded numbers of the function at point, and return them.
What its code lenses say, and more: calls, time, SQL, the queries it ran
most, the recordings and the slowest path."
  (interactive)
  (let* ((fn-key (or (runlens--function-at-point)
                     (user-error "No recorded function here")))
         (text (runlens--execute "runlens.showDetails" (list :fnKey fn-key))))
    (if text
        (runlens--display text)
      (message "runlens: no details for %s" fn-key)
      nil)))

;;;###autoload
(defun runlens-show-queries ()
  "Show the SQL the function at point ran, most frequent first; return it."
  (interactive)
  (let ((fn-key (or (runlens--function-at-point)
                    (user-error "No recorded function here"))))
    (runlens--display
     (or (runlens--execute "runlens.showQueries" (list :fnKey fn-key))
         (format "runlens: %s was not recorded" fn-key)))))

;;;###autoload
(defun runlens-save-baseline ()
  "Save the current recordings as the project's baseline, .runlens/baseline.json.
From then on lenses and hovers show the change since (420 ms -> 160 ms),
and the findings that are gone show as resolved.  Return the server's text."
  (interactive)
  (let ((text (or (runlens--execute "runlens.saveBaseline")
                  (user-error "runlens: no baseline saved (no recordings yet, or .runlens cannot be written; see the server log)"))))
    (message "%s" text)
    text))

;;;###autoload
(defun runlens-show-call-tree (recording &optional route)
  "Show the recorded call tree of RECORDING, of ROUTE only when non-nil.
RECORDING is workspace-relative.  Interactively, ask for both; the visited
recording is the default.  Return the text."
  (interactive
   (let* ((status (runlens--request "runlens/status" nil))
          (root (file-name-as-directory (runlens--get status "root")))
          (here (and buffer-file-name
                     (string-match-p "\\.appmap\\.json\\'" buffer-file-name)
                     (file-relative-name (file-truename buffer-file-name) root)))
          (known (cl-remove-if-not (lambda (r) (file-exists-p (expand-file-name r root)))
                                   runlens--recordings))
          (route (read-string "Route (empty: the whole recording): ")))
     (list (completing-read (if here (format "Recording (default %s): " here) "Recording: ")
                            known nil nil nil nil here)
           (and (not (string-empty-p route)) route))))
  (runlens--display
   (or (runlens--execute "runlens.showCallTree"
                         (append (list :recording recording) (and route (list :route route))))
       (format "runlens: no call tree for %s%s" recording
               (if route (format " (%s)" route) "")))))

;;;###autoload
(defun runlens-status (&optional verbose)
  "Say what the runlens server of this buffer knows; return its answer.
With VERBOSE (a prefix argument), also show its request timings."
  (interactive "P")
  (let* ((status (runlens--request "runlens/status" nil))
         (recordings (runlens--get status "recordings"))
         (findings (runlens--get status "findings"))
         (summary (format "runlens: %s recording%s, %s finding%s in %s%s"
                          recordings (if (eql recordings 1) "" "s")
                          findings (if (eql findings 1) "" "s")
                          (runlens--get status "root")
                          (if (eq (runlens--get status "indexing") t) " (indexing...)" ""))))
    (if (not verbose)
        (message "%s" summary)
      (let ((row "%-36s %7s %7s %9s %9s")
            (lines nil))
        (runlens--map-object
         (lambda (method timing)
           (push (format row method
                         (runlens--get timing "count") (runlens--get timing "errors")
                         (runlens--get timing "p50Ms") (runlens--get timing "p99Ms"))
                 lines))
         (runlens--get status "timings"))
        (runlens--display
         (string-join (append (list summary "" (format row "request" "count" "errors"
                                                       "p50 ms" "p99 ms"))
                              (sort lines #'string<))
                      "\n"))))
    status))

(defun runlens--map-object (function object)
  "Call FUNCTION with each key (a string) and value of the JSON OBJECT."
  (if (hash-table-p object)
      (maphash function object)
    (cl-loop for (key value) on object by #'cddr
             do (funcall function (substring (symbol-name key) 1) value))))

(defun runlens-send-configuration ()
  "Send the settings (the runlens- options) to every running runlens server."
  (interactive)
  (let ((params (list :settings (list :runlens (runlens-settings)))))
    (when (boundp 'eglot--servers-by-project)
      (maphash (lambda (_project servers)
                 (dolist (server servers)
                   (when (runlens--eglot-server-p server)
                     (jsonrpc-notify server :workspace/didChangeConfiguration params))))
               eglot--servers-by-project))
    (when (bound-and-true-p lsp--session)
      (dolist (workspace (lsp--session-workspaces lsp--session))
        (when (eq (lsp--client-server-id (lsp--workspace-client workspace)) 'runlens)
          (let ((lsp--cur-workspace workspace))
            (lsp-notify "workspace/didChangeConfiguration" params)))))))


;;; eglot

(defun runlens--eglot-contact (&optional _interactive _project)
  "The contact of runlens in `eglot-server-programs'.
A function, so that `runlens-server-command' and the options are read when
the server starts."
  (append runlens-server-command
          (list :initializationOptions (lambda (_server) (runlens-settings)))))

;;;###autoload
(defun runlens-eglot-setup ()
  "Make eglot start runlens for the buffers of `runlens-modes'.
Puts runlens first in `eglot-server-programs'.  eglot runs one server per
major mode and project: runlens then takes the place of the language's own
server (pyright, solargraph, ...).  To keep that one, use `runlens-eglot'
for the projects you want runlens in, or lsp-mode, where runlens is an
add-on."
  (interactive)
  (require 'eglot)
  (setq eglot-server-programs
        (cons (cons runlens-modes #'runlens--eglot-contact)
              (cl-remove #'runlens--eglot-contact eglot-server-programs :key #'cdr))))

;;;###autoload
(defun runlens-eglot ()
  "Start runlens with eglot for the current buffer's project.
It manages the project's buffers of `runlens-modes', in place of any other
server eglot ran for them there."
  (interactive)
  (require 'eglot)
  (let ((eglot-server-programs (cons (cons runlens-modes #'runlens--eglot-contact)
                                     eglot-server-programs)))
    (call-interactively #'eglot)))

(defun runlens--eglot-program (mode)
  "What `eglot-server-programs' says to run for MODE, looked up as eglot does."
  (cl-loop for (modes . contact) in eglot-server-programs
           for specs = (if (or (symbolp modes) (keywordp (cadr modes))) (list modes) modes)
           when (cl-some (lambda (spec)
                           (provided-mode-derived-p mode (if (consp spec) (car spec) spec)))
                         specs)
           return contact))

(defun runlens--eglot-contact-p (contact)
  "Whether CONTACT, from `eglot-server-programs', starts runlens.
This file's contact, or a command line of one's own that runs runlens or
its runlens.js."
  (or (eq contact #'runlens--eglot-contact)
      (and (consp contact)
           (cl-loop for part on contact
                    thereis (and (stringp (car part))
                                 (string-match-p "\\`runlens\\(?:\\.js\\)?\\'"
                                                 (file-name-nondirectory (car part))))))))

(defun runlens--eglot-project (dir)
  "The project of DIR for runlens under eglot, or nil.
An entry of `project-find-functions'.
Only when eglot looks for a project (`eglot-lsp-context') for a buffer that
runlens serves or is about to serve (its mode is runlens's in
`eglot-server-programs', or a runlens server runs on that root): then the
project is `runlens-project-root''s.  Everything else, project.el's own
commands and other servers included, gets the project it would get without
runlens."
  (when (and (bound-and-true-p eglot-lsp-context)
             (runlens--wanted-p buffer-file-name major-mode))
    (let ((ours (runlens--eglot-contact-p (runlens--eglot-program major-mode)))
          (running (and (boundp 'eglot--servers-by-project) eglot--servers-by-project)))
      ;; The folders are only looked at when runlens is concerned.
      (when (or ours (and running (cl-loop for key being the hash-keys of running
                                           thereis (eq (car-safe key) 'runlens))))
        (let ((root (runlens-project-root dir)))
          (when (and root (or ours (gethash (cons 'runlens root) running)))
            (cons 'runlens root)))))))

(with-eval-after-load 'project
  (cl-defmethod project-root ((project (head runlens)))
    "The root of a runlens project: its folder."
    (cdr project))
  ;; Early, so that a version-control root does not answer first.
  (add-hook 'project-find-functions #'runlens--eglot-project -50))

(with-eval-after-load 'eglot
  ;; Methods on eglot's generic functions.  They are not specialised on a
  ;; server class, so that they serve runlens however it was started (an
  ;; entry of one's own in `eglot-server-programs' too).
  (cl-defmethod eglot-handle-request :around
    (server (_method (eql workspace/configuration)) &key items)
    "Answer runlens's `runlens' section from the runlens- options.
Unless `eglot-workspace-configuration' has one (e.g. in .dir-locals.el)."
    (let ((answers (cl-call-next-method)))
      (if (not (runlens--eglot-server-p server))
          answers
        (cl-map 'vector
                (lambda (item answer)
                  (if (and (null answer) (equal (plist-get item :section) "runlens"))
                      (runlens-settings)
                    answer))
                items answers))))

  (cl-defmethod eglot-handle-notification
    (_server (_method (eql runlens/indexChanged)) &key recordings &allow-other-keys)
    "Recordings were reindexed (eglot has no code lenses to refresh)."
    (runlens--index-changed recordings))

  (cl-defmethod eglot-handle-notification :around
    (server (_method (eql window/showMessage)) &key type message &allow-other-keys)
    "Show the text of a runlens command in its buffer; the rest as eglot does."
    (if (and (runlens--show-message-p type message) (runlens--eglot-server-p server))
        (runlens--display message)
      (cl-call-next-method))))


;;; lsp-mode

(defun runlens--lsp-activate-p (file mode)
  "The activation function of the lsp-mode client: serve FILE in MODE?"
  (runlens--wanted-p file mode))

(defun runlens--lsp-enabled-p ()
  "Whether lsp-mode may start runlens.
By `lsp-enabled-clients' and `lsp-disabled-clients'."
  (let ((enabled (bound-and-true-p lsp-enabled-clients))
        (disabled (bound-and-true-p lsp-disabled-clients)))
    (and (or (null enabled) (memq 'runlens enabled))
         (not (memq 'runlens disabled)))))

(defun runlens--lsp-suggest-root ()
  "The root lsp-mode suggests for a buffer runlens serves: `runlens-project-root'.
lsp-mode runs every server of a buffer in one folder, which it asks for
once (\"i ==> Import project root ...\"), or takes unasked with
`lsp-auto-guess-root'; its suggestion is otherwise the version-control
root, where runlens would find none of a nested project's recordings.
Advice before `lsp--suggest-project-root'; nil lets lsp-mode suggest."
  (and buffer-file-name
       (runlens--wanted-p buffer-file-name major-mode)
       (runlens--lsp-enabled-p)
       (runlens-project-root)))

(defun runlens--lsp-index-changed (workspace params)
  "Handle runlens/indexChanged (PARAMS) from WORKSPACE: refresh its lenses."
  (runlens--index-changed (runlens--get params "recordings"))
  (dolist (buffer (lsp--workspace-buffers workspace))
    (when (and (bufferp buffer) (buffer-live-p buffer))
      (with-current-buffer buffer
        (when (bound-and-true-p lsp-lens-mode)
          (lsp-lens-refresh t buffer))))))

(defun runlens--lsp-show-message (workspace params)
  "Handle window/showMessage (PARAMS) from WORKSPACE: long text to its buffer."
  (if (runlens--show-message-p (runlens--get params "type") (runlens--get params "message"))
      (runlens--display (runlens--get params "message"))
    (lsp--window-show-message workspace params)))

(defun runlens--lsp-run-command (command)
  "Run COMMAND (an LSP Command) on runlens, and show its text.
lsp-mode would send the command of a lens or code action to every server of
the buffer that runs commands; this sends it to runlens only."
  (let* ((arguments (runlens--get command "arguments"))
         (text (runlens--execute (runlens--get command "command")
                                 (and (> (length arguments) 0) (elt arguments 0)))))
    (when text (runlens--display text))))

(defconst runlens--commands
  '("runlens.showDetails" "runlens.showCallTree" "runlens.showQueries"
    "runlens.showRepeatedQueries" "runlens.showFixHint" "runlens.saveBaseline")
  "The commands the server runs (its executeCommandProvider).")

(with-eval-after-load 'lsp-mode
  (advice-add 'lsp--suggest-project-root :before-until #'runlens--lsp-suggest-root)
  (let ((notification-handlers (make-hash-table :test #'equal))
        (action-handlers (make-hash-table :test #'equal)))
    (puthash "runlens/indexChanged" #'runlens--lsp-index-changed notification-handlers)
    (puthash "window/showMessage" #'runlens--lsp-show-message notification-handlers)
    (dolist (command runlens--commands)
      (puthash command #'runlens--lsp-run-command action-handlers))
    (lsp-register-client
     (make-lsp-client
      :new-connection (lsp-stdio-connection (lambda () runlens-server-command))
      :activation-fn #'runlens--lsp-activate-p
      :server-id 'runlens
      :add-on? t
      :priority -1
      :initialization-options #'runlens-settings
      :notification-handlers notification-handlers
      :action-handlers action-handlers)))
  ;; The `runlens' section of workspace/configuration: one entry per option,
  ;; left out while the option is nil.
  (lsp-register-custom-settings
   (mapcar (pcase-lambda (`(,key ,option ,kind))
             (list (concat "runlens." key) (lambda () (runlens--setting-json option kind))))
           runlens--settings)))

(provide 'runlens)
;;; runlens.el ends here
