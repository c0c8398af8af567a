// The real `runlens --stdio` binary, spoken to byte by byte: for tests that send what no
// well-behaved client sends (broken framing, bodies that are not messages, odd ids, floods) and
// check that every request is answered exactly once and that the server stays up. What the
// server writes is parsed strictly: anything on stdout that is not a well-framed JSON message is
// recorded as an output error. Waits are hang guards, generous enough for a busy machine
// (DEFAULT_TIMEOUT_MS); when the process ends, every wait still pending fails at once.

import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { BIN } from './cli';

export type Id = number | string;

/** How long a response or notification is waited for unless told: a hang guard, not a speed check. */
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ResponseError {
  code: number;
  message: string;
  data?: unknown;
}

export interface Message {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: ResponseError;
}

export interface Counts {
  /** Requests sent with an id the server must answer (a number or a string). */
  requests: number;
  answered: number;
  results: number;
  errors: number;
  /** Responses beyond the first to one id, and responses to ids never sent (id null aside). */
  extraResponses: number;
  /** Error responses with id null: what JSON-RPC 2.0 answers to a message it cannot take as a request. */
  nullIdErrors: number;
}

/** Copies a workspace fixture to a fresh temporary folder, leaving out its dependencies. */
export function copyWorkspaceWithoutDependencies(from: string, prefix = 'runlens-ws-'): string {
  const to = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
  return to;
}

/** Frames a body as the base protocol does: `Content-Length: N\r\n\r\n<body>`. */
export function frame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

/** A command that starts a server speaking over stdio instead of the repository's binary. */
export interface ServerCommand {
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

export class RawServer {
  readonly child: ChildProcess;
  readonly root: string;
  /** What the server wrote to stderr. */
  stderr = '';
  /** Anything on stdout that was not a well-framed JSON message. */
  readonly outputErrors: string[] = [];
  /** The methods of the requests the server sent, in order. */
  readonly requestsReceived: string[] = [];
  /** Every notification the server sent, in order. */
  readonly notifications: Message[] = [];
  /** Set when the process ended. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The initialize result, once initialized. */
  initializeResult: { capabilities: Record<string, unknown> } | undefined;

  /** When the last notification of each method arrived (Date.now()). */
  readonly lastNotificationAt = new Map<string, number>();

  private output = Buffer.alloc(0);
  private nextId = 1;
  private closing = false;
  /** Requests sent, by id key. */
  private readonly sent = new Map<string, { method: string }>();
  /** Responses received, by id key (responses with other ids are kept under their own key). */
  private readonly responses = new Map<string, Message[]>();
  private readonly responseWaiters = new Map<string, { resolve: (m: Message) => void; fail: (why: string) => void }>();
  private readonly notificationWaiters: { method: string; test: (params: unknown) => boolean; resolve: (params: unknown) => void; fail: (why: string) => void }[] = [];
  private readonly exitWaiters: (() => void)[] = [];
  private readonly ownGroup: boolean;

