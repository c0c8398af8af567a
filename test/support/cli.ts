// The only way tests run the command line: the real binary, in a child process, as a user does.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../../..');
export const BIN = path.join(REPO, 'server/bin/runlens.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `runlens ARGS…` in `cwd`; bounded (180 s: a hang guard, generous for a busy machine). */
export function runlens(args: string[], cwd: string): Run {
  // spawnSync kills a child whose output passes maxBuffer (1 MiB by default), which would look
  // like a crash; a comparison of 20,000 functions prints more.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 180_000, maxBuffer: 256 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
