#!/usr/bin/env bash
# Installs what the tests need beyond npm ci, above all the editors of the end-to-end tests (test/e2e), on Debian bookworm with Node 20:
#   - Debian's neovim (0.7), emacs-nox (28) with elpa-eglot and elpa-lsp-mode, chromium; strace (test/system/confinement.test.ts); postgresql (the OTel example on PostgreSQL, started in a temporary folder by its test);
#     ripgrep and libkrb5-dev for code-server's native modules;
#   - newer Neovims than Debian's 0.7, from later Debian releases, in private folders (no system change):
#     0.10 (trixie) and 0.12 (forky), under test/e2e/nvim/.neovim;
#   - Emacs 30.1 with its built-in eglot 1.17 (bookworm-backports), in a private folder beside
#     Debian's Emacs 28, under test/e2e/emacs/.emacs30;
#   - code-server 4.100.3 (VS Code 1.100.3, the last release on Node 20) under test/e2e/vscode/.code-server;
#   - the VS Code extension packaged to clients/vscode/runlens.vsix (needs the server built: npm ci).
#   - the bookshop example's own dependencies (appmap-node, Express, Sequelize, sqlite3 built from
#     source), for the test that records it again with the real agent; likewise the node-apps'
#     (test/workspaces/node-apps: Knex, Objection, MikroORM, Drizzle, TypeORM, better-sqlite3), and
#     the otel-probe's (the OpenTelemetry Node SDK 0.223, the last line for Node 20, with Express, Knex, sqlite3)
#     and the otel-apps' (test/workspaces/otel-apps: Express, Knex, Objection, sqlite3; recorded by
#     runlens record --otel with runlens's own optional OpenTelemetry dependencies).
# Idempotent: what is there already is kept. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

# The examples' own dependencies (the bookshop's; the node-apps' of the placement tests), npm ci
# again only when a lock file changed, in the background while the editors download: their
# native drivers build from source, since prebuilt binaries come from GitHub (the bookshop's
# sqlite3 about 75 s; the node-apps' sqlite3 and better-sqlite3 about 3 min on a busy 2-core
# machine). Not through a link to an install shared by several checkouts: npm ci would empty
# what it links to.
EXAMPLES=()
for example in bookshop node-apps otel-probe otel-apps; do
  log=$(mktemp)
  (
    cd "test/workspaces/$example"
    [ -L node_modules ] || [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
  ) >"$log" 2>&1 &
  EXAMPLES+=("$example:$!:$log")
done

PACKAGES=(neovim emacs-nox elpa-eglot elpa-lsp-mode chromium ripgrep libkrb5-dev strace postgresql)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "setup: apt-get install ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash test/e2e/nvim/install-neovim.sh test/e2e/nvim/.neovim/trixie trixie
bash test/e2e/nvim/install-neovim.sh test/e2e/nvim/.neovim/forky forky
bash test/e2e/emacs/install-emacs.sh test/e2e/emacs/.emacs30

bash test/e2e/vscode/install-code-server.sh test/e2e/vscode/.code-server

# The extension's own dependencies (again only when its lock file changed), then its package;
# editors.test.ts packages it again whenever the server is built after it.
cd clients/vscode
[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
[ -f runlens.vsix ] || npm run package
cd ../..

# The examples' own dependencies are waited for here (started at the top).
for example in "${EXAMPLES[@]}"; do
  IFS=: read -r name pid log <<<"$example"
  if wait "$pid"; then rm -f "$log"; else
    cat "$log" >&2
    echo "setup: npm ci in test/workspaces/$name failed" >&2
    exit 1
  fi
done
