// Source text that changed: in the editor (textDocument/didOpen, didChange, didClose, didSave: an
// open document's text is what positions are computed from) and on disk behind its back (the
// watcher's report, or a file a request found changed). Each moves what is shown on the file.

import { TextDocument } from 'vscode-languageserver-textdocument';
import { relPathOf } from './convert';
import { publishDiagnostics, refreshLenses } from './publish';
import { ServerState } from './state';

/** A document was opened, or its text changed in the editor. */
export function documentChanged(state: ServerState, document: TextDocument): void {
  const s = state.session;
  const rel = s && relPathOf(s.root, document.uri);
  if (!s || rel === undefined) return;
  s.open.set(rel, document);
  s.textChanged(rel);
  publishDiagnostics(state);
}

/** A document was closed: the disk's text is the file's again. */
export function documentClosed(state: ServerState, document: TextDocument): void {
  const s = state.session;
  const rel = s && relPathOf(s.root, document.uri);
  if (!s || rel === undefined) return;
  s.open.delete(rel);
  s.textChanged(rel);
  state.indexer?.textChanged(rel);
  publishDiagnostics(state);
}

/** A document was saved: the workers, which read the disk, read it again. */
export function documentSaved(state: ServerState, document: TextDocument): void {
  const rel = state.session && relPathOf(state.session.root, document.uri);
  if (rel !== undefined) state.indexer?.textChanged(rel);
}

/** Source files changed on disk (the watcher): those read and not open are read again, and what is shown on them moves. */
export function sourceFilesChanged(state: ServerState, relPaths: string[]): void {
  const s = state.session;
  if (!s) return;
  // An open document's text is the editor's; files never read change nothing shown.
  const changed = relPaths.filter((rel) => !s.open.has(rel) && s.sourceIndex.hasRead(rel));
  if (changed.length === 0) return;
  for (const rel of changed) s.textChanged(rel);
  sourceMoved(state, changed);
}

/**
 * A request found a file changed on disk that the watcher has not reported (a change just
 * after the file was read, before its folder was watched): already read again here; the
 * workers and what was published follow, once the request is answered.
 */
export function staleFound(state: ServerState, relPath: string): void {
  if (state.staleFiles.push(relPath) > 1) return;
  setImmediate(() => {
    const files = state.staleFiles;
    state.staleFiles = [];
    sourceMoved(state, files);
  });
}

function sourceMoved(state: ServerState, relPaths: string[]): void {
  for (const rel of relPaths) state.indexer?.textChanged(rel);
  publishDiagnostics(state);
  refreshLenses(state);
}
