#!/usr/bin/env bash
# Installs a newer Neovim than Debian bookworm's 0.7.2 into DEST, without touching the system, and
# prints the path of the nvim to run: DEST/bin/nvim.
#
#   bash test/e2e/nvim/install-neovim.sh DEST [SUITE]    # SUITE: forky (default) | sid | trixie
#   RUNLENS_E2E_NVIM=$(bash test/e2e/nvim/install-neovim.sh /opt/nvim-forky) npm test
#
# How: apt-get, with a private state folder and sources list (nothing of /etc/apt or /var/lib/apt is
# read or written), resolves and downloads `neovim` of SUITE with all its dependencies as if nothing
# were installed, libc6 of that release included; dpkg-deb -x unpacks them under DEST/root. patchelf
# then points the binary at that release's own loader and libraries (DEST/bin/nvim is a link to it),
# so no system library is mixed in and nothing like LD_LIBRARY_PATH is inherited by what nvim starts
# (the server's node). Without patchelf, DEST/bin/nvim is a script that runs the binary through the
# loader with --library-path and VIMRUNTIME set: enough for headless runs. At the time of writing
# forky and sid have 0.12.4 (the vim.lsp.config/vim.lsp.enable path of the plugin), trixie 0.10.4
# (the vim.lsp.start path). Idempotent: a DEST whose nvim runs is kept. amd64 only. Needs
# deb.debian.org (and, for patchelf, the system's apt lists).
set -euo pipefail

DEST=${1:?usage: install-neovim.sh DEST [forky|sid|trixie]}
SUITE=${2:-forky}
MIRROR=${RUNLENS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

fail() { echo "install-neovim.sh: $*" >&2; exit 1; }
source "$(dirname "$0")/../private-apt.sh"

mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd -P)
if "$DEST/bin/nvim" --headless -u NONE -i NONE -n -c 'qall!' >/dev/null 2>&1; then
  echo "$DEST/bin/nvim"
  exit 0
fi

[ "$(dpkg --print-architecture)" = amd64 ] || fail "only amd64 is supported (this is $(dpkg --print-architecture))"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || fail "needs apt-get and dpkg-deb (Debian)"
[ -r "$KEYRING" ] || fail "no $KEYRING (apt-get install debian-archive-keyring)"

WORK=$(mktemp -d "$DEST/.install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# With an empty status file apt resolves neovim as on an empty system: libc6 of SUITE and so on.
private_apt_unpack "$WORK" "" "deb [signed-by=$KEYRING] $MIRROR $SUITE main" neovim

LOADER=
for candidate in usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2 usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
  if [ -e "$WORK/root/$candidate" ]; then LOADER=$candidate; break; fi
done
[ -n "$LOADER" ] || fail "no ld-linux-x86-64.so.2 among the unpacked packages"
[ -x "$WORK/root/usr/bin/nvim" ] || fail "no usr/bin/nvim among the unpacked packages"

# patchelf (the system's, or bookworm's unpacked beside) makes the binary load that release's loader
# and libraries by itself; without it a wrapper calls the loader, which is enough headless, but
# Neovim 0.10+'s terminal UI then cannot start its own server process (it re-executes
# /proc/self/exe, which is the loader).
PATCHELF=$(command -v patchelf || true)
if [ -z "$PATCHELF" ] && (cd "$WORK" && apt-get download -q -o APT::Sandbox::User=root patchelf >"$WORK/patchelf.log" 2>&1); then
  dpkg-deb -x "$WORK"/patchelf_*.deb "$WORK/patchelf" && PATCHELF=$WORK/patchelf/usr/bin/patchelf
fi

# Swap the new root in; the loader's and libraries' paths name DEST, so they are set in place.
rm -rf "$DEST/root" "$DEST/bin"
mv "$WORK/root" "$DEST/root"
mkdir -p "$DEST/bin"
R=$DEST/root
LIBS="$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu"
if [ -n "$PATCHELF" ] && "$PATCHELF" --set-interpreter "$R/$LOADER" --force-rpath --set-rpath "$LIBS" "$R/usr/bin/nvim"; then
  # It finds its runtime from its own path, so nothing is put in the environment of what it starts.
  ln -s ../root/usr/bin/nvim "$DEST/bin/nvim"
  HOW="patched with $PATCHELF"
else
  cat >"$DEST/bin/nvim" <<EOF
#!/bin/sh
# Neovim of Debian $SUITE, unpacked by install-neovim.sh, run with its own C library (headless use;
# its terminal UI needs the binary patched, see install-neovim.sh).
R='$R'
export VIMRUNTIME="\$R/usr/share/nvim/runtime"
exec "\$R/$LOADER" --library-path "$LIBS" "\$R/usr/bin/nvim" "\$@"
EOF
  chmod +x "$DEST/bin/nvim"
  HOW="run through its loader (no patchelf: headless only)"
fi

"$DEST/bin/nvim" --headless -u NONE -i NONE -n -c 'qall!' >/dev/null 2>&1 || fail "the unpacked nvim does not run: $("$DEST/bin/nvim" --version 2>&1 | head -3)"
echo "install-neovim.sh: $("$DEST/bin/nvim" --version | head -1) from $SUITE, $(du -sh "$DEST/root" | cut -f1), $HOW" >&2
echo "$DEST/bin/nvim"
