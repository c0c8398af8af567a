// The language server: every `connection.onX` is wired here, and nowhere else. Handlers are thin
// (protocol in, core function, protocol out) and each runs inside Handlers.wrap, which times it
// and turns a failure into a logged error and an empty result. Nothing but protocol goes to stdout.

import {
  ClientCapabilities,
  CodeActionKind,
  CodeLensRefreshRequest,
  Connection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  InitializeParams,
  InitializeResult,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { DEFAULT_BASELINE_PATH } from '../core/baseline/baseline';
import { mergeSettings, resolveConfigWithProblems } from '../core/config';
import { formatCount, plural } from '../core/findings/format';
import { recordedFilesOf, rootProblem } from '../core/rootCheck';
import { SourceParsers } from '../core/source/definitions';
import { baselineStamp, readBaselineFile, watchBaselineFile } from '../node/baselineFile';
import { RecordingIndexer } from '../node/recordingIndexer';
import { SourceWatcher } from '../node/sourceWatcher';
import { packageVersion } from '../node/packageInfo';
import { loadParsers } from '../node/treeSitter';
import { prepareCallHierarchy, provideIncomingCalls, provideOutgoingCalls } from './callHierarchy';
import { provideCodeActions } from './codeAction';
import { provideCodeLenses } from './codeLens';
import { COMMANDS, executeCommand } from './commands';
import { relPathOf } from './convert';
import { computeDiagnostics } from './diagnostics';
import { indexChangedNotification, statusRequest } from './ext';
import { Handlers } from './handler';
import { provideHover } from './hover';
import { Session } from './session';
import { provideWorkspaceSymbols } from './workspaceSymbol';

export interface ServerOptions {
  /** Watch recordings for changes (tests may turn it off). */
  watch?: boolean;
}

/** How long the first indexing waits for the client to answer a request of the server's. */
const CLIENT_ANSWER_WAIT_MS = 2_000;

/** The answer to `request`, or undefined when it failed or `waitMs` passed without one. */
function answerWithin<T>(request: Promise<T>, waitMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), waitMs);
    const settle = (value: T | undefined) => {
      clearTimeout(timer);
      resolve(value);
    };
    request.then(settle, () => settle(undefined));
  });
}

/** A started server: what `exit` (or stdin closing) stops before the process ends. */
export interface RunningServer {
  /** Stops watching and reading (the watcher, the worker threads); once, however often it is called. */
  dispose(): Promise<void>;
}

/** How long `shutdown` waits for the watcher and the worker threads to stop before it is answered anyway. */
const SHUTDOWN_WAIT_MS = 2_000;

