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

/**
 * `runlens ARGS…` in `cwd`; bounded (180 s: a hang guard, generous for a busy machine). Colours are
 * off unless `env` asks for them: the environment's FORCE_COLOR and NO_COLOR are not passed on (a CI
 * that sets them changes no output).
 */
export function runlens(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const childEnv = { ...process.env };
  delete childEnv.FORCE_COLOR;
  delete childEnv.NO_COLOR;
  // spawnSync kills a child whose output passes maxBuffer (1 MiB by default), which would look
  // like a crash; a comparison of 20,000 functions prints more.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...childEnv, ...env }, encoding: 'utf8', timeout: 180_000, maxBuffer: 256 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