  private constructor(
    root: string,
    private readonly settings: unknown,
    command: ServerCommand | undefined,
    /** Requests of the server's that this client never answers, as a client that loses them. */
    private readonly ignoredRequests: string[] = [],
  ) {
    this.root = root;
    // Another command (`npx runlens --stdio`) runs in a process group of its own, so that kill()
    // ends the server too and not only the launcher that started it.
    this.child = command
      ? spawn(command.argv[0], command.argv.slice(1), { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: command.env, detached: true })
      : spawn(process.execPath, [BIN, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    this.ownGroup = command !== undefined;
    this.child.stdout!.on('data', (chunk: Buffer) => this.onOutput(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // A server that died leaves writes failing; the tests notice through `alive`.
    this.child.stdin!.on('error', () => undefined);
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const w of this.exitWaiters.splice(0)) w();
      // Nothing more will come: what is still awaited fails now rather than at its timeout.
      const why = `the server exited (${JSON.stringify(this.exited)})`;
      for (const w of [...this.responseWaiters.values()]) w.fail(why);
      for (const w of this.notificationWaiters.splice(0)) w.fail(why);
    });
  }

  /** Starts the binary (or `command`) on `root` without initializing it. */
  static spawn(root: string, options: { settings?: unknown; command?: ServerCommand; ignoredRequests?: string[] } = {}): RawServer {
    return new RawServer(root, options.settings ?? null, options.command, options.ignoredRequests);
  }

  /** Starts the binary (or `command`) on `root`, initializes it and waits for its first index. */
  static async start(root: string, options: { settings?: unknown; command?: ServerCommand } = {}): Promise<RawServer> {
    const server = RawServer.spawn(root, options);
    try {
      await server.initialize();
    } catch (err) {
      await server.kill();
      throw err;
    }
    return server;
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Whether the process ended without being asked to (shutdown and exit). */
  get crashed(): boolean {
    return this.exited !== undefined && !this.closing;
  }

  uri(relPath: string): string {
    return URI.file(path.join(this.root, relPath)).toString();
  }

  /**
   * `initialize` (with no client capabilities) and `initialized`; then, unless told not to, waits
   * until the first indexing is done (`runlens/status` says `indexing: false`; a
   * `runlens/indexChanged` may come earlier, for a change seen by the watcher meanwhile).
   */
  async initialize(options: { waitForIndex?: boolean; timeoutMs?: number; capabilities?: unknown } = {}): Promise<void> {
    const response = await this.request('initialize', { processId: process.pid, rootUri: URI.file(this.root).toString(), capabilities: options.capabilities ?? {}, workspaceFolders: null, initializationOptions: this.settings });
    if (response.error) throw new Error(`initialize failed: ${JSON.stringify(response.error)}`);
    this.initializeResult = response.result as RawServer['initializeResult'];
    this.notify('initialized', {});
    if (options.waitForIndex ?? true) await this.indexed(options.timeoutMs);
  }

  /** Waits until `runlens/status` says the first indexing is done. */
  async indexed(timeoutMs = 2 * DEFAULT_TIMEOUT_MS): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.request('runlens/status', undefined, { timeoutMs });
      if ((answer.result as { indexing?: unknown } | null)?.indexing === false) return;
      if (Date.now() > end) throw new Error(`still indexing after ${timeoutMs} ms: ${JSON.stringify(answer).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Writes bytes to the server as they are. */
  write(bytes: string | Buffer): void {
    if (this.alive) this.child.stdin!.write(bytes);
  }

  /** Writes one framed body. */
  sendBody(body: string | Buffer): void {
    this.write(frame(body));
  }

  notify(method: string, params?: unknown): void {
    this.sendBody(JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }));
  }

  /**
   * Sends a request that must be answered, framed as its own message, and resolves with its
   * response. `message` may override any member (a missing `jsonrpc`, odd params); the id is the
   * next number unless given. With `write: false` the framed bytes are returned instead of
   * written, so many requests can go out in one write.
   */
  request(method: string, params?: unknown, options: { id?: Id; message?: Record<string, unknown>; timeoutMs?: number } = {}): Promise<Message> {
    const { bytes, response } = this.prepareRequest(method, params, options);
    this.write(bytes);
    return response;
  }

  /** The bytes of a request and the promise of its response; write the bytes yourself. */
  prepareRequest(method: string, params?: unknown, options: { id?: Id; message?: Record<string, unknown>; timeoutMs?: number } = {}): { id: Id; bytes: Buffer; response: Promise<Message> } {
    const id = options.id ?? this.nextId++;
    const key = idKey(id);
    if (this.sent.has(key)) throw new Error(`request id ${JSON.stringify(id)} was already used`);
    this.sent.set(key, { method });
    const message: Record<string, unknown> = { jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }), ...options.message };
    const response = this.waitForResponse(id, options.timeoutMs);
    return { id, bytes: frame(JSON.stringify(message)), response };
  }

  /** Counts `id` as a request of `method` sent by hand (raw bytes), which must be answered. */
  expectAnswer(id: Id, method: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Message> {
    const key = idKey(id);
    if (this.sent.has(key)) throw new Error(`request id ${JSON.stringify(id)} was already used`);
    this.sent.set(key, { method });
    return this.waitForResponse(id, timeoutMs);
  }

  /** Resolves with the first response to `id` (already received or to come). */
  waitForResponse(id: Id, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Message> {
    const key = idKey(id);
    const got = this.responses.get(key);
    if (got?.length) return Promise.resolve(got[0]);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        this.responseWaiters.delete(key);
        reject(new Error(`no response to request ${JSON.stringify(id)} (${this.sent.get(key)?.method}): ${why}; stderr: ${this.stderr.slice(-2000)}`));
      };
      const timer = setTimeout(() => fail(`none within ${timeoutMs / 1000} s, server ${this.alive ? 'up' : `exited ${JSON.stringify(this.exited)}`}`), timeoutMs);
      if (!this.alive) return fail(`the server exited (${JSON.stringify(this.exited)})`);
      this.responseWaiters.set(key, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        fail,
      });
    });
  }

  /** Responses received for `id` (raw ids such as null or an object are keyed by their JSON). */
  responsesTo(id: unknown): Message[] {
    return this.responses.get(idKey(id)) ?? [];
  }

  /** Resolves with the params of the next notification of `method` that passes `test`. */
  waitForNotification<T>(method: string, test: (params: T) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        method,
        test: test as (params: unknown) => boolean,
        resolve: (params: unknown) => {
          clearTimeout(timer);
          resolve(params as T);
        },
        fail: (why: string) => {
          clearTimeout(timer);
          const at = this.notificationWaiters.indexOf(waiter);
          if (at !== -1) this.notificationWaiters.splice(at, 1);
          reject(new Error(`no ${method} came: ${why}`));
        },
      };
      const timer = setTimeout(() => waiter.fail(`none within ${timeoutMs / 1000} s; server ${this.alive ? 'up' : 'exited'}`), timeoutMs);
      if (!this.alive) return waiter.fail(`the server exited (${JSON.stringify(this.exited)})`);
      this.notificationWaiters.push(waiter);
    });
  }

  /** The diagnostics last published for each URI, leaving out URIs whose last were none. */
  diagnostics(): Map<string, unknown[]> {
    const latest = new Map<string, unknown[]>();
    for (const n of this.notifications) {
      if (n.method !== 'textDocument/publishDiagnostics') continue;
      const { uri, diagnostics } = n.params as { uri: string; diagnostics: unknown[] };
      latest.set(uri, diagnostics);
    }
    for (const [uri, list] of latest) if (!list.length) latest.delete(uri);
    return latest;
  }

  /** Counts of requests and responses so far. */
  counts(): Counts {
    let answered = 0;
    let results = 0;
    let errors = 0;
    let extraResponses = 0;
    for (const [key, list] of this.responses) {
      if (key === NULL_ID) continue;
      if (!this.sent.has(key)) {
        extraResponses += list.length;
        continue;
      }
      answered++;
      extraResponses += list.length - 1;
      if (list[0].error) errors++;
      else results++;
    }
    const nullIdErrors = (this.responses.get(NULL_ID) ?? []).filter((m) => m.error).length;
    return { requests: this.sent.size, answered, results, errors, extraResponses, nullIdErrors };
  }

  /** Ids of requests sent and not answered yet, with their methods. */
  unanswered(): string[] {
    return [...this.sent].filter(([key]) => !this.responses.has(key)).map(([key, { method }]) => `${key} (${method})`);
  }

  /** Responses to ids that were never sent, or more than one response to an id: both must never happen. */
  strayResponses(): string[] {
    const out: string[] = [];
    for (const [key, list] of this.responses) {
      if (key === NULL_ID) {
        const notErrors = list.filter((m) => !m.error || typeof m.error.code !== 'number');
        if (notErrors.length) out.push(`${notErrors.length} response(s) with id null that are not errors: ${JSON.stringify(notErrors[0]).slice(0, 200)}`);
      } else if (!this.sent.has(key)) out.push(`${list.length} response(s) to ${key}, never sent as a request: ${JSON.stringify(list[0]).slice(0, 200)}`);
      else if (list.length > 1) out.push(`${list.length} responses to ${key} (${this.sent.get(key)?.method})`);
    }
    return out;
  }

  /** `shutdown`, `exit`, and the process gone (killed after 30 s: a hang guard). Resolves with the exit status. */
  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.closing = true;
    if (this.alive) {
      try {
        await this.request('shutdown', undefined, { timeoutMs: 30_000 });
      } catch {
        // Deaf or dying: killed below.
      }
      this.notify('exit');
      const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
      const timer = setTimeout(() => this.kill(), 30_000);
      if (this.alive) await exited;
      clearTimeout(timer);
    }
    return this.exited!;
  }

  /** Ends the process at once (SIGKILL, by its pid) and waits for it to be gone. */
  async kill(): Promise<void> {
    this.closing = true;
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    if (this.ownGroup && this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    else this.child.kill('SIGKILL');
    await exited;
  }

  private onOutput(chunk: Buffer): void {
    this.output = Buffer.concat([this.output, chunk]);
    for (;;) {
      const end = this.output.indexOf('\r\n\r\n');
      if (end === -1) return;
      const header = this.output.subarray(0, end).toString('ascii');
      const match = /^Content-Length: (\d+)$/im.exec(header);
      if (!match) {
        this.outputErrors.push(`not a message header: ${JSON.stringify(header.slice(0, 200))}`);
        this.output = this.output.subarray(end + 4);
        continue;
      }
      const length = Number(match[1]);
      if (this.output.length < end + 4 + length) return;
      const body = this.output.subarray(end + 4, end + 4 + length).toString('utf8');
      this.output = this.output.subarray(end + 4 + length);
      let message: Message;
      try {
        message = JSON.parse(body) as Message;
      } catch {
        this.outputErrors.push(`not JSON: ${JSON.stringify(body.slice(0, 200))}`);
        continue;
      }
      this.onMessage(message);
    }
  }

  private onMessage(message: Message): void {
    if (typeof message.method === 'string' && message.id !== undefined) {
      this.requestsReceived.push(message.method);
      if (this.ignoredRequests.includes(message.method)) return;
      // A request from the server: answered as a client without capabilities would.
      const result = message.method === 'workspace/configuration' ? [this.settings] : null;
      this.sendBody(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      return;
    }
    if (typeof message.method === 'string') {
      this.notifications.push(message);
      this.lastNotificationAt.set(message.method, Date.now());
      for (const w of [...this.notificationWaiters]) {
        if (w.method === message.method && w.test(message.params)) {
          this.notificationWaiters.splice(this.notificationWaiters.indexOf(w), 1);
          w.resolve(message.params);
        }
      }
      return;
    }
    const key = idKey(message.id);
    const list = this.responses.get(key) ?? [];
    list.push(message);
    this.responses.set(key, list);
    const waiter = this.responseWaiters.get(key);
    if (waiter) {
      this.responseWaiters.delete(key);
      waiter.resolve(message);
    }
  }
}

const NULL_ID = 'raw:null';

/** A map key that tells 1 from "1". */
function idKey(id: unknown): string {
  return typeof id === 'number' ? `#${id}` : typeof id === 'string' ? JSON.stringify(id) : `raw:${JSON.stringify(id)}`;
}