export function startServer(connection: Connection, options: ServerOptions = {}): RunningServer {
  const handlers = new Handlers(connection);
  const documents = new TextDocuments(TextDocument);
  let session: Session | undefined;
  let indexer: RecordingIndexer | undefined;
  let sourceWatcher: SourceWatcher | undefined;
  let capabilities: ClientCapabilities = {};
  /** Published diagnostics by URI, as JSON, to send only what changed. */
  let published = new Map<string, string>();
  /** The files whose diagnostics failed, as last logged. */
  let lastFailures = '';
  let parsers: SourceParsers | undefined;
  /** Settings given at initialization; later settings are merged over them. */
  let initializationOptions: unknown;
  let stopWatchingBaseline: (() => void) | undefined;
  let initializedSeen = false;
  /** An `initialized` came before `initialize`. */
  let initializedEarly = false;
  /** Files a request found changed on disk, to be taken up once it is answered. */
  let staleFiles: string[] = [];
  /** The baseline file as it was when loaded (baselineStamp). */
  let loadedBaselineStamp = 'absent';
  /** Baseline loads started: only the latest one's result is kept. */
  let baselineLoads = 0;

  const log = (message: string) => connection.console.log(message);

  const initialize = handlers.wrap('initialize', { capabilities: {} } as InitializeResult, async (params: InitializeParams): Promise<InitializeResult> => {
    capabilities = params.capabilities;
    const rootUri = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    const root = rootUri ? URI.parse(rootUri).fsPath : params.rootPath ?? process.cwd();
    initializationOptions = params.initializationOptions;
    const { config, ignored } = resolveConfigWithProblems(initializationOptions);
    for (const message of ignored) connection.console.warn(`runlens: configuration: ${message}`);
    try {
      parsers = await loadParsers();
    } catch (err) {
      connection.console.warn(`runlens: source parsers unavailable, using recorded lines: ${(err as Error).message}`);
    }
    session = new Session(root, config, parsers);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: COMMANDS },
        callHierarchyProvider: true,
        workspaceSymbolProvider: true,
      },
      serverInfo: { name: 'runlens', version: packageVersion() },
    };
  });
  // A second initialize would switch the workspace under the first one's watcher and workers.
  connection.onInitialize((params) => {
    if (session) return new ResponseError(ErrorCodes.InvalidRequest, 'the server is already initialized');
    const result = initialize(params);
    // An `initialized` came first: the indexing it asked for starts now, after the answer to
    // initialize is on its way (the server sends nothing before it), whether or not the client
    // sends `initialized` again (the second one is then ignored).
    if (initializedEarly) void result.then(() => setTimeout(() => void startIndexing(undefined), 0));
    return result;
  });

  connection.onInitialized(() => {
    if (!session) {
      // Before initialize there is no workspace to index. Taking it as the one `initialized`
      // (and failing) left the server never indexing: the real one was ignored as a second.
      if (!initializedEarly) connection.console.warn('runlens: `initialized` came before `initialize`; the recordings are indexed once the server is initialized');
      initializedEarly = true;
      return;
    }
    return startIndexing(undefined);
  });

  /** The first indexing, then watching: once per server, at the first `initialized` after `initialize`. */
  const startIndexing = handlers.wrapNotification<unknown>('initialized', async () => {
    if (initializedSeen || !session) return; // once: a second one would start a second watcher and workers
    initializedSeen = true;
    const s = current();
    // From here on: the awaits below (the client's answers, the baseline read) must not let a
    // status request see a first indexing that has not begun as one that is done.
    s.indexing = true;
    if (options.watch ?? true) {
      const watcher = new SourceWatcher(s.root, (relPaths) => sourceFilesChanged(relPaths), log);
      sourceWatcher = watcher;
      s.onDiskRead = (rel) => watcher.watch(rel);
    }
    s.onStaleFile = (rel) => staleFound(rel);
    if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) connection.client.register(DidChangeConfigurationNotification.type, { section: 'runlens' });
    // The first indexing waits a bounded time for the client's answers to the server's own
    // requests: a client may lose one (lsp-mode drops the messages that arrive in the same read
    // as the answer to one of its synchronous requests), and the recordings must be indexed all
    // the same. Settings that come late are applied then, and the recordings indexed again.
    const pulled = pullConfiguration();
    if ((await answerWithin(pulled, CLIENT_ANSWER_WAIT_MS)) === undefined) {
      pulled.then(
        (changed) => {
          if (changed) void indexer?.reindexAll();
        },
        () => undefined,
      );
    }
    await loadBaseline(false);
    if (options.watch ?? true) stopWatchingBaseline = watchBaselineFile(s.root, () => loadedBaselineStamp, () => void loadBaseline());
    const progress = capabilities.window?.workDoneProgress ? await answerWithin(connection.window.createWorkDoneProgress(), CLIENT_ANSWER_WAIT_MS) : undefined;
    progress?.begin('runlens: indexing recordings', 0, undefined, false);
    const started = Date.now();
    indexer = new RecordingIndexer(s.root, () => s.config, () => s.sourceIndex, s.index, {
      progress: (n, of) => {
        s.indexed = { done: n, total: of };
        progress?.report(of ? Math.round((100 * n) / of) : 100, `${formatCount(n)}/${formatCount(of)} recordings`);
      },
      changed: (recordings) => indexChanged(recordings),
      log,
    });
    const done = indexer.start({ watch: options.watch ?? true });
    await done;
    s.indexing = false;
    progress?.done();
    // Said once, as the CLI says it: an editor opened on the wrong folder shows little or nothing.
    // Before the line below, which clients (and tests) take as the end of the first indexing.
    const wrongRoot = rootProblem(recordedFilesOf(s.index.snapshot().summaries.values(), s.sourceIndex), `the workspace folder ${s.root}`);
    if (wrongRoot) {
      connection.console.warn(`runlens: ${wrongRoot.message}`);
      // A notification (window/showMessage), not the library's showWarningMessage, which is a request awaiting a choice.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `runlens: ${wrongRoot.message}` });
    }
    const workers = indexer.workerCount;
    log(`runlens: indexed ${formatCount(s.indexed.total)} recordings in ${formatCount(Date.now() - started)} ms (${workers ? `${workers} worker threads` : 'on the main thread'})`);
  });

  connection.onDidChangeConfiguration(
    handlers.wrapNotification('workspace/didChangeConfiguration', async (params) => {
      const settings = (params.settings as { runlens?: unknown } | undefined)?.runlens;
      // Clients send this right after connecting too (eglot): only a real change re-reads anything.
      const changed = settings !== undefined ? applyConfig(settings) : await pullConfiguration();
      if (changed) await indexer?.reindexAll();
    }),
  );

  connection.onCodeLens(handlers.wrap('textDocument/codeLens', [], (params) => provideCodeLenses(fresh(), params)));
  connection.languages.callHierarchy.onPrepare(handlers.wrap('textDocument/prepareCallHierarchy', null, (params) => prepareCallHierarchy(fresh(), params)));
  connection.languages.callHierarchy.onIncomingCalls(handlers.wrap('callHierarchy/incomingCalls', [], (params) => provideIncomingCalls(fresh(), params)));
  connection.languages.callHierarchy.onOutgoingCalls(handlers.wrap('callHierarchy/outgoingCalls', [], (params) => provideOutgoingCalls(fresh(), params)));
  connection.onWorkspaceSymbol(handlers.wrap('workspace/symbol', [], (params) => provideWorkspaceSymbols(fresh(), params)));
  connection.onHover(handlers.wrap('textDocument/hover', null, (params) => provideHover(fresh(), params)));
  connection.onCodeAction(
    handlers.wrap('textDocument/codeAction', [], (params) => provideCodeActions(fresh(), params, { documentChanges: Boolean(capabilities.workspace?.workspaceEdit?.documentChanges) })),
  );
  connection.onExecuteCommand(handlers.wrap('workspace/executeCommand', null, (params) => executeCommand(fresh(), connection, params, { baselineSaved: () => loadBaseline() })));
  connection.onRequest(
    statusRequest,
    handlers.wrap('runlens/status', undefined as never, () => {
      const s = current();
      const snapshot = s.index.snapshot();
      const baseline = s.baseline ? { recordings: s.baseline.recordings } : null;
      return { root: s.root, recordings: snapshot.nRecordings, indexing: s.indexing, indexed: s.indexed, workers: indexer?.workerCount ?? 0, reading: indexer?.reading() ?? [], findings: snapshot.findings().length, baseline, timings: handlers.summary() };
    }),
  );

  // Open documents: their text is what positions are computed from.
  documents.onDidOpen((e) => textChanged(e.document));
  documents.onDidChangeContent((e) => textChanged(e.document));
  documents.onDidClose((e) => {
    const s = session;
    const rel = s && relPathOf(s.root, e.document.uri);
    if (!s || rel === undefined) return;
    s.open.delete(rel);
    s.textChanged(rel);
    indexer?.textChanged(rel);
    publishDiagnostics();
  });
  documents.onDidSave((e) => {
    const rel = session && relPathOf(session.root, e.document.uri);
    if (rel !== undefined) indexer?.textChanged(rel);
  });
  documents.listen(connection);

  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> => {
    disposed ??= (async () => {
      stopWatchingBaseline?.();
      await sourceWatcher?.dispose();
      await indexer?.dispose();
    })();
    return disposed;
  };
  // Answered even when a worker thread cannot be stopped (one stuck in the system): the client
  // then sends `exit`, which ends the process whatever its threads do (node/endProcess.ts).
  connection.onShutdown(async () => {
    await answerWithin(dispose(), SHUTDOWN_WAIT_MS);
  });

  return { dispose };

  function current(): Session {
    if (!session) throw new Error('the server is not initialized');
    return session;
  }

  /** The session for a request: source files it uses are compared with the disk again (once each). */
  function fresh(): Session {
    const s = current();
    s.sourceIndex.revalidate();
    return s;
  }

  /** Source files changed on disk (the watcher): those read and not open are read again, and what is shown on them moves. */
  function sourceFilesChanged(relPaths: string[]): void {
    const s = session;
    if (!s) return;
    // An open document's text is the editor's; files never read change nothing shown.
    const changed = relPaths.filter((rel) => !s.open.has(rel) && s.sourceIndex.hasRead(rel));
    if (changed.length === 0) return;
    for (const rel of changed) s.textChanged(rel);
    sourceMoved(changed);
  }

  /**
   * A request found a file changed on disk that the watcher has not reported (a change just
   * after the file was read, before its folder was watched): already read again here; the
   * workers and what was published follow, once the request is answered.
   */
  function staleFound(relPath: string): void {
    if (staleFiles.push(relPath) > 1) return;
    setImmediate(() => {
      const files = staleFiles;
      staleFiles = [];
      sourceMoved(files);
    });
  }

  function sourceMoved(relPaths: string[]): void {
    for (const rel of relPaths) indexer?.textChanged(rel);
    publishDiagnostics();
    if (capabilities.workspace?.codeLens?.refreshSupport) void connection.sendRequest(CodeLensRefreshRequest.type);
  }

  function textChanged(document: TextDocument): void {
    const s = session;
    const rel = s && relPathOf(s.root, document.uri);
    if (!s || rel === undefined) return;
    s.open.set(rel, document);
    s.textChanged(rel);
    publishDiagnostics();
  }

  /**
   * (Re)reads .runlens/baseline.json, off this thread (node/baselineFile.ts); with `announce`,
   * re-publishes and has the lenses fetched again. Of loads that overlap, the last one started wins.
   */
  async function loadBaseline(announce = true): Promise<void> {
    const s = current();
    const load = ++baselineLoads;
    // Taken before reading: a change while it is read is seen by the next poll.
    loadedBaselineStamp = baselineStamp(s.root);
    const { baseline, problems } = await readBaselineFile(s.root);
    if (load !== baselineLoads) return;
    s.baseline = baseline;
    s.baselineProblems = problems;
    for (const p of problems) connection.console.warn(`runlens: ${p.file}: ${p.message}; compared with nothing`);
    if (baseline) log(`runlens: comparing with the baseline of ${plural(baseline.recordings, 'recording')} in ${DEFAULT_BASELINE_PATH}`);
    if (announce) indexChanged([]);
  }

  function indexChanged(recordings: string[]): void {
    publishDiagnostics();
    connection.sendNotification(indexChangedNotification, { recordings });
    if (capabilities.workspace?.codeLens?.refreshSupport) void connection.sendRequest(CodeLensRefreshRequest.type);
  }

  function publishDiagnostics(): void {
    const s = session;
    if (!s) return;
    try {
      const { byUri: next, failures } = computeDiagnostics(s, { relatedInformation: Boolean(capabilities.textDocument?.publishDiagnostics?.relatedInformation) });
      // Said once, not on every keystroke that publishes again.
      const failed = failures.join('\n');
      if (failed && failed !== lastFailures) connection.console.error(`runlens: ${failed}`);
      lastFailures = failed;
      // Only what changed is sent: edits re-run this on every keystroke.
      for (const uri of published.keys()) if (!next.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      const sent = new Map<string, string>();
      for (const [uri, diagnostics] of next) {
        const json = JSON.stringify(diagnostics);
        sent.set(uri, json);
        // The version of the open document they were computed on, so a client can drop stale ones.
        if (published.get(uri) !== json) void connection.sendDiagnostics({ uri, version: documents.get(uri)?.version, diagnostics });
      }
      published = sent;
    } catch (err) {
      connection.console.error(`publishing diagnostics failed: ${(err as Error).stack ?? err}`);
    }
  }

  async function pullConfiguration(): Promise<boolean> {
    if (!capabilities.workspace?.configuration) return false;
    const [settings] = await connection.workspace.getConfiguration([{ section: 'runlens' }]);
    return settings !== null && settings !== undefined && applyConfig(settings);
  }

  /** Applies settings over the initialization options; says whether the config changed. */
  function applyConfig(settings: unknown): boolean {
    const { config, ignored } = resolveConfigWithProblems(mergeSettings(initializationOptions, settings));
    for (const message of ignored) connection.console.warn(`runlens: configuration: ${message}`);
    return current().setConfig(config);
  }
}
