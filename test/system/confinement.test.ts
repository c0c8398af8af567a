// Hostile and broken input never hurts. Recorded paths that leave the workspace (`../`, absolute
// paths elsewhere, symlinks out) are never opened, shown or edited; commands write nothing outside
// the root whatever their arguments; the watcher does not follow links out; nothing in a recording
// runs as code or reaches Object.prototype; nothing uses the network. Each workspace is a temporary
// folder beside an "outside" folder holding a secret file and recordings, reached from the
// workspace by symlinks. What is opened is proved by recording every path handed to `fs` (in
// process) and by strace (the real binary); what is written, by snapshots of the parent folder.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeAction, CodeLens, Hover, SymbolInformation, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { main } from '../../server/src/cli/main';
import { htmlReportModel } from '../../server/src/node/reportAssets';
import { workspaceFiles } from '../../server/src/node/workspaceFiles';
import { INOTIFY_QUEUE_SETTING } from '../../server/src/node/recordingIndexer';
import { BIN, runlens } from '../support/cli';
import { startChildProcess, startInProcess, TestClient } from '../support/lspClient';
import { RecordingBuilder } from '../support/recordingBuilder';
import { REPO } from '../support/corpus';

/** What the secret file holds: if any output ever contains it, the file was read and shown. */
const SECRET = 'SECRET-7f3a9c-outside-the-workspace';

/**
 * The same function inside the workspace (app/views.py) and outside it (the secret file, as
 * `hostile_handler`, the name the hostile recordings give it): were the secret read, their N+1
 * would sit on its statement (7:9) as the control's does on the workspace's copy. The names differ
 * because functions merge across recordings by name: the control's lens must not depend on which
 * recording's path for `handler` is merged first.
 */
const VIEWS_PY = '# the workspace\'s own view\nimport os\n\n\ndef handler(request):\n    for x in items:\n        cursor.execute("SELECT * FROM items WHERE id = %s", [x])\n';
const SECRET_PY = VIEWS_PY.replace(/^.*\n/, `# ${SECRET}\n`).replace('def handler', 'def hostile_handler');

/** A temporary parent folder holding the workspace (`root`) and, beside it, `outside`. */
interface Sandbox {
  parent: string;
  root: string;
  outside: string;
}

/** Recorded paths that leave the workspace, and how. `{ws}` and `{out}` stand for the absolute folders. */
const HOSTILE_PATHS: { recorded: string; how: string }[] = [
  { recorded: '../../etc/passwd', how: 'climbs out' },
  { recorded: '/etc/passwd', how: 'absolute, elsewhere' },
  { recorded: '/proc/self/environ', how: 'absolute, elsewhere' },
  { recorded: 'C:/Windows/win.ini', how: 'a Windows drive' },
  { recorded: '../outside/secret.py', how: 'climbs out to the secret' },
  { recorded: 'app/../../outside/secret.py', how: 'climbs out through a folder of the workspace' },
  { recorded: '..\\outside\\secret.py', how: 'climbs out, with backslashes' },
  { recorded: '{out}/secret.py', how: 'the secret, absolute' },
  { recorded: '{ws}/../outside/secret.py', how: 'absolute under the root, then climbs out' },
  { recorded: 'link/secret.py', how: 'through a symlinked folder' },
  { recorded: '{ws}/link/secret.py', how: 'absolute, through a symlinked folder' },
  { recorded: 'link/not-there.py', how: 'a missing file under a symlinked folder' },
  { recorded: 'secret-link.py', how: 'a symlinked file' },
  { recorded: 'dangling.py', how: 'a dangling symlink' },
  { recorded: 'secret.py', how: 'package-relative, found only under a source root (lib) that is a symlink out' },
];

/** Control: a recorded path inside the workspace, whose finding must sit on its statement. */
const CONTROL_PATH = 'app/views.py';

const counts = { hostilePaths: 0, opened: 0, lspRequests: 0, commands: 0, hostileArguments: 0, writesOutside: 0, cliRuns: 0, networkAttempts: 0 };

