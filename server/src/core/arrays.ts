// Arrays whose size depends on the input, combined without spreading them into a call: each
// argument of `push(...items)` or `Math.max(...values)` goes on the stack, and past about 120,000
// of them the call throws RangeError (a recording of 120,000 findings lost them all). These loop.
// test/unit/noSpreadCalls.test.ts holds server/src to it.

/** Appends every item to `into`, in order (what `into.push(...items)` does for a few); returns `into`. */
export function append<T>(into: T[], items: Iterable<T>): T[] {
  for (const item of items) into.push(item);
  return into;
}

/** The largest of `start` and `values` (what `Math.max(start, ...values)` gives, NaN included). */
export function maxOf(values: Iterable<number>, start = -Infinity): number {
  let max = start;
  for (const v of values) max = Math.max(max, v);
  return max;
}
