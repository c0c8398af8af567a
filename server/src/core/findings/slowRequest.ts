// The slow-request rule: an HTTP server request that took at least slowRequestMs, reported on the
// handler (the first project function under the request). Requests of one route are one finding.

import { RunlensConfig } from '../config';
import { Call, CallKind, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatMs } from './format';
import { overThreshold } from './group';

export function slowRequestFindings(trace: Trace, anchors: Anchoring, config: RunlensConfig): Finding[] {
  const { length, kind, elapsedMs, http } = trace.calls;
  // The slow requests by route, in call order, and the slowest of each (the first of equals).
  const byRoute = new Map<string, { count: number; worst: Call }>();
  for (let c = 0; c < length; c++) {
    if (kind[c] !== CallKind.HttpServer || !(elapsedMs[c] >= config.slowRequestMs)) continue;
    const request = http.get(c);
    if (!request) continue;
    const group = byRoute.get(request.route);
    if (!group) byRoute.set(request.route, { count: 1, worst: c });
    else {
      group.count++;
      if (elapsedMs[c] > elapsedMs[group.worst]) group.worst = c;
    }
  }
  const findings: Finding[] = [];
  for (const [route, { count, worst }] of byRoute) {
    const anchor = anchors.request(worst);
    const times = overThreshold(count, 'requests', formatMs(config.slowRequestMs));
    findings.push({
      rule: 'slow-request',
      severity: 'warning',
      message: `slow request: ${route} took ${formatMs(elapsedMs[worst])}${times}`,
      location: anchor.location,
      count,
      related: [],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      elapsedMs: elapsedMs[worst],
      scope: route,
    });
  }
  return findings;
}
