// Files that are not what their names say, and outputs nobody reads to the end: the defects of the
// second hostile-input round (issue 15) that are about the disk and the process. A FIFO put in
// place of a file after it was checked (each reader, in a child process with the swap made right
// after the check, so the race is won every time); a process that must end while a thread is
// stuck; `.runlens/baseline.json` as a link to a FIFO, a device, a file outside the workspace, or
// too large (the real server and the real CLI); `runlens … | head` (stdout closed early); and what
// `scan` passes over (a FIFO or a device given, a folder that cannot be listed, a path longer than
// the system allows), which is said, never silent. Waits are hang guards: what hangs fails at its
// guard instead of holding the suite.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOOKSHOP } from '../support/bookshop';
import { BIN, Run } from '../support/cli';
import { REPO } from '../support/corpus';
import { copyWorkspaceWithoutDependencies, RawServer } from '../support/rawServer';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';
const BASELINE = '.runlens/baseline.json';
/** The compiled server, for the child processes that drive one module. */
const OUT = path.resolve(__dirname, '../../server/src');
/** A hang guard for one child process: generous for a busy machine; a hang before the fixes. */
const CHILD_GUARD_MS = 60_000;

describe('hostile files and closed outputs', function () {
  this.timeout(600_000);
  const temporaries: string[] = [];
  const temporary = (prefix: string): string => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    temporaries.push(dir);
    return dir;
  };
  after(() => {
    // `rm -rf`, not fs.rmSync: a tree deeper than PATH_MAX cannot be removed by full paths.
    for (const dir of temporaries) spawnSync('rm', ['-rf', dir]);
  });

  describe('a FIFO renamed over a file after it was checked never blocks a thread', () => {
    /**
     * Runs `operation` on `file` in a child process whose fs.statSync and fs.promises.stat rename
     * a FIFO over `file` right after they stat it: the window between a check and an open, made
     * certain. Returns what the operation gave (JSON) and whether the swap happened.
     */
    function afterSwap(file: string, operation: string): { swapped: boolean; result: unknown } {
      const script = `
        const fs = require('node:fs');
        const { spawnSync } = require('node:child_process');
        const [file, operation, out] = process.argv.slice(1);
        let swapped = false;
        const swap = (p) => {
          if (swapped || String(p) !== file) return;
          swapped = true;
          if (spawnSync('mkfifo', [file + '.fifo']).status !== 0) throw new Error('mkfifo failed');
          fs.renameSync(file + '.fifo', file);
        };
        const statSync = fs.statSync;
        fs.statSync = function (p, ...rest) { const st = statSync.call(this, p, ...rest); swap(p); return st; };
        const stat = fs.promises.stat;
        fs.promises.stat = async function (p, ...rest) { const st = await stat.call(this, p, ...rest); swap(p); return st; };
        const { readRecordingFile, readRecordingFileSync } = require(out + '/node/readRecordingFile');
        const { workspaceFiles } = require(out + '/node/workspaceFiles');
        const { formatProblem } = require(out + '/core/problem');
        const path = require('node:path');
        const operations = {
          'a recording, read as the server and the CLI read it': async () => (await readRecordingFile(file, 'r.appmap.json')).problems.map(formatProblem),
          'a recording, read synchronously': async () => readRecordingFileSync(file, 'r.appmap.json').problems.map(formatProblem),
          'a source file, read for tree-sitter': async () => workspaceFiles(path.dirname(file)).read(path.basename(file)) ?? null,
        };
        operations[operation]().then((result) => process.stdout.write(JSON.stringify({ swapped, result })));
      `;
      const r = spawnSync(process.execPath, ['-e', script, file, operation, OUT], { encoding: 'utf8', timeout: CHILD_GUARD_MS });
      assert.equal(r.signal, null, `${operation}: the child hung (killed by ${r.signal} after ${CHILD_GUARD_MS / 1000} s); stderr: ${r.stderr}`);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    }

    const cases: Array<[string, string, unknown]> = [
      ['a recording, read as the server and the CLI read it', 'r.appmap.json', ['r.appmap.json: byte 0: cannot read the file (a FIFO, not a regular file); read what came before']],
      ['a recording, read synchronously', 'r.appmap.json', ['r.appmap.json: byte 0: cannot read the file (a FIFO, not a regular file); read what came before']],
      ['a source file, read for tree-sitter', 'views.py', null],
    ];
    for (const [operation, name, expected] of cases) {
      it(`${operation}: refused by what was opened`, () => {
        const dir = temporary('runlens-swap-');
        const file = path.join(dir, name);
        fs.writeFileSync(file, name.endsWith('.py') ? 'def view():\n    pass\n' : fs.readFileSync(path.join(MEETUPS, MEETUPS_RECORDING)));
        assert.deepEqual(afterSwap(file, operation), { swapped: true, result: expected });
      });
    }
  });

  describe('the server ends when asked, whatever its threads are doing', () => {
    /** endProcess (node/endProcess.ts) in a child process, after `setUp`; what the process ended with. */
    function endIn(setUp: string, cleanUp: string): { code: number | null; signal: NodeJS.Signals | null; stderr: string } {
      const dir = temporary('runlens-end-');
      mkfifo(path.join(dir, 'fifo'));
      const script = `
        const fs = require('node:fs');
        const { endProcess } = require(process.argv[2] + '/node/endProcess');
        const fifo = process.argv[1];
        ${setUp}
        setTimeout(() => endProcess(0, ${cleanUp}, (line) => process.stderr.write(line + '\\n')), 100);
      `;
      const r = spawnSync(process.execPath, ['-e', script, path.join(dir, 'fifo'), OUT], { encoding: 'utf8', timeout: CHILD_GUARD_MS });
      return { code: r.status, signal: r.signal, stderr: r.stderr };
    }

    it('with nothing stuck: the status asked for', () => {
      assert.deepEqual(endIn('', 'async () => undefined'), { code: 0, signal: null, stderr: '' });
    });

    it('with a thread of the pool stuck opening a FIFO: ended by SIGKILL after the grace, saying why', () => {
      // (What runlens no longer does, done here on purpose: an open that waits for a writer.)
      assert.deepEqual(endIn("fs.open(fifo, 'r', () => undefined);", 'async () => undefined'), {
        code: null,
        signal: 'SIGKILL',
        stderr: 'runlens: 1 file request(s) still in flight 3 s after exit was asked for: a thread is stuck in the system; ending the process by SIGKILL\n',
      });
    });

    it('with a clean-up that never ends (a worker thread that cannot be stopped): ended by SIGKILL after the grace, saying why', () => {
      assert.deepEqual(endIn('', '() => new Promise(() => undefined)'), {
        code: null,
        signal: 'SIGKILL',
        stderr: 'runlens: the clean-up (watcher, worker threads) did not finish 3 s after exit was asked for: a thread is stuck in the system; ending the process by SIGKILL\n',
      });
    });

    it('(the check above can fail: process.exit() alone waits for the stuck thread for ever)', () => {
      const dir = temporary('runlens-end-');
      mkfifo(path.join(dir, 'fifo'));
      const script = `require('node:fs').open(process.argv[1], 'r', () => undefined); setTimeout(() => process.exit(0), 100);`;
      const r = spawnSync(process.execPath, ['-e', script, path.join(dir, 'fifo')], { encoding: 'utf8', timeout: 5_000 });
      assert.equal(r.signal, 'SIGTERM', 'killed by the guard: it never ended by itself');
    });

    it('closing stdin ends the real server: status 1 without shutdown, 0 after it', async () => {
      const root = copyWorkspaceWithoutDependencies(MEETUPS, 'runlens-stdin-');
      temporaries.push(root);
      for (const shutdown of [false, true]) {
        const server = await RawServer.start(root);
        try {
          if (shutdown) assert.deepEqual((await server.request('shutdown')).result, null);
          const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
          server.child.stdin!.end();
          await exited;
          assert.deepEqual(server.exited, { code: shutdown ? 0 : 1, signal: null }, server.stderr.slice(-2000));
        } finally {
          if (server.alive) await server.kill();
        }
      }
    });
  });

  describe('.runlens/baseline.json that is not a regular file of the workspace', () => {
    /** Puts `make`'s entry at .runlens/baseline.json of `root`, in place of what was there. */
    function hostileBaseline(root: string, make: (file: string) => void): void {
      const file = path.join(root, BASELINE);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.rmSync(file, { force: true });
      make(file);
    }

    /** Each entry, and the problem it must give (the same words in the server and in the CLI). */
    function hostileEntries(root: string): Array<[string, (file: string) => void, string]> {
      const outside = path.join(temporary('runlens-outside-'), 'baseline.json');
      fs.writeFileSync(outside, 'SECRET-baseline-outside');
      return [
        ['a FIFO', (file) => mkfifo(file), 'a FIFO, not a regular file'],
        ['a link to a FIFO in the workspace', (file) => (mkfifo(path.join(root, 'pipe')), fs.symlinkSync('../pipe', file)), 'a FIFO, not a regular file'],
        ['a link to /dev/zero', (file) => fs.symlinkSync('/dev/zero', file), 'it leads out of the workspace through a link'],
        ['a link to a file outside the workspace', (file) => fs.symlinkSync(outside, file), 'it leads out of the workspace through a link'],
        ['a file of 65 MiB (sparse)', (file) => fs.truncateSync((fs.writeFileSync(file, ''), file), 65 << 20), 'larger than 64 MiB'],
      ];
    }

    it('the server says why on the file, reads none of it, and keeps answering (real binary)', async () => {
      const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-baseline-');
      temporaries.push(root);
      const server = await RawServer.start(root);
      try {
        const uri = server.uri(BASELINE);
        type Published = { uri: string; diagnostics: { message: string }[] };
        for (const [what, make, why] of hostileEntries(root)) {
          // The baseline file is polled once a second: its change is seen by itself.
          const shown = server.waitForNotification<Published>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
          hostileBaseline(root, make);
          const published = await shown.catch((err: Error) => assert.fail(`${what}: ${err.message}`));
          assert.deepEqual(published.diagnostics.map((d) => d.message), [`cannot read: ${why}`], what);
          const status = await server.request('runlens/status').catch((err: Error) => assert.fail(`${what}: ${err.message}`));
          assert.equal((status.result as { baseline: unknown }).baseline, null, what);
          // Gone again: its diagnostic goes (so that the next one is published even if it says the same).
          const cleared = server.waitForNotification<Published>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0);
          fs.rmSync(path.join(root, BASELINE));
          await cleared.catch((err: Error) => assert.fail(`${what}, removed: ${err.message}`));
        }
        // Still a working server: a baseline saved now is read and compared with.
        const saved = await server.request('workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: [] });
        assert.match(String(saved.result), /^Saved the baseline of 2 recordings/);
        const status = await server.request('runlens/status');
        assert.deepEqual((status.result as { baseline: unknown }).baseline, { recordings: 2 });
        const shownText = server.notifications.map((n) => JSON.stringify(n.params)).join('\n');
        assert.ok(!shownText.includes('SECRET-baseline-outside'), 'nothing of the file outside was shown');
        assert.deepEqual(await server.close(), { code: 0, signal: null }, server.stderr.slice(-2000));
      } finally {
        if (server.alive) await server.kill();
      }
    });

    it('compare --baseline and report --baseline refuse each with a usage error (real binary)', () => {
      const root = copyWorkspaceWithoutDependencies(MEETUPS, 'runlens-baseline-cli-');
      temporaries.push(root);
      for (const [what, make, why] of hostileEntries(root)) {
        hostileBaseline(root, make);
        assert.deepEqual(runBounded(['compare', '--baseline', BASELINE], root), { code: 2, stdout: '', stderr: `runlens: BEFORE ${BASELINE}: cannot read the baseline (${why})\nRun "runlens --help" for usage.\n` }, what);
        assert.deepEqual(runBounded(['report', '--baseline', BASELINE], root), { code: 2, stdout: '', stderr: `runlens: --baseline ${BASELINE}: cannot read the baseline (${why})\nRun "runlens --help" for usage.\n` }, what);
      }
    });

    it('a baseline named outside the root is read where it leads (the user named it), but never a FIFO or a device (real binary)', () => {
      const root = copyWorkspaceWithoutDependencies(MEETUPS, 'runlens-baseline-cli-');
      temporaries.push(root);
      const elsewhere = temporary('runlens-elsewhere-');
      const saved = path.join(elsewhere, 'main.json');
      assert.equal(runBounded(['baseline', 'save', '-o', saved], root).code, 0);
      // Through a link, too: outside the root, where it leads is the user's business.
      fs.symlinkSync(saved, path.join(elsewhere, 'link.json'));
      const compared = runBounded(['compare', '--baseline', path.join(elsewhere, 'link.json')], root);
      assert.deepEqual([compared.code, compared.stderr], [0, '']);
      assert.match(compared.stdout, /^runlens compare: /);
      mkfifo(path.join(elsewhere, 'fifo.json'));
      assert.deepEqual(runBounded(['compare', '--baseline', path.join(elsewhere, 'fifo.json')], root), { code: 2, stdout: '', stderr: `runlens: BEFORE ${path.join(elsewhere, 'fifo.json')}: cannot read the baseline (a FIFO, not a regular file)\nRun "runlens --help" for usage.\n` });
      assert.deepEqual(runBounded(['report', '--baseline', '/dev/zero'], root), { code: 2, stdout: '', stderr: 'runlens: --baseline /dev/zero: cannot read the baseline (a character device, not a regular file)\nRun "runlens --help" for usage.\n' });
    });
  });

  describe('a reader that stops early (`runlens … | head`): no stack trace, the status the command would have had', () => {
    // Decided: a closed stdout ends the output, not the command. The status is what runlens would
    // have exited with had the reader read it all: a `set -o pipefail` step then fails for a finding
    // that reached --fail-on and never because `head` had read enough (git's 141 would fail it;
    // ripgrep's 0 would pass a failed gate).
    const cases: Array<[string[], number]> = [
      [['scan'], 1],
      [['scan', '--fail-on', 'never'], 0],
      [['scan', '--format', 'sarif'], 1],
      [['compare', MEETUPS, path.join(REPO, 'test/workspaces/django-meetups-fixed')], 0],
      [['report'], 0],
      [['baseline', 'save', '-o', '-'], 0],
      [['--help'], 0],
      [['scan', '--help'], 0],
    ];
    for (const [args, status] of cases) {
      it(`runlens ${args.map((a) => (path.isAbsolute(a) ? path.relative(REPO, a) : a)).join(' ')}: exit ${status}`, async () => {
        const run = await runWithStdoutClosed(args, MEETUPS);
        // baseline save -o - says on stderr what it wrote.
        const stderr = args[0] === 'baseline' ? run.stderr.replace(/^baseline of 1 recording \(.*\)\n$/, '') : run.stderr;
        assert.deepEqual({ code: run.code, signal: run.signal, stderr }, { code: status, signal: null, stderr: '' });
      });
    }

    it('under `set -o pipefail`, `runlens scan | true` fails for a finding only', () => {
      const pipeline = (args: string) => spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${BIN}" ${args} | true`], { cwd: MEETUPS, encoding: 'utf8', timeout: CHILD_GUARD_MS });
      const passing = pipeline('scan --fail-on never');
      assert.deepEqual([passing.status, passing.stderr], [0, '']);
      const gate = pipeline('scan');
      assert.deepEqual([gate.status, gate.stderr], [1, '']);
    });
  });

  describe('runlens scan says what it passes over', () => {
    const recording = () => fs.readFileSync(path.join(MEETUPS, MEETUPS_RECORDING));
    const finding = 'meetups/views.py:29:16 error N+1: 1,500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n';

    it('a FIFO, a device or an empty folder named as a recording, and links and FIFOs met in a folder', () => {
      const root = copyWorkspaceWithoutDependencies(MEETUPS, 'runlens-skips-');
      temporaries.push(root);
      mkfifo(path.join(root, 'given.appmap.json'));
      fs.mkdirSync(path.join(root, 'folder.appmap.json'));
      const walked = path.join(root, 'tmp/appmap/pytest');
      mkfifo(path.join(walked, 'fifo.appmap.json'));
      fs.symlinkSync(path.join(root, MEETUPS_RECORDING), path.join(walked, 'link.appmap.json'));
      const run = runBounded(['scan', 'given.appmap.json', '/dev/null', 'folder.appmap.json', 'tmp/appmap'], root);
      assert.deepEqual(run, {
        code: 1,
        stdout: `${finding}1 recording read, 1 finding (1 error, 0 warnings), 5 problems reading recordings\n`,
        stderr:
          'given.appmap.json: error: a FIFO, not a regular file: not read\n' +
          '/dev/null: error: a character device, not a regular file: not read\n' +
          'tmp/appmap/pytest/fifo.appmap.json: warning: a FIFO, not a regular file: not read\n' +
          'tmp/appmap/pytest/link.appmap.json: warning: a symbolic link, not a regular file: not read\n' +
          'folder.appmap.json: warning: a folder with no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under it\n',
      });
      // The same problems in JSON, as data.
      const json = JSON.parse(runBounded(['scan', '--format', 'json', 'given.appmap.json', 'tmp/appmap'], root).stdout) as { problems: unknown[] };
      assert.deepEqual(json.problems, [
        { file: 'given.appmap.json', message: 'a FIFO, not a regular file: not read' },
        { file: 'tmp/appmap/pytest/fifo.appmap.json', message: 'a FIFO, not a regular file: not read' },
        { file: 'tmp/appmap/pytest/link.appmap.json', message: 'a symbolic link, not a regular file: not read' },
      ]);
      // Nothing read at all: the usage error gives the reason instead of "record your tests first".
      assert.deepEqual(runBounded(['scan', 'given.appmap.json'], root), {
        code: 2,
        stdout: '',
        stderr: `runlens: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${path.join(root, 'given.appmap.json')}:\n  given.appmap.json: error: a FIFO, not a regular file: not read\n`,
      });
    });

    it('a folder it may not list (permission denied; run as nobody when the tests run as root)', function () {
      const root = temporary('runlens-locked-');
      fs.chmodSync(root, 0o755);
      for (const folder of ['open', 'locked']) {
        fs.mkdirSync(path.join(root, folder));
        fs.writeFileSync(path.join(root, folder, 'r.appmap.json'), recording());
        fs.chmodSync(path.join(root, folder, 'r.appmap.json'), 0o644);
      }
      fs.chmodSync(path.join(root, 'open'), 0o755);
      fs.chmodSync(path.join(root, 'locked'), 0o000);
      // Root reads any folder: the binary then runs as nobody, for whom the mode holds.
      const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
      const argv = [...asNobody, process.execPath, BIN, 'scan', '--fail-on', 'never', '--root', root, root];
      const r = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8', timeout: CHILD_GUARD_MS });
      assert.equal(r.status, 0, r.stderr);
      // (The other problem: this root holds none of the recorded project's files.)
      assert.deepEqual(r.stderr.split('\n').filter((l) => !l.startsWith('(runlens): warning: ')), ['locked: warning: cannot list the folder (EACCES)', '']);
      // The wrong root is said apart: it is no problem reading recordings.
      assert.match(r.stdout, /^1 recording read, .*, 1 problem reading recordings, --root may be the wrong folder\n$/m);
    });

    it('a folder whose path is longer than the system allows (PATH_MAX)', () => {
      const root = temporary('runlens-deep-');
      // 22 folders of 200 characters: 4,400 bytes of path, over Linux's 4,096. Made with relative
      // paths (cd), as no single path could name the deepest.
      const name = 'd'.repeat(200);
      const made = spawnSync('bash', ['-c', `set -e; cd "${root}"; for i in $(seq 22); do mkdir ${name}; cd ${name}; done; cat > deep.appmap.json`], { input: recording(), encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      fs.writeFileSync(path.join(root, 'shallow.appmap.json'), recording());
      const run = runBounded(['scan', '--fail-on', 'never', '--root', root, root], root);
      const tooLong = run.stderr.split('\n').filter((l) => l.includes('ENAMETOOLONG'));
      assert.equal(tooLong.length, 1, run.stderr);
      assert.match(tooLong[0], new RegExp(`^(${name}/){19,21}${name}: warning: cannot list the folder \\(ENAMETOOLONG: the path is longer than the system allows\\)$`));
      assert.match(run.stdout, /^1 recording read, .*, 1 problem reading recordings, --root may be the wrong folder\n$/m);
    });
  });
});

/** `runlens ARGS…` in `cwd`, killed after the hang guard (a FIFO opened before the fixes blocked for ever). */
function runBounded(args: string[], cwd: string): Run {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: CHILD_GUARD_MS, maxBuffer: 64 << 20 });
  assert.equal(r.signal, null, `runlens ${args.join(' ')} hung (killed by ${r.signal} after ${CHILD_GUARD_MS / 1000} s); stderr: ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `runlens ARGS…` whose stdout's reader is gone before it writes anything: its first write meets EPIPE. */
function runWithStdoutClosed(args: string[], cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runlens ${args.join(' ')} did not end within ${CHILD_GUARD_MS / 1000} s`));
    }, CHILD_GUARD_MS);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    });
  });
}

function mkfifo(file: string): void {
  // Node has no mkfifo; the command is part of coreutils.
  const { status, stderr } = spawnSync('mkfifo', [file], { encoding: 'utf8' });
  assert.equal(status, 0, stderr);
}
