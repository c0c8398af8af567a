// What fuzzing found, and what its properties catch, as fast tests: proof that each property of
// test/fuzz/properties.ts catches what it claims to (a reader that throws, does quadratic work,
// keeps a huge string or loses a byte offset), and each bug fuzzing found as the smallest input
// that shows it. Cost is proved linear by counting work, never by the clock. The fuzz runs
// themselves are test/system/fuzz.test.ts.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { createRecordingReader, readRecording } from '../../server/src/core/appmap/read';
import { baselineOf } from '../../server/src/core/baseline/baseline';
import { parseBaseline, serializeBaseline } from '../../server/src/core/baseline/serialize';
import { mergeFindings } from '../../server/src/core/findings/finding';
import { findingsIn } from '../support/check';
import { MAX_PATH_LABELS, summarize } from '../../server/src/core/index/summary';
import { createSideBuilder } from '../../server/src/core/report/model';
import { CallKind, callView } from '../../server/src/core/trace';
import { CI_SCALE, InputSpec, materialize, ShapeName } from '../fuzz/inputs';
import { analysisWorkspace, AnalysisWorkspace, checkAnalysis, checkChunking, checkRead, checkTrace, emptyTally, MAX_LINE, propertyOf, Reader, READ_WORK_PER_BYTE } from '../fuzz/properties';
import { assertLinearWork } from '../support/linearWork';

/** The seed of the properties' own checks. */
const SEED = 20_261_124;

