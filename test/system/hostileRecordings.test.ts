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
        '| warning | `app/caf\\udce9.py:3` | slow call: Caf#m took 1.2 s | `slow-call` | 1 recording |',
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

  describe('control characters in recorded names (a route, a test, a class, SQL with `\\n::error …`)', () => {
    const FORGED_ROUTE = '/x\n::error file=app/views.py,line=1::forged route';
    const FORGED_TEST = 'test\n::error file=app/views.py,line=1::forged test';
    const FORGED_CLASS = 'app.Evil\n::add-mask::hunter2';
    const FORGED_METHOD = 'm\u001b[31mred\u202e';
    const FORGED_SQL = (k: number) => `SELECT * FROM "t\n::stop-commands::tok|x" WHERE id = ${k}`;
    /** A test recording (generated) whose request runs a slow function that runs the same query 6 times, each name forged. */
    function recording(functionSeconds: number): string {
      const events: object[] = [];
      let id = 1;
      const call = (fields: object) => (events.push({ id, event: 'call', thread_id: 1, ...fields }), id++);
      const ret = (parent: number, elapsed: number, fields: object = {}) => events.push({ id: id++, event: 'return', thread_id: 1, parent_id: parent, elapsed, ...fields });
      const request = call({ http_server_request: { request_method: 'GET', path_info: FORGED_ROUTE } });
      const fn = call({ defined_class: FORGED_CLASS, method_id: FORGED_METHOD, path: 'app/evil.py', lineno: 1 });
      for (let k = 0; k < 6; k++) ret(call({ sql_query: { sql: FORGED_SQL(k), database_type: 'sqlite' } }), 0.01);
      ret(fn, functionSeconds);
      ret(request, 2, { http_server_response: { status_code: 200 } });
      return JSON.stringify({ metadata: { name: FORGED_TEST, recorder: { type: 'tests' } }, events });
    }
    beforeEach(() => {
      fs.mkdirSync(path.join(root, 'app'));
      fs.writeFileSync(path.join(root, 'app/evil.py'), 'def m():\n    pass\n');
      fs.mkdirSync(path.join(root, 'before'));
      fs.mkdirSync(path.join(root, 'after'));
      fs.writeFileSync(path.join(root, 'before/r.appmap.json'), recording(1.5));
      fs.writeFileSync(path.join(root, 'after/r.appmap.json'), recording(3));
      // A broken recording whose file name holds a line break: its problem goes to stderr.
      fs.writeFileSync(path.join(root, 'after/bad\n::error::name.appmap.json'), '{"events":[');
    });

    /** Every line of an output: none starts with `::` (a GitHub Actions command), none holds a control character. */
    function checkLines(what: string, text: string): void {
      for (const line of text.split('\n')) {
        assert.ok(!/^\s*::/.test(line), `${what}: a line starts with "::": ${JSON.stringify(line)}`);
        assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(line), `${what}: a control character in ${JSON.stringify(line)}`);
      }
    }

    /** Each table of a Markdown text: every row has as many cells (unescaped `|`) as its header. */
    function checkTables(what: string, markdown: string): void {
      const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length;
      let header: number | undefined;
      for (const line of markdown.split('\n')) {
        if (!line.startsWith('|')) header = undefined;
        else if (header === undefined) header = cells(line);
        else assert.equal(cells(line), header, `${what}: a row of another width: ${line}`);
      }
    }

    it('scan prints each finding on its line, names escaped, and the broken file\'s name on one line too (a forged ::error line became a GitHub annotation)', () => {
      const run = runlens(['scan', 'after'], root);
      assert.deepEqual(run, {
        code: 0,
        stdout: [
          'app/evil.py:1:1 warning N+1: 6 queries in this function, exact line unknown (6 × t\\n::stop-commands::tok|x) [n-plus-one]',
          'app/evil.py:1:1 warning slow call: hunter2#(anonymous) took 3.0 s [slow-call]',
          'app/evil.py:1:1 warning slow request: GET /x\\n::error file=app/views.py,line=1::forged route took 2.0 s [slow-request]',
          '2 recordings read, 3 findings (0 errors, 3 warnings), 1 problem reading recordings',
          '',
        ].join('\n'),
        stderr: 'after/bad\\n::error::name.appmap.json: byte 11: error: not valid JSON: unexpected end of file with 2 containers still open: the file is truncated; read what came before it\n',
      });
    });

    it('compare, as text and as Markdown, keeps each route, test and function on its row', () => {
      const text = runlens(['compare', '--all', 'before', 'after'], root);
      assert.equal(text.code, 0, text.stderr);
      checkLines('compare', text.stdout);
      checkLines('compare, stderr', text.stderr);
      assert.deepEqual(text.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.split(/\s{2,}/)[1]), [
        'GET /x\\n::error file=app/views.py,line=1::forged route',
        'test\\n::error file=app/views.py,line=1::forged test',
        'app.Evil\\n::add-mask::hunter2#m\\u001b[31mred\\u202e',
      ]);
      const markdown = runlens(['compare', '--all', '--format', 'markdown', 'before', 'after'], root);
      checkLines('compare --format markdown', markdown.stdout);
      checkTables('compare --format markdown', markdown.stdout);
      assert.ok(markdown.stdout.includes('| `GET /x\\n::error file=app/views.py,line=1::forged route` | 2.0 s → 2.0 s |'), markdown.stdout);
    });

    it('report --format markdown keeps its tables whole: pipes and line breaks in names are escaped', () => {
      const run = runlens(['report', '--format', 'markdown', 'after'], root);
      assert.equal(run.code, 0, run.stderr);
      checkLines('report', run.stdout);
      checkLines('report, stderr', run.stderr);
      checkTables('report', run.stdout);
      const rows = run.stdout.split('\n').filter((l) => l.startsWith('| warning |') || l.startsWith('| 6 |') || l.startsWith('| `'));
      assert.deepEqual(rows, [
        '| warning | [`app/evil.py:1`](app/evil.py#L1) | N+1: 6 queries in this function, exact line unknown (6 × t\\\\n::stop-commands::tok\\|x) | `n-plus-one` | GET /x\\\\n::error file=app/views.py,line=1::forged route |',
        '| warning | [`app/evil.py:1`](app/evil.py#L1) | slow call: hunter2#(anonymous) took 3.0 s | `slow-call` | 1 recording |',
        '| warning | [`app/evil.py:1`](app/evil.py#L1) | slow request: GET /x\\\\n::error file=app/views.py,line=1::forged route took 2.0 s | `slow-request` | GET /x\\\\n::error file=app/views.py,line=1::forged route |',
        '| 6 | `SELECT * FROM "t\\n::stop-commands::tok\\|x" WHERE id = ?` |',
        '| `GET /x\\n::error file=app/views.py,line=1::forged route` | 1 | 2.0 s | 2.0 s | 6 |',
        '| `app.Evil\\n::add-mask::hunter2#m\\u001b[31mred\\u202e` | [`app/evil.py:1`](app/evil.py#L1) | 1 | 3.0 s | 3.0 s | 6 |',
      ]);
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
