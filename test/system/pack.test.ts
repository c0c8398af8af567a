// runlens installed into somebody else's project, by the README's own commands (installCommands.ts):
// `npm pack` in a clean copy of this checkout (its `prepack` and `prepare` build the server from
// nothing), the tarball installed into a fresh project holding the bookshop example's sources and
// recordings, then `npx runlens scan`, `npx runlens report --format html` and `npx runlens --stdio`
// there; and a second fresh project installing from a git URL (a git repository made of this
// checkout's files), where npm clones it, installs its dev dependencies and runs `prepare`.
// The tarball must hold what runs and nothing else: the compiled server (not its tests), the
// launcher, server/LICENSE, README.md and package.json; grammars and the flame graph library come from
// its dependencies, found from where the package is installed.
//
// npm runs with --prefer-offline, its output plain (no audit, no fund notice): every tarball comes
// from the npm cache that `npm ci` filled; what the cache lacks (the registry metadata of runlens's
// dependencies, which `npm ci` never asks for) is fetched from the registry once and cached. Each
// install prints what it fetched from the registry.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOOKSHOP } from '../support/bookshop';
import { BEFORE_AND_AFTER, CommandBlock, FROM_GIT, FROM_TARBALL, LANGUAGE_SERVER, README_GIT_URL } from '../support/installCommands';
import { RawServer } from '../support/rawServer';

