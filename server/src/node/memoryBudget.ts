// How much of the heap one recording may take while it is read: a share of this thread's heap
// limit (a worker thread has its own), so that a recording too large for memory is a problem on
// that recording, never a process or a worker that runs out of heap. The rest of the heap is for
// what is made from the trace (findings, statistics, a summary) and for everything else.

import * as v8 from 'node:v8';
import { ReadOptions } from '../core/appmap/read';
import { formatCount } from '../core/findings/format';

/**
 * The share of the heap limit that a recording's trace, and what the reader reserves for its
 * analysis (core/appmap/read.ts, RETAINED), may take. Analysing a trace of calls (scopes,
 * statistics, findings) takes up to about as much again while it runs; the rest is the parser's
 * buffers, the CLI's findings so far, a worker's source index, and V8's own slack. Measured with
 * a heap of 64 MB (`--max-old-space-size`): every pathological shape of test/fuzz/inputs.ts, at
 * 30 to 136 MB, is read or stopped with a problem, by the CLI and by the server's workers, where
 * 40% let the analysis of an N+1 of 150,000 queries in one request run out of heap. With Node's
 * default heap on a 24 GB machine (4,144 MB) the limit is 1,243 MB, and the bench's 1 GB N+1
 * recording (2.76 million calls), counted at 889 MB, is read whole.
 */
export const TRACE_SHARE_OF_HEAP = 0.3;

/** The read options that bound a trace by this thread's heap. */
export function recordingReadOptions(): ReadOptions {
  const heapBytes = v8.getHeapStatistics().heap_size_limit;
  return {
    maxRetainedBytes: Math.floor(TRACE_SHARE_OF_HEAP * heapBytes),
    maxRetainedWhy: `${Math.round(TRACE_SHARE_OF_HEAP * 100)}% of the heap limit of ${formatCount(Math.round(heapBytes / 2 ** 20))} MB; a larger heap reads more: NODE_OPTIONS=--max-old-space-size=<MB>`,
  };
}