describe('confinement: hostile recordings, arguments and links never reach outside the workspace', function () {

  after(() => {
    console.log(
      `confinement: ${counts.hostilePaths} hostile paths, ${counts.opened} opened; ${counts.lspRequests} LSP requests on them; ` +
        `${counts.commands} commands × ${counts.hostileArguments} hostile arguments, ${counts.writesOutside} writes outside; ` +
        `${counts.cliRuns} CLI and server processes under a network guard, ${counts.networkAttempts} network uses`,
    );
  });

  describe('recorded paths outside the workspace', () => {
    let sb: Sandbox;
    before(() => {
      sb = hostileSandbox();
      counts.hostilePaths = HOSTILE_PATHS.length;
    });
    after(() => removeSandbox(sb));

    it('get no finding in scan, report and baseline, are never opened, and their text is never printed (in process, fs spied)', async () => {
      const spy = spyOnFs();
      const runs: { args: string[]; out: CliOutput }[] = [];
      try {
        for (const args of [
          ['scan', '--format', 'json', '--fail-on', 'never'],
          ['scan', '--fix-hints', '--fail-on', 'never'],
          ['scan', '--format', 'sarif', '--fail-on', 'never'],
          ['report'],
          ['report', '--format', 'html'],
          ['baseline', 'save', '-o', '-'],
          ['compare', 'tmp/appmap', 'tmp/appmap', '--all'],
        ]) {
          runs.push({ args, out: await runInProcess(args, sb.root) });
        }
      } finally {
        spy.restore();
      }
      const scanned = JSON.parse(runs[0].out.stdout) as { findings: { path: string; line: number; message: string }[] };
      assert.deepEqual(
        scanned.findings.map((f) => `${f.path}:${f.line} ${f.message}`),
        [
          'app/views.py:7 N+1: 12 queries from this statement',
          // A package-relative path found nowhere in the workspace: placed on the (missing) file it names, without a line (the root does not hold it), never opened.
          'secret.py:null N+1: 12 queries in this function, exact line unknown',
          ...HOSTILE_PATHS.map((_, i) => `${recordingOf(i)}:1 N+1: 12 queries in this recording`).filter((_, i) => HOSTILE_PATHS[i].recorded !== 'secret.py'),
        ].sort(),
      );
      for (const f of scanned.findings) assert.ok(staysInside(sb, path.join(sb.root, f.path)), `finding on ${f.path}`);
      for (const { args, out } of runs) {
        assert.equal(out.code, 0, `${args.join(' ')}: ${out.stderr}`);
        assert.ok(!out.stdout.includes(SECRET) && !out.stderr.includes(SECRET), `${args.join(' ')} printed the secret`);
      }
      checkOpened(sb, spy.accesses, [path.join(sb.root, CONTROL_PATH), path.join(sb.root, recordingOf(0))]);
    });

    it('are never opened by the real binary (strace)', function () {
      if (!hasStrace()) {
        if (process.env.CI) throw new Error('strace is missing; test/setup.sh installs it');
        this.skip();
      }
      const log = path.join(sb.parent, 'strace.log');
      for (const args of [['scan', '--fix-hints', '--fail-on', 'never'], ['report', '--format', 'html']]) {
        const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=open,openat,openat2,creat', '-o', log, process.execPath, BIN, ...args], { cwd: sb.root, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20 });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!r.stdout.includes(SECRET));
        const opened = openedIn(log, sb.root);
        assert.ok(opened.includes(path.join(sb.root, CONTROL_PATH)), `strace saw the workspace's own file opened (${opened.length} opens)`);
        const outside = opened.filter((p) => !staysInside(sb, p) && (isUnder(p, sb.parent) || HOSTILE_PATHS.some((h) => p === h.recorded)));
        counts.opened += outside.length;
        assert.deepEqual(outside, [], `${args.join(' ')} opened files outside the workspace`);
      }
    });

    it('get no diagnostic, lens, hover, symbol or edit from the language server, which never opens them (in process, fs spied)', async () => {
      const spy = spyOnFs();
      let client: TestClient | undefined;
      try {
        client = await inThread(() => startInProcess(sb.root, { capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } } }, { watch: false }));
        await checkServer(client, sb);
      } finally {
        await client?.close();
        spy.restore();
      }
      checkOpened(sb, spy.accesses, [path.join(sb.root, CONTROL_PATH), path.join(sb.root, recordingOf(0))]);
    });

    it('are never opened by the stdio server, worker threads and all (strace)', async function () {
      if (!hasStrace()) {
        if (process.env.CI) throw new Error('strace is missing; test/setup.sh installs it');
        this.skip();
      }
      const log = path.join(sb.parent, 'strace-server.log');
      // startChildProcess runs `node BIN --stdio`: BIN here is a launcher that runs the real one under strace.
      const launcher = path.join(sb.parent, 'strace-runlens.js');
      fs.writeFileSync(
        launcher,
        `const r = require('child_process').spawnSync('strace', ['-f', '-qq', '-e', 'trace=open,openat,openat2,creat', '-o', ${JSON.stringify(log)}, process.execPath, ${JSON.stringify(BIN)}, ...process.argv.slice(2)], { stdio: 'inherit' });\nprocess.exitCode = r.status ?? 1;\n`,
      );
      const client = await startChildProcess(launcher, sb.root, { capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } } });
      try {
        await checkServer(client, sb);
      } finally {
        await client.close();
      }
      const opened = openedIn(log, sb.root);
      assert.ok(opened.includes(path.join(sb.root, CONTROL_PATH)) && opened.includes(path.join(sb.root, recordingOf(0))), `strace saw the workspace's files opened (${opened.length} opens)`);
      const outside = opened.filter((p) => !staysInside(sb, p) && (isUnder(p, sb.parent) || HOSTILE_PATHS.some((h) => p === h.recorded)));
      counts.opened += outside.length;
      assert.deepEqual(outside, [], 'the server opened files outside the workspace');
    });
  });

  describe('commands and code actions', () => {
    let sb: Sandbox;
    let client: TestClient;
    beforeEach(async () => {
      sb = hostileSandbox({ recordingLink: true });
      client = await startInProcess(sb.root, {}, { watch: false });
    });
    afterEach(async () => {
      await client.close();
      removeSandbox(sb);
    });

    it('every advertised command, with hostile arguments, writes nothing outside the root and shows nothing from outside', async () => {
      const commands = client.initializeResult.capabilities.executeCommandProvider?.commands ?? [];
      assert.ok(commands.length >= 6, `advertised: ${commands.join(', ')}`);
      const out = sb.outside;
      const inOut = (rel: string) => path.join(out, rel);
      // Each object carries every command's keys, so each command meets its own keys hostile.
      const every = (v: Record<string, unknown>) => ({ fnKey: 'app.views#handler', route: 'GET /outside-only', line: 5, rule: 'n-plus-one', ...v });
      const hostile: unknown[][] = [
        [],
        [null],
        [42],
        ['../outside/recordings/outside.appmap.json'],
        [every({ recording: '../outside/recordings/outside.appmap.json', path: '../outside/secret.py', uri: URI.file(inOut('secret.py')).toString() })],
        [every({ recording: 'tmp/appmap/../../../outside/recordings/outside.appmap.json', path: 'app/../../outside/secret.py' })],
        [every({ recording: '..\\outside\\recordings\\outside.appmap.json', path: '..\\outside\\secret.py' })],
        [every({ recording: inOut('recordings/outside.appmap.json'), path: inOut('secret.py'), uri: 'file:///etc/passwd' })],
        [every({ recording: '/etc/passwd', path: '/etc/passwd', uri: 'file:///etc/passwd' })],
        [every({ recording: 'out-recordings/outside.appmap.json', path: 'link/secret.py', uri: client.uri('link/secret.py') })],
        [every({ recording: 'outside-link.appmap.json', path: 'secret-link.py', uri: client.uri('secret-link.py') })],
        [every({ recording: `${recordingOf(0)}\u0000../../etc/passwd`, path: `${CONTROL_PATH}\u0000/etc/passwd` })],
        [{ recording: ['x'], route: {}, fnKey: 1, path: null, line: '5', rule: 7, uri: 5 }],
        [JSON.parse('{"__proto__": {"recording": "../outside/recordings/outside.appmap.json", "path": "../outside/secret.py", "line": 5, "rule": "n-plus-one"}}')],
      ];
      counts.commands = commands.length;
      counts.hostileArguments = hostile.length;
      const before = snapshotOutside(sb);
      const shown: unknown[] = [];
      client.connection.onNotification('window/showMessage', (p: unknown) => shown.push(p));
      for (const command of commands) {
        for (const args of hostile) {
          const result = await client.connection.sendRequest('workspace/executeCommand', { command, arguments: args });
          shown.push(result);
          if (command !== 'runlens.saveBaseline') assert.ok(!/outside-only/.test(JSON.stringify(result)), `${command} ${JSON.stringify(args)}: ${JSON.stringify(result)}`);
        }
      }
      // The checks can fail: an in-workspace recording's call tree is shown.
      const tree = await client.connection.sendRequest<string | null>('workspace/executeCommand', { command: 'runlens.showCallTree', arguments: [{ recording: recordingOf(0) }] });
      assert.match(tree ?? '', /GET \/hostile\/0/);
      assert.ok(!JSON.stringify(shown).includes(SECRET), 'a command showed the secret');
      const changed = diffSnapshots(before, snapshotOutside(sb));
      counts.writesOutside += changed.length;
      assert.deepEqual(changed, []);
      // saveBaseline, with any arguments, wrote under the root only.
      assert.ok(fs.lstatSync(path.join(sb.root, '.runlens/baseline.json')).isFile());
    });

    it('refuses a .runlens that is a symlink out, and replaces (never writes through) a baseline.json that is one', async () => {
      const target = path.join(sb.outside, 'dot-runlens');
      fs.mkdirSync(target);
      fs.symlinkSync(target, path.join(sb.root, '.runlens'));
      const before = snapshotOutside(sb);
      assert.equal(await client.connection.sendRequest('workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: [] }), null);
      assert.ok(client.logs.some((l) => /not a folder of the root/.test(l)), client.logs.join('\n'));
      assert.deepEqual(diffSnapshots(before, snapshotOutside(sb)), []);

      fs.rmSync(path.join(sb.root, '.runlens'));
      fs.mkdirSync(path.join(sb.root, '.runlens'));
      fs.writeFileSync(path.join(sb.outside, 'baseline-target.json'), 'not yours\n');
      fs.symlinkSync(path.join(sb.outside, 'baseline-target.json'), path.join(sb.root, '.runlens/baseline.json'));
      const before2 = snapshotOutside(sb);
      assert.match(await client.connection.sendRequest<string>('workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: [] }), /^Saved the baseline/);
      assert.deepEqual(diffSnapshots(before2, snapshotOutside(sb)), []);
      assert.ok(fs.lstatSync(path.join(sb.root, '.runlens/baseline.json')).isFile(), 'the link was replaced by the file');

      // The command line refuses the same link.
      fs.rmSync(path.join(sb.root, '.runlens'), { recursive: true });
      fs.symlinkSync(target, path.join(sb.root, '.runlens'));
      const before3 = snapshotOutside(sb);
      const run = runlens(['baseline', 'save'], sb.root);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /not a folder of the root/);
      assert.deepEqual(diffSnapshots(before3, snapshotOutside(sb)), []);
    });
  });

  describe('the watcher', () => {
    let sb: Sandbox;
    let client: TestClient | undefined;
    beforeEach(() => (sb = hostileSandbox({ hostile: false, recordingLink: true })));
    afterEach(async () => {
      await client?.close();
      client = undefined;
      removeSandbox(sb);
    });

    it('indexes no recording through a symlink out, present at start or made later', async () => {
      // Found by this test: chokidar, though told not to follow symlinks, reports a symlinked
      // *.appmap.json (outside-link.appmap.json at start, late-link made later) as added, and the
      // indexer read it through the link. Now a path whose real path leaves the root is never read.
      const spy = spyOnFs();
      try {
        client = await inThread(() => startInProcess(sb.root, {}, { watch: true }));
        const c = client;
        assert.deepEqual(await indexed(c), { recordings: 1, outsideRoutes: [] });
        // Later: a folder link out, a file link to an outside recording, a new recording in the linked folder.
        // (The test's own writes are not the server's accesses: the spy does not record them.)
        spy.quietly(() => {
          const later = path.join(sb.outside, 'later');
          fs.mkdirSync(later);
          fs.writeFileSync(path.join(later, 'later.appmap.json'), outsideRecording('/outside-later'));
          fs.symlinkSync(later, path.join(sb.root, 'later-link'));
          fs.symlinkSync(path.join(sb.outside, 'recordings/outside.appmap.json'), path.join(sb.root, 'tmp/appmap/late-link.appmap.json'));
          fs.writeFileSync(path.join(sb.outside, 'recordings/new.appmap.json'), outsideRecording('/outside-new'));
        });
        // Then a recording inside: once it is indexed, the events before it were seen.
        const seen = c.waitFor<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.includes('tmp/appmap/late.generated.appmap.json'));
        fs.writeFileSync(path.join(sb.root, 'tmp/appmap/late.generated.appmap.json'), controlRecording('late'));
        await seen;
        assert.deepEqual(await indexed(c), { recordings: 2, outsideRoutes: [] });
      } finally {
        await client?.close();
        client = undefined;
        spy.restore();
      }
      checkOpened(sb, spy.accesses, [path.join(sb.root, 'tmp/appmap/late.generated.appmap.json')]);
    });

    it('walks no configured recording folder that is a symlink out', async () => {
      // Found by this test: `discover` and `startWatching` checked the configured folder lexically,
      // then `walk` and chokidar followed the link, so the outside recordings were indexed. Now a
      // folder whose real path leaves the root is skipped.
      client = await startInProcess(sb.root, { initializationOptions: { recordingFolders: ['tmp', 'out-recordings'] } }, { watch: false });
      assert.deepEqual(await indexed(client), { recordings: 1, outsideRoutes: [] });
    });

    /** What the server has indexed: how many recordings, and the routes only outside recordings have. */
    async function indexed(c: TestClient): Promise<{ recordings: number; outsideRoutes: string[] }> {
      const status = await c.connection.sendRequest<{ recordings: number }>('runlens/status');
      const symbols = await c.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: 'outside' });
      return { recordings: status.recordings, outsideRoutes: symbols.map((s) => s.name) };
    }
  });

  describe('recordings that hold code', () => {
    let sb: Sandbox;
    before(() => {
      sb = hostileSandbox({ hostile: false });
      fs.writeFileSync(path.join(sb.root, 'tmp/appmap/code.generated.appmap.json'), codeRecording());
    });
    after(() => removeSandbox(sb));

    it('run nothing and pollute no prototype when read, analysed, reported and served (in process)', async () => {
      const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).join();
      const text = codeRecording();
      const { trace, problems } = readRecording('code.generated.appmap.json', text);
      assert.deepEqual(problems, []);
      // The checks can fail: the hostile strings were read, as data.
      assert.ok(trace.calls.sqlTexts.some((t) => t.text.includes('</script><script>')), 'the SQL with a script end was read');
      const config = resolveConfig({});
      assert.equal(findingsIn(trace, new SourceIndex(workspaceFiles(sb.root), undefined, config), config).length > 0, true);
      const model = await htmlReportModel({ root: sb.root, recordings: [path.join(sb.root, 'tmp/appmap')], config, title: INJECT });
      assert.ok(JSON.stringify(model).includes(INJECT));
      const client = await inThread(() => startInProcess(sb.root, {}, { watch: false }));
      try {
        await client.connection.sendRequest('workspace/executeCommand', { command: 'runlens.showCallTree', arguments: [{ recording: 'tmp/appmap/code.generated.appmap.json' }] });
        await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: client.uri(CONTROL_PATH) } });
        await client.connection.sendRequest('workspace/symbol', { query: '' });
      } finally {
        await client.close();
      }
      assert.equal(({} as { polluted?: unknown }).polluted, undefined);
      assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), prototypeBefore);
      assert.deepEqual(pwned(sb), []);
    });

    it('keep their script inside the HTML report\'s data (real binary)', () => {
      const hostileRun = runlens(['report', '--format', 'html', 'tmp/appmap/code.generated.appmap.json'], sb.root);
      const benignRun = runlens(['report', '--format', 'html', 'tmp/appmap/control.generated.appmap.json'], sb.root);
      assert.equal(hostileRun.code, 0, hostileRun.stderr);
      const html = hostileRun.stdout;
      const scripts = (h: string) => (h.match(/<script\b/gi) ?? []).length;
      // The report's own scripts only: as many as a report of a harmless recording has, each ended once.
      assert.equal(scripts(html), scripts(benignRun.stdout));
      assert.equal((html.match(/<\/script/gi) ?? []).length, scripts(html));
      assert.doesNotMatch(html, /<script>window\.pwned|<img src=x onerror/);
      const data = /<script type="application\/json" id="runlens-data">([\s\S]*?)<\/script>/.exec(html);
      assert.ok(data && data[1].includes('\\u003c/script>\\u003cscript>'), 'the recorded script end is in the data, escaped');
      assert.ok(JSON.stringify(JSON.parse(data[1])).includes(SCRIPT_END), 'and reads back unchanged');
      assert.deepEqual(pwned(sb), []);
    });
  });

  describe('no network', () => {
    let sb: Sandbox;
    let guard: Guard;
    before(() => {
      sb = hostileSandbox();
      fs.writeFileSync(path.join(sb.root, 'tmp/appmap/code.generated.appmap.json'), codeRecording());
      guard = networkGuard(sb.parent);
    });
    after(() => removeSandbox(sb));

    it('the guard catches each way to the network and a polluted prototype, so its silence means something', () => {
      const script = [
        "for (const f of [() => fetch('http://127.0.0.1:9/'), () => require('net').connect(9, '127.0.0.1'), () => require('dns').lookup('example.invalid', () => {}), () => require('https').get('https://127.0.0.1:9/')]) try { f() } catch {}",
        'Object.prototype.polluted = 1;',
      ].join('\n');
      const r = guard.run(() => spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 }));
      assert.equal(r.status, 0, r.stderr);
      const seen = guard.take();
      assert.deepEqual({ ...seen, polluted: seen.polluted.map((p) => p.replace(/:.*/, '')) }, { loaded: 1, exited: 1, network: ['fetch', 'net.connect', 'dns.lookup', 'https.get'], polluted: ['in a main thread'] });
    });

    it('scan, report --format html, baseline save and compare use none, and pollute nothing', () => {
      // `runlens record` is left out on purpose: it runs the project's command under `npx appmap-node`.
      const runs: string[][] = [
        ['scan', '--fail-on', 'never'],
        ['scan', '--format', 'sarif', '--fix-hints', '--fail-on', 'never'],
        ['report', '--format', 'html', '-o', 'report.html'],
        ['report'],
        ['baseline', 'save'],
        ['compare', '--baseline', '.runlens/baseline.json'],
        ['compare', 'tmp/appmap', 'tmp/appmap'],
      ];
      for (const args of runs) {
        const run = guard.run(() => runlens(args, sb.root));
        assert.ok(run.code === 0, `${args.join(' ')} exited ${run.code}: ${run.stderr}`);
        assert.ok(!run.stdout.includes(SECRET));
      }
      const seen = guard.take();
      counts.cliRuns += seen.loaded;
      counts.networkAttempts += seen.network.length;
      assert.deepEqual(seen, { loaded: runs.length, exited: runs.length, network: [], polluted: [] });
      assert.deepEqual(pwned(sb), []);
    });

    it('the stdio server uses none over a whole session', async () => {
      const client = await guard.run(() => startChildProcess(BIN, sb.root, { capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } } }));
      try {
        const uri = client.uri(CONTROL_PATH);
        client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: VIEWS_PY } });
        assert.ok((await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } })).length > 0);
        await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 10 } });
        await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, context: { diagnostics: client.diagnostics.get(uri) ?? [] } });
        await client.connection.sendRequest('workspace/symbol', { query: '' });
        await client.connection.sendRequest('workspace/executeCommand', { command: 'runlens.showCallTree', arguments: [{ recording: 'tmp/appmap/code.generated.appmap.json' }] });
        assert.match(await client.connection.sendRequest<string>('workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: [] }), /^Saved/);
      } finally {
        await client.close();
      }
      const seen = guard.take();
      counts.cliRuns += seen.loaded;
      counts.networkAttempts += seen.network.length;
      assert.deepEqual(seen, { loaded: 1, exited: 1, network: [], polluted: [] });
      assert.deepEqual(pwned(sb), []);
    });
  });
});

