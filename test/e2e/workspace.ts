// The workspace every editor end-to-end test opens: the Rails sample app of test/workspaces/ with
// a real appmap-ruby recording of its user-profile test (from the shared corpus) where the agent
// writes it, tmp/appmap/. Built in a fresh temporary folder per run, so no run changes the repo.
//
//   node server/out/test/e2e/workspace.js      prints the folder of a fresh one (for running an
//                                              editor script by hand; delete it afterwards)

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CORPUS, REPO } from '../support/corpus';

export { REPO };
export const APP = path.join(REPO, 'test/workspaces/rails-sample-app');
export const APP_FIXED = path.join(REPO, 'test/workspaces/rails-sample-app-fixed');
/** A real recording (appmap-ruby 0.102.1, minitest): GET /users/{id} with 30 attachment queries. */
export const RECORDING = path.join(CORPUS, 'appmaps/ruby/minitest-rails6-users-profile-anonymous-nplus1.appmap.json');
/** The file the editors open, relative to the workspace. */
export const FILE = 'app/controllers/users_controller.rb';

export interface E2eWorkspace {
  /** The workspace folder (real path). */
  root: string;
  /** The opened file, absolute. */
  file: string;
  /** A throw-away home for the editor (its caches, logs and state go here). */
  home: string;
  /** Removes everything. */
  dispose(): void;
}

export function makeE2eWorkspace(): E2eWorkspace {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-e2e-')));
  const root = path.join(base, 'sample_app');
  const home = path.join(base, 'home');
  fs.cpSync(APP, root, { recursive: true });
  fs.mkdirSync(path.join(root, 'tmp/appmap/minitest'), { recursive: true });
  fs.copyFileSync(RECORDING, path.join(root, 'tmp/appmap/minitest/users_profile_anonymous.appmap.json'));
  fs.mkdirSync(home);
  return { root, file: path.join(root, FILE), home, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
}

if (require.main === module) process.stdout.write(`${makeE2eWorkspace().root}\n`);
