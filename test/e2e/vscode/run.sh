#!/usr/bin/env bash
# Runs the VS Code end-to-end run (run.ts) by hand, as editors.test.ts does (../env.sh): prints the
# JSON on stdout (the rest on stderr) and cleans up (KEEP=1 keeps the workspace, the profile and
# the screenshots).
#
#   bash test/e2e/vscode/run.sh     # code-server from test/e2e/vscode/.code-server, or $RUNLENS_E2E_CODE_SERVER
#
# Needs the server built (npx tsc -p .), code-server (install-code-server.sh) and the .vsix (npm run
# package in clients/vscode). The extension runs the server bundled in the .vsix, as in the test;
# REPO_SERVER=1 runs the repository's build instead (runlens.server.path). Exit status: the runner's.
set -euo pipefail
source "$(dirname "$0")/../env.sh" vscode
[ -n "${REPO_SERVER:-}" ] || RUNLENS_E2E_SERVER=
export RUNLENS_E2E_KEEP="${KEEP:-}"

status=0
(cd "$RUNLENS_E2E_ROOT" && node "$E2E_REPO/server/out/test/e2e/vscode/run.js" >&2) || status=$?
e2e_print_report
exit $status
