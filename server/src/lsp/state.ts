// The state of one running server, in one object instead of closure variables: what the client
// said at initialize, the session (workspace, config, documents, indexes) once initialized, where
// the lifecycle is, what the first indexing started, and what was last published. lifecycle.ts,
// documents.ts, configuration.ts and publish.ts change it; the feature files read the session only.

import { ClientCapabilities, Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { RecordingIndexer } from '../node/recordingIndexer';
import { SourceWatcher } from '../node/sourceWatcher';
import { Handlers } from './handler';
import { Session } from './session';

export interface ServerOptions {
  /** Watch recordings for changes (tests may turn it off). */
  watch?: boolean;
}

export interface ServerState {
  readonly connection: Connection;
  /** The wrapper every handler runs in, and the timings it keeps. */
  readonly handlers: Handlers;
  /** Open documents, as the protocol library keeps them from the client's notifications. */
  readonly documents: TextDocuments<TextDocument>;
  /** Watch recordings, source files and the baseline for changes. */
  readonly watch: boolean;
  /** What the client can do, as it said at initialize. */
  capabilities: ClientCapabilities;
  /** Settings given at initialization; later settings are merged over them. */
  initializationOptions: unknown;
  /** The workspace and all that is known of it: set by the one `initialize` answered. */
  session: Session | undefined;
  /**
   * Where `initialized` is: not come yet; come before `initialize` (taken up once initialized);
   * or taken, the first indexing started (any later one is ignored: it would start a second
   * watcher and second workers).
   */
  initialized: 'not yet' | 'early' | 'taken';
  /** Reads recordings and watches them: started by the first indexing. */
  indexer: RecordingIndexer | undefined;
  /** Watches the folders of the source files read. */
  sourceWatcher: SourceWatcher | undefined;
  stopWatchingBaseline: (() => void) | undefined;
  /** The baseline file as it was when loaded (baselineStamp). */
  loadedBaselineStamp: string;
  /** Baseline loads started: only the latest one's result is kept. */
  baselineLoads: number;
  /** Files a request found changed on disk, to be taken up once it is answered. */
  staleFiles: string[];
  /** Published diagnostics by URI, as JSON, to send only what changed. */
  published: Map<string, string>;
  /** The files whose diagnostics failed, as last logged. */
  lastFailures: string;
  /** The clean-up (watchers, worker threads), once begun: by `shutdown`, `exit` or stdin closing. */
  disposed: Promise<void> | undefined;
}

export function newServerState(connection: Connection, options: ServerOptions): ServerState {
  return {
    connection,
    handlers: new Handlers(connection),
    documents: new TextDocuments(TextDocument),
    watch: options.watch ?? true,
    capabilities: {},
    initializationOptions: undefined,
    session: undefined,
    initialized: 'not yet',
    indexer: undefined,
    sourceWatcher: undefined,
    stopWatchingBaseline: undefined,
    loadedBaselineStamp: 'absent',
    baselineLoads: 0,
    staleFiles: [],
    published: new Map(),
    lastFailures: '',
    disposed: undefined,
  };
}

/** The session; throws before `initialize` (the handler wrapper then answers the empty result). */
export function current(state: ServerState): Session {
  if (!state.session) throw new Error('the server is not initialized');
  return state.session;
}

/** The session for a request: source files it uses are compared with the disk again (once each). */
export function fresh(state: ServerState): Session {
  const s = current(state);
  s.sourceIndex.revalidate();
  return s;
}

export function log(state: ServerState, message: string): void {
  state.connection.console.log(message);
}
