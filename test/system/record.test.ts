// `runlens record [--root DIR] -- <command…>`: the agent set-up it prints, word for word, for
// Python, Ruby, Maven and Gradle projects (nothing is run there); how it tells a project's kind and
// reads its arguments; and, with the real appmap-node, a Node project end to end: the bookshop
// example's tests recorded and scanned (the same findings as `runlens scan` on the committed
// recordings), and commands that fail or record nothing (their status and a clear message).
// The Node runs need test/workspaces/bookshop's dependencies: skipped without them, failed under CI.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appmapDirSetting, appmapOutputDir, parseRecordArgs, projectKindOf, runRecord } from '../../server/src/cli/record';
import { Io } from '../../server/src/cli/scan';
import { UsageError } from '../../server/src/cli/usage';
import { BOOKSHOP, missingDependencies } from '../support/bookshop';
import { BIN } from '../support/cli';

/** The compiled record.ts, for the child process that runs `runRecord` on a real terminal's stdio. */
const RECORD_JS = require.resolve('../../server/src/cli/record');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runRecord in process, its output captured: for the paths that run nothing. */
async function record(args: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stderrIsTTY: false, cwd };
  const code = await runRecord(args, io);
  return { code, stdout, stderr };
}

/** runRecord in a child process whose stdio the recorded command inherits, as on a terminal. */
function recordInChild(args: string[], cwd: string): Run {
  const script =
    `const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), stderrIsTTY: false, cwd: process.cwd() };` +
    `require(${JSON.stringify(RECORD_JS)}).runRecord(process.argv.slice(2), io).then((code) => { process.exitCode = code; });`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['-e', script, 'record', ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary project holding the given files; removed by the returned function. */
function project(files: Record<string, string>): { dir: string; dispose: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-record-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('runlens record', function () {
  const projects: Array<{ dispose: () => void }> = [];
  const make = (files: Record<string, string>) => {
    const p = project(files);
    projects.push(p);
    return p.dir;
  };
  after(() => projects.forEach((p) => p.dispose()));

  describe('prints how to record with the agent of other ecosystems, runs nothing, exits 2', () => {
    it('Python (pyproject.toml): appmap-python', async () => {
      const dir = make({ 'pyproject.toml': '' });
      assert.deepEqual(await record(['--', 'pytest', '-x', 'tests/test a.py'], dir), {
        code: 2,
        stderr: '',
        stdout:
          'runlens record: a Python project (pyproject.toml). runlens runs the agent itself for Node projects only;\n' +
          'record this one with appmap-python, then scan what it wrote:\n' +
          '\n' +
          "  1. Install the agent in the project's environment:\n" +
          '       pip install appmap\n' +
          '     (Poetry: poetry add --group=dev appmap; Pipenv: pipenv install --dev appmap)\n' +
          '  2. Run the command under it:\n' +
          "       appmap-python pytest -x 'tests/test a.py'\n" +
          "     (or: APPMAP=true pytest -x 'tests/test a.py'). pytest writes tmp/appmap/pytest/; unittest and\n" +
          "     Django's manage.py test write tmp/appmap/unittest/.\n" +
          '  3. Scan the recordings:\n' +
          '       runlens scan\n',
      });
    });

    it('Python (manage.py), with --root: where to run and what to scan', async () => {
      const dir = make({ 'site/manage.py': '' });
      const run = await record(['--root', 'site', '--', 'python', 'manage.py', 'test'], dir);
      assert.equal(run.code, 2);
      assert.equal(run.stdout.split('\n')[0], 'runlens record: a Python project (manage.py). runlens runs the agent itself for Node projects only;');
      assert.ok(run.stdout.includes('  2. Run the command under it, in site:\n       appmap-python python manage.py test\n'), run.stdout);
      assert.ok(run.stdout.endsWith('  3. Scan the recordings:\n       runlens scan --root site\n'), run.stdout);
    });

    it('Ruby (Gemfile): appmap-ruby', async () => {
      const dir = make({ Gemfile: '' });
      assert.deepEqual(await record(['--', 'bundle', 'exec', 'rspec'], dir), {
        code: 2,
        stderr: '',
        stdout:
          'runlens record: a Ruby project (Gemfile). runlens runs the agent itself for Node projects only;\n' +
          'record this one with appmap-ruby, then scan what it wrote:\n' +
          '\n' +
          '  1. Add the agent to the Gemfile, before any other gem, in the development and test groups:\n' +
          '       group :development, :test do\n' +
          "         gem 'appmap'\n" +
          '       end\n' +
          '     then run bundle install.\n' +
          '  2. Run the command with recording on:\n' +
          '       APPMAP=true bundle exec rspec\n' +
          '     RSpec writes tmp/appmap/rspec/, Minitest tmp/appmap/minitest/, Cucumber tmp/appmap/cucumber/\n' +
          "     (outside Rails, require 'appmap/rspec' or 'appmap/minitest' first in spec_helper.rb or test_helper.rb).\n" +
          '  3. Scan the recordings:\n' +
          '       runlens scan\n',
      });
    });

    it('Java with Maven (pom.xml): the appmap-maven-plugin goal put into the given mvn command', async () => {
      const dir = make({ 'pom.xml': '' });
      assert.deepEqual(await record(['--', './mvnw', '-q', 'verify'], dir), {
        code: 2,
        stderr: '',
        stdout:
          'runlens record: a Java project (pom.xml). runlens runs the agent itself for Node projects only;\n' +
          'record this one with appmap-java, then scan what it wrote:\n' +
          '\n' +
          '  1. Run the tests with the agent attached by its Maven plugin (Maven fetches it):\n' +
          '       ./mvnw com.appland:appmap-maven-plugin:prepare-agent -q verify\n' +
          "     or add com.appland:appmap-maven-plugin with the goal prepare-agent to the pom.xml's plugins.\n" +
          '     JUnit tests write tmp/appmap/junit/.\n' +
          '  2. Scan the recordings:\n' +
          '       runlens scan\n',
      });
      const other = await record(['--', 'make', 'test'], dir);
      assert.ok(other.stdout.includes('\n       mvn com.appland:appmap-maven-plugin:prepare-agent test\n'), other.stdout);
    });

    it('Java with Gradle (build.gradle): the com.appland.appmap plugin and its appmap task', async () => {
      const dir = make({ 'build.gradle': '' });
      assert.deepEqual(await record(['--', './gradlew', 'test'], dir), {
        code: 2,
        stderr: '',
        stdout:
          'runlens record: a Java project (build.gradle). runlens runs the agent itself for Node projects only;\n' +
          'record this one with appmap-java, then scan what it wrote:\n' +
          '\n' +
          '  1. Add the AppMap Gradle plugin to build.gradle, with the version of its latest release:\n' +
          '       plugins { id "com.appland.appmap" version "<version>" }\n' +
          '  2. Run the tests with the agent attached:\n' +
          '       ./gradlew appmap test\n' +
          '     They write build/appmap/.\n' +
          '  3. Scan the recordings:\n' +
          '       runlens scan\n',
      });
    });

    it('Java with the Gradle Kotlin DSL (build.gradle.kts): the plugin in Kotlin', async () => {
      const dir = make({ 'build.gradle.kts': '' });
      const run = await record(['--', 'gradle', 'check'], dir);
      assert.equal(run.code, 2);
      assert.ok(run.stdout.includes('  1. Add the AppMap Gradle plugin to build.gradle.kts, with the version of its latest release:\n       plugins { id("com.appland.appmap") version "<version>" }\n'), run.stdout);
      assert.ok(run.stdout.includes('\n       gradle appmap check\n'), run.stdout);
    });
  });

  describe('tells the kind of project', () => {
    it('by its files; with a package.json beside another kind, Node only for a command that runs JavaScript', () => {
      const rails = make({ Gemfile: '', 'package.json': '{}' });
      assert.deepEqual(projectKindOf(rails, ['bundle', 'exec', 'rspec']), { kind: 'ruby', file: 'Gemfile' });
      assert.deepEqual(projectKindOf(rails, ['npm', 'test']), { kind: 'node', file: 'package.json' });
      assert.deepEqual(projectKindOf(rails, ['npx', 'jest']), { kind: 'node', file: 'package.json' });
      assert.deepEqual(projectKindOf(rails, ['./node_modules/.bin/mocha']), { kind: 'node', file: 'package.json' });
      assert.deepEqual(projectKindOf(rails, ['test/run.mjs']), { kind: 'node', file: 'package.json' });
      assert.deepEqual(projectKindOf(make({ 'package.json': '{}' }), ['make', 'test']), { kind: 'node', file: 'package.json' });
      assert.deepEqual(projectKindOf(make({ 'requirements.txt': '', 'setup.py': '' }), ['pytest']), { kind: 'python', file: 'requirements.txt' });
      assert.deepEqual(projectKindOf(make({ 'build.gradle.kts': '' }), ['gradle', 'test']), { kind: 'java', file: 'build.gradle.kts' });
      assert.equal(projectKindOf(make({ 'README.md': '' }), ['make']), undefined);
      // A folder named like a marker is not one.
      assert.equal(projectKindOf(make({ 'Gemfile/x': '' }), ['make']), undefined);
    });
  });

  describe('usage errors (exit 2 through main)', () => {
    const cases: Array<[string[], string]> = [
      [[], 'record: no command to record; give it after "--", e.g. runlens record -- npm test'],
      [['--'], 'record: no command to record; give it after "--", e.g. runlens record -- npm test'],
      [['--root', 'x'], 'record: no command to record; give it after "--", e.g. runlens record -- npm test'],
      [['npm', 'test'], 'record: the command goes after "--": runlens record [--root DIR] -- npm test'],
      [['--root'], '--root needs a value'],
      [['--root', '--', 'npm', 'test'], '--root needs a value'],
      [['--format', 'json', '--', 'npm', 'test'], 'record: unknown option "--format"'],
    ];
    for (const [args, message] of cases) {
      it(`${JSON.stringify(args)}: ${message}`, () => {
        assert.throws(() => parseRecordArgs(args), (err: unknown) => err instanceof UsageError && err.message === message);
      });
    }

    it('takes the command word for word after "--", options of its own included', () => {
      assert.deepEqual(parseRecordArgs(['--root=app', '--', 'npm', 'test', '--', '--root', 'x']), { rootArg: 'app', command: ['npm', 'test', '--', '--root', 'x'] });
      assert.deepEqual(parseRecordArgs(['--', 'mocha']), { rootArg: '.', command: ['mocha'] });
    });

    it('a root that is not a folder, or whose kind cannot be told', async () => {
      const dir = make({ 'notes.txt': '' });
      await assert.rejects(record(['--root', 'missing', '--', 'npm', 'test'], dir), (err: unknown) => err instanceof UsageError && err.message === '--root missing: not a folder');
      await assert.rejects(
        record(['--', 'npm', 'test'], dir),
        (err: unknown) =>
          err instanceof UsageError &&
          err.message ===
            '.: cannot tell which AppMap agent records this folder: none of pyproject.toml, requirements.txt, setup.py, manage.py, Gemfile, pom.xml, build.gradle, build.gradle.kts or package.json is there (give the project\'s folder with --root)',
      );
    });
  });

  describe("appmap-node's output folder", () => {
    it('is appmap_dir of the appmap.yml, tmp/appmap by default', () => {
      assert.equal(appmapDirSetting('name: shop\nappmap_dir: out/maps\n'), 'out/maps');
      assert.equal(appmapDirSetting("name: shop\nappmap_dir: 'out maps'  # where\n"), 'out maps');
      assert.equal(appmapDirSetting('appmap_dir: "recordings"\n'), 'recordings');
      assert.equal(appmapDirSetting('name: shop\npackages:\n  - path: src\n    appmap_dir: nested\n'), undefined);
      assert.equal(appmapDirSetting('appmap_dir:\n'), undefined);
      const dir = make({ 'appmap.yml': 'name: shop\nappmap_dir: out/maps\n', 'app/package.json': '{}' });
      assert.equal(appmapOutputDir(dir, {}), path.join(dir, 'out/maps'));
      // appmap-node takes the nearest appmap.yml up from where it runs, or APPMAP_ROOT's.
      assert.equal(appmapOutputDir(path.join(dir, 'app'), {}), path.join(dir, 'out/maps'));
      assert.equal(appmapOutputDir(path.join(dir, 'app'), { APPMAP_ROOT: path.join(dir, 'app') }), path.join(dir, 'app/tmp/appmap'));
    });

    it('must be inside the root: one outside (/, ../other, a link out) is a usage error, and the command is not run (real binary)', () => {
      // A stand-in for appmap-node that notes it ran and writes a recording where appmap_dir says,
      // as another project's run would: found by a walk, it would be reported as this run's.
      const recording = path.join(BOOKSHOP, 'tmp/appmap/mocha/bookshop/lists_the_authors_with_their_books.appmap.json');
      const agent = `#!/bin/sh\ntouch ran\nmkdir -p ../other && cp ${JSON.stringify(recording)} ../other/$$.appmap.json\nexec "$@"\n`;
      const cases: Array<[string, (dir: string) => void, (dir: string) => string]> = [
        ['appmap_dir: ../other', () => undefined, (dir) => path.join(path.dirname(dir), 'other')],
        ['appmap_dir: tmp/appmap, a link to ../other', (dir) => (fs.mkdirSync(path.join(dir, 'tmp')), fs.symlinkSync('../../other', path.join(dir, 'tmp/appmap'))), (dir) => path.join(dir, 'tmp/appmap')],
        ['appmap_dir: /', () => undefined, () => '/'],
      ];
      for (const [setting, prepare, outputDir] of cases) {
        const parent = make({});
        const dir = path.join(parent, 'project');
        fs.mkdirSync(path.join(parent, 'other'));
        fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'package.json'), '{}');
        fs.writeFileSync(path.join(dir, 'appmap.yml'), `name: project\n${setting.split(',')[0]}\n`);
        fs.writeFileSync(path.join(dir, 'node_modules/.bin/appmap-node'), agent, { mode: 0o755 });
        prepare(dir);
        const run = spawnSync(process.execPath, [BIN, 'record', '--', 'node', '-e', '0'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
        assert.deepEqual(
          { code: run.status, stdout: run.stdout, stderr: run.stderr },
          {
            code: 2,
            stdout: '',
            stderr:
              `runlens: record: appmap-node writes to ${outputDir(dir)} (appmap_dir of its appmap.yml, or APPMAP_ROOT), outside the root ${dir}: runlens record reads only recordings inside the root. ` +
              'Set appmap_dir to a folder inside it (the default is tmp/appmap), or give the folder that holds it with --root\n',
          },
          setting,
        );
        assert.ok(!fs.existsSync(path.join(dir, 'ran')), `${setting}: the command was run`);
      }
    });
  });

  describe('a Node project, recorded with the real appmap-node', function () {
    before(function () {
      const missing = missingDependencies();
      if (missing) {
        // CI installs the example's dependencies: there, missing ones are a failure.
        if (process.env.CI) throw new Error(`${missing}; run (cd test/workspaces/bookshop && npm ci)`);
        console.log(`      skipped: ${missing} (cd test/workspaces/bookshop && npm ci installs them)`);
        this.skip();
      }
    });

    /** A copy of the bookshop example with its dependencies linked, and `extra` files in it. */
    const bookshopCopy = (extra: Record<string, string> = {}) => {
      const files: Record<string, string> = { ...extra };
      for (const rel of ['package.json', 'appmap.yml', '.mocharc.json']) files[rel] = fs.readFileSync(path.join(BOOKSHOP, rel), 'utf8');
      const dir = make(files);
      for (const folder of ['src', 'test']) fs.cpSync(path.join(BOOKSHOP, folder), path.join(dir, folder), { recursive: true });
      fs.symlinkSync(path.join(BOOKSHOP, 'node_modules'), path.join(dir, 'node_modules'));
      return dir;
    };

    it('runs the tests under appmap-node and prints the findings of what they recorded, like runlens scan', () => {
      const dir = bookshopCopy();
      const run = recordInChild(['--', 'npm', 'test'], dir);
      // What runlens scan says of the committed recordings (bookshop.test.ts holds it exactly).
      const scan = spawnSync(process.execPath, [BIN, 'scan', '--root', BOOKSHOP], { encoding: 'utf8' });
      assert.equal(scan.status, 1);
      const expected = scan.stdout.split('\n').filter(Boolean);
      // The tests' own output comes first (the command has the terminal), then runlens's.
      const lines = run.stdout.split('\n').filter(Boolean);
      assert.match(run.stdout, /^ {2}2 passing \(\d+m?s\)$/m);
      const findings = lines.slice(-expected.length - countTimingLines(lines));
      assert.deepEqual(withoutTimingFindings(findings), expected, run.stdout);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.startsWith('runlens record: recording npm test with node_modules/.bin/appmap-node\n'), run.stderr);
      // appmap-node speaks on stdout, before the tests.
      assert.ok(run.stdout.startsWith(appmapNodeBanner(dir)), run.stdout);
      assert.ok(run.stdout.includes('\n(Λ) Detected Mocha. Tests will be automatically recorded.\n'), run.stdout);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp/appmap/mocha/bookshop')).sort(), [
        'lists_the_authors_with_their_books.appmap.json',
        'lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json',
      ]);
    });

    it('scans only the recordings this run wrote, not older ones', () => {
      const dir = bookshopCopy({ 'tmp/appmap/old/broken.appmap.json': '{"events": [' });
      const run = recordInChild(['--', 'npm', 'test'], dir);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(!run.stderr.includes('broken.appmap.json'), run.stderr);
      // Two recordings read, not three: the broken one was there before the run. (How many findings
      // depends on timing rules too: a loaded machine can make GET /books a slow request.)
      assert.match(run.stdout, /\n2 recordings read, \d+ findings? \(\d+ errors?, \d+ warnings?\)\n$/);
    });

    it('passes on the status of a command that fails, with a message', () => {
      const dir = bookshopCopy({ 'fail.js': 'console.log("failing on purpose");\nprocess.exit(3);\n' });
      const run = recordInChild(['--', 'node', 'fail.js'], dir);
      assert.equal(run.code, 3);
      assert.equal(run.stdout, `${appmapNodeBanner(dir)}failing on purpose\n`);
      assert.ok(run.stderr.startsWith('runlens record: recording node fail.js with node_modules/.bin/appmap-node\n'), run.stderr);
      assert.ok(run.stderr.endsWith('runlens record: node fail.js exited with status 3\n'), run.stderr);
    });

    it('says so, and exits 1, when the command recorded nothing', () => {
      const dir = bookshopCopy({ 'quiet.js': 'console.log("nothing to record");\n' });
      const run = recordInChild(['--', 'node', 'quiet.js'], dir);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, `${appmapNodeBanner(dir)}nothing to record\n`);
      assert.ok(run.stderr.endsWith('runlens record: node quiet.js wrote no recording to tmp/appmap\n'), run.stderr);
    });
  });
});

