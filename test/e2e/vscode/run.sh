#!/usr/bin/env bash
# Runs the VS Code end-to-end run (run.ts) by hand, as editors.test.ts does: a fresh workspace, a
# throw-away HOME/XDG, the contract's environment; prints the JSON on stdout (the rest on stderr)
# and cleans up (KEEP=1 keeps the workspace, the profile and the screenshots).
#
#   bash test/e2e/vscode/run.sh        # code-server from test/e2e/vscode/.code-server, or $RUNLENS_E2E_CODE_SERVER
#
# Needs the server built (npx tsc -p .), code-server (install-code-server.sh) and the .vsix
# (npm run package in clients/vscode). BUNDLED=1 runs the server bundled in the .vsix instead of
# the repository's build. Exit status: the runner's.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$REPO/server/out/test/e2e/vscode/run.js" ] || { echo "run.sh: build first (npx tsc -p . in $REPO)" >&2; exit 2; }

ROOT=$(node "$REPO/server/out/test/e2e/workspace.js")
BASE=$(dirname "$ROOT")
trap '[ -n "${KEEP:-}" ] || rm -rf "$BASE"' EXIT
HOME_DIR=$BASE/home
mkdir -p "$HOME_DIR"
OUT=$HOME_DIR/report.json
SERVER="[\"$(command -v node)\",\"$REPO/server/bin/runlens.js\",\"--stdio\"]"
[ -z "${BUNDLED:-}" ] || SERVER=

status=0
(
  cd "$ROOT"
  env HOME="$HOME_DIR" XDG_CONFIG_HOME="$HOME_DIR/.config" XDG_CACHE_HOME="$HOME_DIR/.cache" \
    XDG_DATA_HOME="$HOME_DIR/.local/share" XDG_STATE_HOME="$HOME_DIR/.local/state" \
    RUNLENS_E2E_ROOT="$ROOT" \
    RUNLENS_E2E_FILE="$ROOT/app/controllers/users_controller.rb" \
    RUNLENS_E2E_SERVER="$SERVER" \
    RUNLENS_E2E_CLIENT="$REPO/clients/vscode" \
    RUNLENS_E2E_OUT="$OUT" \
    RUNLENS_E2E_HOVER="12:6" \
    RUNLENS_E2E_KEEP="${KEEP:-}" \
    node "$REPO/server/out/test/e2e/vscode/run.js" >&2
) || status=$?

if [ -f "$OUT" ]; then
  if command -v python3 >/dev/null; then python3 -m json.tool --no-ensure-ascii "$OUT"; else cat "$OUT"; fi
else
  echo "run.sh: no report written" >&2
fi
[ -z "${KEEP:-}" ] || echo "run.sh: kept $BASE" >&2
exit $status
