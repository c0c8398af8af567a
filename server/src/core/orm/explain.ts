// The step every ORM's fix shares: which relations of the model explain the repeated queries, each
// named once in the order the queries first ran, and which queries no relation explains.

import { RelatedEntry } from '../findings/finding';

export function explainRepeats<R>(related: RelatedEntry[], explain: (entry: RelatedEntry) => R | undefined, same: (a: R, b: R) => boolean = (a, b) => a === b): { loaded: R[]; unexplained: RelatedEntry[] } {
  const loaded: R[] = [];
  const unexplained: RelatedEntry[] = [];
  for (const entry of related) {
    const found = explain(entry);
    if (found === undefined) unexplained.push(entry);
    else if (!loaded.some((l) => same(l, found))) loaded.push(found);
  }
  return { loaded, unexplained };
}
