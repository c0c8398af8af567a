// What reading a recording keeps in memory is counted (the reader's `retainedBytes`, and
// `reservedBytes` for what its analysis will make), the count follows V8's heap, and a recording
// whose count passes the caller's limit stops there with a problem instead of exhausting the
// heap. The heap is measured after a full collection (V8's gc, exposed at run time): bytes kept,
// never time. The real binary under a small heap is test/system/memory.test.ts.

import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createRecordingReader, ReadOptions, RecordingReader, RETAINED } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { summarize } from '../../server/src/core/index/summary';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { WorkspaceFiles } from '../../server/src/core/workspace';
import { SHAPE_NAMES, SHAPES } from '../fuzz/inputs';

const MB = 2 ** 20;
/** The heap moves by a few hundred KB for reasons of its own. */
const SLACK_BYTES = MB;

const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** Feeds `bytes` in 1 MiB chunks, as the CLI and the server do; returns the reader (not ended) and, unless `unmeasured`, the heap it holds. */
function readOpen(bytes: Buffer, options?: ReadOptions, { unmeasured = false } = {}): { reader: RecordingReader; heapBytes: number } {
  const before = unmeasured ? NaN : keptBytes();
  const reader = createRecordingReader('memory.generated.appmap.json', options);
  for (let at = 0; at < bytes.length && !reader.stopped; at += MB) reader.write(bytes.subarray(at, at + MB));
  return { reader, heapBytes: unmeasured ? NaN : keptBytes() - before };
}

/**
 * V8's heap and the typed arrays outside it (the trace's columns live there), after a full
 * collection; twice, because the memory of arrays found dead is given back at the next one.
 */
function keptBytes(): number {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
}

/** `n` numbered items joined by commas. */
function numbered(n: number, each: (k: number) => string): string {
  const parts: string[] = new Array(n);
  for (let k = 0; k < n; k++) parts[k] = each(k + 1);
  return parts.join(',');
}

const call = (k: number) => `{"id":${k},"event":"call","thread_id":1,"defined_class":"app.Service","method_id":"m","path":"app/service.py","lineno":3}`;
const updateOf = (n: number) => (k: number) => `"${n + k}":{"event":"return","thread_id":1,"parent_id":${k},"elapsed":0.5}`;

