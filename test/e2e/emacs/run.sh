#!/usr/bin/env bash
# Runs the Emacs end-to-end scripts by hand, as editors.test.ts does (../env.sh): each script under
# `timeout 180`, its JSON printed. Build the server first (npx tsc -p .).
#
#   bash test/e2e/emacs/run.sh            # eglot and lsp-mode, Debian's emacs (or $RUNLENS_E2E_EMACS)
#   bash test/e2e/emacs/run.sh eglot      # one of them
#   bash test/e2e/emacs/run.sh test/e2e/emacs/.emacs30/bin/emacs eglot   # another emacs (install-emacs.sh)
#   KEEP=1 bash test/e2e/emacs/run.sh     # keep the temporary folder (its path is printed)
#   EMACS_FLAGS=-Q bash test/e2e/emacs/run.sh   # extra flags for emacs
set -u
here="$(cd "$(dirname "$0")" && pwd)"
emacs=${RUNLENS_E2E_EMACS:-emacs}
case "${1:-}" in
  ''|eglot|lsp-mode) ;;
  *) emacs=$1; shift ;;
esac
runs=("$@")
[ ${#runs[@]} -eq 0 ] && runs=(eglot lsp-mode)

source "$here/../env.sh" emacs
mkdir -p "$E2E_BASE/out"

status=0
for run in "${runs[@]}"; do
  export RUNLENS_E2E_OUT="$E2E_BASE/out/$run.json"
  before="$(sha256sum "$RUNLENS_E2E_FILE")"
  started=$(date +%s%N)
  timeout 180 "$emacs" --batch ${EMACS_FLAGS:-} -l "$here/$run-e2e.el" 2> "$E2E_BASE/out/$run.stderr"
  code=$?
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  echo "== $run: exit $code, ${elapsed} ms"
  cat "$RUNLENS_E2E_OUT" 2>/dev/null || { echo "(no JSON; stderr follows)"; cat "$E2E_BASE/out/$run.stderr"; }
  [ "$before" = "$(sha256sum "$RUNLENS_E2E_FILE")" ] || { echo "!! $RUNLENS_E2E_FILE changed on disk"; code=1; }
  [ $code -eq 0 ] || status=1
done
exit $status
