// The too-many-queries rule: a request or test that ran at least tooManyQueriesCount queries, not
// counting those of an N+1 finding (which already says where they come from) nor catalog queries
// (PRAGMA table_info, information_schema…: the ORM's bookkeeping, which Sequelize on SQLite runs
// before every SELECT; the app's code cannot do fewer of them).

import { RunlensConfig } from '../config';
import { Scope } from '../analysis/scopes';
import { Call, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatCount } from './format';
import { factsOf } from './nPlusOne';

export function tooManyQueriesFindings(trace: Trace, scopes: Scope[], anchors: Anchoring, config: RunlensConfig, covered: Set<Call>): Finding[] {
  const findings: Finding[] = [];
  for (const scope of scopes) {
    const app = scope.sqlCalls.filter((c) => !factsOf(c).isCatalog);
    const own = app.filter((c) => !covered.has(c)).length;
    if (own < config.tooManyQueriesCount) continue;
    const anchor = scope.call ? anchors.request(scope.call) : anchors.test();
    const excluded = app.length - own;
    findings.push({
      rule: 'too-many-queries',
      severity: 'warning',
      message: `too many queries: ${scope.label} ran ${formatCount(app.length)} SQL queries${excluded ? ` (${formatCount(own)} not counting N+1 findings)` : ''}`,
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
