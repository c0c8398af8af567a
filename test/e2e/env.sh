# Sourced by the run.sh scripts of the editor folders: a fresh workspace and the contract's
# environment (README.md here), set as editors.test.ts sets them, for running an editor by hand.
#
#   source "$(dirname "$0")/../env.sh" CLIENT      # CLIENT: nvim | emacs | vscode
#
# E2E_CASE picks the project: rails (default; a temporary copy) or bookshop (the example, opened
# where it is in this repository). Exports HOME and XDG_* (a throw-away home) and RUNLENS_E2E_*;
# sets E2E_REPO and E2E_BASE, the temporary folder, removed on exit unless KEEP is set.
# RUNLENS_E2E_SERVER_OVERRIDE replaces the server command (a JSON array), e.g. a script that tees
# the traffic to files.
E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -f "$E2E_REPO/server/out/test/e2e/workspace.js" ] || { echo "build the server first (npx tsc -p . in $E2E_REPO)" >&2; exit 2; }
e2e_vars=$(node "$E2E_REPO/server/out/test/e2e/workspace.js" "${E2E_CASE:-rails}") || exit 2
eval "$e2e_vars"
trap 'if [ -n "${KEEP:-}" ]; then echo "kept $E2E_BASE" >&2; else rm -rf "$E2E_BASE"; fi' EXIT
export HOME="$E2E_BASE/home" XDG_CONFIG_HOME="$E2E_BASE/home/.config" XDG_CACHE_HOME="$E2E_BASE/home/.cache" \
  XDG_DATA_HOME="$E2E_BASE/home/.local/share" XDG_STATE_HOME="$E2E_BASE/home/.local/state"
export RUNLENS_E2E_SERVER="${RUNLENS_E2E_SERVER_OVERRIDE:-[\"$(command -v node)\",\"$E2E_REPO/server/bin/runlens.js\",\"--stdio\"]}"
export RUNLENS_E2E_CLIENT="$E2E_REPO/clients/$1"
export RUNLENS_E2E_OUT="$E2E_BASE/home/report.json"

# Prints the report as indented JSON, or says there is none.
e2e_print_report() {
  if [ -f "$RUNLENS_E2E_OUT" ]; then python3 -m json.tool --no-ensure-ascii "$RUNLENS_E2E_OUT" 2>/dev/null || cat "$RUNLENS_E2E_OUT"
  else echo "no report written" >&2; fi
}
