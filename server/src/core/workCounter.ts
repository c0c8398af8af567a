// A count of the steps the core's walks take (a parent followed, a call or byte visited, a
// candidate compared), so that tests prove a cost linear by counting work, never by the clock: a
// linear walk's count grows 4 × when its input does and a quadratic one's 16 ×, on any machine
// and under any load. A test hook: the core only adds to it and never reads it.

/**
 * Steps counted so far in this thread (module state on purpose: threading a counter through
 * every walk would change every signature for the sake of tests). Worker threads count their own.
 *
 * The convention: a loop whose number of turns depends on the shape of a recording (depth,
 * fan-out, repeats, size) and is not bounded by a constant calls `countWork` for its turns;
 * one addition per step costs nothing measurable. A loop that does not count is invisible to
 * the tests that prove linear cost (`grep -r workOf test/` lists them).
 */
let steps = 0;

/** Adds `n` steps of work. */
export function countWork(n = 1): void {
  steps += n;
}

/** The steps counted while `f` ran; `f` is synchronous (asynchronous work would mix with others'). */
export function workOf(f: () => unknown): number {
  const before = steps;
  f();
  return steps - before;
}
