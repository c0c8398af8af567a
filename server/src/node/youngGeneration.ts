// Bounds the young generation (V8's new space) of the language server's main thread, which no
// option can once the process has started: V8 sizes it when the isolate is made, and grows it by
// `--semi-space-growth-factor` (2) while objects survive; the server's main thread, which keeps
// every summary it is sent, grew it to 32 MB and kept it. The growth factor is read each time V8
// grows the space, so it is set to 1 (no growth) while the space is at its bound and back to 2 when
// V8 has shrunk it, after each garbage collection. Node resets V8's flags when a worker thread
// starts: the pool calls reapplyYoungGenerationBound() once each worker is online.

import { PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';

/**
 * The main thread's new space: 8 MB, two semi-spaces of 4 MB. Measured with the server bench
 * (test/bench/server.ts, 1,000 recordings, workers bounded, a shared and busy 2-core machine):
 * `--max-semi-space-size=4` on the command line took the peak RSS from about 270 to 250 MB, with
 * indexing as fast; this bound, in 3 interleaved pairs of runs, 271 / 281 MB (after indexing /
 * whole run, medians) against 276 / 296 MB without it. Semi-spaces of 1 MB (a new space that never
 * grows) gave a higher peak over the whole run: summaries received while a 10 MB recording was
 * read were promoted to the old generation.
 */
export const MAIN_NEW_SPACE_MB = 8;

let observer: PerformanceObserver | undefined;
let factor = 0;

/** From now on, the main thread's new space stops growing at MAIN_NEW_SPACE_MB (the server process only: the flag is the process's). */
export function boundMainYoungGeneration(): void {
  if (observer) return;
  observer = new PerformanceObserver(() => apply(false));
  observer.observe({ entryTypes: ['gc'] });
  apply(true);
}

/** A worker thread started, which reset V8's flags: the growth factor is set again. */
export function reapplyYoungGenerationBound(): void {
  if (observer) apply(true);
}

function apply(force: boolean): void {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!space) return;
  const wanted = space.space_size >= MAIN_NEW_SPACE_MB * 2 ** 20 ? 1 : 2;
  if (wanted === factor && !force) return;
  factor = wanted;
  v8.setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
}
