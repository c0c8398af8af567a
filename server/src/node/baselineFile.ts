// The baseline file of a workspace (.runlens/baseline.json): read, written only inside the root,
// and watched. Used by `runlens baseline save` and by the language server.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, DEFAULT_BASELINE_PATH } from '../core/baseline/baseline';
import { parseBaseline } from '../core/baseline/serialize';
import { Problem } from '../core/problem';

/** The workspace's baseline, if it has one; a broken file gives problems, never an exception. */
export function readBaselineFile(root: string, rel = DEFAULT_BASELINE_PATH): { baseline?: Baseline; problems: Problem[] } {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { problems: [] };
    return { problems: [{ file: rel, severity: 'error', message: `cannot read: ${(err as Error).message}` }] };
  }
  return parseBaseline(text, rel);
}

/**
 * Writes `rel` (one folder deep, e.g. .runlens/baseline.json) under the root and nowhere else:
 * the folder must be a real folder of the root, not a symlink. Atomic (a temporary file renamed).
 * Returns the file written; throws an Error that says why not.
 */
export function writeUnderRoot(root: string, rel: string, text: string): string {
  const realRoot = fs.realpathSync(root);
  const dir = path.join(realRoot, path.dirname(rel));
  const file = path.join(dir, path.basename(rel));
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create ${dir}: ${(err as Error).message}`);
  }
  // lstat, not stat: a symlink named .runlens could lead anywhere.
  if (!fs.lstatSync(dir).isDirectory()) throw new Error(`${dir} is not a folder of the root (a symlink or a file): not writing outside the root`);
  const temporary = path.join(dir, `.${path.basename(rel)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, text, { flag: 'wx' });
    fs.renameSync(temporary, file);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
  return path.join(root, rel);
}

/**
 * Calls `changed` when the baseline file appears, changes or goes away (polled once a second: it
 * may not exist yet, and it is one file). Returns the function that stops watching.
 */
export function watchBaselineFile(root: string, changed: () => void, rel = DEFAULT_BASELINE_PATH): () => void {
  const file = path.join(root, rel);
  const listener = (now: fs.Stats, before: fs.Stats) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) changed();
  };
  fs.watchFile(file, { interval: 1000, persistent: false }, listener);
  return () => fs.unwatchFile(file, listener);
}
