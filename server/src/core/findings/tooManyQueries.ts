// The too-many-queries rule: a request or test that ran at least tooManyQueriesCount queries, not
// counting those of an N+1 finding (which already says where they come from) nor catalog queries
// (PRAGMA table_info, information_schema…: the ORM's bookkeeping, which Sequelize on SQLite runs
// before every SELECT; the app's code cannot do fewer of them).

import { RunlensConfig } from '../config';
import { Scope } from '../analysis/scopes';
import { factsOf } from '../analysis/stats';
import { Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatCount } from './format';

export function tooManyQueriesFindings(trace: Trace, scopes: Scope[], anchors: Anchoring, config: RunlensConfig, covered: Uint8Array): Finding[] {
  const findings: Finding[] = [];
  for (const scope of scopes) {
    // The app's queries (catalog queries aside), and those of them no N+1 finding holds.
    let nApp = 0;
    let own = 0;
    for (const c of scope.sqlCalls) {
      if (factsOf(trace, c).isCatalog) continue;
      nApp++;
      if (covered[c] === 0) own++;
    }
    if (own < config.tooManyQueriesCount) continue;
    const anchor = scope.call !== undefined ? anchors.request(scope.call) : anchors.test();
    const excluded = nApp - own;
    findings.push({
      rule: 'too-many-queries',
      severity: 'warning',
      message: `too many queries: ${scope.label} ran ${formatCount(nApp)} SQL queries${excluded ? ` (${formatCount(own)} not counting N+1 findings)` : ''}`,
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
