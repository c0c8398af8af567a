// Keeps the language server's heaps small, with V8 flags that it reads while it runs (no option
// can set the heap up once the process has started, and the server is started as `node runlens.js
// --stdio` by editors): the main thread's new space stops growing at MAIN_NEW_SPACE_MB, and every
// thread's old generation grows by HEAP_GROWING_PERCENT after a full collection instead of up to
// 4 times its live size. The flags are the process's, so the workers' old generations follow too
// (their young generations are bounded by resourceLimits, indexPool.ts). Node resets V8's flags
// when a worker thread starts: the pool calls reapplyHeapFlags() once each worker is online.
//
// Measured with the server bench (test/bench/server.ts: 1,000 recordings, 973 MB; the peak RSS,
// medians of 3 runs on a shared 2-core machine, load average 5): 256 / 269 MB (after indexing /
// whole run) with the young generations bounded, 189 / 196 MB with the old generation's growth
// at 30% too (`--heap-growing-percent=30` on the command line), indexing 8.2 s → 8.9 s.

import { PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';

/**
 * The main thread's new space: 8 MB, two semi-spaces of 4 MB. Unbounded, V8 grows it (by
 * `--semi-space-growth-factor`, 2, while objects survive) to 32 MB and keeps it; so it is set to 1
 * (no growth) while the space is at this size and to 2 below it, after each garbage collection (a
 * turn of the event loop that collects many times may grow it once more before the check).
 * Semi-spaces of 1 MB (a new space that never grows) gave a higher peak over the whole run:
 * summaries received while a 10 MB recording was read were promoted to the old generation.
 */
export const MAIN_NEW_SPACE_MB = 8;

/** How much an old generation may grow after a full collection before the next: 30% (`--heap-growing-percent`). */
export const HEAP_GROWING_PERCENT = 30;

let observer: PerformanceObserver | undefined;

/** From now on, the flags above hold in this process (the language server only: they are the process's). */
export function boundServerHeap(): void {
  if (observer) return;
  observer = new PerformanceObserver(apply);
  observer.observe({ entryTypes: ['gc'] });
  apply();
}

/** A worker thread started, which reset V8's flags: they are set again at once, not at the next collection. */
export function reapplyHeapFlags(): void {
  if (observer) apply();
}

/** Sets the flags, every time: a worker that started may have reset them since the last time. */
function apply(): void {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!space) return;
  const factor = space.space_size >= MAIN_NEW_SPACE_MB * 2 ** 20 ? 1 : 2;
  v8.setFlagsFromString(`--semi-space-growth-factor=${factor} --heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
