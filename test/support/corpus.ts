// Where the shared corpus of real recordings is: RUNLENS_CORPUS when set, else `shared/corpus`
// beside the repository or beside a folder above it (a worktree in a folder of worktrees finds it too).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../../..');
export const CORPUS = process.env.RUNLENS_CORPUS ? path.resolve(process.env.RUNLENS_CORPUS) : findCorpus();

/** The nearest `shared/corpus` beside the repository or one of its ancestors; `../shared/corpus` when there is none (the tests then name it). */
function findCorpus(): string {
  for (let dir = path.dirname(REPO); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/corpus');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(REPO, '../shared/corpus');
  }
}