/** What appmap-node prints (on stdout) before it runs the command, in a project with an appmap.yml. */
function appmapNodeBanner(dir: string): string {
  return `(Λ) Running with appmap-node version 2.27.0\n(Λ) Using config file ${fs.realpathSync(dir)}/appmap.yml\n`;
}

/** The lines of findings of the timing rules, which a fresh recording may or may not have. */
function isTimingLine(line: string): boolean {
  return / \[(slow-call|slow-request|slow-query)\]$/.test(line);
}

function countTimingLines(lines: string[]): number {
  return lines.filter(isTimingLine).length;
}

/** The findings lines and summary without the timing findings (and their share of the summary). */
function withoutTimingFindings(lines: string[]): string[] {
  const timing = lines.filter(isTimingLine);
  const kept = lines.filter((l) => !isTimingLine(l));
  if (timing.length === 0) return kept;
  const summary = kept.pop() as string;
  const m = /^(\d+ recordings? read), (\d+) findings? \((\d+) errors?, (\d+) warnings?\)$/.exec(summary);
  assert.ok(m, summary);
  const errors = Number(m[3]) - timing.filter((l) => / error /.test(l)).length;
  const warnings = Number(m[4]) - timing.filter((l) => / warning /.test(l)).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return [...kept, `${m[1]}, ${plural(errors + warnings, 'finding')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`];
}

