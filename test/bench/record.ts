// The bench's real recording: the current-user example of test/workspaces/node-apps (Express 5,
// Sequelize 6 over SQLite; GET /comments loads the current user once per comment) recorded by the
// real appmap-node agent with RUNLENS_BENCH_COMMENTS comments instead of 12: 7,500 comments make
// an 11 MB recording of 15,000 queries (7,500 `SELECT … FROM Users` and the `PRAGMA table_info`
// Sequelize runs before each). Recorded once into test/bench/generated/ (git ignores it; the name
// says `recorded`) and reused, as record.sh does: in a copy of the app in a temporary folder, the
// example's node_modules linked beside it, so nothing in the example changes.
//
// Why this app and not the bookshop: AppMap's scanner (@appland/models 2.10) cannot read any
// recording of the bookshop's GET /books ("failed trying to compute event stack"): Sequelize runs
// two PRAGMAs at once for getTags(), and their returns are not in stack order. current-user's
// queries are sequential, so both tools read the same file.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RealRecording {
  file: string;
  /** The app's folder: what `--root` (runlens) and the working directory (scanner) are. */
  root: string;
  bytes: number;
}

const WRITTEN = 'tmp/appmap/mocha/current_user/lists_the_comments_with_what_the_user_may_edit.appmap.json';

/** The recording of `comments` comments, recorded now unless it already is; throws with appmap-node's output when recording fails. */
export function ensureRealRecording(repo: string, out: string, comments: number, log: (line: string) => void): RealRecording {
  const apps = path.join(repo, 'test/workspaces/node-apps');
  const root = path.join(apps, 'current-user');
  const file = path.join(out, `current-user-${comments}-comments.recorded.appmap.json`);
  if (fs.existsSync(file)) return { file, root, bytes: fs.statSync(file).size };
  const agent = path.join(apps, 'node_modules/.bin/appmap-node');
  if (!fs.existsSync(agent)) throw new Error(`${path.relative(repo, agent)} is missing: install the examples' dependencies (bash test/setup.sh)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-bench-record-'));
  try {
    fs.symlinkSync(path.join(apps, 'node_modules'), path.join(work, 'node_modules'));
    const app = path.join(work, 'current-user');
    fs.cpSync(root, app, { recursive: true, filter: (src) => path.relative(root, src) !== 'tmp' });
    const started = Date.now();
    const r = spawnSync(path.join(work, 'node_modules/.bin/appmap-node'), [path.join(work, 'node_modules/.bin/mocha')], {
      cwd: app,
      env: { ...process.env, RUNLENS_BENCH_COMMENTS: String(comments) },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const written = path.join(app, WRITTEN);
    if (r.status !== 0 || !fs.existsSync(written)) throw new Error(`appmap-node could not record current-user (exit ${r.status}): ${(r.stdout + r.stderr).trimEnd().split('\n').slice(-8).join(' | ')}`);
    fs.copyFileSync(written, file + '.partial');
    fs.renameSync(file + '.partial', file);
    const bytes = fs.statSync(file).size;
    log(`  (recorded ${path.basename(file)} with appmap-node, ${(bytes / 1e6).toFixed(1)} MB, in ${((Date.now() - started) / 1000).toFixed(1)} s; kept for the next bench)`);
    return { file, root, bytes };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
