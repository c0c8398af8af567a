// Runs every rule on a recording. The one entry point for findings, used by the CLI and the server.

import { RunlensConfig } from '../config';
import { scopesOf } from '../analysis/scopes';
import { SourceIndex } from '../sourceIndex';
import { Trace } from '../trace';
import { ORMS } from '../orm/index';
import { anchoringOf } from '../placement/index';
import { Finding } from './finding';
import { nPlusOneFindings } from './nPlusOne';
import { repeatedQueryFindings } from './repeatedQuery';
import { slowCallFindings } from './slowCall';
import { slowQueryFindings } from './slowQuery';
import { slowRequestFindings } from './slowRequest';
import { tooManyQueriesFindings } from './tooManyQueries';

export function findingsOf(trace: Trace, index: SourceIndex, config: RunlensConfig): Finding[] {
  const scopes = scopesOf(trace);
  // One placing for every rule: the walks it remembers are shared by all findings of the recording.
  const anchors = anchoringOf(trace, index, ORMS);
  const nPlusOne = nPlusOneFindings(trace, scopes, anchors, config);
  const all = [
    ...nPlusOne.findings,
    ...repeatedQueryFindings(trace, scopes, anchors, config, nPlusOne.covered),
    ...tooManyQueriesFindings(trace, scopes, anchors, config, nPlusOne.covered),
    ...slowQueryFindings(trace, anchors, config),
    ...slowCallFindings(trace, index, anchors, config),
    ...slowRequestFindings(trace, anchors, config),
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
