// runlens/status (protocol/ext.ts): what the server knows (the workspace, the recordings indexed
// and being read, the findings, the baseline) and how fast it answers, from the handlers' timings.

import { StatusResult } from '../protocol/ext';
import { current, ServerState } from './state';

export function provideStatus(state: ServerState): StatusResult {
  const s = current(state);
  const snapshot = s.index.snapshot();
  const baseline = s.baseline ? { recordings: s.baseline.recordings } : null;
  const indexer = state.indexer;
  return { root: s.root, recordings: snapshot.nRecordings, indexing: s.indexing, indexed: s.indexed, workers: indexer?.workerCount ?? 0, reading: indexer?.reading() ?? [], findings: snapshot.findings().length, baseline, timings: state.handlers.summary() };
}
