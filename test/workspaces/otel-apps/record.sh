#!/usr/bin/env bash
# Records the apps of this folder with `runlens record --otel` (the real OpenTelemetry Node SDK,
# runlens's optional dependencies) and puts the traces where they are committed:
# APP/.runlens/traces/*.otlp.jsonl. Each app is recorded in a fresh copy in a temporary folder
# (this folder's node_modules linked beside it), so nothing but the traces changes here; the
# application's frames are written relative to the app's folder, so the traces read the same
# wherever they were made. Needs runlens built (npm run build).
#
# Usage: bash test/workspaces/otel-apps/record.sh [APP...]   (all the apps when none is named)
# Installs the dependencies first (npm ci, which builds sqlite3 from source) when node_modules is
# missing or older than package-lock.json. The PostgreSQL apps (*-pg-*) run against a throwaway
# server (Debian's postgresql package: initdb in a temporary folder, a Unix socket there only, as
# the postgres user when run as root), stopped and removed at the end, as test/support/postgres.ts
# does for the tests.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
runlens="$here/../../../server/bin/runlens.js"
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for f in "$here"/*/test.js; do apps+=("$(basename "$(dirname "$f")")"); done
fi
for app in "${apps[@]}"; do
  case "$app" in ""|.*|*/*) echo "record.sh: $app is not an app of $here" >&2; exit 2 ;; esac
  [ -f "$here/$app/test.js" ] || { echo "record.sh: $app is not an app of $here (no $app/test.js)" >&2; exit 2; }
done
if [ ! -f "$here/node_modules/sqlite3/build/Release/node_sqlite3.node" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/otel-apps-record.XXXXXX")"
pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null || true; rm -rf "$pgdir"; fi
  rm -rf "$work"
}
trap cleanup EXIT
ln -s "$here/node_modules" "$work/node_modules"

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  [ -x "$pgbin/initdb" ] || { echo "record.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  pgdir="$(mktemp -d "${TMPDIR:-/tmp}/otel-apps-pg.XXXXXX")"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pgdir"
  as_postgres "$pgbin/initdb" -D "$pgdir/data" -A trust -U runlens --no-sync >/dev/null
  as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -o "-c listen_addresses='' -k $pgdir -c fsync=off" -l "$pgdir/log" -w start >/dev/null
  export PGHOST="$pgdir" PGUSER=runlens PGDATABASE=postgres
}
for app in "${apps[@]}"; do
  case "$app" in *-pg-*) [ -n "$pgdir" ] || start_postgres ;; esac
  (cd "$here/$app" && tar --exclude=./.runlens -cf - .) | (mkdir -p "$work/$app" && cd "$work/$app" && tar -xf -)
  echo "record.sh: recording $app"
  # The scan's status (1 when it finds an N+1) is not a failure here.
  (cd "$work/$app" && NODE_OPTIONS= node "$runlens" record --otel -- node test.js) || [ $? -eq 1 ]
  rm -rf "$here/$app/.runlens/traces"
  mkdir -p "$here/$app/.runlens"
  mv "$work/$app/.runlens/traces" "$here/$app/.runlens/traces"
done
