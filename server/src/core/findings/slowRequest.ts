// The slow-request rule: an HTTP server request that took at least slowRequestMs, reported on the
// handler (the first project function under the request). Requests of one route are one finding.

import { RunlensConfig } from '../config';
import { SourceIndex } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { anchorRequest } from './anchor';
import { Finding } from './finding';
import { formatMs } from './format';

export function slowRequestFindings(trace: Trace, index: SourceIndex, config: RunlensConfig): Finding[] {
  const byRoute = new Map<string, Call[]>();
  for (const c of trace.calls) {
    if (c.kind !== CallKind.HttpServer || !c.http || !(c.elapsedMs >= config.slowRequestMs)) continue;
    const list = byRoute.get(c.http.route);
    if (list) list.push(c);
    else byRoute.set(c.http.route, [c]);
  }
  const findings: Finding[] = [];
  for (const [route, slow] of byRoute) {
    const slowest = slow.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a));
    const anchor = anchorRequest(trace, index, slowest);
    const times = slow.length === 1 ? '' : ` (${slow.length} requests over ${formatMs(config.slowRequestMs)})`;
    findings.push({
      rule: 'slow-request',
      severity: 'warning',
      message: `slow request: ${route} took ${formatMs(slowest.elapsedMs)}${times}`,
      location: anchor.location,
      count: slow.length,
      related: [],
      recordings: [trace.recordingPath],
      anchor: anchor.anchor,
      elapsedMs: slowest.elapsedMs,
      scope: route,
    });
  }
  return findings;
}
