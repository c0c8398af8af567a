// What the server sends unasked when what it shows changed: diagnostics (only those that changed
// since the last time), the request to fetch code lenses again, and runlens/indexChanged.

import { CodeLensRefreshRequest } from 'vscode-languageserver/node';
import { computeDiagnostics } from './diagnostics';
import { indexChangedNotification } from './ext';
import { ServerState } from './state';

/** Publishes the diagnostics of every file, sending only those that changed (edits re-run this on every keystroke). */
export function publishDiagnostics(state: ServerState): void {
  const { connection, session: s } = state;
  if (!s) return;
  try {
    const { byUri: next, failures } = computeDiagnostics(s, { relatedInformation: Boolean(state.capabilities.textDocument?.publishDiagnostics?.relatedInformation) });
    // Said once, not on every keystroke that publishes again.
    const failed = failures.join('\n');
    if (failed && failed !== state.lastFailures) connection.console.error(`runlens: ${failed}`);
    state.lastFailures = failed;
    for (const uri of state.published.keys()) if (!next.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    const sent = new Map<string, string>();
    for (const [uri, diagnostics] of next) {
      const json = JSON.stringify(diagnostics);
      sent.set(uri, json);
      // The version of the open document they were computed on, so a client can drop stale ones.
      if (state.published.get(uri) !== json) void connection.sendDiagnostics({ uri, version: state.documents.get(uri)?.version, diagnostics });
    }
    state.published = sent;
  } catch (err) {
    connection.console.error(`publishing diagnostics failed: ${(err as Error).stack ?? err}`);
  }
}

/** Has the client fetch code lenses again, if it can be asked (workspace/codeLens/refresh). */
export function refreshLenses(state: ServerState): void {
  if (state.capabilities.workspace?.codeLens?.refreshSupport) void state.connection.sendRequest(CodeLensRefreshRequest.type);
}

/** Recordings changed, or the baseline did (`recordings` empty): everything shown follows. */
export function indexChanged(state: ServerState, recordings: string[]): void {
  publishDiagnostics(state);
  state.connection.sendNotification(indexChangedNotification, { recordings });
  refreshLenses(state);
}
