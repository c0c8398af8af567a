#!/usr/bin/env bash
# Records the apps of this folder with the real appmap-node agent, each before and after its N+1
# fix, and puts the recordings where they are committed:
#   APP/tmp/appmap/        the app as it is
#   APP-fixed/tmp/appmap/  the same app with APP-fixed/src/ laid over it
# Each state is recorded in a fresh copy of the app in a temporary folder (this folder's
# node_modules linked beside it), so nothing but the recordings changes here; appmap-node writes
# paths relative to the app's folder (its appmap.yml), so the recordings read the same wherever
# they were made.
#
# Usage: bash test/workspaces/node-apps/record.sh [-o OUT] [APP...]
#   APP     the apps to record (folder names); all of them when none is named
#   -o OUT  write the recordings to OUT/APP/tmp/appmap and OUT/APP-fixed/tmp/appmap instead
#           (test/system/placementApps.test.ts re-records this way); without it the committed
#           recordings are deleted and replaced.
# Installs the dependencies first (npm ci, which builds sqlite3 and better-sqlite3 from source)
# when node_modules is missing or older than package-lock.json, unless node_modules is a link to
# an install shared by several checkouts (npm ci would empty the folder it links to).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out=""
if [ "${1:-}" = "-o" ]; then
  [ -n "${2:-}" ] || { echo "record.sh: -o needs a folder" >&2; exit 2; }
  mkdir -p "$2"
  out="$(cd "$2" && pwd)"
  shift 2
fi
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for f in "$here"/*/appmap.yml; do
    app="$(basename "$(dirname "$f")")"
    case "$app" in *-fixed) ;; *) apps+=("$app") ;; esac
  done
fi
for app in "${apps[@]}"; do
  case "$app" in
    ""|.*|*/*|*-fixed) echo "record.sh: $app is not an app of $here" >&2; exit 2 ;;
  esac
  [ -f "$here/$app/appmap.yml" ] || { echo "record.sh: $app is not an app of $here (no $app/appmap.yml)" >&2; exit 2; }
  [ -d "$here/$app-fixed/src" ] || { echo "record.sh: $app has no fixed twin ($app-fixed/src)" >&2; exit 2; }
done

if [ -L "$here/node_modules" ]; then
  [ -x "$here/node_modules/.bin/appmap-node" ] || { echo "record.sh: node_modules links to $(readlink "$here/node_modules"), which has no appmap-node; install there" >&2; exit 1; }
elif [ ! -x "$here/node_modules/.bin/appmap-node" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/node-apps-record.XXXXXX")"
trap 'rm -rf "$work"' EXIT
ln -s "$here/node_modules" "$work/node_modules"

# record NAME APP OVERLAY DEST: copies APP (without its recordings) to $work/NAME, copies OVERLAY's
# src/ over it (if given), runs mocha under appmap-node there, and moves what it wrote to
# DEST/tmp/appmap.
record() {
  local name="$1" app="$2" overlay="$3" dest="$4" dir="$work/$1"
  mkdir -p "$dir"
  (cd "$here/$app" && tar --exclude=./tmp --exclude=./node_modules -cf - .) | (cd "$dir" && tar -xf -)
  if [ -n "$overlay" ]; then cp -R "$overlay/src/." "$dir/src/"; fi
  echo "record.sh: recording $name"
  (cd "$dir" && ../node_modules/.bin/appmap-node ../node_modules/.bin/mocha)
  rm -rf "$dest/tmp/appmap"
  mkdir -p "$dest/tmp"
  mv "$dir/tmp/appmap" "$dest/tmp/appmap"
}

for app in "${apps[@]}"; do
  if [ -n "$out" ]; then
    record "$app" "$app" "" "$out/$app"
    record "$app-fixed" "$app" "$here/$app-fixed" "$out/$app-fixed"
  else
    record "$app" "$app" "" "$here/$app"
    record "$app-fixed" "$app" "$here/$app-fixed" "$here/$app-fixed"
  fi
done
