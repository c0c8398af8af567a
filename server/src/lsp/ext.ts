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
  findings: number;
  /** Recent request timings per method (the last 1,000 of each). */
  timings: Record<string, HandlerTiming>;
}

/** `runlens/status`: what the server knows and how fast it answers. */
export const statusRequest = new RequestType0<StatusResult, void>('runlens/status');

/** `runlens/indexChanged`: recordings were added, replaced or removed (clients refresh lenses). */
export const indexChangedNotification = new NotificationType<{ recordings: string[] }>('runlens/indexChanged');
