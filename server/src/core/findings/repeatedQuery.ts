// The repeated-query rule: the identical SQL text, same literals, run repeatedQueryCount times or
// more in one request or test: a result that could have been kept. Queries with placeholders are
// left out (their parameters are not recorded, so identity cannot be told), and so are queries
// already counted by an N+1 finding.

import { RunlensConfig } from '../config';
import { Scope } from '../analysis/scopes';
import { sqlShapeOf } from '../analysis/stats';
import { SqlText, Trace, sqlOf } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatCount } from './format';
import { groupCalls } from './group';
import { factsOf } from '../analysis/stats';

export function repeatedQueryFindings(trace: Trace, scopes: Scope[], anchors: Anchoring, config: RunlensConfig, covered: Uint8Array): Finding[] {
  const findings: Finding[] = [];
  for (const scope of scopes) {
    // The same text: the same entry (literal-free key) and the same literals.
    const byText = groupCalls(scope.sqlCalls, (c) => {
      if (covered[c] === 1) return undefined;
      const facts = factsOf(trace, c);
      if (facts.kind !== 'select' || facts.isCatalog) return undefined;
      return (sqlOf(trace, c) as SqlText).carriesValues ? `${trace.calls.sql[c]}:${trace.calls.sqlValues[c]}` : undefined;
    });
    for (const calls of byText.values()) {
      if (calls.length < config.repeatedQueryCount) continue;
      const anchor = anchors.sameQuery(scope.call, calls);
      const table = factsOf(trace, calls[0]).tables[0];
      findings.push({
        rule: 'repeated-query',
        severity: 'warning',
        message: `repeated query: the same query${table ? ` on ${table}` : ''} ran ${formatCount(calls.length)} times with the same values`,
        location: anchor.location,
        count: calls.length,
        related: [{ sql: sqlShapeOf(trace, calls[0]), count: calls.length, table }],
        recordings: [trace.recordingPath],
        ref: anchor.ref,
        ...(anchor.also?.length ? { also: anchor.also } : {}),
        scope: scope.label,
      });
    }
  }
  return findings;
}
