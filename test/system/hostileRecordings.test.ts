// What a recording's size and strings cannot do to the command line's outputs, through the real
// binary: hundreds of thousands of findings or functions are all printed (spread into one call's
// arguments, they overflowed the stack and were lost or crashed the command). Recordings here are
// generated (test/fuzz/inputs.ts shapes), never agent output.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Baseline, BASELINE_FORMAT, BASELINE_VERSION, EntryStats } from '../../server/src/core/baseline/baseline';
import { serializeBaseline } from '../../server/src/core/baseline/serialize';
import { BIN, runlens } from '../support/cli';
import { startChildProcess } from '../support/lspClient';
import { checkDiagnostics } from '../support/lspChecks';
import { materialize } from '../fuzz/inputs';

describe('hostile recordings through the command line', function () {
  this.timeout(300_000);
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-hostile-')));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('scan reads the events after values nested 20,000 to 200,000 levels deep (it called the file invalid JSON and dropped every event after)', () => {
    fs.mkdirSync(path.join(root, 'app'));
    fs.writeFileSync(path.join(root, 'app/a.py'), 'class A:\n    def m(self):\n        pass\n');
    const call = (params: string) => `{"id":1,"event":"call","thread_id":1,"defined_class":"app.a.A","method_id":"m","path":"app/a.py","lineno":2,"parameters":${params}}`;
    const ret = '{"id":2,"event":"return","thread_id":1,"parent_id":1,"elapsed":2}';
    // A valid classMap 20,000 levels deep before the events (built: cut at 10,000 levels, with a
    // warning), and parameters 200,000 levels deep (skipped: no limit, no problem).
    const classMap = `${'[{"type":"package","children":'.repeat(10_000)}[]${'}]'.repeat(10_000)}`;
    const parameters = `${'[{"a":'.repeat(100_000)}1${'}]'.repeat(100_000)}`;
    fs.writeFileSync(path.join(root, 'deep.appmap.json'), `{"version":"1.9","classMap":${classMap},"events":[${call(parameters)},${ret}]}`);
    const cutAt = `{"version":"1.9","classMap":${'[{"type":"package","children":'.repeat(4_999)}[`.length;
    const run = runlens(['scan', 'deep.appmap.json'], root);
    assert.deepEqual(run, {
      code: 0,
      stdout: 'app/a.py:2:5 warning slow call: A#m took 2.0 s [slow-call]\n1 recording read, 1 finding (0 errors, 1 warning), 1 problem reading recordings\n',
      stderr: `deep.appmap.json: byte ${cutAt}: warning: 1 value(s) (metadata, classMap or event details) were nested deeper than 10,000 levels (the first here); what was deeper was skipped\n`,
    });
  });

  describe('a recorded path that is not valid Unicode (a file name in another encoding: Python writes caf\\udce9.py)', () => {
    /**
     * A test recording whose request runs two slow project functions: Ok#n in app/ok.py, and Caf#m
     * in a file Python recorded with a surrogate escape; the test itself is in another such file.
     */
    const recording = JSON.stringify({
      metadata: { name: 'caf test', recorder: { type: 'tests' }, source_location: 'tests/caf\udce9.py:3' },
      events: [
        { id: 1, event: 'call', thread_id: 1, http_server_request: { request_method: 'GET', path_info: '/ok' } },
        { id: 2, event: 'call', thread_id: 1, defined_class: 'app.ok.Ok', method_id: 'n', path: 'app/ok.py', lineno: 2 },
        { id: 3, event: 'return', thread_id: 1, parent_id: 2, elapsed: 1.5 },
        { id: 4, event: 'call', thread_id: 1, defined_class: 'app.Caf', method_id: 'm', path: 'app/caf\udce9.py', lineno: 3 },
        { id: 5, event: 'return', thread_id: 1, parent_id: 4, elapsed: 1.2 },
        { id: 6, event: 'return', thread_id: 1, parent_id: 1, elapsed: 0.5, http_server_response: { status_code: 200 } },
      ],
    });
    const problem = 'warning: 2 recorded path(s) are not valid Unicode (a file name in another encoding?), the first "app/caf\\udce9.py": no URI can name them, so findings there have no link in reports, no SARIF result and no editor diagnostic';
    beforeEach(() => {
      fs.mkdirSync(path.join(root, 'app'));
      fs.writeFileSync(path.join(root, 'app/ok.py'), 'class Ok:\n    def n(self):\n        pass\n');
      fs.writeFileSync(path.join(root, 'caf.appmap.json'), recording);
    });

    it('scan --format sarif leaves out that finding only, with a notification that says why (it exited 3 and wrote nothing)', () => {
      const run = runlens(['scan', '--format', 'sarif', 'caf.appmap.json'], root);
      assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 0, stderr: '' });
      const [sarif] = JSON.parse(run.stdout).runs;
      assert.deepEqual(
        sarif.results.map((r: { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => `${r.locations[0].physicalLocation.artifactLocation.uri}:${r.locations[0].physicalLocation.region.startLine} ${r.message.text}`),
        ['app/ok.py:2 slow call: Ok#n took 1.5 s'],
      );
      assert.deepEqual(sarif.invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text), [
        problem.replace(/^warning: /, ''),
        'a finding is left out: its file\'s recorded path "app/caf\\udce9.py" is not valid Unicode, and no URI can name it (slow call: Caf#m took 1.2 s [slow-call])',
      ]);
    });

    it('report --format markdown lists that finding without a link, the others with theirs, and says why (it exited 3 and wrote nothing)', () => {
      const run = runlens(['report', '--format', 'markdown', 'caf.appmap.json'], root);
      assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 0, stderr: `caf.appmap.json: ${problem}\n` });
      const rows = run.stdout.split('\n').filter((l) => l.startsWith('| warning |'));
      assert.deepEqual(rows, [
        '| warning | `app/caf\ufffd.py:3` | slow call: Caf#m took 1.2 s | `slow-call` | 1 recording |',
        '| warning | [`app/ok.py:2`](app/ok.py#L2) | slow call: Ok#n took 1.5 s | `slow-call` | 1 recording |',
      ]);
    });

    it('the language server publishes every other diagnostic and symbol (one such path left every file without diagnostics and workspace/symbol empty)', async () => {
      const client = await startChildProcess(BIN, root);
      try {
        checkDiagnostics(client, 'app/ok.py', ['1:4-1:4 warning slow-call: slow call: Ok#n took 1.5 s']);
        checkDiagnostics(client, 'caf.appmap.json', [`0:0-0:0 ${problem}`]);
        assert.deepEqual([...client.diagnostics.keys()].sort(), [client.uri('app/ok.py'), client.uri('caf.appmap.json')]);
        const symbols: { name: string; location: { uri: string } }[] = await client.connection.sendRequest('workspace/symbol', { query: '' });
        assert.deepEqual(symbols.map((s) => `${s.name} ${s.location.uri}`), [`GET /ok ${client.uri('app/ok.py')}`]);
      } finally {
        await client.close();
      }
      assert.equal(client.child.exitCode, 0, client.stderr());
    });
  });

  describe('sizes past the stack', () => {
    // About 120,000 arguments overflow V8's stack; 130,000 is past it with room.
    const N = 130_000;

    it(`scan prints all ${N.toLocaleString('en-US')} findings of one recording (past about 120,000 they were dropped with an internal error, exit 0)`, () => {
      fs.writeFileSync(path.join(root, 'slow.appmap.json'), materialize({ kind: 'shape', shape: 'many-slow-queries', size: N }));
      const run = runlens(['scan', 'slow.appmap.json'], root);
      assert.equal(run.stderr, '');
      assert.equal(run.code, 0);
      const lines = run.stdout.split('\n');
      assert.equal(lines.filter((l) => l.endsWith('[slow-query]')).length, N);
      assert.equal(lines.at(-2), `1 recording read, ${(N + 1).toLocaleString('en-US')} findings (0 errors, ${(N + 1).toLocaleString('en-US')} warnings)`);
    });

    it(`report --format html holds all ${N.toLocaleString('en-US')} findings of one recording (it held an internal error instead)`, () => {
      fs.writeFileSync(path.join(root, 'slow.appmap.json'), materialize({ kind: 'shape', shape: 'many-slow-queries', size: N }));
      const run = runlens(['report', '--format', 'html', '-o', 'report.html', 'slow.appmap.json'], root);
      assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 0, stdout: 'report written to report.html\n', stderr: '' });
      const html = fs.readFileSync(path.join(root, 'report.html'), 'utf8');
      assert.doesNotMatch(html, /internal error/);
      const model = JSON.parse(/<script type="application\/json" id="runlens-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null');
      assert.equal(model.findings.length, N + 1);
    });

    it('compare prints a comparison of 200,000 functions (it exited 3 with an internal error)', () => {
      const baseline = (meanMs: number): Baseline => {
        const functions: Record<string, EntryStats> = {};
        for (let k = 0; k < 200_000; k++) functions[`app.Service#m${k}`] = { calls: 1, timed: 1, totalMs: meanMs, meanMs, minMs: meanMs, maxMs: meanMs, sql: 0 };
        return { format: BASELINE_FORMAT, version: BASELINE_VERSION, recordings: 1, routes: {}, tests: {}, functions, sql: {}, findings: [] };
      };
      fs.writeFileSync(path.join(root, 'before.json'), serializeBaseline(baseline(2)));
      fs.writeFileSync(path.join(root, 'after.json'), serializeBaseline(baseline(500)));
      const run = runlens(['compare', '--before', 'before.json', '--after', 'after.json'], root);
      assert.equal(run.stderr, '');
      assert.equal(run.code, 0);
      const rows = run.stdout.split('\n').filter((l) => l.startsWith('  app.Service#m'));
      assert.equal(rows.length, 200_000);
      assert.equal(rows.find((l) => l.startsWith('  app.Service#m7 ')), '  app.Service#m7               2 ms → 500 ms  +498 ms (+24,900%)  0             1      1 sample each');
    });
  });
});
