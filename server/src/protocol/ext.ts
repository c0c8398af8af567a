// The custom requests and notifications of runlens (server/LSP_EXTENSIONS.md), declared once as
// data: their methods, parameters and results. lsp/ext.ts makes the protocol library's message
// types of them, and the VS Code client imports this file too; it imports nothing.

/** `runlens/status` (request, client → server, no parameters): what the server knows and how fast it answers. */
export const STATUS_METHOD = 'runlens/status';

export interface HandlerTiming {
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface StatusResult {
  root: string;
  recordings: number;
  indexing: boolean;
  /** Recordings read so far of those found at start, while `indexing`; requests are answered from them meanwhile. */
  indexed: { done: number; total: number };
  /** Worker threads reading recordings (0: they are read on the main thread). */
  workers: number;
  /** Recordings being read at this moment (workspace-relative). */
  reading: string[];
  findings: number;
  /** The baseline compared with (.runlens/baseline.json): how many recordings it was made of; null without one. */
  baseline: { recordings: number } | null;
  /** Recent request timings per method (the last 1,000 of each). */
  timings: Record<string, HandlerTiming>;
}

/**
 * `runlens/indexChanged` (notification, server → client): recordings were added, replaced or
 * removed, or the baseline changed (clients refresh lenses).
 */
export const INDEX_CHANGED_METHOD = 'runlens/indexChanged';

export interface IndexChangedParams {
  /** The recordings (workspace-relative); none when only the baseline changed. */
  recordings: string[];
}
