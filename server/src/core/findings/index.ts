// Runs every rule on a recording. The one entry point for findings, used by the CLI and the server.

import { RunlensConfig } from '../config';
import { scopesOf } from '../analysis/scopes';
import { SourceIndex } from '../sourceIndex';
import { Trace } from '../trace';
import { Finding } from './finding';
import { nPlusOneFindings } from './nPlusOne';
import { repeatedQueryFindings } from './repeatedQuery';
import { slowCallFindings } from './slowCall';
import { slowQueryFindings } from './slowQuery';
import { slowRequestFindings } from './slowRequest';
import { tooManyQueriesFindings } from './tooManyQueries';

export function findingsOf(trace: Trace, index: SourceIndex, config: RunlensConfig): Finding[] {
  const scopes = scopesOf(trace);
  const nPlusOne = nPlusOneFindings(trace, scopes, index, config);
  const all = [
    ...nPlusOne.findings,
    ...repeatedQueryFindings(trace, scopes, index, config, nPlusOne.covered),
    ...tooManyQueriesFindings(trace, scopes, index, config, nPlusOne.covered),
    ...slowQueryFindings(trace, index, config),
    ...slowCallFindings(trace, index, config),
    ...slowRequestFindings(trace, index, config),
  ];
  // Rules switched off or given another severity in the config.
  const out: Finding[] = [];
  for (const f of all) {
    const setting = config.rules[f.rule];
    if (setting === 'off') continue;
    out.push(setting ? { ...f, severity: setting } : f);
  }
  return out;
}
