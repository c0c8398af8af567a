#!/usr/bin/env bash
# Runs the Emacs end-to-end scripts by hand, outside mocha: a fresh workspace, a throw-away HOME,
# each script under `timeout 60`, its JSON printed. Build the server first (npx tsc -p .).
#
#   bash test/e2e/emacs/run.sh            # eglot and lsp-mode
#   bash test/e2e/emacs/run.sh eglot      # one of them
#   KEEP=1 bash test/e2e/emacs/run.sh     # keep the temporary folder (its path is printed)
#   EMACS_FLAGS=-Q bash test/e2e/emacs/run.sh   # extra flags for emacs
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
runs=("$@")
[ ${#runs[@]} -eq 0 ] && runs=(eglot lsp-mode)

workspace="$(node "$repo/server/out/test/e2e/workspace.js")" || { echo "no workspace (build the server: npx tsc -p .)" >&2; exit 2; }
tmp="$(dirname "$workspace")"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/out"

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache" \
  XDG_DATA_HOME="$tmp/home/.local/share" XDG_STATE_HOME="$tmp/home/.local/state"
export RUNLENS_E2E_ROOT="$workspace"
export RUNLENS_E2E_FILE="$workspace/app/controllers/users_controller.rb"
export RUNLENS_E2E_SERVER="[\"$(command -v node)\",\"$repo/server/bin/runlens.js\",\"--stdio\"]"
export RUNLENS_E2E_CLIENT="$repo/clients/emacs"
export RUNLENS_E2E_HOVER="12:6"

status=0
for run in "${runs[@]}"; do
  export RUNLENS_E2E_OUT="$tmp/out/$run.json"
  before="$(sha256sum "$RUNLENS_E2E_FILE")"
  started=$(date +%s%N)
  timeout 60 emacs --batch ${EMACS_FLAGS:-} -l "$here/$run-e2e.el" 2> "$tmp/out/$run.stderr"
  code=$?
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  echo "== $run: exit $code, ${elapsed} ms"
  cat "$RUNLENS_E2E_OUT" 2>/dev/null || { echo "(no JSON; stderr follows)"; cat "$tmp/out/$run.stderr"; }
  [ "$before" = "$(sha256sum "$RUNLENS_E2E_FILE")" ] || { echo "!! $RUNLENS_E2E_FILE changed on disk"; code=1; }
  [ $code -eq 0 ] || status=1
done
[ "${KEEP:-}" = 1 ] && echo "kept $tmp"
exit $status