const REPO = path.resolve(__dirname, '../../../..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const TARBALL = `runlens-${VERSION}.tgz`;
/** A guard against what must never be packed (tests, recordings, node_modules): about twice today's size. */
const MAX_TARBALL_BYTES = 512 * 1024;

const BOOKS = 'src/routes/books.js';
const SCAN_OUTPUT =
  'src/routes/books.js:21:23 error N+1: 600 queries from this query (200 × Authors, 200 × tags, 200 × Reviews) [n-plus-one]\n' +
  '2 recordings read, 1 finding (1 error, 0 warnings)\n';
/** The N+1 as the language server publishes it to a client without capabilities. */
const N_PLUS_ONE_DIAGNOSTIC = {
  range: { start: { line: 20, character: 22 }, end: { line: 22, character: 4 } },
  severity: 1,
  code: 'n-plus-one',
  source: 'runlens',
  message: 'N+1: 600 queries from this query',
};
/** The browser builds the HTML report inlines, in the order it loads them (reportAssets.ts). */
const FLAME_GRAPH_LIBRARIES = [
  'd3-array', 'd3-color', 'd3-dispatch', 'd3-ease', 'd3-format', 'd3-interpolate', 'd3-timer', 'd3-time',
  'd3-time-format', 'd3-scale', 'd3-selection', 'd3-transition', 'd3-hierarchy', 'd3-flame-graph',
];

interface LineRun {
  line: string;
  cwd: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('the package, installed into another project by the README\'s commands (npm pack, npm install, npx runlens)', function () {
  // Hang guards, not timings: a build and an install from git take about a minute on a busy machine.
  this.timeout(600_000);
  let tmp: string;
  let checkout: string;

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-pack-')));
    checkout = path.join(tmp, 'runlens');
    gitRepositoryOfCheckout(checkout);
    // A clone after `npm ci`, as the README's set-up leaves it (linked after the commit: never committed).
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(checkout, 'node_modules'));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('from the packed tarball', () => {
    let project: string;
    let runs: LineRun[];
    const run = (line: string) => found(runs, line);

    before(() => {
      project = path.join(tmp, 'my-project');
      userProject(project);
      runs = runBlock(FROM_TARBALL, { runlens: checkout, 'my-project': project });
    });

    it(`npm pack builds the server from a clean checkout and packs only what runs (${TARBALL})`, () => {
      const pack = run('npm pack');
      assert.equal(pack.status, 0, pack.stderr);
      assert.equal(pack.stdout.trimEnd().split('\n').pop(), TARBALL, pack.stdout);
      const tarball = path.join(checkout, TARBALL);
      const entries = tarEntries(tarball);
      assert.deepEqual(entries, expectedEntries(checkout));
      assert.deepEqual(entries.filter((e) => /(^|\/)(test|tests|node_modules|workspaces|clients)(\/|$)|\.(ts|map)$/.test(e)), []);
      const bytes = fs.statSync(tarball).size;
      console.log(`      ${TARBALL}: ${entries.length} files, ${(bytes / 1000).toFixed(1)} kB (${(unpackedBytes(tarball) / 1000).toFixed(1)} kB unpacked)`);
      assert.ok(bytes < MAX_TARBALL_BYTES, `${TARBALL} is ${bytes} bytes, more than ${MAX_TARBALL_BYTES}`);
      const manifest = JSON.parse(tarFile(tarball, 'package/package.json')) as Record<string, unknown>;
      assert.equal(manifest.private, undefined);
      assert.deepEqual(manifest.bin, { runlens: 'server/bin/runlens.js' });
      assert.equal(manifest.license, 'MIT');
      assert.match(tarFile(tarball, 'package/server/LICENSE'), /^MIT License\n/);
    });

    it('npm install -D adds it to the project, with the files of the tarball', () => {
      const install = run(`npm install -D ../runlens/${TARBALL}`);
      assert.equal(install.status, 0, install.stderr);
      reportRegistryFetches(install);
      const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
      assert.deepEqual(manifest.devDependencies, { runlens: `file:../runlens/${TARBALL}` });
      assert.deepEqual(filesUnder(path.join(project, 'node_modules/runlens')), tarEntries(path.join(checkout, TARBALL)));
    });

    it('npx runlens scan: the N+1, placed by the installed grammars, and exit status 1', () => {
      checkScan(run('npx runlens scan'));
    });

    it('npx runlens report --format html: the flame graph libraries, read from the installed dependencies', () => {
      const report = run('npx runlens report --format html -o runlens-report.html');
      assert.deepEqual({ status: report.status, stdout: report.stdout, stderr: report.stderr }, { status: 0, stdout: 'report written to runlens-report.html\n', stderr: '' });
      const page = fs.readFileSync(path.join(project, 'runlens-report.html'), 'utf8');
      const inlined = [...page.matchAll(/<script>\/\*! (\S+) (\S+) \([^)]*\), inlined by runlens/g)].map((m) => `${m[1]} ${m[2]}`);
      const flameGraph = path.join(project, 'node_modules/d3-flame-graph');
      assert.deepEqual(inlined, FLAME_GRAPH_LIBRARIES.map((name) => `${name} ${installedVersion(name === 'd3-flame-graph' ? flameGraph : packageDir(name, flameGraph))}`));
      assert.ok(page.includes(N_PLUS_ONE_DIAGNOSTIC.message), 'the page names the N+1');
    });

    it(`${LANGUAGE_SERVER}: initialize, the N+1 as its one diagnostic, recordings read on worker threads`, async () => {
      const server = await RawServer.start(project, { command: { argv: LANGUAGE_SERVER.split(' '), env: { ...npmEnv(), RUNLENS_INDEX_WORKERS: '2' } } });
      try {
        assert.deepEqual((server.initializeResult as { serverInfo?: unknown }).serverInfo, { name: 'runlens', version: VERSION });
        const status = (await server.request('runlens/status')).result as { recordings: number; findings: number; workers: number };
        assert.deepEqual({ recordings: status.recordings, findings: status.findings, workers: status.workers }, { recordings: 2, findings: 1, workers: 2 });
        const uri = server.uri(BOOKS);
        if (!server.diagnostics().has(uri)) await server.waitForNotification<{ uri: string }>('textDocument/publishDiagnostics', (p) => p.uri === uri);
        assert.deepEqual([...server.diagnostics()], [[uri, [N_PLUS_ONE_DIAGNOSTIC]]]);
        const logs = server.notifications.filter((n) => n.method === 'window/logMessage').map((n) => n.params as { type: number; message: string });
        assert.deepEqual(logs.filter((l) => l.type <= 2), [], 'no errors or warnings (grammars, worker script, package.json all found)');
        assert.ok(logs.some((l) => /^runlens: indexed 2 recordings in [\d,]+ ms \(2 worker threads\)$/.test(l.message)), logs.map((l) => l.message).join('\n'));
        assert.deepEqual(server.outputErrors, []);
      } finally {
        assert.deepEqual(await server.close(), { code: 0, signal: null });
      }
    });

    it('then baseline save, compare and report, as the README shows them: nothing changed, no regression', () => {
      const [save, , compare, report] = runBlock(BEFORE_AND_AFTER, { runlens: checkout, 'my-project': project });
      assert.deepEqual({ status: save.status, stderr: save.stderr }, { status: 0, stderr: '' });
      assert.match(save.stdout, /^baseline of 2 recordings \(2 routes, 2 tests, 3 functions, 10 SQL shapes, 1 finding; [\d,]+ bytes\) written to \.runlens\/baseline\.json\n$/);
      assert.deepEqual({ status: compare.status, stderr: compare.stderr }, { status: 0, stderr: '' });
      assert.match(compare.stdout, /^No regression\.$/m);
      assert.deepEqual({ status: report.status, stdout: report.stdout, stderr: report.stderr }, { status: 0, stdout: '', stderr: '' });
      assert.match(fs.readFileSync(path.join(project, 'report.md'), 'utf8'), /^## runlens report: my-project\n\n2 recordings, 1 finding \(1 error\)\. Since before: \*\*no regression\*\*/);
    });
  });

  describe('from a git URL (npm install -D git+…: npm clones it and runs prepare)', () => {
    let project: string;
    let runs: LineRun[];
    const gitUrl = () => `git+file://${checkout}`;

    before(() => {
      project = path.join(tmp, 'from-git/my-project');
      userProject(project);
      const lines = FROM_GIT.lines.map((line) => line.split(README_GIT_URL).join(gitUrl()));
      assert.notDeepEqual(lines, FROM_GIT.lines, `the README's git line names ${README_GIT_URL}`);
      runs = runBlock({ ...FROM_GIT, lines }, { runlens: checkout, 'my-project': project });
    });

    it('installs the package that prepare built, with the same files as the tarball', () => {
      const install = found(runs, `npm install -D ${gitUrl()}`);
      assert.equal(install.status, 0, install.stderr);
      reportRegistryFetches(install);
      const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
      assert.deepEqual(Object.keys(manifest.devDependencies ?? {}), ['runlens']);
      assert.match(manifest.devDependencies!.runlens, /^git\+file:\/\//);
      assert.deepEqual(filesUnder(path.join(project, 'node_modules/runlens')), expectedEntries(checkout));
    });

    it('npx runlens scan: the N+1 and exit status 1', () => {
      checkScan(found(runs, 'npx runlens scan'));
    });
  });
});

// ---- helpers ----------------------------------------------------------------------------------

/** The files git would commit from this checkout (changes not yet committed included), as a repository of one commit. */
function gitRepositoryOfCheckout(to: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (listed.status !== 0) throw new Error(`this test packs the files of a git checkout, and git ls-files failed in ${REPO}: ${listed.stderr || listed.error}`);
  for (const rel of new Set(listed.stdout.split('\0').filter(Boolean))) {
    const from = path.join(REPO, rel);
    const stat = fs.lstatSync(from, { throwIfNoEntry: false });
    if (!stat || stat.isDirectory()) continue; // deleted but not yet committed, or a submodule
    fs.mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
    fs.cpSync(from, path.join(to, rel), { verbatimSymlinks: true });
  }
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=runlens test', '-c', 'user.email=test@runlens.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: to, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'this checkout, as the pack test installs it');
}

/** Somebody's Node project: the bookshop example's sources and recordings, a package.json of its own, nothing installed. */
function userProject(to: string): void {
  const own = new Set(['node_modules', 'package.json', 'package-lock.json']);
  fs.cpSync(BOOKSHOP, to, { recursive: true, filter: (from) => from === BOOKSHOP || !own.has(path.relative(BOOKSHOP, from).split(path.sep)[0]) });
  fs.writeFileSync(path.join(to, 'package.json'), `${JSON.stringify({ name: 'my-project', version: '1.0.0', private: true }, null, 2)}\n`);
}

/**
 * Runs a block's lines one by one, each through bash exactly as written, in the folder the
 * previous line left (a `cd` carries over, as in a terminal); every line runs, whatever the
 * status of the one before.
 */
function runBlock(block: CommandBlock, folders: Record<CommandBlock['from'], string>): LineRun[] {
  let cwd = folders[block.from];
  const runs: LineRun[] = [];
  for (const line of block.lines) {
    const env = { ...npmEnv(), ...(/^npm install\b/.test(line) ? { npm_config_loglevel: 'http' } : {}) };
    // The line, then (after a newline: the line may end in a comment) the folder it leaves on fd 3.
    const r = spawnSync('bash', ['-c', `${line}\nstatus=$?; pwd >&3; exit $status`], {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      timeout: 300_000,
      maxBuffer: 64 << 20,
    });
    runs.push({ line, cwd, status: r.status, stdout: r.stdout, stderr: r.stderr + (r.error ? `\n${r.error.message}` : '') });
    const after = String(r.output[3] ?? '').trim();
    if (after) cwd = after;
  }
  return runs;
}

/** The environment npm runs in: this process's, without what an outer `npm test` set, npm kept offline where it can be. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  return { ...env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function found(runs: LineRun[], start: string): LineRun {
  const run = runs.find((r) => r.line.startsWith(start));
  if (!run) throw new Error(`no line starting with ${JSON.stringify(start)} among ${JSON.stringify(runs.map((r) => r.line))}`);
  return run;
}

function checkScan(scan: LineRun): void {
  assert.deepEqual({ status: scan.status, stdout: scan.stdout, stderr: scan.stderr }, { status: 1, stdout: SCAN_OUTPUT, stderr: '' });
}

/** Prints the registry requests an install made beyond its cache (`npm http fetch … (cache miss)` and the like). */
function reportRegistryFetches(install: LineRun): void {
  const fetches = install.stderr.split('\n').filter((l) => l.startsWith('npm http fetch') && !/\(cache (hit|stale)\)$/.test(l));
  console.log(`      ${install.line}: ${fetches.length ? `${fetches.length} registry requests beyond the npm cache:\n${fetches.map((f) => `        ${f}`).join('\n')}` : 'nothing fetched beyond the npm cache'}`);
}

/** What the tarball must hold: the launcher, the compiled server (one .js per source file), the user docs the README and error messages point to, server/LICENSE, README.md, package.json. */
function expectedEntries(checkout: string): string[] {
  const docs = fs.readdirSync(path.join(checkout, 'server/docs')).filter((f) => f.endsWith('.md')).map((f) => `server/docs/${f}`);
  const sources = filesUnder(path.join(checkout, 'server/src'));
  assert.ok(sources.length > 50 && sources.every((f) => f.endsWith('.ts')), `server/src: ${sources.join(', ')}`);
  return ['README.md', 'package.json', 'server/LICENSE', 'server/bin/runlens.js', ...docs, ...sources.map((f) => `server/out/server/src/${f.replace(/\.ts$/, '.js')}`)].sort();
}

/** The tarball's files, without npm's `package/` prefix, sorted. */
function tarEntries(tarball: string): string[] {
  const listed = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(listed.status, 0, listed.stderr);
  const entries = listed.stdout.split('\n').filter((e) => e && !e.endsWith('/'));
  assert.ok(entries.every((e) => e.startsWith('package/')), listed.stdout);
  return entries.map((e) => e.slice('package/'.length)).sort();
}

function tarFile(tarball: string, entry: string): string {
  const r = spawnSync('tar', ['-xzOf', tarball, entry], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function unpackedBytes(tarball: string): number {
  const r = spawnSync('tar', ['-tvzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.stdout.split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2]), 0);
}

/** Files under `dir` (symlinks included, folders not), relative POSIX paths, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** The folder of package `name` as Node finds it from `from` (nested node_modules first), as reportAssets.ts does. */
function packageDir(name: string, from: string): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`${name} is not installed above ${from}`);
}

function installedVersion(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