// ---- the language server's answers ----------------------------------------------------------

/**
 * Asks a server on the hostile workspace for everything it shows, on every file a hostile path
 * could name (through the workspace, through the links, absolute), with the editor holding the
 * links open as a user who followed them would: nothing there, no edit outside, no secret.
 */
async function checkServer(c: TestClient, sb: Sandbox): Promise<void> {
  await settled(c, HOSTILE_PATHS.length + 1);
  const outputs: unknown[] = [];
  const ask = async <T>(method: string, params: unknown): Promise<T> => {
    counts.lspRequests++;
    const result = await c.connection.sendRequest<T>(method, params);
    outputs.push(result);
    return result;
  };
  // Diagnostics: only on the workspace's file, the missing package-relative one and the recordings themselves.
  const published = [...c.diagnostics.entries()].filter(([, d]) => d.length);
  outputs.push(published);
  assert.deepEqual(published.map(([uri]) => relativeUri(sb, uri)).sort(), [CONTROL_PATH, 'secret.py', ...HOSTILE_PATHS.map((_, i) => recordingOf(i)).filter((_, i) => HOSTILE_PATHS[i].recorded !== 'secret.py')].sort());
  for (const [uri] of published) assert.ok(staysInside(sb, URI.parse(uri).fsPath), uri);

  for (const rel of ['link/secret.py', 'secret-link.py']) {
    c.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: c.uri(rel), languageId: 'python', version: 1, text: SECRET_PY } });
  }
  const edits: string[] = [];
  for (const uri of [...hostileUris(sb), c.uri(CONTROL_PATH)]) {
    const lenses = await ask<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const hovers: (Hover | null)[] = [];
    for (let line = 0; line < 8; line++) hovers.push(await ask<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 8 } }));
    const range = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };
    const actions = await ask<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: c.diagnostics.get(uri) ?? [] } });
    const items = await ask<unknown[] | null>('textDocument/prepareCallHierarchy', { textDocument: { uri }, position: { line: 4, character: 4 } });
    for (const a of actions) edits.push(...editedUris(a.edit));
    if (uri === c.uri(CONTROL_PATH)) {
      // The checks can fail: the same requests on the workspace's own copy do find it.
      const found = { lenses: lenses.length > 0, hovers: hovers.some((h) => h), edit: actions.some((a) => a.edit), callHierarchy: Boolean(items?.length) };
      assert.deepEqual(found, { lenses: true, hovers: true, edit: true, callHierarchy: true }, 'the workspace file has lenses, hovers, an edit and a call hierarchy item');
    } else {
      assert.deepEqual({ lenses, hovers: hovers.filter((h) => h), actions, items: items ?? [] }, { lenses: [], hovers: [], actions: [], items: [] }, relativeUri(sb, uri));
    }
  }
  // The recordings' own findings: their quick fixes edit only what is inside.
  for (let i = 0; i < HOSTILE_PATHS.length; i++) {
    const uri = c.uri(recordingOf(i));
    const actions = await ask<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: c.diagnostics.get(uri) ?? [] } });
    for (const a of actions) edits.push(...editedUris(a.edit));
  }
  assert.ok(edits.includes(c.uri(CONTROL_PATH)));
  for (const uri of edits) assert.ok(staysInside(sb, URI.parse(uri).fsPath), `an edit of ${uri}`);
  const symbols = await ask<SymbolInformation[]>('workspace/symbol', { query: '' });
  // Routes on their handler, tests where they are recorded; the others have nowhere inside to go.
  const last = HOSTILE_PATHS.length - 1;
  assert.deepEqual(symbols.map((s) => `${s.name} ${relativeUri(sb, s.location.uri)}`), [`GET /hostile/${last} secret.py`, `GET /hostile/control ${CONTROL_PATH}`, `control ${CONTROL_PATH}`, `hostile ${last} secret.py`]);
  assert.ok(!JSON.stringify(outputs).includes(SECRET), 'the secret was shown');
  assert.deepEqual(c.logs.filter((l) => /error|failed/i.test(l)), []);
}

