// The baseline file of a workspace (.runlens/baseline.json): read, written only inside the root,
// and watched. Used by `runlens baseline save` and by the language server. It is read as the
// recordings are (node/workspaceFiles.ts): a regular file whose real path is inside the root, of
// bounded size, asynchronously, so that a link to /dev/zero, a FIFO or a file elsewhere (git keeps
// links, so any branch can ship one) neither blocks the server's thread nor shows what it holds.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, DEFAULT_BASELINE_PATH } from '../core/baseline/baseline';
import { parseBaseline } from '../core/baseline/serialize';
import { Problem } from '../core/problem';
import { describeFailure, errorCode, readBytes, realRoot } from './workspaceFiles';

/**
 * The largest baseline read: 64 MiB. A baseline takes under 200 bytes per route, test, function,
 * SQL shape or finding (the corpus's 53 recordings: 1,726 of them, 301,975 bytes), so this is
 * some 300,000 entries.
 */
export const MAX_BASELINE_BYTES = 64 << 20;

/**
 * The workspace's baseline, if it has one; a broken file gives problems, never an exception. A
 * missing file (or a link to nothing) is no baseline and no problem. A problem at a byte offset
 * carries its line and column too (the parser counts them as it reads), so that nobody reads the
 * file again to show it.
 */
export async function readBaselineFile(root: string, rel = DEFAULT_BASELINE_PATH): Promise<{ baseline?: Baseline; problems: Problem[] }> {
  let bytes: Buffer;
  try {
    bytes = await readBytes(path.join(root, rel), { inside: realRoot(root), maxBytes: MAX_BASELINE_BYTES });
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { problems: [] };
    return { problems: [{ file: rel, severity: 'error', message: `cannot read: ${describeFailure(err)}` }] };
  }
  return parseBaseline(bytes.toString('utf8'), rel);
}

/**
 * Writes `rel` (one folder deep, e.g. .runlens/baseline.json) under the root and nowhere else:
 * the folder must be a real folder of the root, not a symlink. Atomic (a temporary file renamed).
 * Returns the file written; throws an Error that says why not.
 */
export function writeUnderRoot(root: string, rel: string, text: string): string {
  const dir = path.join(realRoot(root), path.dirname(rel));
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