describe('fuzzing: what its properties catch, and the bugs it found', function () {
  this.timeout(300_000);

  describe('each property catches what it claims to', () => {
    const shape = (s: string, size: number): InputSpec => ({ kind: 'shape', shape: s, size }) as InputSpec;

    it('a reader that throws fails the property at once, and the input is named', async () => {
      const throwing: Reader = () => {
        throw new Error('boom');
      };
      const details = await fc.check(propertyOf('reader', { scale: CI_SCALE, tally: emptyTally(), read: throwing }), { seed: SEED, numRuns: 100, endOnFailure: true });
      assert.ok(details.failed);
      assert.equal(details.numRuns, 1);
      assert.match(String((details.errorInstance as Error).message), /^the reader threw on .+ \(\d+ bytes\): Error: boom/);
    });

    it('a reader whose work grows with the square of the input fails the work bound; the real one on the same input passes', () => {
      const spec = shape('many-threads', 2_000); // 400 KB
      const bytes = materialize(spec);
      // Reads the input once per 5 KB of it: the work per byte grows with the size.
      const quadratic: Reader = (p, b) => {
        for (let k = 1; k < b.length / 5_000; k++) readRecording(p, b);
        return readRecording(p, b);
      };
      assert.throws(() => checkRead(spec, bytes, { read: quadratic }), new RegExp(`counted \\d+ steps of work, more than ${READ_WORK_PER_BYTE} per byte`));
      checkRead(spec, bytes);
    });

    it('a reader that keeps a huge string whole fails the memory bound', () => {
      const spec = shape('huge-string-sql', 24_000_000);
      const bytes = materialize(spec);
      let kept: string[] = [];
      const hoarding: Reader = (p, b) => {
        kept.push(b.toString('utf8'));
        return readRecording(p, b);
      };
      assert.throws(() => checkRead(spec, bytes, { read: hoarding }), /kept \d+\.\d MB of heap, more than 16\.0 MB/);
      kept = [];
      checkRead(spec, bytes);
      assert.equal(kept.length, 0);
    });

    it('a reader that reports broken JSON without a byte offset fails', () => {
      const spec: InputSpec = { kind: 'json', text: '{"events":[{"id":1,"event":"call"' };
      const vague: Reader = (p, b) => {
        const r = readRecording(p, b);
        return { ...r, problems: r.problems.map(({ byteOffset: _, ...rest }) => rest) };
      };
      assert.throws(() => checkRead(spec, materialize(spec), { read: vague }), /not JSON gave no error with a byte offset/);
      checkRead(spec, materialize(spec));
    });

    it('a reader that calls valid JSON broken because it nests deeper than 10,000 levels fails the verdict; the real one passes', () => {
      const spec = shape('deep-classmap-before-events', 20_002);
      const bytes = materialize(spec);
      // What the reader did before: a valid classMap that deep stopped it, and the events after were lost.
      const refusing: Reader = (p, b) => {
        const r = readRecording(p, b);
        return { ...r, problems: [{ file: p, byteOffset: 150_000, severity: 'error', message: 'not valid JSON: containers nested deeper than 10,000 levels; read what came before it' }] };
      };
      assert.throws(() => checkRead(spec, bytes, { read: refusing }), /valid JSON was called broken/);
      checkRead(spec, bytes);
      assert.equal(readRecording('r.appmap.json', bytes).trace.calls.length, 1);
    });

    it('a call tree whose parent comes after its child fails the tree check', () => {
      const { trace } = readRecording('r.appmap.json', materialize(shape('deep-call-chain', 3)));
      checkTrace(trace);
      trace.calls.parent[1] = 2;
      assert.throws(() => checkTrace(trace), /call 1 is linked under call 0 but names parent 2/);
    });
  });

  describe('bugs found by fuzzing', () => {
    let ws: AnalysisWorkspace;
    before(async () => {
      ws = await analysisWorkspace();
    });
    after(() => fs.rmSync(ws.root, { recursive: true, force: true }));
    const json = (text: string): InputSpec => ({ kind: 'json', text });
    const call = (id: number, extra = '') => `{"id":${id},"event":"call","thread_id":1,"defined_class":"app.A","method_id":"m","path":"app/a.py","lineno":3${extra}}`;
    const ret = (id: number, parent: number, elapsed: string) => `{"id":${id},"event":"return","thread_id":1,"parent_id":${parent},"elapsed":${elapsed}}`;

    // ---- fixed -------------------------------------------------------------------------------

    it('fixed: a baseline of absurd times reads back as written (roundMs overflowed to Infinity, written as null)', () => {
      // 1e305 s is 1e308 ms: finite, but roundMs multiplied it by 1000 (Infinity), and two of them sum past the largest double.
      const { trace, problems } = readRecording('r.appmap.json', `{"events":[${call(1)},${ret(2, 1, '1e305')},${call(3)},${ret(4, 3, '1e305')}]}`);
      const text = serializeBaseline(baselineOf([summarize(trace, problems, ws.index, ws.config)]));
      assert.deepEqual(parseBaseline(text).problems, []);
      assert.match(text, /"app\.A#m": \{"calls":2,"sql":0,"timed":0\}/);
    });

    it('fixed: a baseline of 50,000 functions reads back whole (found by the long run: the cap on built values cut it)', () => {
      // 50,000 distinct functions, each called once: the functions section alone is over 250,000
      // members and elements, the cap for values built whole from recordings.
      const events = Array.from({ length: 50_000 }, (_, k) => `{"id":${2 * k + 1},"event":"call","thread_id":1,"defined_class":"app.A","method_id":"m${k}","path":"app/a.py","lineno":3},${ret(2 * k + 2, 2 * k + 1, '0.001')}`);
      const { trace, problems } = readRecording('r.appmap.json', `{"events":[${events.join(',')}]}`);
      const text = serializeBaseline(baselineOf([summarize(trace, problems, ws.index, ws.config)]));
      const parsed = parseBaseline(text);
      assert.deepEqual(parsed.problems, []);
      assert.equal(serializeBaseline(parsed.baseline as NonNullable<typeof parsed.baseline>), text);
    });

    it('fixed: a test placed on line 99999999999 of its file is placed on line 1', async () => {
      const spec = json(`{"metadata":{"name":"t","recorder":{"type":"tests"},"source_location":"meetups/views.py:99999999999"},"events":[{"id":1,"event":"call","sql_query":{"sql":"SELECT 1"}},${ret(2, 1, '0.3')}]}`);
      await checkAnalysis(spec, materialize(spec), ws);
      const { trace } = readRecording('r.appmap.json', materialize(spec));
      assert.deepEqual(findingsIn(trace, ws.index, ws.config).map((f) => `${f.location.path}:${f.location.line} ${f.rule}`), ['meetups/views.py:1 slow-query']);
    });

    it('fixed: the slowest paths of a 20,000-deep chain of distinct functions take linear work and memory (took 18 s and 2 GB)', () => {
      const spec: InputSpec = { kind: 'shape', shape: 'deep-chain-distinct-functions', size: 20_000 };
      const { trace, problems } = readRecording('r.appmap.json', materialize(spec));
      const summary = summarize(trace, problems, ws.index, ws.config);
      const paths = [...summary.slowestPaths.values()];
      assert.equal(paths.length, 20_000);
      assert.ok(paths.every((p) => p.path.length <= MAX_PATH_LABELS));
      assert.deepEqual(summary.slowestPaths.get('app.Service#m21')?.path, ['Service#m1', '…', ...Array.from({ length: MAX_PATH_LABELS - 2 }, (_, k) => `Service#m${k + 4}`)]);
      assert.deepEqual(summary.slowestPaths.get('app.Service#m3')?.path, ['Service#m1', 'Service#m2', 'Service#m3']);
      assertLinearWork('summarize, deep-chain-distinct-functions', (n) => {
        const r = readRecording('r.appmap.json', materialize({ kind: 'shape', shape: 'deep-chain-distinct-functions', size: n }));
        return () => summarize(r.trace, r.problems, ws.index, ws.config);
      }, 2_000);
    });

    it('fixed: placing an N+1 of thousands of queries thousands of calls deep takes linear work (common ancestor, nearest project function, report trees)', () => {
      const traceOf = (n: number, shape = 'sql-under-deep-chain') => readRecording('r.appmap.json', materialize({ kind: 'shape', shape, size: n } as InputSpec)).trace;
      for (const shape of ['sql-under-deep-chain', 'sql-under-framework-chain']) {
        assertLinearWork(`findings, ${shape}`, (n) => {
          const trace = traceOf(n, shape);
          return () => findingsIn(trace, ws.index, ws.config);
        }, 1_000);
      }
      // A recursive function that queries at each level (a tree loaded node by node): query k runs
      // under the k-th call of the chain, so each query's walk up meets the previous one's.
      const staircaseOf = (n: number, where: string) => {
        const events: string[] = [];
        for (let k = 1; k <= n; k++) {
          events.push(`{"id":${3 * k},"event":"call","thread_id":1,"defined_class":"app.Tree","method_id":"load","path":"${where}","lineno":3}`);
          events.push(`{"id":${3 * k + 1},"event":"call","thread_id":1,"sql_query":{"sql":"SELECT * FROM \\"meetups_venue\\" WHERE parent_id = ${k}"}}`, ret(3 * k + 2, 3 * k + 1, '0.001'));
        }
        for (let k = n; k >= 1; k--) events.push(ret(3 * n + 3 + k, 3 * k, '0.002'));
        return readRecording('r.appmap.json', `{"metadata":{"name":"a tree loaded node by node"},"events":[${events.join(',')}]}`).trace;
      };
      for (const where of ['app/service.py', '/usr/lib/python3/site-packages/lib.py']) {
        assertLinearWork(`findings, a query at each level of a chain in ${where}`, (n) => {
          const trace = staircaseOf(n, where);
          return () => findingsIn(trace, ws.index, ws.config);
        }, 1_000);
      }
      // Found by counting: the report kept each query's frame by walking up from it to the depth
      // drawn, the queries × the depth (1.2 million steps for 1,000 queries 1,000 calls deep).
      for (const [what, traceOfN] of [['sql-under-deep-chain', (n: number) => traceOf(n)], ['a query at each level of a chain', (n: number) => staircaseOf(n, 'app/service.py')]] as const) {
        assertLinearWork(`report trees, ${what}`, (n) => {
          const trace = traceOfN(n);
          const findings = findingsIn(trace, ws.index, ws.config);
          assert.deepEqual(findings.map((f) => `${f.rule} ${f.count}`), [`n-plus-one ${n}`]);
          return () => {
            const side = createSideBuilder();
            side.addRecording(trace, findings);
            side.finish();
          };
        }, 1_000);
      }
    });

    it('fixed: N+1 analysis of thousands of repeated shapes in one request takes linear work (20,000 shapes run 6 times each took 175 s; blocks and shapes under a deep chain were quadratic too)', () => {
      const traceOf = (shape: ShapeName, n: number) => readRecording('r.appmap.json', materialize({ kind: 'shape', shape, size: n })).trace;
      const nPlusOnes = (shape: ShapeName, n: number) =>
        findingsIn(traceOf(shape, n), ws.index, ws.config)
          .filter((f) => f.rule === 'n-plus-one')
          .map((f) => `${f.count} ${f.related.map((r) => r.sql).join(' + ')}`);
      const venue = (k: number) => `6 SELECT "meetups_venue"."c${k}" FROM "meetups_venue" WHERE "meetups_venue"."id" = ?`;
      // Each shape is a finding of its own: none ran fewer times than another (no source), or each
      // block's list query is its own shape's source.
      for (const shape of ['many-shapes-per-request', 'many-shapes-interleaved', 'many-query-blocks', 'many-shapes-under-deep-chain'] as const) {
        assert.deepEqual(nPlusOnes(shape, 3), [venue(0), venue(1), venue(2)], shape);
        assertLinearWork(`findings, ${shape}`, (n) => {
          const trace = traceOf(shape, n);
          return () => findingsIn(trace, ws.index, ws.config);
        }, 500);
      }
    });

    it('fixed: merging the same finding of thousands of recordings takes linear work (each recording was looked for in the list of those seen)', () => {
      const { trace } = readRecording('r.appmap.json', materialize({ kind: 'shape', shape: 'many-shapes-per-request', size: 1 }));
      const [finding] = findingsIn(trace, ws.index, ws.config);
      const copies = (n: number) => Array.from({ length: n }, (_, k) => ({ ...finding, recordings: [`r${k}.appmap.json`, 'shared.appmap.json'] }));
      const [merged] = mergeFindings(copies(3));
      assert.deepEqual(merged.recordings, ['r0.appmap.json', 'r1.appmap.json', 'r2.appmap.json', 'shared.appmap.json']);
      assertLinearWork('merging one finding of n recordings', (n) => {
        const all = copies(n);
        return () => mergeFindings(all);
      }, 2_000);
    });

    // ---- found by fuzzing in the reader and the parser, fixed -------------------------------------

    it('fixed: an elapsed of 1e308 s is an unknown time with a warning (it became Infinity ms)', () => {
      const { trace, problems } = readRecording('r.appmap.json', `{"events":[${call(1)},${ret(2, 1, '1e308')}]}`);
      assert.ok(Number.isNaN(trace.calls.elapsedMs[0]), `elapsedMs is ${trace.calls.elapsedMs[0]}`);
      assert.deepEqual(problems.map((p) => p.message), ['1 return event(s) have an elapsed time that is not a non-negative number; their time is unknown']);
    });

    it('fixed: a recorded line beyond 2^31 − 1 is no line (1e308 reached editors as a position)', () => {
      const { trace } = readRecording('r.appmap.json', `{"events":[${call(1).replace('"lineno":3', '"lineno":1e308')},${ret(2, 1, '2')}]}`);
      assert.equal(trace.functions[0].recordedLine, undefined);
      const [finding] = findingsIn(trace, ws.index, ws.config);
      assert.ok(finding.location.line <= MAX_LINE, `the slow-call finding is on line ${finding.location.line}`);
    });

    it('fixed: an eventUpdate that makes a function call a SQL call leaves nothing of the function', () => {
      const { trace } = readRecording('r.appmap.json', `{"events":[${call(1)}],"eventUpdates":{"1":{"id":1,"event":"call","sql_query":{"sql":"SELECT 1"}}}}`);
      const c = callView(trace, 0);
      assert.equal(c.kind, CallKind.Sql);
      assert.equal(c.fn, -1, 'the SQL call still names function 0');
      checkTrace(trace);
    });

    it('fixed: a value built whole is bounded (12 MB of {"metadata":{"frameworks":[{},{},…]}} held 570 MB while read; 100 MB took `runlens scan` out of memory)', () => {
      const spec: InputSpec = { kind: 'shape', shape: 'built-metadata-objects', size: 200_000 };
      checkRead(spec, materialize(spec));
    });

    it('fixed: a number of 5,000 digits reads the same wherever a chunk ends (it was rejected when a chunk ended after its 4,096th digit)', () => {
      const text = `{"events":[${call(1).replace('"lineno":3', `"lineno":${'1'.repeat(5000)}`)}]}`;
      const at = text.indexOf('1111') + 4100;
      const reader = createRecordingReader('r.appmap.json');
      reader.write(Buffer.from(text.slice(0, at)));
      reader.write(Buffer.from(text.slice(at)));
      const split = reader.end();
      assert.deepEqual(split.problems, readRecording('r.appmap.json', text).problems);
      checkChunking({ kind: 'json', text }, Buffer.from(text), [at / text.length]);
    });
  });
});