/**
 * Waits until the server has indexed `nRecordings` (or more) and is done (its diagnostics, published
 * before, have then arrived: messages keep their order). Fails after 120 s: a hang guard, generous
 * enough for a busy machine.
 */
async function settled(c: TestClient, nRecordings: number): Promise<void> {
  for (const until = Date.now() + 120_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const status = await c.connection.sendRequest<{ recordings: number; indexing: boolean }>('runlens/status');
    if (status.recordings >= nRecordings && !status.indexing) return;
    if (Date.now() > until) assert.fail(`the server has not indexed ${nRecordings} recordings after 120 s: ${JSON.stringify(status)}`);
  }
}

// ---- the workspaces -----------------------------------------------------------------------------

/**
 * A parent folder with `outside/` (the secret file, recordings) and `ws/`, the workspace: its own
 * view, a control recording, one recording per hostile path (unless `hostile: false`), and links
 * out: `link/` and `lib/` (a source root) to outside/, `secret-link.py` to the secret,
 * `dangling.py` to nothing, `out-recordings/` to outside/recordings and (with `recordingLink`)
 * `outside-link.appmap.json` to a recording there.
 */
function hostileSandbox(options: { hostile?: boolean; recordingLink?: boolean } = {}): Sandbox {
  const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-confinement-')));
  const root = path.join(parent, 'ws');
  const outside = path.join(parent, 'outside');
  fs.mkdirSync(path.join(root, 'app'), { recursive: true });
  fs.mkdirSync(path.join(root, 'tmp/appmap'), { recursive: true });
  fs.mkdirSync(path.join(outside, 'recordings'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.py'), SECRET_PY);
  fs.writeFileSync(path.join(outside, 'recordings/outside.appmap.json'), outsideRecording('/outside-only'));
  fs.writeFileSync(path.join(root, CONTROL_PATH), VIEWS_PY);
  fs.writeFileSync(path.join(root, 'tmp/appmap/control.generated.appmap.json'), controlRecording('control'));
  fs.symlinkSync(outside, path.join(root, 'link'));
  fs.symlinkSync(outside, path.join(root, 'lib'));
  fs.symlinkSync(path.join(outside, 'secret.py'), path.join(root, 'secret-link.py'));
  fs.symlinkSync(path.join(outside, 'gone.py'), path.join(root, 'dangling.py'));
  fs.symlinkSync(path.join(outside, 'recordings'), path.join(root, 'out-recordings'));
  // A recording file linked in is what the watcher must not follow; elsewhere it is left out, so
  // each test fails for its own reason only.
  if (options.recordingLink) fs.symlinkSync(path.join(outside, 'recordings/outside.appmap.json'), path.join(root, 'outside-link.appmap.json'));
  const sb = { parent, root, outside };
  if (options.hostile ?? true) HOSTILE_PATHS.forEach((h, i) => fs.writeFileSync(path.join(root, recordingOf(i)), nPlusOneRecording(`hostile ${i}`, `/hostile/${i}`, expand(h.recorded, sb))));
  return sb;
}

function removeSandbox(sb: Sandbox | undefined): void {
  if (sb) fs.rmSync(sb.parent, { recursive: true, force: true });
}

function recordingOf(i: number): string {
  return `tmp/appmap/hostile-${String(i).padStart(2, '0')}.generated.appmap.json`;
}

function expand(recorded: string, sb: Sandbox): string {
  return recorded.replace('{ws}', sb.root).replace('{out}', sb.outside);
}

/** A test whose request runs 12 queries in a loop under `method`, recorded at `recordedPath` (also the test's source_location). */
function nPlusOneRecording(name: string, route: string, recordedPath: string, method = 'hostile_handler'): string {
  const r = new RecordingBuilder({ name, client: { name: 'runlens-test-builder' }, recorder: { name: 'pytest', type: 'tests' }, recording: { source_location: `${recordedPath}:5` } });
  r.request('GET', route, 50, () => {
    r.call('app.views', method, recordedPath, 5, 40, () => {
      r.sql('SELECT * FROM items');
      for (let id = 1; id <= 12; id++) r.sql(`SELECT * FROM items WHERE id = ${id}`);
    });
  });
  return r.json();
}

function controlRecording(name: string): string {
  return nPlusOneRecording(name, `/hostile/${name}`, CONTROL_PATH, 'handler');
}

/** A recording kept outside: its handler is the workspace's own, so were it indexed, its route would be a symbol there. */
function outsideRecording(route: string): string {
  return nPlusOneRecording(`outside ${route}`, route, CONTROL_PATH, 'handler');
}

const INJECT = `"); require('child_process').execSync('touch PWNED')//`;
const SCRIPT_END = `</script><script>require('child_process').execSync('touch PWNED');window.pwned=1</script><!--`;

/**
 * A recording whose strings are code (in every field that reaches an output) and whose objects
 * carry `__proto__` and `constructor.prototype` keys (metadata, events, sql_query, request).
 */
function codeRecording(): string {
  const r = new RecordingBuilder({ name: INJECT, client: { name: INJECT }, recorder: { name: 'pytest', type: 'tests' } });
  r.request('GET', `/code/${INJECT}${SCRIPT_END}`, 50, () => {
    r.call(`${INJECT}\${process.exit(7)}`, `<img src=x onerror=alert(1)>${SCRIPT_END}`, CONTROL_PATH, 5, 40, () => {
      r.sql(`SELECT * FROM items -- ${SCRIPT_END}`);
      for (let id = 1; id <= 12; id++) r.sql(`SELECT * FROM items WHERE name = '${SCRIPT_END}' AND id = ${id}`);
    });
  });
  const pollute = '"__proto__":{"polluted":1,"toString":"x"},"constructor":{"prototype":{"polluted":1}},';
  return r
    .json()
    .replace('"metadata":{', `"metadata":{${pollute}`)
    .replace(/"event":"call",/g, `"event":"call",${pollute}`)
    .replace(/"sql_query":\{/g, `"sql_query":{${pollute}`)
    .replace(/"http_server_request":\{/g, `"http_server_request":{${pollute}`)
    .replace('"classMap":[]', `"classMap":[{${pollute}"type":"package","name":"${INJECT.replace(/"/g, '\\"')}","children":[]}]`);
}

/** PWNED files the injected code would have made: in the workspace's folders and where the tests run. */
function pwned(sb: Sandbox): string[] {
  return [sb.parent, sb.root, process.cwd(), REPO].map((d) => path.join(d, 'PWNED')).filter((p) => fs.existsSync(p));
}

// ---- what stays inside --------------------------------------------------------------------------

/** The real path of `p`, or of its nearest existing folder joined with the rest (for files not there). */
function realOf(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    if (isLink(abs)) return `${abs} (a dangling link)`;
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realOf(parent), path.basename(abs));
  }
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + path.sep);
}

/** True when `p` (absolute) is in the workspace, lexically and once links are resolved. */
function staysInside(sb: Sandbox, p: string): boolean {
  return isUnder(path.resolve(p), sb.root) && isUnder(realOf(p), sb.root);
}

function relativeUri(sb: Sandbox, uri: string): string {
  const p = URI.parse(uri).fsPath;
  return isUnder(p, sb.root) ? path.relative(sb.root, p).split(path.sep).join('/') : uri;
}

/** Every URI a hostile path could become: through the workspace, the links, and absolute. */
function hostileUris(sb: Sandbox): string[] {
  const inRoot = ['link/secret.py', 'link/not-there.py', 'secret-link.py', 'dangling.py', 'lib/secret.py'].map((rel) => path.join(sb.root, rel));
  return [...inRoot, path.join(sb.outside, 'secret.py'), '/etc/passwd'].map((p) => URI.file(p).toString());
}

function editedUris(edit: WorkspaceEdit | undefined): string[] {
  if (!edit) return [];
  const fromChanges = Object.keys(edit.changes ?? {});
  const fromDocumentChanges = (edit.documentChanges ?? []).flatMap((c) => ('textDocument' in c ? [c.textDocument.uri] : 'uri' in c ? [c.uri] : [c.oldUri, c.newUri]));
  return [...fromChanges, ...fromDocumentChanges];
}

/** Every entry under the parent folder but the workspace: kind, size and content hash (links by target). */
function snapshotOutside(sb: Sandbox): Map<string, string> {
  const out = new Map<string, string>();
  const stack = [sb.parent];
  while (stack.length) {
    const dir = stack.pop() as string;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (p === sb.root) continue;
      if (e.isSymbolicLink()) out.set(p, `link → ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) {
        out.set(p, 'folder');
        stack.push(p);
      } else out.set(p, `file ${crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex')}`);
    }
  }
  return out;
}

function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).map((k) => `${k}: ${before.get(k) ?? 'absent'} → ${after.get(k) ?? 'absent'}`);
}

