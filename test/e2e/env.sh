# Sourced by the run.sh scripts of the editor folders: a fresh workspace and the contract's
# environment (README.md here), set as editors.test.ts sets them, for running an editor by hand.
#
#   source "$(dirname "$0")/../env.sh" CLIENT      # CLIENT: nvim | emacs | vscode
#
# Exports HOME and XDG_* (a throw-away home) and RUNLENS_E2E_*; sets E2E_REPO and E2E_BASE, the
# temporary folder, removed on exit unless KEEP is set.
E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -f "$E2E_REPO/server/out/test/e2e/workspace.js" ] || { echo "build the server first (npx tsc -p . in $E2E_REPO)" >&2; exit 2; }
RUNLENS_E2E_ROOT=$(node "$E2E_REPO/server/out/test/e2e/workspace.js")
E2E_BASE=$(dirname "$RUNLENS_E2E_ROOT")
trap 'if [ -n "${KEEP:-}" ]; then echo "kept $E2E_BASE" >&2; else rm -rf "$E2E_BASE"; fi' EXIT
mkdir -p "$E2E_BASE/home"
export HOME="$E2E_BASE/home" XDG_CONFIG_HOME="$E2E_BASE/home/.config" XDG_CACHE_HOME="$E2E_BASE/home/.cache" \
  XDG_DATA_HOME="$E2E_BASE/home/.local/share" XDG_STATE_HOME="$E2E_BASE/home/.local/state"
export RUNLENS_E2E_ROOT
export RUNLENS_E2E_FILE="$RUNLENS_E2E_ROOT/app/controllers/users_controller.rb"
export RUNLENS_E2E_SERVER="[\"$(command -v node)\",\"$E2E_REPO/server/bin/runlens.js\",\"--stdio\"]"
export RUNLENS_E2E_CLIENT="$E2E_REPO/clients/$1"
export RUNLENS_E2E_HOVER="12:6"
export RUNLENS_E2E_OUT="$E2E_BASE/home/report.json"

# Prints the report as indented JSON, or says there is none.
e2e_print_report() {
  if [ -f "$RUNLENS_E2E_OUT" ]; then python3 -m json.tool --no-ensure-ascii "$RUNLENS_E2E_OUT" 2>/dev/null || cat "$RUNLENS_E2E_OUT"
  else echo "no report written" >&2; fi
}
