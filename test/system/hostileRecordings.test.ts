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
import { runlens } from '../support/cli';
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