// ---- what is opened: every path handed to fs, in this process ---------------------------------

interface FsAccess {
  op: string;
  path: string;
}

/** fs functions that open, read, list, watch or write what they are given (the path is their first argument; both for the two-path ones). */
const SPIED = [
  'open', 'openSync', 'readFile', 'readFileSync', 'createReadStream', 'readdir', 'readdirSync', 'opendir', 'opendirSync', 'watch', 'watchFile',
  'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream', 'truncate', 'truncateSync', 'mkdir', 'mkdirSync', 'mkdtemp', 'mkdtempSync',
  'rm', 'rmSync', 'unlink', 'unlinkSync', 'rmdir', 'rmdirSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'rename', 'renameSync', 'symlink', 'symlinkSync', 'link', 'linkSync',
];
const SPIED_PROMISES = ['open', 'readFile', 'readdir', 'opendir', 'watch', 'writeFile', 'appendFile', 'truncate', 'mkdir', 'mkdtemp', 'rm', 'unlink', 'rmdir', 'copyFile', 'cp', 'rename', 'symlink', 'link'];
const TWO_PATHS = new Set(['copyFile', 'copyFileSync', 'cp', 'cpSync', 'rename', 'renameSync', 'symlink', 'symlinkSync', 'link', 'linkSync']);

