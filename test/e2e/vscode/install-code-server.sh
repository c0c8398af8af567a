#!/usr/bin/env bash
# Installs code-server (VS Code's server and web workbench, MIT) from the npm registry into DEST,
# without GitHub: code-server's postinstall would download ripgrep and argon2 binaries from there, so
# it is installed with --ignore-scripts, Debian's ripgrep stands in for the download, the native
# addons are built from source, and the rest of the postinstall runs by hand. Pinned to 4.100.3
# (VS Code 1.100.3), the last release that runs on Node 20. Running it again is a no-op.
#
#   bash test/e2e/vscode/install-code-server.sh DEST   # then DEST/node_modules/.bin/code-server
#
# Needs Node 20, g++, make, python3, and the Debian packages ripgrep and libkrb5-dev (installed here
# with apt-get when missing). Takes about 50 s and 300 MB.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
DEST="${1:?usage: install-code-server.sh DEST}"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"   # absolute: the script changes folders below
MARK="$DEST/.installed-$VERSION"
BIN="$DEST/node_modules/.bin/code-server"

if [ -f "$MARK" ] && [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

# node-pty's install script runs `npx node-gyp`, which asks before installing unless told yes.
export npm_config_yes=true
cd "$DEST"
rm -f .installed-*
[ -f package.json ] || echo '{ "name": "runlens-e2e-code-server", "private": true }' > package.json
npm install --no-audit --no-fund --ignore-scripts --save-exact "code-server@$VERSION"
# argon2's prebuilt binary comes from GitHub; without it node-gyp builds it from source.
npm rebuild argon2

cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund
# @vscode/ripgrep's postinstall skips the download when bin/ exists.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# node-pty, spdlog, kerberos, @parcel/watcher… against the local Node's headers.
npm rebuild

# The rest of code-server's own postinstall (bin scripts, built-in extensions' dependencies).
cd ../..
npm_config_user_agent="npm/$(npm -v) node/$(node -v) linux x64" npm_config_unsafe_perm=true sh ./postinstall.sh

# code-server writes a default config and logs under HOME/XDG even for --version: a throw-away one.
check_home=$(mktemp -d)
HOME=$check_home XDG_CONFIG_HOME=$check_home XDG_DATA_HOME=$check_home "$BIN" --version >/dev/null
rm -rf "$check_home"
touch "$MARK"
echo "$BIN"
