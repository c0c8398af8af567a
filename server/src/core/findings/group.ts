// Small helpers the rules share: grouping calls by a key, picking the slowest of a group, and
// telling whether recorded SQL carries its values.

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

const PLACEHOLDER = /\?|\$\d+|%s|:\w+\b|@p\d+/;

/**
 * Whether recorded SQL text carries its values (literals, no placeholder outside a quoted string):
 * only then do two equal texts ask the same thing. appmap-node and appmap-python write the values
 * into the text; appmap-ruby writes placeholders (`= ?`) and records no parameters.
 */
export function carriesValues(sql: string): boolean {
  return !PLACEHOLDER.test(sql.replace(/'(?:[^']|'')*'/g, "''"));
}

/** Whether `calls` all ran one SQL text that carries its values: the same question asked again. */
export function sameQuestion(calls: Call[]): boolean {
  const text = calls[0]?.sql?.text;
  if (text === undefined || !carriesValues(text)) return false;
  for (const c of calls) if (c.sql?.text !== text) return false;
  return true;
}