/** Records every path given to the spied fs functions until `restore`. CommonJS callers look `fs.x` up at each call, so they see the wrappers. */
function spyOnFs(): { accesses: FsAccess[]; restore(): void; quietly(act: () => void): void } {
  const accesses: FsAccess[] = [];
  const restores: (() => void)[] = [];
  let quiet = false;
  const wrap = (target: Record<string, unknown>, names: string[], prefix: string) => {
    for (const name of names) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = function (this: unknown, ...args: unknown[]) {
        if (!quiet) for (const a of TWO_PATHS.has(name) ? args.slice(0, 2) : args.slice(0, 1)) {
          const p = typeof a === 'string' ? a : Buffer.isBuffer(a) ? a.toString() : a instanceof URL ? a.pathname : undefined;
          if (p !== undefined) accesses.push({ op: prefix + name, path: path.resolve(p) });
        }
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
      restores.push(() => (target[name] = original));
    }
  };
  // The module itself: `import * as fs` gives this file a copy made of getters.
  const nodeFs = require('node:fs') as typeof fs;
  wrap(nodeFs as unknown as Record<string, unknown>, SPIED, 'fs.');
  wrap(nodeFs.promises as unknown as Record<string, unknown>, SPIED_PROMISES, 'fs.promises.');
  const quietly = (act: () => void) => {
    quiet = true;
    try {
      act();
    } finally {
      quiet = false;
    }
  };
  return { accesses, restore: () => restores.reverse().forEach((r) => r()), quietly };
}

