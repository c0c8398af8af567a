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

/** What the baseline file is now (size, time, inode), or "absent": compared with the state that was loaded. */
export function baselineStamp(root: string, rel = DEFAULT_BASELINE_PATH): string {
  try {
    const st = fs.statSync(path.join(root, rel));
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return 'absent';
  }
}

/**
 * Calls `changed` when the baseline file is no longer what was loaded (`loadedStamp`, from
 * baselineStamp before reading it): polled once a second, since it may not exist yet and it is
 * one file. Compared with what was loaded, not with the previous poll: a file saved and deleted
 * between two polls looks unchanged from poll to poll. Returns the function that stops watching.
 */
export function watchBaselineFile(root: string, loadedStamp: () => string, changed: () => void, rel = DEFAULT_BASELINE_PATH): () => void {
  const timer = setInterval(() => {
    if (baselineStamp(root, rel) !== loadedStamp()) changed();
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
