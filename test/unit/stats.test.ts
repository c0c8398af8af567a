// Statistics per function, per route and per SQL shape, per recording and merged across
// recordings, rendered as a table and checked exactly.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { emptyStats, meanMs, mergeStats, traceStats, TraceStats } from '../../server/src/core/analysis/stats';
import { RecordingBuilder } from '../support/recordingBuilder';

function render(stats: TraceStats): string {
  const t = (v: number) => (Number.isNaN(v) ? '-' : String(+v.toFixed(2)));
  const lines = [`requests ${stats.nRequests}, sql ${stats.nSql}`];
  for (const s of stats.routes.values()) lines.push(`route ${s.route}: calls ${s.nCalls} total ${t(s.totalMs)} self ${t(s.selfMs)} mean ${t(meanMs(s))} max ${t(s.maxMs)} sql ${s.nSql} statuses ${JSON.stringify(s.statuses)}`);
  for (const s of stats.functions.values()) lines.push(`fn ${s.key}: calls ${s.nCalls} total ${t(s.totalMs)} self ${t(s.selfMs)} mean ${t(meanMs(s))} max ${t(s.maxMs)} sql ${s.nSql}`);
  for (const s of stats.sqlShapes.values()) lines.push(`sql ${s.shape}: calls ${s.nCalls} total ${t(s.totalMs)} max ${t(s.maxMs)} tables ${s.tables.join(',') || '-'}`);
  return lines.join('\n');
}

function checkStats(recordings: RecordingBuilder[], expected: string): void {
  const merged = recordings.map((r) => traceStats(readRecording('r.appmap.json', r.json()).trace)).reduce(mergeStats, emptyStats());
  assert.equal(render(merged), expected.trim().replace(/\n\s+/g, '\n'));
}

describe('statistics', () => {
  it('counts calls, total, self, mean and max time and SQL per function, route and shape', () => {
    const r = new RecordingBuilder();
    r.request('GET', '/books', 100, () => {
      r.call('shop.Views', 'list', 'shop/views.py', 1, 80, () => {
        r.sql('SELECT * FROM books WHERE id = 1', 10);
        r.call('shop.Views', 'render', 'shop/views.py', 9, 30, () => r.sql('SELECT * FROM books WHERE id = 2', 20));
        // Recursion: the inner call's time and SQL are not counted twice in total.
        r.call('shop.Views', 'render', 'shop/views.py', 9, 15, () => r.call('shop.Views', 'render', 'shop/views.py', 9, 5, () => r.sql('SELECT 1', 1)));
      });
    });
    checkStats([r], `
      requests 1, sql 3
      route GET /books: calls 1 total 100 self 20 mean 100 max 100 sql 3 statuses {"200":1}
      fn shop.Views#list: calls 1 total 80 self 25 mean 80 max 80 sql 3
      fn shop.Views#render: calls 3 total 45 self 24 mean 16.67 max 30 sql 2
      sql SELECT * FROM books WHERE id = ?: calls 2 total 30 max 20 tables books
      sql SELECT ?: calls 1 total 1 max 1 tables -`);
  });

  it('merges recordings, and leaves unknown times out of totals and means', () => {
    const a = new RecordingBuilder();
    a.request('GET', '/books', 100, () => a.call('shop.Views', 'list', 'shop/views.py', 1, 60));
    const b = new RecordingBuilder();
    b.request('GET', '/books', 300, () => b.call('shop.Views', 'list', 'shop/views.py', 1, NaN), 500);
    checkStats([a, b], `
      requests 2, sql 0
      route GET /books: calls 2 total 400 self 340 mean 200 max 300 sql 0 statuses {"200":1,"500":1}
      fn shop.Views#list: calls 2 total 60 self 60 mean 60 max 60 sql 0`);
  });
});