/**
 * Nothing outside the workspace was touched but the project's own files (modules, grammars, the
 * report's libraries); and `expected` (in the workspace) were, so the spy did see the reads.
 */
function checkOpened(sb: Sandbox, accesses: FsAccess[], expected: string[]): void {
  assert.ok(accesses.length > 0, 'the spy saw nothing');
  for (const p of expected) assert.ok(accesses.some((a) => a.path === p), `the spy saw ${p} read (${accesses.length} accesses)`);
  // The kernel's setting of its watcher queue is read by the indexer (once per process): a
  // setting of the machine, named in the code, never a path taken from a recording or a client.
  const outside = accesses.filter((a) => !staysInside(sb, a.path) && !isUnder(realOf(a.path), REPO) && a.path !== INOTIFY_QUEUE_SETTING).map((a) => `${a.op} ${a.path} (${realOf(a.path)})`);
  counts.opened += outside.length;
  assert.deepEqual([...new Set(outside)], []);
}

// ---- processes ----------------------------------------------------------------------------------

interface CliOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line in this process (so the fs spy sees it), in `cwd`. */
async function runInProcess(args: string[], cwd: string): Promise<CliOutput> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrIsTTY: false, cwd });
  return { code, stdout, stderr };
}

/**
 * Runs `start` (a server's start) with recordings read on the main thread, where the fs spy sees
 * them: the index pool reads them in worker threads otherwise, whose fs this process cannot wrap.
 * (The stdio server under strace is the proof that covers the workers.)
 */
