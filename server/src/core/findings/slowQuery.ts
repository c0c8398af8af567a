// The slow-query rule: one SQL query that took at least slowQueryMs, reported where its calling
// code is (the nearest recorded project function). Queries of one shape are one finding.

import { RunlensConfig } from '../config';
import { factsOf, sqlShapeOf } from '../analysis/stats';
import { Call, CallKind, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatMs } from './format';
import { overThreshold } from './group';

export function slowQueryFindings(trace: Trace, anchors: Anchoring, config: RunlensConfig): Finding[] {
  const { length, kind, elapsedMs } = trace.calls;
  // The slow queries by shape, in call order, and the slowest of each (the first of equals).
  const byShape = new Map<string, { count: number; worst: Call }>();
  for (let c = 0; c < length; c++) {
    if (kind[c] !== CallKind.Sql || !(elapsedMs[c] >= config.slowQueryMs)) continue;
    const shape = sqlShapeOf(trace, c);
    const group = byShape.get(shape);
    if (!group) byShape.set(shape, { count: 1, worst: c });
    else {
      group.count++;
      if (elapsedMs[c] > elapsedMs[group.worst]) group.worst = c;
    }
  }
  const findings: Finding[] = [];
  for (const [shape, { count, worst }] of byShape) {
    const anchor = anchors.calls(worst);
    const table = factsOf(trace, worst).tables[0];
    findings.push({
      rule: 'slow-query',
      severity: 'warning',
      message: `slow query: ${formatMs(elapsedMs[worst])}${table ? ` on ${table}` : ''}${overThreshold(count, 'queries', formatMs(config.slowQueryMs))}`,
      location: anchor.location,
      count,
      related: [{ sql: shape, count, table }],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      elapsedMs: elapsedMs[worst],
    });
  }
  return findings;
}
