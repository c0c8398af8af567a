// The slow-call rule: a call to a project function that took at least slowCallMs. Only the
// innermost such call on a path is reported, because its callers are slow only through it; calls
// of one function are one finding (count = slow calls, message = the slowest).

import { RunlensConfig } from '../config';
import { SourceIndex } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatMs, functionLabel } from './format';
import { groupCalls, overThreshold, slowest } from './group';

export function slowCallFindings(trace: Trace, index: SourceIndex, anchors: Anchoring, config: RunlensConfig): Finding[] {
  const threshold = config.slowCallMs;
  const calls = trace.calls;
  const isSlowProjectCall = (c: Call): boolean =>
    c.kind === CallKind.Function && c.fn !== -1 && c.elapsedMs >= threshold && index.isProjectPath(trace.functions[c.fn].recordedPath);
  // A slow project call below a call makes that call's slowness someone else's: mark ancestors.
  const hasSlowBelow = new Uint8Array(calls.length);
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i];
    if (c.parent !== -1 && (hasSlowBelow[i] || isSlowProjectCall(c))) hasSlowBelow[c.parent] = 1;
  }
  const byFunction = groupCalls(calls, (c) => (isSlowProjectCall(c) && !hasSlowBelow[c.index] ? c.fn : undefined));
  const findings: Finding[] = [];
  for (const [fn, slow] of byFunction) {
    const worst = slowest(slow);
    const f = trace.functions[fn];
    const anchor = anchors.calls(worst);
    const times = overThreshold(slow.length, 'calls', formatMs(threshold));
    findings.push({
      rule: 'slow-call',
      severity: 'warning',
      message: `slow call: ${functionLabel(f)} took ${formatMs(worst.elapsedMs)}${times}`,
      location: anchor.location,
      count: slow.length,
      related: [],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      elapsedMs: worst.elapsedMs,
    });
  }
  return findings;
}
