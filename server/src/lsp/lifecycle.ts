// The server's life: `initialize` (the session for the workspace, the capabilities), `initialized`
// (the first indexing, then watching recordings, sources and the baseline), the baseline loaded
// again when it changes, and `shutdown` (the watchers and worker threads stopped). `exit` and stdin
// closing end the process in stdio.ts.

import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ErrorCodes,
  InitializeError,
  InitializeParams,
  InitializeResult,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { DEFAULT_BASELINE_PATH } from '../core/baseline/baseline';
import { resolveConfigWithProblems } from '../core/config';
import { formatCount, plural } from '../core/findings/format';
import { recordedFilesOf, rootProblem } from '../core/rootCheck';
import { formatProblem } from '../core/problem';
import { SourceParsers } from '../core/source/definitions';
import { baselineStamp, readBaselineFile, watchBaselineFile } from '../node/baselineFile';
import { packageVersion } from '../node/packageInfo';
import { RecordingIndexer } from '../node/recordingIndexer';
import { SourceWatcher } from '../node/sourceWatcher';
import { loadParsers } from '../node/treeSitter';
import { COMMAND_IDS } from '../protocol/commands';
import { pullConfiguration } from './configuration';
import { sourceFilesChanged, staleFound } from './documents';
import { indexChanged } from './publish';
import { Session } from './session';
import { current, log, ServerState } from './state';

/** How long the first indexing waits for the client to answer a request of the server's. */
const CLIENT_ANSWER_WAIT_MS = 2_000;

/** How long `shutdown` waits for the watcher and the worker threads to stop before it is answered anyway. */
const SHUTDOWN_WAIT_MS = 2_000;

/** `initialize`: once. A second one would switch the workspace under the first one's watcher and workers. */
export function initialize(state: ServerState, params: InitializeParams): Promise<InitializeResult> | ResponseError<InitializeError> {
  if (state.session) return new ResponseError(ErrorCodes.InvalidRequest, 'the server is already initialized');
  const result = state.handlers.wrap('initialize', { capabilities: {} } as InitializeResult, (p: InitializeParams) => setUp(state, p))(params);
  // An `initialized` came first: the indexing it asked for starts now, after the answer to
  // initialize is on its way (the server sends nothing before it), whether or not the client
  // sends `initialized` again (the second one is then ignored).
  if (state.initialized === 'early') {
    void result.then(() => {
      // The first indexing is due: a status request answered before it starts must not read as
      // one that is done (a test on a quiet machine asked in that turn and saw no lenses).
      if (state.session) state.session.indexing = true;
      setTimeout(() => void startIndexing(state), 0);
    });
  }
  return result;
}

/** `initialized`: the first indexing starts, unless it came before `initialize` (then it starts once initialized). */
export function initialized(state: ServerState): Promise<void> | undefined {
  if (!state.session) {
    // Before initialize there is no workspace to index. Taking it as the one `initialized`
    // (and failing) left the server never indexing: the real one was ignored as a second.
    if (state.initialized !== 'early') state.connection.console.warn('runlens: `initialized` came before `initialize`; the recordings are indexed once the server is initialized');
    state.initialized = 'early';
    return undefined;
  }
  return startIndexing(state);
}

/**
 * `shutdown`: answered once the watchers and worker threads stopped, or after SHUTDOWN_WAIT_MS
 * even when a worker thread cannot be stopped (one stuck in the system): the client then sends
 * `exit`, which ends the process whatever its threads do (node/endProcess.ts).
 */
export async function shutdown(state: ServerState): Promise<void> {
  await answerWithin(dispose(state), SHUTDOWN_WAIT_MS);
}

/** Stops watching and reading (the watchers, the worker threads); once, however often it is called. */
export function dispose(state: ServerState): Promise<void> {
  state.disposed ??= (async () => {
    state.stopWatchingBaseline?.();
    await state.sourceWatcher?.dispose();
    await state.indexer?.dispose();
  })();
  return state.disposed;
}

/**
 * (Re)reads .runlens/baseline.json, off this thread (node/baselineFile.ts); with `announce`,
 * re-publishes and has the lenses fetched again. Of loads that overlap, the last one started wins.
 */
export async function loadBaseline(state: ServerState, announce = true): Promise<void> {
  const s = current(state);
  const load = ++state.baselineLoads;
  // Taken before reading: a change while it is read is seen by the next poll.
  state.loadedBaselineStamp = baselineStamp(s.root);
  const { baseline, problems } = await readBaselineFile(s.root);
  if (load !== state.baselineLoads) return;
  s.baseline = baseline;
  s.baselineProblems = problems;
  for (const p of problems) state.connection.console.warn(`runlens: ${formatProblem(p)}; compared with nothing`);
  if (baseline) log(state, `runlens: comparing with the baseline of ${plural(baseline.recordings, 'recording')} in ${DEFAULT_BASELINE_PATH}`);
  if (announce) indexChanged(state, []);
}

