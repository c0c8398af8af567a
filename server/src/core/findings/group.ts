// Small helpers the rules share: grouping calls by a key, and picking the slowest of a group.

import { Call } from '../trace';
import { formatCount } from './format';

/** Groups `calls` by `keyOf`, skipping calls whose key is undefined; groups keep call order. */
export function groupCalls<K>(calls: Iterable<Call>, keyOf: (c: Call) => K | undefined): Map<K, Call[]> {
  const groups = new Map<K, Call[]>();
  for (const c of calls) {
    const key = keyOf(c);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return groups;
}

export function slowest(calls: Call[]): Call {
  return calls.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a));
}

/** ` (3 calls over 1.0 s)` for a group of more than one, else nothing. */
export function overThreshold(n: number, what: string, threshold: string): string {
  return n === 1 ? '' : ` (${formatCount(n)} ${what} over ${threshold})`;
}
