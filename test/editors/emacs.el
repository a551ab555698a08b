;;; emacs.el --- drive Emacs (28+, eglot 1.9+) against the einsight language server, in batch
;; The README's "Other editors" configuration for eglot, then: open the file given on the command
;; line, wait for the diagnostics (flymake), ask for a hover, apply the preferred quick fix, save,
;; and write what it saw as JSON to $EINSIGHT_EMACS_RESULT.
;;
;;   EINSIGHT_SERVER='node /path/to/einsight/server/out/cli/main.js lsp --stdio' \
;;   EINSIGHT_EMACS_RESULT=result.json emacs --batch -l test/editors/emacs.el model.py

(require 'eglot)
(require 'json)

;; The README's configuration, word for word but for the server command. (Its eglot-ensure hook
;; starts eglot after the next command, which batch mode never runs: the test calls eglot itself.)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((python-mode python-ts-mode typescript-mode js-mode) . ,(split-string (getenv "EINSIGHT_SERVER")))))
(setq-default eglot-workspace-configuration '(:einsight (:minSpeedup 2 :codeLens "findings")))
(add-hook 'python-mode-hook #'eglot-ensure)

(defvar einsight-result (list (cons 'errors [])))

(defun einsight-finish ()
  (with-temp-file (getenv "EINSIGHT_EMACS_RESULT") (insert (json-encode einsight-result)))
  (kill-emacs 0))

(defun einsight-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(defun einsight-fail (message)
  (push (cons 'errors (vector message)) einsight-result)
  (einsight-finish))

(find-file (car (last command-line-args)))
(python-mode)
(call-interactively #'eglot)
(let ((server (eglot-current-server)))
  (unless (einsight-wait (lambda () (flymake-diagnostics)) 30)
    (einsight-fail "no diagnostics within 30 s"))
  (let* ((diagnostic (car (flymake-diagnostics)))
         (start (flymake-diagnostic-beg diagnostic))
         (end (flymake-diagnostic-end diagnostic)))
    (push (cons 'diagnostics (vconcat (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))) einsight-result)
    (goto-char (+ start 6))
    (let ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
      (push (cons 'hover (plist-get (plist-get hover :contents) :value)) einsight-result))
    (let* ((actions (jsonrpc-request server :textDocument/codeAction
                                     (list :textDocument (eglot--TextDocumentIdentifier)
                                           :range (list :start (eglot--pos-to-lsp-position start)
                                                        :end (eglot--pos-to-lsp-position end))
                                           :context (list :diagnostics [] :only ["quickfix"]))))
           (preferred (seq-find (lambda (a) (eq (plist-get a :isPreferred) t)) actions)))
      (unless preferred (einsight-fail "no preferred code action"))
      (push (cons 'action (plist-get preferred :title)) einsight-result)
      (eglot--apply-workspace-edit (plist-get preferred :edit))
      (save-buffer)
      (push (cons 'written t) einsight-result)
      (push (cons 'cleared (einsight-wait (lambda () (null (flymake-diagnostics))) 30)) einsight-result))))
(einsight-finish)
