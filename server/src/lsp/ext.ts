// The custom protocol of runlens, declared once; described in server/LSP_EXTENSIONS.md.

import { NotificationType, RequestType0 } from 'vscode-languageserver/node';

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

/** `runlens/status`: what the server knows and how fast it answers. */
export const statusRequest = new RequestType0<StatusResult, void>('runlens/status');

/** `runlens/indexChanged`: recordings were added, replaced or removed, or the baseline changed (clients refresh lenses). */
export const indexChangedNotification = new NotificationType<{ recordings: string[] }>('runlens/indexChanged');
