// The slow-query rule: one SQL query that took at least slowQueryMs, reported where its calling
// code is (the nearest recorded project function). Queries of one shape are one finding.

import { RunlensConfig } from '../config';
import { sqlShapeOf } from '../analysis/stats';
import { CallKind, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatMs } from './format';
import { groupCalls, overThreshold, slowest } from './group';
import { factsOf } from './nPlusOne';

export function slowQueryFindings(trace: Trace, anchors: Anchoring, config: RunlensConfig): Finding[] {
  const byShape = groupCalls(trace.calls, (c) => (c.kind === CallKind.Sql && c.elapsedMs >= config.slowQueryMs ? sqlShapeOf(c) : undefined));
  const findings: Finding[] = [];
  for (const [shape, slow] of byShape) {
    const worst = slowest(slow);
    const anchor = anchors.calls(worst);
    const table = factsOf(worst).tables[0];
    findings.push({
      rule: 'slow-query',
      severity: 'warning',
      message: `slow query: ${formatMs(worst.elapsedMs)}${table ? ` on ${table}` : ''}${overThreshold(slow.length, 'queries', formatMs(config.slowQueryMs))}`,
      location: anchor.location,
      count: slow.length,
      related: [{ sql: shape, count: slow.length, table }],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      elapsedMs: worst.elapsedMs,
    });
  }
  return findings;
}
