// The slow-request rule: an HTTP server request that took at least slowRequestMs, reported on the
// handler (the first project function under the request). Requests of one route are one finding.

import { RunlensConfig } from '../config';
import { CallKind, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatMs } from './format';
import { groupCalls, overThreshold, slowest } from './group';

export function slowRequestFindings(trace: Trace, anchors: Anchoring, config: RunlensConfig): Finding[] {
  const byRoute = groupCalls(trace.calls, (c) => (c.kind === CallKind.HttpServer && c.http && c.elapsedMs >= config.slowRequestMs ? c.http.route : undefined));
  const findings: Finding[] = [];
  for (const [route, slow] of byRoute) {
    const worst = slowest(slow);
    const anchor = anchors.request(worst);
    const times = overThreshold(slow.length, 'requests', formatMs(config.slowRequestMs));
    findings.push({
      rule: 'slow-request',
      severity: 'warning',
      message: `slow request: ${route} took ${formatMs(worst.elapsedMs)}${times}`,
      location: anchor.location,
      count: slow.length,
      related: [],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      elapsedMs: worst.elapsedMs,
      scope: route,
    });
  }
  return findings;
}
