// The workspace scan of the Node ORMs for model definitions: each JavaScript or TypeScript file
// read once per text, what each holds combined once per generation of the source index.

import type { SourceIndex } from '../../sourceIndex';

/** Larger files are bundles or generated code, not where models are declared; parsing them costs. */
const MAX_SCANNED_CHARS = 1 << 20;

/**
 * What `read` finds in each workspace file with one of `suffixes` (and in `alsoPaths`, when they
 * exist) whose text `worthReading` matches, combined by `combine`. Derived state of the index
 * (core/derived.ts): the combined value by the index's generation (until anything is invalidated),
 * each file's value by its text, so an edit re-reads one file, not the workspace.
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
  return index.derive(`orm.${key}.models`, () => {
    const perFile = index.perText(`orm.${key}.file`, (path, text) => (text.length <= MAX_SCANNED_CHARS && worthReading.test(text) ? read(path, text) : undefined));
    const found: Array<{ path: string; value: F }> = [];
    const listed = index.files.list(suffixes);
    // The listing may be older than the file (a schema created after the server started).
    const paths = [...listed, ...alsoPaths.filter((p) => !listed.includes(p))];
    for (const path of paths) {
      if (/\.d\.[cm]?ts$|\.min\.js$/.test(path)) continue;
      const value = perFile.get(path);
      if (value !== undefined) found.push({ path, value });
    }
    return combine(found);
  });
}
