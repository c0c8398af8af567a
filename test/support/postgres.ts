// A throwaway PostgreSQL server for the tests that record the PostgreSQL examples: Debian's
// postgresql package (/usr/lib/postgresql/N/bin), initdb in a temporary folder, listening on a
// Unix socket in that folder only (no TCP port to collide with), trust authentication for the
// user `runlens`. Run as the `postgres` user when the tests run as root (PostgreSQL refuses root).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Postgres {
  /** The PG* variables that point pg (and the examples) at it. */
  env: { PGHOST: string; PGUSER: string; PGDATABASE: string };
  stop(): void;
}

/** The newest installed server's bin folder, or undefined. */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin/initdb')));
  } catch {
    return undefined;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

/** Why no server can be started here, or undefined. */
export function missingPostgres(): string | undefined {
  if (!postgresBin()) return 'PostgreSQL is not installed (/usr/lib/postgresql/N/bin/initdb; Debian: apt-get install postgresql)';
  if (process.getuid?.() === 0 && !fs.existsSync('/usr/sbin/runuser')) return 'running as root without runuser to start PostgreSQL as postgres';
  return undefined;
}

export function startPostgres(): Postgres {
  const bin = postgresBin();
  if (!bin) throw new Error(missingPostgres());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [file, argv] = asRoot ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'runlens', '--no-sync']);
  run('pg_ctl', ['-D', data, '-o', `-c listen_addresses='' -k ${dir} -c fsync=off`, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    env: { PGHOST: dir, PGUSER: 'runlens', PGDATABASE: 'postgres' },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
