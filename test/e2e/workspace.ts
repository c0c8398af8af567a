// The projects every editor end-to-end test opens, and what a script is told about each: the Rails
// sample app of test/workspaces/ with a real appmap-ruby recording of its user-profile test (from
// the shared corpus) where the agent writes it, tmp/appmap/, built in a fresh temporary folder
// outside any git repository; and the bookshop example opened where it is, inside this repository,
// as somebody who cloned runlens opens it (the client must find its folder, not the git root).
//
//   node server/out/test/e2e/workspace.js [rails|bookshop]   prints the contract's variables for a
//                                                            fresh one as shell `export` lines (for
//                                                            running an editor script by hand; remove
//                                                            E2E_BASE afterwards)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CORPUS, REPO } from '../support/corpus';

export { REPO };
export const APP = path.join(REPO, 'test/workspaces/rails-sample-app');
export const APP_FIXED = path.join(REPO, 'test/workspaces/rails-sample-app-fixed');
/** A real recording (appmap-ruby 0.102.1, minitest): GET /users/{id} with 30 attachment queries. */
export const RECORDING = path.join(CORPUS, 'appmaps/ruby/minitest-rails6-users-profile-anonymous-nplus1.appmap.json');
/** The bundled Node example (appmap-node recordings committed in its tmp/appmap) and its fixed twin. */
export const BOOKSHOP = path.join(REPO, 'test/workspaces/bookshop');
export const BOOKSHOP_FIXED = path.join(REPO, 'test/workspaces/bookshop-fixed');

export interface E2eWorkspace {
  /** The project folder (absolute, real path): where the client must start the server. */
  root: string;
  /** The opened file, absolute. */
  file: string;
  /** A throw-away home for the editor (its caches, logs and state go here). */
  home: string;
  /** The temporary folder holding `home` (and, for a copied project, the project). */
  base: string;
  /** Where the editor is started: the project folder, or for a project inside this repository the repository's top (as after `git clone`, `cd`). */
  cwd: string;
  /** Removes what was made for the run (never the repository's own files). */
  dispose(): void;
}

export interface E2eCase {
  name: 'rails' | 'bookshop' | 'otel';
  /** The opened file, relative to the project folder. */
  file: string;
  /** The same file after the first quick fix, as committed in the fixed twin. */
  fixed: string;
  /** Where to hover (the action's line), `LINE:CHARACTER`, 0-based. */
  hover: string;
  /** The line a script inserts twice at the top: a comment in the file's language. */
  insert: string;
  open(): E2eWorkspace;
}

/** A temporary folder with an empty `home` in it. */
function tempBase(): { base: string; home: string } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-e2e-')));
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  return { base, home };
}

export const RAILS: E2eCase = {
  name: 'rails',
  file: 'app/controllers/users_controller.rb',
  fixed: path.join(APP_FIXED, 'app/controllers/users_controller.rb'),
  hover: '12:6',
  insert: '# runlens e2e: an inserted line',
  open() {
    const { base, home } = tempBase();
    const root = path.join(base, 'sample_app');
    fs.cpSync(APP, root, { recursive: true });
    fs.mkdirSync(path.join(root, 'tmp/appmap/minitest'), { recursive: true });
    fs.copyFileSync(RECORDING, path.join(root, 'tmp/appmap/minitest/users_profile_anonymous.appmap.json'));
    return { root, file: path.join(root, this.file), home, base, cwd: root, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
  },
};

export const BOOKSHOP_CASE: E2eCase = {
  name: 'bookshop',
  file: 'src/routes/books.js',
  fixed: path.join(BOOKSHOP_FIXED, 'src/routes/books.js'),
  hover: '19:15', // async function listBooks
  insert: '// runlens e2e: an inserted line',
  open() {
    const { base, home } = tempBase();
    const root = fs.realpathSync(BOOKSHOP);
    return { root, file: path.join(root, this.file), home, base, cwd: REPO, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
  },
};

/**
 * The OpenTelemetry example (test/workspaces/otel-apps/knex-tasks) with its trace written by the
 * real OpenTelemetry Node SDK through `runlens record --otel` (.runlens/traces/), copied outside
 * git: the server reads the trace as it reads recordings, each N+1 on its per-row query line.
 */
export const OTEL_CASE: E2eCase = {
  name: 'otel',
  file: 'src/routes.js',
  fixed: path.join(REPO, 'test/workspaces/otel-apps/knex-tasks-fixed/src/routes.js'),
  hover: '8:15', // async function projectsLoop
  insert: '// runlens e2e: an inserted line',
  open() {
    const { base, home } = tempBase();
    const root = path.join(base, 'knex-tasks');
    fs.cpSync(path.join(REPO, 'test/workspaces/otel-apps/knex-tasks'), root, { recursive: true });
    return { root, file: path.join(root, this.file), home, base, cwd: root, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
  },
};

export const CASES: Record<E2eCase['name'], E2eCase> = { rails: RAILS, bookshop: BOOKSHOP_CASE, otel: OTEL_CASE };

/**
 * A git repository with this one's layout, for the editors' own package managers to install the
 * clients from (`file://` URL): the clients (clients/emacs, clients/nvim) and the bookshop example
 * as they are in the working tree, committed. The workspace is that example inside it.
 */
export function makeClientRepository(): E2eWorkspace & { url: string } {
  const { base, home } = tempBase();
  const repo = path.join(base, 'runlens');
  for (const rel of ['clients/emacs', 'clients/nvim', 'test/workspaces/bookshop']) {
    fs.cpSync(path.join(REPO, rel), path.join(repo, rel), { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
  }
  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.name=runlens e2e', '-c', 'user.email=e2e@runlens.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: repo, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  };
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'runlens clients and the bookshop example');
  const root = path.join(repo, 'test/workspaces/bookshop');
  return { url: pathToFileURL(repo).href, root, file: path.join(root, BOOKSHOP_CASE.file), home, base, cwd: repo, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/** Shell-quotes a value for the `export` lines. */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

if (require.main === module) {
  const name = (process.argv[2] ?? 'rails') as E2eCase['name'];
  const c = CASES[name];
  if (!c) {
    process.stderr.write(`unknown case ${name}: ${Object.keys(CASES).join(' or ')}\n`);
    process.exit(2);
  }
  const ws = c.open();
  const vars = { E2E_BASE: ws.base, RUNLENS_E2E_ROOT: ws.root, RUNLENS_E2E_FILE: ws.file, RUNLENS_E2E_HOVER: c.hover, RUNLENS_E2E_INSERT: c.insert };
  process.stdout.write(Object.entries(vars).map(([k, v]) => `export ${k}=${quote(v)}\n`).join(''));
}