async function inThread<T>(start: () => Promise<T>): Promise<T> {
  const saved = process.env.RUNLENS_INDEX_WORKERS;
  process.env.RUNLENS_INDEX_WORKERS = '0';
  try {
    return await start();
  } finally {
    if (saved === undefined) delete process.env.RUNLENS_INDEX_WORKERS;
    else process.env.RUNLENS_INDEX_WORKERS = saved;
  }
}

/** The absolute paths that strace logged as opened (any thread), relative ones resolved against `cwd`; the log is removed. */
function openedIn(log: string, cwd: string): string[] {
  const opened = [...fs.readFileSync(log, 'utf8').matchAll(/open(?:at2?)?\((?:AT_FDCWD, )?"([^"]*)"/g)].map((m) => path.resolve(cwd, m[1]));
  fs.rmSync(log);
  return opened;
}

function hasStrace(): boolean {
  return spawnSync('strace', ['-V'], { encoding: 'utf8' }).status === 0;
}

interface Guard {
  /** Runs `start` with NODE_OPTIONS preloading the guard, so every Node process it spawns is guarded. */
  run<T>(start: () => T): T;
  /** What the guarded processes reported since the last take: processes started and ended (worker threads aside), network uses, polluted prototypes. */
  take(): { loaded: number; exited: number; network: string[]; polluted: string[] };
}

/**
 * A preload that replaces every way Node reaches the network (sockets, TLS, DNS, HTTP, fetch, UDP)
 * with a function that logs and throws, and checks at exit that Object.prototype is unchanged.
 */
function networkGuard(dir: string): Guard {
  const preload = path.join(dir, 'network-guard.js');
  const log = path.join(dir, 'network-guard.log');
  fs.writeFileSync(
    preload,
    `'use strict';
const fs = require('fs');
const LOG = ${JSON.stringify(log)};
const note = (line) => fs.appendFileSync(LOG, line + '\\n');
const thread = require('worker_threads').isMainThread ? 'main' : 'worker';
note('loaded ' + thread);
const refuse = (what) => function () { note('network ' + what); throw new Error('runlens test guard: network use refused: ' + what); };
const net = require('net');
net.Socket.prototype.connect = refuse('net.Socket#connect');
net.connect = net.createConnection = refuse('net.connect');
require('tls').connect = refuse('tls.connect');
const dns = require('dns');
for (const k of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveNaptr', 'resolveSoa', 'reverse']) {
  dns[k] = refuse('dns.' + k);
  dns.promises[k] = refuse('dns.promises.' + k);
}
for (const m of ['http', 'https']) { const mod = require(m); mod.request = refuse(m + '.request'); mod.get = refuse(m + '.get'); }
require('http2').connect = refuse('http2.connect');
require('dgram').createSocket = refuse('dgram.createSocket');
globalThis.fetch = refuse('fetch');
globalThis.WebSocket = refuse('WebSocket');
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();
let pollutionSeen = false;
const checkPrototype = () => {
  if (pollutionSeen || (({}).polluted === undefined && Object.getOwnPropertyNames(Object.prototype).join() === prototypeKeys)) return;
  pollutionSeen = true;
  note('polluted in a ' + thread + ' thread: ' + Object.getOwnPropertyNames(Object.prototype).join());
};
// At exit, and every 10 ms between: a worker thread may be terminated before its exit hook runs.
setInterval(checkPrototype, 10).unref();
process.on('exit', () => {
  checkPrototype();
  note('exit ' + thread);
});
`,
  );
  return {
    run<T>(start: () => T): T {
      const saved = process.env.NODE_OPTIONS;
      process.env.NODE_OPTIONS = `${saved ?? ''} --require ${preload}`.trim();
      try {
        return start();
      } finally {
        if (saved === undefined) delete process.env.NODE_OPTIONS;
        else process.env.NODE_OPTIONS = saved;
      }
    },
    take() {
      const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      fs.rmSync(log, { force: true });
      const rest = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
      return { loaded: rest('loaded main').length, exited: rest('exit main').length, network: rest('network '), polluted: rest('polluted ') };
    },
  };
}
