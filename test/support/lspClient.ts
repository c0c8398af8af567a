// An LSP client for tests: the real server in this process, connected by two streams, or the
// real binary as a child process over stdio. Notifications are collected so tests can wait for them.

import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { createConnection as createServerConnection, ProposedFeatures } from 'vscode-languageserver/node';
import {
  createProtocolConnection,
  InitializeParams,
  InitializeResult,
  ProtocolConnection,
  PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { startServer } from '../../server/src/lsp/server';

export interface TestClient {
  connection: ProtocolConnection;
  root: string;
  /** What the server answered to initialize (its capabilities, the commands it runs). */
  initializeResult: InitializeResult;
  uri(relPath: string): string;
  /** The latest diagnostics published for each URI. */
  diagnostics: Map<string, PublishDiagnosticsParams['diagnostics']>;
  logs: string[];
  /** Every `$/progress` notification, in order. */
  progress: unknown[];
  /** How many publishDiagnostics notifications arrived, per URI. */
  publishCount: Map<string, number>;
  /** How many notifications of each method arrived. */
  notificationCount: Map<string, number>;
  /** Resolves when a notification of `method` satisfying `test` arrives (or has arrived since `since`). */
  waitFor<T>(method: string, test?: (params: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Copies a folder (a workspace fixture) to a fresh temporary folder. */
export function copyWorkspace(from: string): string {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-ws-'));
  fs.cpSync(from, to, { recursive: true });
  return fs.realpathSync(to);
}

/** `waitForIndex: false` returns as soon as the server is initialized, before the first indexing ends. */
export async function startInProcess(root: string, init: Partial<InitializeParams> = {}, options: { watch?: boolean; waitForIndex?: boolean } = {}): Promise<TestClient> {
  const clientToServer = new PassThrough();
  const serverToClient = new PassThrough();
  // Message reader and writer, not raw streams: given streams, the library exits the process when they end.
  const server = createServerConnection(ProposedFeatures.all, new StreamMessageReader(clientToServer), new StreamMessageWriter(serverToClient));
  startServer(server, { watch: options.watch ?? true });
  server.listen();
  const connection = createProtocolConnection(new StreamMessageReader(serverToClient), new StreamMessageWriter(clientToServer));
  // Closing: `shutdown` stops the watcher; no `exit`, which would end this process.
  return connect(connection, root, init, { exit: false, onClose: async () => undefined }, options.waitForIndex ?? true);
}

export async function startChildProcess(bin: string, root: string, init: Partial<InitializeParams> = {}): Promise<TestClient & { child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client = await connect(connection, root, init, { exit: true, onClose: async () => {
    await new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      // Killed if it has not exited on its own after a while: a hang guard, generous for a busy machine.
      const timer = setTimeout(() => child.kill(), 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  } });
  return { ...client, child, stderr: () => stderr };
}

async function connect(connection: ProtocolConnection, root: string, init: Partial<InitializeParams>, ending: { exit: boolean; onClose: () => Promise<void> }, waitForIndex = true): Promise<TestClient> {
  const diagnostics = new Map<string, PublishDiagnosticsParams['diagnostics']>();
  const logs: string[] = [];
  const progress: unknown[] = [];
  const publishCount = new Map<string, number>();
  const notificationCount = new Map<string, number>();
  const waiters: { method: string; test: (p: unknown) => boolean; resolve: (p: unknown) => void; fail: (why: string) => void }[] = [];
  const notify = (method: string, params: unknown) => {
    notificationCount.set(method, (notificationCount.get(method) ?? 0) + 1);
    for (const w of [...waiters]) {
      if (w.method === method && w.test(params)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  };
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p.diagnostics);
    publishCount.set(p.uri, (publishCount.get(p.uri) ?? 0) + 1);
    notify('textDocument/publishDiagnostics', p);
  });
  connection.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
    notify('window/logMessage', p);
  });
  connection.onNotification('runlens/indexChanged', (p: unknown) => notify('runlens/indexChanged', p));
  connection.onNotification('window/showMessage', (p: unknown) => notify('window/showMessage', p));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('$/progress', (p: unknown) => {
    progress.push(p);
    notify('$/progress', p);
  });
  connection.onRequest('workspace/configuration', () => [init.initializationOptions ?? null]);
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const client: TestClient = {
    connection,
    root,
    initializeResult: { capabilities: {} },
    uri: (rel) => URI.file(path.join(root, rel)).toString(),
    diagnostics,
    logs,
    progress,
    publishCount,
    notificationCount,
    // The timeout is a hang guard, generous enough for a busy machine.
    waitFor<T>(method: string, test: (params: T) => boolean = () => true, timeoutMs = 60_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          method,
          test: test as (p: unknown) => boolean,
          resolve: (p: unknown) => (clearTimeout(timer), resolve(p as T)),
          fail: (why: string) => {
            clearTimeout(timer);
            if (waiters.includes(waiter)) waiters.splice(waiters.indexOf(waiter), 1);
            reject(new Error(`no ${method} came: ${why}; logs: ${logs.join(' | ')}`));
          },
        };
        const timer = setTimeout(() => waiter.fail(`none within ${timeoutMs / 1000} s`), timeoutMs);
        waiters.push(waiter);
      });
    },
    async close() {
      // What is still awaited will not come: it fails now, not at its timeout.
      for (const w of waiters.splice(0)) w.fail('the client was closed');
      try {
        await connection.sendRequest('shutdown');
        if (ending.exit) connection.sendNotification('exit');
      } catch {
        // Already gone.
      }
      await ending.onClose();
      connection.dispose();
    },
  };
  // The end of the first indexing is the server's "indexed N recordings" line, sent after its
  // diagnostics. Not the first runlens/indexChanged: a watcher batch (a link chokidar reports
  // while the folders are still being listed) can send one earlier, and on a busy machine did.
  const indexed = client.waitFor<{ message: string }>('window/logMessage', (p) => p.message.startsWith('runlens: indexed '));
  client.initializeResult = await connection.sendRequest<InitializeResult>('initialize', { processId: null, rootUri: URI.file(root).toString(), capabilities: {}, workspaceFolders: null, ...init });
  connection.sendNotification('initialized', {});
  if (waitForIndex) await indexed;
  else indexed.catch(() => undefined);
  return client;
}
