// Small helpers the rules share: grouping calls by a key, and telling whether a group of queries
// asked the same question again.

import { Call, Trace, sameSqlText, sqlOf } from '../trace';
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

/** ` (3 calls over 1.0 s)` for a group of more than one, else nothing. */
export function overThreshold(n: number, what: string, threshold: string): string {
  return n === 1 ? '' : ` (${formatCount(n)} ${what} over ${threshold})`;
}

/** Whether `calls` all ran one SQL text that carries its values: the same question asked again. */
export function sameQuestion(trace: Trace, calls: Call[]): boolean {
  if (calls.length === 0) return false;
  const first = sqlOf(trace, calls[0]);
  if (first === undefined || !first.carriesValues) return false;
  for (const c of calls) if (!sameSqlText(trace, c, calls[0])) return false;
  return true;
}
