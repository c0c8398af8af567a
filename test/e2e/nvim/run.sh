#!/usr/bin/env bash
# Runs test/e2e/nvim/e2e.lua by hand, as editors.test.ts does: a fresh workspace, a throw-away
# HOME/XDG, the contract's environment, nvim under `timeout 60`; prints the JSON on stdout (the rest on
# stderr) and cleans up (KEEP=1 keeps the workspace).
#
#   bash test/e2e/nvim/run.sh                 # Debian's nvim (or $RUNLENS_E2E_NVIM)
#   bash test/e2e/nvim/run.sh /opt/nvim/bin/nvim   # another one, e.g. from install-neovim.sh
#   bash test/e2e/nvim/run.sh nvim plugin.lua      # the plugin's own checks instead of the contract's
#
# Needs the server built (npx tsc -p . in the repository). Exit status: the script's.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
NVIM=${1:-${RUNLENS_E2E_NVIM:-nvim}}
SCRIPT=${2:-e2e.lua}
[ -f "$REPO/server/out/test/e2e/workspace.js" ] || { echo "run.sh: build the server first (npx tsc -p . in $REPO)" >&2; exit 2; }

ROOT=$(node "$REPO/server/out/test/e2e/workspace.js")
BASE=$(dirname "$ROOT")
trap '[ -n "${KEEP:-}" ] || rm -rf "$BASE"' EXIT
HOME_DIR=$BASE/home
mkdir -p "$HOME_DIR"
OUT=$HOME_DIR/report.json

start=$(date +%s%N)
status=0
(
  cd "$ROOT"
  env HOME="$HOME_DIR" XDG_CONFIG_HOME="$HOME_DIR/.config" XDG_CACHE_HOME="$HOME_DIR/.cache" \
    XDG_DATA_HOME="$HOME_DIR/.local/share" XDG_STATE_HOME="$HOME_DIR/.local/state" \
    RUNLENS_E2E_ROOT="$ROOT" \
    RUNLENS_E2E_FILE="$ROOT/app/controllers/users_controller.rb" \
    RUNLENS_E2E_SERVER="[\"$(command -v node)\",\"$REPO/server/bin/runlens.js\",\"--stdio\"]" \
    RUNLENS_E2E_CLIENT="$REPO/clients/nvim" \
    RUNLENS_E2E_OUT="$OUT" \
    RUNLENS_E2E_HOVER="12:6" \
    timeout 60 "$NVIM" --headless -u NONE -i NONE -n -c "luafile $REPO/test/e2e/nvim/$SCRIPT" "$ROOT/app/controllers/users_controller.rb" >&2
) || status=$?
end=$(date +%s%N)

if [ -f "$OUT" ]; then
  if command -v python3 >/dev/null; then python3 -m json.tool --no-ensure-ascii "$OUT"; else cat "$OUT"; fi
elif [ "$SCRIPT" = e2e.lua ]; then
  echo "run.sh: no report written" >&2
fi
echo "run.sh: exit $status in $(( (end - start) / 1000000 )) ms" >&2
exit $status