/** The session for the workspace the client names, and what the server can do. */
async function setUp(state: ServerState, params: InitializeParams): Promise<InitializeResult> {
  state.capabilities = params.capabilities;
  const rootUri = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  const root = rootUri ? URI.parse(rootUri).fsPath : params.rootPath ?? process.cwd();
  state.initializationOptions = params.initializationOptions;
  const { config, ignored } = resolveConfigWithProblems(state.initializationOptions);
  for (const message of ignored) state.connection.console.warn(`runlens: configuration: ${message}`);
  let parsers: SourceParsers | undefined;
  try {
    parsers = await loadParsers();
  } catch (err) {
    state.connection.console.warn(`runlens: source parsers unavailable, using recorded lines: ${(err as Error).message}`);
  }
  state.session = new Session(root, config, parsers);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeLensProvider: { resolveProvider: true },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      executeCommandProvider: { commands: [...COMMAND_IDS] },
      callHierarchyProvider: true,
      workspaceSymbolProvider: true,
    },
    serverInfo: { name: 'runlens', version: packageVersion() },
  };
}

/** The first indexing, then watching: once per server, at the first `initialized` after `initialize`. */
function startIndexing(state: ServerState): Promise<void> {
  return state.handlers.wrapNotification<void>('initialized', () => firstIndexing(state))();
}

async function firstIndexing(state: ServerState): Promise<void> {
  if (state.initialized === 'taken' || !state.session) return; // once: a second one would start a second watcher and workers
  state.initialized = 'taken';
  const { connection, capabilities } = state;
  const s = current(state);
  // From here on: the awaits below (the client's answers, the baseline read) must not let a
  // status request see a first indexing that has not begun as one that is done.
  s.indexing = true;
  if (state.watch) {
    const watcher = new SourceWatcher(s.root, (relPaths) => sourceFilesChanged(state, relPaths), (message) => log(state, message));
    state.sourceWatcher = watcher;
    s.onDiskRead = (rel) => watcher.watch(rel);
  }
  s.onStaleFile = (rel) => staleFound(state, rel);
  if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) connection.client.register(DidChangeConfigurationNotification.type, { section: 'runlens' });
  // The first indexing waits a bounded time for the client's answers to the server's own
  // requests: a client may lose one (lsp-mode drops the messages that arrive in the same read
  // as the answer to one of its synchronous requests), and the recordings must be indexed all
  // the same. Settings that come late are applied then, and the recordings indexed again.
  const pulled = pullConfiguration(state);
  if ((await answerWithin(pulled, CLIENT_ANSWER_WAIT_MS)) === undefined) {
    pulled.then(
      (changed) => {
        if (changed) void state.indexer?.reindexAll();
      },
      () => undefined,
    );
  }
  await loadBaseline(state, false);
  if (state.watch) state.stopWatchingBaseline = watchBaselineFile(s.root, () => state.loadedBaselineStamp, () => void loadBaseline(state));
  const progress = capabilities.window?.workDoneProgress ? await answerWithin(connection.window.createWorkDoneProgress(), CLIENT_ANSWER_WAIT_MS) : undefined;
  progress?.begin('runlens: indexing recordings', 0, undefined, false);
  const started = Date.now();
  const indexer = new RecordingIndexer(s.root, () => s.config, () => s.sourceIndex, s.index, {
    progress: (n, of) => {
      s.indexed = { done: n, total: of };
      progress?.report(of ? Math.round((100 * n) / of) : 100, `${formatCount(n)}/${formatCount(of)} recordings`);
    },
    changed: (recordings) => indexChanged(state, recordings),
    log: (message) => log(state, message),
  });
  state.indexer = indexer;
  await indexer.start({ watch: state.watch });
  s.indexing = false;
  progress?.done();
  // Said once, as the CLI says it: an editor opened on the wrong folder shows little or nothing.
  // Before the line below, which clients (and tests) take as the end of the first indexing.
  const wrongRoot = rootProblem(recordedFilesOf(s.index.snapshot().summaries.values(), s.sourceIndex), `the workspace folder ${s.root}`);
  if (wrongRoot) {
    const said = `runlens: ${formatProblem(wrongRoot, { file: false })}`;
    connection.console.warn(said);
    // A notification (window/showMessage), not the library's showWarningMessage, which is a request awaiting a choice.
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: said });
  }
  const workers = indexer.workerCount;
  log(state, `runlens: indexed ${formatCount(s.indexed.total)} recordings in ${formatCount(Date.now() - started)} ms (${workers ? `${workers} worker threads` : 'on the main thread'})`);
}

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
