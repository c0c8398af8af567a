// The workspace scan of the Node ORMs for model definitions: each JavaScript or TypeScript file
// read once per text, what each holds combined once per generation of the source index.

import type { SourceIndex } from '../../sourceIndex';

/** Larger files are bundles or generated code, not where models are declared; parsing them costs. */
const MAX_SCANNED_CHARS = 1 << 20;

interface ScanMemo {
  generation: number;
  value: unknown;
  files: Map<string, { text: string; value: unknown }>;
}

const scans = new WeakMap<SourceIndex, Map<string, ScanMemo>>();

/**
 * What `read` finds in each workspace file with one of `suffixes` (and in `alsoPaths`, when they
 * exist) whose text `worthReading` matches, combined by `combine`. Kept per index: the combined value
 * until anything is invalidated, each file's value while its text is the same string, so an edit
 * re-reads one file, not the workspace.
 */
export function scanWorkspace<F, T>(
  index: SourceIndex,
  key: string,
  suffixes: string[],
  worthReading: RegExp,
  read: (path: string, text: string) => F | undefined,
  combine: (found: Array<{ path: string; value: F }>) => T,
  alsoPaths: string[] = [],
): T {
  let memos = scans.get(index);
  if (!memos) scans.set(index, (memos = new Map()));
  const memo = memos.get(key);
  if (memo && memo.generation === index.generation) return memo.value as T;
  const previous = memo?.files ?? new Map<string, { text: string; value: unknown }>();
  const files = new Map<string, { text: string; value: unknown }>();
  const found: Array<{ path: string; value: F }> = [];
  const listed = index.files.list(suffixes);
  // The listing may be older than the file (a schema created after the server started).
  const paths = [...listed, ...alsoPaths.filter((p) => !listed.includes(p))];
  for (const path of paths) {
    if (/\.d\.[cm]?ts$|\.min\.js$/.test(path)) continue;
    const text = index.text(path);
    if (text === undefined) continue;
    const before = previous.get(path);
    const value = before && before.text === text ? (before.value as F | undefined) : text.length <= MAX_SCANNED_CHARS && worthReading.test(text) ? read(path, text) : undefined;
    files.set(path, { text, value });
    if (value !== undefined) found.push({ path, value });
  }
  const value = combine(found);
  memos.set(key, { generation: index.generation, value, files });
  return value;
}
