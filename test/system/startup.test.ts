// What the command line loads to start: each command's modules when it runs and no other's, and a
// tree-sitter grammar only when a file of its language is first parsed. Counted in the real binary
// (test/support/loadedModules.ts preloaded), never timed.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runlens, Run } from '../support/cli';
import { REPO } from '../support/corpus';
import type { Loaded } from '../support/loadedModules';

const PROBE = path.join(__dirname, '../support/loadedModules.js');
const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const BOOKSHOP = path.join(REPO, 'test/workspaces/bookshop');

/** `runlens ARGS…` in `cwd`, and what it loaded. */
function loadedBy(args: string[], cwd: string, env: Record<string, string> = {}): { run: Run; loaded: Loaded } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-loaded-'));
  try {
    const out = path.join(dir, 'loaded.json');
    const run = runlens(args, cwd, { NODE_OPTIONS: `--require ${PROBE}`, RUNLENS_LOADED_OUT: out, ...env });
    return { run, loaded: JSON.parse(fs.readFileSync(out, 'utf8')) as Loaded };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The modules that only other commands than scan need: none is loaded by `scan`. */
const NOT_FOR_SCAN = [
  'cli/baseline.js',
  'cli/compare.js',
  'cli/record.js',
  'cli/report.js',
  'core/baseline/compare.js',
  'core/baseline/report.js',
  'core/baseline/serialize.js',
  'core/report/markdown.js',
  'node/baselineFile.js',
  'node/indexPool.js',
  'node/otel/recordEnv.js',
  'node/reportAssets.js',
];

/** Whole folders of modules that `scan` never loads: the language server and the MCP server. */
const FOLDERS_NOT_FOR_SCAN = ['lsp/', 'mcp/', 'node/otel/'];

describe('what the command line loads', function () {
  this.timeout(120_000);

  it('scan of a Python workspace loads the Python grammar alone, and no module of another command', () => {
    const { run, loaded } = loadedBy(['scan', '--fail-on', 'never'], MEETUPS);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^meetups\/views\.py:29:16 error N\+1: 1,500 queries from this queryset/);
    assert.deepEqual(loaded.grammars, ['python']);
    assert.ok(loaded.modules.includes('cli/scan.js'), loaded.modules.join(' '));
    assert.deepEqual(loaded.modules.filter((m) => NOT_FOR_SCAN.includes(m) || FOLDERS_NOT_FOR_SCAN.some((f) => m.startsWith(f))), []);
  });

  it('scan of a JavaScript workspace loads the JavaScript grammar alone', () => {
    const { run, loaded } = loadedBy(['scan', '--fail-on', 'never'], BOOKSHOP);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^src\/routes\/books\.js:21:23 error N\+1: 600 queries/);
    assert.deepEqual(loaded.grammars, ['javascript']);
  });

  it('report loads its own module when it runs, and --version loads no command and no grammar', () => {
    const report = loadedBy(['report'], MEETUPS);
    assert.equal(report.run.code, 0, report.run.stderr);
    assert.ok(report.loaded.modules.includes('cli/report.js') && report.loaded.modules.includes('core/report/markdown.js'), report.loaded.modules.join(' '));
    assert.deepEqual(report.loaded.grammars, ['python']);
    const version = loadedBy(['--version'], MEETUPS);
    assert.equal(version.run.code, 0);
    assert.deepEqual(version.loaded, { modules: ['cli/color.js', 'cli/main.js', 'cli/usage.js', 'node/packageInfo.js'], grammars: [] });
  });

  it('asks Node for its compile cache where Node has one (22.1 and later; a stub stands for it here)', () => {
    const { run, loaded } = loadedBy(['--version'], MEETUPS, { RUNLENS_STUB_COMPILE_CACHE: '1' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(loaded.compileCacheCalls, 1);
  });
});
