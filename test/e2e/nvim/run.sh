#!/usr/bin/env bash
# Runs test/e2e/nvim/e2e.lua by hand, as editors.test.ts does (../env.sh): prints the JSON on stdout
# (the rest on stderr) and cleans up (KEEP=1 keeps the workspace).
#
#   bash test/e2e/nvim/run.sh                      # Debian's nvim (or $RUNLENS_E2E_NVIM)
#   bash test/e2e/nvim/run.sh /opt/nvim/bin/nvim   # another one, e.g. from install-neovim.sh
#   bash test/e2e/nvim/run.sh nvim plugin.lua      # the plugin's own checks instead of the contract's
#
# Needs the server built (npx tsc -p . in the repository). Exit status: the script's.
set -euo pipefail
NVIM=${1:-${RUNLENS_E2E_NVIM:-nvim}}
SCRIPT=${2:-e2e.lua}
source "$(dirname "$0")/../env.sh" nvim

start=$(date +%s%N)
status=0
(cd "$RUNLENS_E2E_ROOT" && timeout 180 "$NVIM" --headless -u NONE -i NONE -n -c "luafile $E2E_REPO/test/e2e/nvim/$SCRIPT" "$RUNLENS_E2E_FILE" >&2) || status=$?
[ "$SCRIPT" != e2e.lua ] || e2e_print_report
echo "run.sh: exit $status in $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
exit $status