describe('reading: what a recording keeps is counted, follows the heap, and is bounded', function () {
  this.timeout(120_000);

  it('an eventUpdates object of empty entries keeps nothing per entry: counted, and in the heap', () => {
    const file = (n: number) => Buffer.from(`{"version":"1.9","events":[${call(1)}],"eventUpdates":{${numbered(n, (k) => `"${k}":{}`)}}}`);
    const small = readOpen(file(100_000));
    const large = readOpen(file(400_000));
    // Found by the attack of issue 15: each entry was kept to the end as a 16-field record,
    // 13 times the bytes of the file (61 MB of heap for these 4.7 MB; 25 MB → 494 MB).
    assert.deepEqual([large.reader.retainedBytes, large.reader.reservedBytes], [small.reader.retainedBytes, small.reader.reservedBytes], 'kept does not grow with the entries');
    assert.ok(large.heapBytes < SLACK_BYTES, `reading 400,000 empty entries holds ${(large.heapBytes / MB).toFixed(1)} MB of heap`);
    const { trace, problems } = large.reader.end();
    assert.equal(trace.nEventUpdates, 0);
    assert.deepEqual(
      problems.map((p) => p.message),
      ['400,000 return event(s) name a call that is not in the recording; ignored', '1 call(s) never returned; their time is unknown'],
    );
  });

  it('eventUpdates after the events are applied as they come; before them, each keeps a fixed record; the trace is the same', () => {
    const kept: number[] = [];
    for (const n of [4_000, 16_000]) {
      const events = `"events":[${numbered(n, call)}]`;
      const updates = `"eventUpdates":{${numbered(n, updateOf(n))}}`;
      const after = readOpen(Buffer.from(`{${events},${updates}}`));
      const before = readOpen(Buffer.from(`{${updates},${events}}`));
      const without = readOpen(Buffer.from(`{${events}}`));
      assert.equal(after.reader.retainedBytes, without.reader.retainedBytes, 'updates after the events keep nothing');
      kept.push(before.reader.retainedBytes - without.reader.retainedBytes);
      const a = after.reader.end();
      const b = before.reader.end();
      assert.equal(a.trace.nEventUpdates, n);
      assert.deepEqual(b.trace, a.trace);
      assert.deepEqual(b.problems, a.problems);
      assert.ok(a.trace.calls.elapsedMs.subarray(0, a.trace.calls.length).every((ms) => ms === 500));
    }
    assert.equal(kept[1], 4 * kept[0], `kept per update before the events: ${kept[0] / 4_000} bytes`);
  });

  it('the count follows the heap on every pathological shape (within 0.6 to 1.1 of it)', () => {
    const rows: string[] = [];
    const check = (name: string, bytes: Buffer) => {
      const { reader, heapBytes } = readOpen(bytes);
      const counted = reader.retainedBytes;
      if (Math.max(counted, heapBytes) < 2 * MB) return;
      rows.push(`${name}: heap ${(heapBytes / MB).toFixed(1)} MB, counted ${(counted / MB).toFixed(1)} MB`);
      // Never much less than the heap (the limit would let a recording exhaust it), nor far more (it would stop recordings that fit).
      assert.ok(heapBytes <= 1.1 * counted + SLACK_BYTES, `${name}: the heap holds ${(heapBytes / MB).toFixed(1)} MB, counted ${(counted / MB).toFixed(1)} MB`);
      assert.ok(heapBytes >= 0.6 * counted - SLACK_BYTES, `${name}: the heap holds ${(heapBytes / MB).toFixed(1)} MB, counted ${(counted / MB).toFixed(1)} MB`);
      reader.end();
    };
    for (const shape of SHAPE_NAMES) if (!shape.startsWith('huge-') && !shape.startsWith('deep-')) check(shape, SHAPES[shape](12_000));
    assert.ok(rows.length >= 10, rows.join('\n'));
  });

  it('what a summary keeps beyond the trace stays within what is reserved for it (functions called once each, the costliest)', () => {
    const files: WorkspaceFiles = { rootPath: '/nonexistent', exists: () => false, read: () => undefined, leavesRoot: () => false, list: () => [] };
    const config = resolveConfig({});
    const index = new SourceIndex(files, undefined, config);
    for (const shape of ['deep-chain-distinct-functions', 'sql-under-deep-chain'] as const) {
      const { reader, heapBytes: traceBytes } = readOpen(SHAPES[shape](12_000));
      const { trace, problems } = reader.end();
      const before = keptBytes();
      const summary = summarize(trace, problems, index, config);
      const summaryBytes = keptBytes() - before;
      assert.ok(summary.functions.size >= 12_000);
      assert.ok(traceBytes + summaryBytes <= 1.1 * (reader.retainedBytes + reader.reservedBytes) + SLACK_BYTES, `${shape}: trace ${(traceBytes / MB).toFixed(1)} MB and summary ${(summaryBytes / MB).toFixed(1)} MB of heap, counted ${(reader.retainedBytes / MB).toFixed(1)} + ${(reader.reservedBytes / MB).toFixed(1)} MB`);
    }
  });

  it('a recording over the limit stops between two events, with a problem at its byte; what came before is kept', () => {
    const limit = 4 * MB;
    const bytes = Buffer.from(`{"version":"1.9","events":[${numbered(200_000, (k) => `{"event":"call","id":${k}}`)}]}`);
    const { reader } = readOpen(bytes, { maxRetainedBytes: limit, maxRetainedWhy: 'a test' });
    assert.equal(reader.stopped, true);
    const kept = reader.retainedBytes + reader.reservedBytes;
    assert.ok(kept > limit && kept <= limit + RETAINED.call, `counted ${kept} bytes for a limit of ${limit}`);
    assert.ok(reader.byteOffset < bytes.length / 2, 'the rest is not read');
    const { trace, problems } = reader.end();
    assert.equal(trace.calls.length, Math.floor((limit - RETAINED.thread) / RETAINED.call) + 1);
    assert.deepEqual(
      // The recording is one line: the column is the byte offset's, plus one.
      problems.map((p) => ({ ...p, byteOffset: p.byteOffset !== undefined && p.byteOffset > 0 && p.byteOffset < bytes.length, column: p.column === (p.byteOffset ?? NaN) + 1 })),
      [
        {
          file: 'memory.generated.appmap.json',
          byteOffset: true,
          line: 1,
          column: true,
          severity: 'error',
          message: `the recording is too large for the memory allowed: its first ${trace.calls.length.toLocaleString('en-US')} events and what is made of them need about 5 MB, over the limit of 4 MB (a test); the rest is not read, and what is shown comes from those events`,
        },
      ],
    );
    // Every pathological shape, under a limit of 1 MB: it stops (or reads whole) without throwing, within one event or value of the limit.
    for (const shape of SHAPE_NAMES) {
      if (shape.startsWith('huge-')) continue;
      const r = readOpen(SHAPES[shape](5_000), { maxRetainedBytes: MB }, { unmeasured: true }).reader;
      const total = r.retainedBytes + r.reservedBytes;
      const result = r.end();
      const stopped = result.problems.some((p) => p.message.startsWith('the recording is too large'));
      assert.ok(total <= MB || stopped, `${shape}: counted ${total} bytes without stopping`);
      // A value built whole (metadata, classMap) is counted once built: it may pass the limit by its own size.
      if (shape !== 'wide-classmap-children' && shape !== 'built-metadata-objects') assert.ok(total <= 2 * MB, `${shape}: counted ${total} bytes`);
    }
  });
});
