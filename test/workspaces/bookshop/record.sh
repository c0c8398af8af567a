#!/usr/bin/env bash
# Records the bookshop's tests with the real appmap-node agent, before and after the N+1 fix, and
# puts the recordings where they are committed:
#   bookshop/tmp/appmap/        the app as it is (GET /books loads each book's author, tags and
#                               reviews one by one)
#   bookshop-fixed/tmp/appmap/  the same app with bookshop-fixed/src/ over it (the include that
#                               runlens's quick fix adds)
# Each state is recorded in a fresh copy of the project's files in a temporary folder (the
# example's node_modules linked in), so nothing but the recordings changes here; appmap-node writes
# paths relative to the project, so the recordings read the same wherever they were made.
#
# Usage: bash test/workspaces/bookshop/record.sh [OUT]
#   OUT  write the recordings to OUT/bookshop/tmp/appmap and OUT/bookshop-fixed/tmp/appmap
#        instead (test/system/bookshop.test.ts re-records this way); without it the committed
#        recordings are deleted and replaced.
# Installs the example's dependencies first (npm ci, which builds sqlite3 from source: about
# 80 s) when node_modules is missing or older than package-lock.json, unless node_modules is a
# link to an install shared by several checkouts (npm ci would empty the folder it links to).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
fixed="$(cd "$here/../bookshop-fixed" && pwd)"
out="${1:-}"
if [ -n "$out" ]; then
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
fi

if [ -L "$here/node_modules" ]; then
  [ -x "$here/node_modules/.bin/appmap-node" ] || { echo "record.sh: node_modules links to $(readlink "$here/node_modules"), which has no appmap-node; install there" >&2; exit 1; }
elif [ ! -x "$here/node_modules/.bin/appmap-node" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/bookshop-record.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# record NAME OVERLAY DEST: copies the project to $work/NAME, copies OVERLAY's src/ over it (if
# given), runs `appmap-node npm test` there, and moves what it wrote to DEST/tmp/appmap.
record() {
  local name="$1" overlay="$2" dest="$3" dir="$work/$1"
  mkdir -p "$dir"
  cp -R "$here/src" "$here/test" "$here/appmap.yml" "$here/package.json" "$here/package-lock.json" "$here/.mocharc.json" "$dir/"
  if [ -n "$overlay" ]; then cp -R "$overlay/src/." "$dir/src/"; fi
  ln -s "$here/node_modules" "$dir/node_modules"
  echo "record.sh: recording $name"
  (cd "$dir" && ./node_modules/.bin/appmap-node npm test)
  rm -rf "$dest/tmp/appmap"
  mkdir -p "$dest/tmp"
  mv "$dir/tmp/appmap" "$dest/tmp/appmap"
}

if [ -n "$out" ]; then
  record bookshop "" "$out/bookshop"
  record bookshop-fixed "$fixed" "$out/bookshop-fixed"
else
  record bookshop "" "$here"
  record bookshop-fixed "$fixed" "$fixed"
fi
