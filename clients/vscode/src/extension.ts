// The VS Code client of runlens: starts the language server bundled with the extension (or the
// build named by `runlens.server.path`) for the languages the AppMap agents record, and shows the
// text that the server's commands return in a read-only editor. Everything else (lenses,
// diagnostics, hovers, quick fixes, call hierarchy, commands) is vscode-languageclient's own.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  MessageType,
  NotificationType,
  RequestType0,
  ServerOptions,
  ShowMessageNotification,
  ShowMessageParams,
  TransportKind,
} from 'vscode-languageclient/node';
// The server's commands and custom methods, declared once for the server and its clients; they
// import nothing, and are compiled with this file (tsconfig.json), not bundled with the server.
import { CommandId, CommandResult, SHOW_DETAILS_COMMAND } from '../../../server/src/protocol/commands';
import { INDEX_CHANGED_METHOD, IndexChangedParams, STATUS_METHOD, StatusResult } from '../../../server/src/protocol/ext';

/** The languages of the AppMap agents (Python, Ruby, Java, Node), as VS Code names them. */
export const LANGUAGES = ['python', 'ruby', 'java', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact'];

/** `runlens/status` (server/LSP_EXTENSIONS.md): what the server knows and how fast it answers. */
const statusRequest = new RequestType0<StatusResult, void>(STATUS_METHOD);
/** `runlens/indexChanged`: recordings were added, replaced or removed (lenses are refreshed by the server's workspace/codeLens/refresh). */
const indexChangedNotification = new NotificationType<IndexChangedParams>(INDEX_CHANGED_METHOD);

/** Settings read by the extension itself; every other `runlens.*` setting goes to the server. */
const CLIENT_ONLY_SETTINGS = ['server', 'trace'];

/** Results of one line and at most this long stay in the server's notification, not a document. */
const SHORT_RESULT_CHARS = 200;

let running: { client: LanguageClient; done: Promise<void> } | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('runlens');
  const results = new ResultDocuments();
  context.subscriptions.push(
    output,
    results,
    vscode.workspace.registerTextDocumentContentProvider(ResultDocuments.scheme, results),
    vscode.commands.registerCommand('runlens.status', () => showStatus(output)),
    vscode.commands.registerCommand('runlens.restartServer', () => restart(context, output, results)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('runlens.server.path')) void restart(context, output, results);
    }),
  );
  await start(context, output, results);
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** The server module: `runlens.server.path` when set and present, else the bundled one. */
export function serverModule(context: vscode.ExtensionContext, output: vscode.OutputChannel): string {
  const bundled = context.asAbsolutePath(path.join('server', 'server', 'bin', 'runlens.js'));
  const configured = vscode.workspace.getConfiguration('runlens').get<string>('server.path', '').trim();
  if (!configured) return bundled;
  const module = path.resolve(configured.replace(/^~(?=$|[\\/])/, os.homedir()));
  if (fs.existsSync(module)) return module;
  const message = `runlens.server.path: ${module} does not exist; using the bundled server.`;
  output.appendLine(message);
  void vscode.window.showWarningMessage(message);
  return bundled;
}

/** The `runlens` settings the server reads (server/src/core/config.ts), as a plain object. */
export function serverSettings(): Record<string, unknown> {
  const settings = JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('runlens'))) as Record<string, unknown>;
  for (const key of CLIENT_ONLY_SETTINGS) delete settings[key];
  return settings;
}

async function start(context: vscode.ExtensionContext, output: vscode.OutputChannel, results: ResultDocuments): Promise<void> {
  const module = serverModule(context, output);
  output.appendLine(`runlens: starting ${module}`);
  const run = { module, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const commands = new CommandMessages();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...LANGUAGES.map((language) => ({ scheme: 'file', language })), { scheme: 'file', pattern: '**/*.appmap.json' }],
    // No `synchronize.configurationSection`: the server registers for the `runlens` section itself
    // (workspace/didChangeConfiguration), and a second registration would send every change twice.
    initializationOptions: serverSettings,
    outputChannel: output,
    diagnosticCollectionName: 'runlens',
    middleware: {
      executeCommand: async (command, args, next) => {
        let result: CommandResult<CommandId> | undefined;
        try {
          result = (await commands.around(() => next(command, args))) as CommandResult<CommandId>;
        } finally {
          commands.release(isLong(result) ? result : undefined);
        }
        await showResult(results, command, args, result);
        return result;
      },
    },
  };
  const client = new LanguageClient('runlens', 'runlens', serverOptions, clientOptions);
  // Replaces the client's own handler: the server sends each command's text as a message too.
  client.onNotification(ShowMessageNotification.type, (message) => commands.message(message));
  client.onNotification(indexChangedNotification, ({ recordings }) => output.appendLine(`runlens: ${plural(recordings.length, 'recording')} indexed or changed`));
  const done = client.start();
  running = { client, done };
  try {
    await done;
  } catch (err) {
    output.appendLine(`runlens: the server did not start: ${(err as Error).message}`);
    void vscode.window.showErrorMessage(`runlens: the server did not start (see the runlens output).`);
  }
}

