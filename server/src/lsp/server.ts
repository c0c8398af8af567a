// The language server's wiring: every `connection.onX` is here, one line per request or
// notification, naming the file that answers it (lifecycle.ts, documents.ts, configuration.ts, one
// file per feature), and nowhere else. Each handler runs inside Handlers.wrap, which times it and
// turns a failure into a logged error and an empty result. The server's state is one object
// (state.ts); what it sends unasked is in publish.ts. Nothing but protocol goes to stdout.

import { Connection } from 'vscode-languageserver/node';
import { prepareCallHierarchy, provideIncomingCalls, provideOutgoingCalls } from './callHierarchy';
import { provideCodeActions } from './codeAction';
import { provideCodeLenses, resolveCodeLens } from './codeLens';
import { executeCommand } from './commands';
import { configurationChanged } from './configuration';
import { documentChanged, documentClosed, documentSaved } from './documents';
import { statusRequest } from './ext';
import { provideHover } from './hover';
import { dispose, initialize, initialized, loadBaseline, shutdown } from './lifecycle';
import { fresh, newServerState, ServerOptions } from './state';
import { provideStatus } from './status';
import { provideWorkspaceSymbols } from './workspaceSymbol';

export type { ServerOptions } from './state';

/** A started server: what `exit` (or stdin closing) stops before the process ends. */
export interface RunningServer {
  /** Stops watching and reading (the watcher, the worker threads); once, however often it is called. */
  dispose(): Promise<void>;
}

export function startServer(connection: Connection, options: ServerOptions = {}): RunningServer {
  const state = newServerState(connection, options);
  const { handlers, documents } = state;

  // Lifecycle (lifecycle.ts). `exit` is taken before the library sees it (stdio.ts).
  connection.onInitialize((params) => initialize(state, params));
  connection.onInitialized(() => initialized(state));
  connection.onShutdown(() => shutdown(state));

  // Settings (configuration.ts).
  connection.onDidChangeConfiguration(handlers.wrapNotification('workspace/didChangeConfiguration', (params) => configurationChanged(state, params)));

  // Documents (documents.ts): textDocument/didOpen, didChange, didClose and didSave, as the
  // library's TextDocuments keeps them.
  documents.onDidOpen((e) => documentChanged(state, e.document));
  documents.onDidChangeContent((e) => documentChanged(state, e.document));
  documents.onDidClose((e) => documentClosed(state, e.document));
  documents.onDidSave((e) => documentSaved(state, e.document));
  documents.listen(connection);

  // Features, one file each: the method, the answer when the handler fails, the file that answers.
  connection.onCodeLens(handlers.wrap('textDocument/codeLens', [], (params) => provideCodeLenses(fresh(state), params)));
  connection.onCodeLensResolve(handlers.wrap('codeLens/resolve', null as never, (lens) => resolveCodeLens(fresh(state), lens)));
  connection.languages.callHierarchy.onPrepare(handlers.wrap('textDocument/prepareCallHierarchy', null, (params) => prepareCallHierarchy(fresh(state), params)));
  connection.languages.callHierarchy.onIncomingCalls(handlers.wrap('callHierarchy/incomingCalls', [], (params) => provideIncomingCalls(fresh(state), params)));
  connection.languages.callHierarchy.onOutgoingCalls(handlers.wrap('callHierarchy/outgoingCalls', [], (params) => provideOutgoingCalls(fresh(state), params)));
  connection.onWorkspaceSymbol(handlers.wrap('workspace/symbol', [], (params) => provideWorkspaceSymbols(fresh(state), params)));
  connection.onHover(handlers.wrap('textDocument/hover', null, (params) => provideHover(fresh(state), params)));
  connection.onCodeAction(handlers.wrap('textDocument/codeAction', [], (params) => provideCodeActions(fresh(state), params, { documentChanges: Boolean(state.capabilities.workspace?.workspaceEdit?.documentChanges) })));
  connection.onExecuteCommand(handlers.wrap('workspace/executeCommand', null, (params) => executeCommand(fresh(state), connection, params, { baselineSaved: () => loadBaseline(state) })));

  // The custom protocol (ext.ts, protocol/ext.ts).
  connection.onRequest(statusRequest, handlers.wrap('runlens/status', undefined as never, () => provideStatus(state)));

  return { dispose: () => dispose(state) };
}
