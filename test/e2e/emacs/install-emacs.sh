#!/usr/bin/env bash
# Installs Emacs 30 of Debian bookworm-backports (eglot 1.17 built in) into DEST, without touching
# the system and its Emacs 28, and prints the path of the emacs to run: DEST/bin/emacs.
#
#   bash test/e2e/emacs/install-emacs.sh DEST
#   RUNLENS_E2E_EMACS=$(bash test/e2e/emacs/install-emacs.sh /opt/emacs30) bash test/e2e/emacs/run.sh eglot
#
# How: apt-get, with a private state folder and sources list (bookworm and bookworm-backports;
# nothing of /etc/apt or /var/lib/apt is read or written), resolves `emacs-nox` of backports against
# a copy of the system's dpkg status, so it downloads only what the system lacks: the Emacs 30
# packages themselves (emacs-nox, emacs-bin-common, emacs-common, emacs-el), as backports is built
# against bookworm's libraries, which Debian's Emacs 28 has already brought in. dpkg-deb -x unpacks
# them under DEST/root. Its compiled-in folders (/usr/share/emacs/30.1, /usr/libexec/emacs/30.1/...)
# are not there, so DEST/bin/emacs is a script that points Emacs at the unpacked ones:
#   - EMACSLOADPATH: its own lisp folders only, so neither /etc/emacs/site-start.el nor Debian's
#     /usr/share/emacs/site-lisp (the elpa-* packages compiled for Emacs 28: elpa-eglot 1.9 would
#     shadow the built-in eglot 1.17) are on the load-path;
#   - EMACSDATA, EMACSDOC (etc/), EMACSPATH (exec-directory);
#   - the dump file: a link DEST/root/usr/bin/emacs-nox.pdmp beside the binary, where Emacs looks
#     first, so that an Emacs it starts by itself finds it too. The natively compiled preloaded
#     Lisp (.eln) is found relative to the dump;
#   - EMACS_INHIBIT_AUTOMATIC_NATIVE_COMPILATION=1: no compiling of loaded .elc files behind one's
#     back (into HOME's eln-cache, spending the cores).
# If apt had to fetch libraries too (a system without Emacs 28), LD_LIBRARY_PATH names them.
# Idempotent: a DEST whose emacs runs eglot is kept. amd64 only. Needs deb.debian.org.
set -euo pipefail

DEST=${1:?usage: install-emacs.sh DEST}
MIRROR=${RUNLENS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
VERSION=30.1

fail() { echo "install-emacs.sh: $*" >&2; exit 1; }
source "$(dirname "$0")/../private-apt.sh"
works() { "$1" --batch --eval "(progn (require 'eglot) (kill-emacs (if (string-prefix-p \"$VERSION\" emacs-version) 0 1)))" >/dev/null 2>&1; }

mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd -P)
if works "$DEST/bin/emacs"; then
  echo "$DEST/bin/emacs"
  exit 0
fi

[ "$(dpkg --print-architecture)" = amd64 ] || fail "only amd64 is supported (this is $(dpkg --print-architecture))"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || fail "needs apt-get and dpkg-deb (Debian)"
[ -r "$KEYRING" ] || fail "no $KEYRING (apt-get install debian-archive-keyring)"
[ -r /var/lib/dpkg/status ] || fail "cannot read /var/lib/dpkg/status"

started=$(date +%s)
WORK=$(mktemp -d "$DEST/.install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Planned against a copy of the system's status: only what it lacks is fetched (and elpa-eglot,
# which a real install would remove, stays: --download-only never removes anything).
private_apt_unpack "$WORK" /var/lib/dpkg/status "deb [signed-by=$KEYRING] $MIRROR bookworm main
deb [signed-by=$KEYRING] $MIRROR bookworm-backports main" -t bookworm-backports emacs-nox
downloaded=$DOWNLOADED_BYTES

R=$WORK/root
[ -x "$R/usr/bin/emacs-nox" ] || fail "no usr/bin/emacs-nox among the unpacked packages"
[ -d "$R/usr/share/emacs/$VERSION/lisp" ] || fail "no usr/share/emacs/$VERSION/lisp among the unpacked packages (did backports move past $VERSION? set VERSION in this script)"
pdmp=("$R/usr/libexec/emacs/$VERSION"/*/emacs-*.pdmp)
[ -e "${pdmp[0]}" ] || fail "no dump file (usr/libexec/emacs/$VERSION/*/emacs-*.pdmp) among the unpacked packages"
ln -s "../${pdmp[0]#"$R/usr/"}" "$R/usr/bin/emacs-nox.pdmp"
EXEC_DIR=$(dirname "${pdmp[0]#"$R/"}")

# Swap the new root in; the wrapper names DEST, so it is written in place.
rm -rf "$DEST/root" "$DEST/bin"
mv "$WORK/root" "$DEST/root"
mkdir -p "$DEST/bin"
R=$DEST/root
LIBS=
for dir in usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu; do
  if compgen -G "$R/$dir/*.so*" >/dev/null; then LIBS="${LIBS:+$LIBS:}$R/$dir"; fi
done
LIBLINE=
[ -z "$LIBS" ] || LIBLINE="export LD_LIBRARY_PATH=\"$LIBS\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\"
"
cat >"$DEST/bin/emacs" <<EOF
#!/bin/sh
# Emacs $VERSION of Debian bookworm-backports, unpacked by test/e2e/emacs/install-emacs.sh: its own
# Lisp, data and helpers; none of the system's site-lisp (Debian's elpa-* are built for Emacs 28).
R='$R'
export EMACSLOADPATH="\$R/usr/share/emacs/$VERSION/site-lisp:\$R/usr/share/emacs/$VERSION/lisp"
export EMACSDATA="\$R/usr/share/emacs/$VERSION/etc"
export EMACSDOC="\$R/usr/share/emacs/$VERSION/etc"
export EMACSPATH="\$R/$EXEC_DIR"
export EMACS_INHIBIT_AUTOMATIC_NATIVE_COMPILATION=1
${LIBLINE}exec "\$R/usr/bin/emacs-nox" "\$@"
EOF
chmod +x "$DEST/bin/emacs"

if ! works "$DEST/bin/emacs"; then
  missing=$(ldd "$R/usr/bin/emacs-nox" 2>/dev/null | grep 'not found' || true)
  fail "the unpacked emacs does not run${missing:+ (libraries not found: $missing)}: $("$DEST/bin/emacs" --batch --eval "(require 'eglot)" 2>&1 | tail -3)"
fi
eglot=$("$DEST/bin/emacs" --batch --eval "(progn (require 'package) (require 'eglot) (princ (package-version-join (alist-get 'eglot package--builtin-versions))))" 2>/dev/null)
echo "install-emacs.sh: $("$DEST/bin/emacs" --version | head -1) (eglot $eglot) from bookworm-backports: $DOWNLOADED_PACKAGES packages, $((downloaded / 1000000)) MB downloaded, $(du -sh "$R" | cut -f1) unpacked, $(($(date +%s) - started)) s" >&2
echo "$DEST/bin/emacs"
