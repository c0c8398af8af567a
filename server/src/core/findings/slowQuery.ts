// The slow-query rule: one SQL query that took at least slowQueryMs, reported where its calling
// code is (the nearest recorded project function). Queries of one shape are one finding.

import { RunlensConfig } from '../config';
import { sqlShapeOf } from '../analysis/stats';
import { SourceIndex } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { anchorCalls } from './anchor';
import { Finding } from './finding';
import { formatMs } from './format';
import { factsOf } from './nPlusOne';

export function slowQueryFindings(trace: Trace, index: SourceIndex, config: RunlensConfig): Finding[] {
  const byShape = new Map<string, Call[]>();
  for (const c of trace.calls) {
    if (c.kind !== CallKind.Sql || !(c.elapsedMs >= config.slowQueryMs)) continue;
    const shape = sqlShapeOf(c);
    const list = byShape.get(shape);
    if (list) list.push(c);
    else byShape.set(shape, [c]);
  }
  const findings: Finding[] = [];
  for (const [shape, slow] of byShape) {
    const slowest = slow.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a));
    const anchor = anchorCalls(trace, index, slowest);
    const table = factsOf(slowest).tables[0];
    findings.push({
      rule: 'slow-query',
      severity: 'warning',
      message: `slow query: ${formatMs(slowest.elapsedMs)}${table ? ` on ${table}` : ''}${slow.length > 1 ? ` (${slow.length} queries over ${formatMs(config.slowQueryMs)})` : ''}`,
      location: anchor.location,
      count: slow.length,
      related: [{ sql: shape, count: slow.length, table }],
      recordings: [trace.recordingPath],
      anchor: anchor.anchor,
      elapsedMs: slowest.elapsedMs,
    });
  }
  return findings;
}