async function stop(): Promise<void> {
  const current = running;
  running = undefined;
  if (!current) return;
  await current.done.catch(() => undefined);
  // A client whose start failed has nothing to stop (and stop() would throw).
  if (current.client.isRunning()) await current.client.dispose();
}

async function restart(context: vscode.ExtensionContext, output: vscode.OutputChannel, results: ResultDocuments): Promise<void> {
  await stop();
  await start(context, output, results);
}

async function showStatus(output: vscode.OutputChannel): Promise<StatusResult | undefined> {
  const client = running?.client;
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage('runlens: the server is not running (see the runlens output).');
    return undefined;
  }
  const status = await client.sendRequest(statusRequest);
  const summary = `runlens: ${plural(status.recordings, 'recording')}, ${plural(status.findings, 'finding')}${status.indexing ? ' (indexing)' : ''} in ${status.root}`;
  output.appendLine(summary);
  for (const [method, t] of Object.entries(status.timings)) {
    output.appendLine(`  ${method}: ${t.count} requests, ${t.errors} errors, p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms`);
  }
  void vscode.window.showInformationMessage(summary, 'Show Timings').then((choice) => choice && output.show(true));
  return status;
}

/** Opens a long command result in a read-only editor beside the code (short ones stay a notification). */
async function showResult(results: ResultDocuments, command: string, args: unknown[], result: CommandResult<CommandId> | undefined): Promise<void> {
  if (result === null || result === undefined || result === '') {
    void vscode.window.showInformationMessage(`${command}: no result (the runlens output says why).`);
    return;
  }
  if (!isLong(result)) return;
  const document = await vscode.workspace.openTextDocument(results.set(command, args, result));
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

function isLong(result: unknown): result is string {
  return typeof result === 'string' && (result.includes('\n') || result.length > SHORT_RESULT_CHARS);
}

/**
 * Holds the server's info messages while a command runs, so that the one repeating the command's
 * result is not shown as a notification as well when the result gets an editor of its own.
 */
class CommandMessages {
  private running = 0;
  private held: ShowMessageParams[] = [];

  async around<T>(execute: () => Promise<T> | T): Promise<T> {
    this.running++;
    try {
      return await execute();
    } finally {
      this.running--;
    }
  }

  message(message: ShowMessageParams): void {
    if (this.running > 0 && message.type === MessageType.Info) this.held.push(message);
    else show(message);
  }

  /** Shows the held messages except the one that is `shownElsewhere`. */
  release(shownElsewhere: string | undefined): void {
    const held = this.held;
    this.held = [];
    for (const message of held) if (message.message !== shownElsewhere) show(message);
  }
}

function show(message: ShowMessageParams): void {
  if (message.type === MessageType.Error) void vscode.window.showErrorMessage(message.message);
  else if (message.type === MessageType.Warning) void vscode.window.showWarningMessage(message.message);
  else void vscode.window.showInformationMessage(message.message);
}

/** Read-only documents (`runlens:` URIs) holding command results: markdown for details, else text. */
class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'runlens';
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(command: string, args: unknown[], text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: ResultDocuments.scheme, path: `/${resultTitle(command, args)}${command === SHOW_DETAILS_COMMAND ? '.md' : '.txt'}` });
    const key = uri.toString();
    const known = this.texts.has(key);
    this.texts.set(key, text);
    if (known) this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** A file name for a command's result, from what it was asked about. */
function resultTitle(command: string, args: unknown[]): string {
  const arg = (args[0] ?? {}) as Record<string, unknown>;
  const recording = typeof arg.recording === 'string' ? path.posix.basename(arg.recording) : undefined;
  const place = typeof arg.path === 'string' ? `${path.posix.basename(arg.path)}:${String(arg.line)}` : undefined;
  const about = [arg.fnKey, arg.route, recording, place]
    .filter((v) => typeof v === 'string' && v)
    .join(' ');
  const name = command.replace(/^runlens\.show/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  // The title is the URI's last path segment: a route's slashes become look-alike division slashes.
  return `${name}${about ? ` ${about}` : ''}`.replace(/[\\/]/g, '\u2215');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
