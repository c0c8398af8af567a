// Linear cost proved by counting work (server/src/core/workCounter.ts), never by the clock: the
// steps the core counts for an input 4 × as large must be at most LINEAR_RATIO × as many. Linear
// work gives about 4 ×, quadratic 16 ×, on any machine and under any load.

import * as assert from 'node:assert/strict';
import { workOf } from '../../server/src/core/workCounter';

/** Room above 4 × for the constant parts of the work (a root, a header, a table of fixed size). */
export const LINEAR_RATIO = 4.5;

/**
 * `setup(n)` prepares an input of size n (outside the count) and returns the work to count on it.
 * Fails when the count for 4n is more than LINEAR_RATIO × the count for n, or when the count for n
 * is under `n` (the walks to prove linear are not in the count at all: the test would prove nothing).
 */
export function assertLinearWork(what: string, setup: (n: number) => () => void, n: number): { small: number; large: number } {
  const small = workOf(setup(n));
  const large = workOf(setup(4 * n));
  assert.ok(small >= n, `${what}: ${small} steps counted for ${n}, fewer than ${n}: the work is not counted`);
  assert.ok(large <= LINEAR_RATIO * small, `${what}: ${large} steps for ${4 * n}, ${small} for ${n} (${(large / small).toFixed(1)} ×): more than linear`);
  return { small, large };
}
