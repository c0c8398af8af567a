// The too-many-queries rule: a request or test that ran at least tooManyQueriesCount queries, not
// counting those of an N+1 finding (which already says where they come from).

import { RunlensConfig } from '../config';
import { Scope } from '../analysis/scopes';
import { SourceIndex } from '../sourceIndex';
import { Call, Trace } from '../trace';
import { anchorRequest, anchorTest } from './anchor';
import { Finding } from './finding';
import { formatCount } from './format';

export function tooManyQueriesFindings(trace: Trace, scopes: Scope[], index: SourceIndex, config: RunlensConfig, covered: Set<Call>): Finding[] {
  const findings: Finding[] = [];
  for (const scope of scopes) {
    const own = scope.sqlCalls.filter((c) => !covered.has(c)).length;
    if (own < config.tooManyQueriesCount) continue;
    const anchor = scope.call ? anchorRequest(trace, index, scope.call) : anchorTest(trace, index);
    const excluded = scope.sqlCalls.length - own;
    findings.push({
      rule: 'too-many-queries',
      severity: 'warning',
      message: `too many queries: ${scope.label} ran ${formatCount(scope.sqlCalls.length)} SQL queries${excluded ? ` (${formatCount(own)} not counting N+1 findings)` : ''}`,
      location: anchor.location,
      count: own,
      related: [],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      scope: scope.label,
    });
  }
  return findings;
}
