// The slow-call rule: a call to a project function that took at least slowCallMs. Only the
// innermost such call on a path is reported, because its callers are slow only through it; calls
// of one function are one finding (count = slow calls, message = the slowest).

import { RunlensConfig } from '../config';
import { SourceIndex } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { Anchoring } from '../placement/index';
import { Finding } from './finding';
import { formatMs, functionLabel } from './format';
import { overThreshold } from './group';

export function slowCallFindings(trace: Trace, index: SourceIndex, anchors: Anchoring, config: RunlensConfig): Finding[] {
  const threshold = config.slowCallMs;
  const { length, kind, fn, elapsedMs, parent } = trace.calls;
  // A slow project call below a call makes that call's slowness someone else's: mark ancestors.
  const hasSlowBelow = new Uint8Array(length);
  const isSlow = new Uint8Array(length);
  for (let c = length - 1; c >= 0; c--) {
    if (kind[c] === CallKind.Function && fn[c] !== -1 && elapsedMs[c] >= threshold && index.isProjectPath(trace.functions[fn[c]].recordedPath)) isSlow[c] = 1;
    if (parent[c] !== -1 && (hasSlowBelow[c] || isSlow[c])) hasSlowBelow[parent[c]] = 1;
  }
  // The innermost slow calls by function, in call order, and the slowest of each (the first of equals).
  const byFunction = new Map<number, { count: number; worst: Call }>();
  for (let c = 0; c < length; c++) {
    if (!isSlow[c] || hasSlowBelow[c]) continue;
    const group = byFunction.get(fn[c]);
    if (!group) byFunction.set(fn[c], { count: 1, worst: c });
    else {
      group.count++;
      if (elapsedMs[c] > elapsedMs[group.worst]) group.worst = c;
    }
  }
  const findings: Finding[] = [];
  for (const [f, { count, worst }] of byFunction) {
    const anchor = anchors.calls(worst);
    const times = overThreshold(count, 'calls', formatMs(threshold));
    findings.push({
      rule: 'slow-call',
      severity: 'warning',
      message: `slow call: ${functionLabel(trace.functions[f])} took ${formatMs(elapsedMs[worst])}${times}`,
      location: anchor.location,
      count,
      related: [],
      recordings: [trace.recordingPath],
      ref: anchor.ref,
      elapsedMs: elapsedMs[worst],
    });
  }
  return findings;
}
