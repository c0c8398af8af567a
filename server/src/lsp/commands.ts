// workspace/executeCommand: every command a lens or action carries runs here, on the server,
// because Neovim and Emacs fall back to the server for commands (see server/LSP_EXTENSIONS.md).
// Each returns its text and shows it through window/showMessage; bad arguments throw, which the
// handler wrapper logs and answers with null. The commands, their arguments and their results are
// declared in protocol/commands.ts, which the VS Code client imports too.

import { formatProblem } from '../core/problem';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection, ExecuteCommandParams, MessageType } from 'vscode-languageserver/node';
import { renderCallTree, renderQueries } from '../core/ide/callTree';
import { diagnosticsByFile } from '../core/ide/diagnostics';
import { hoverAt } from '../core/ide/hover';
import { Finding } from '../core/findings/finding';
import { baselineOf, DEFAULT_BASELINE_PATH, describeBaseline } from '../core/baseline/baseline';
import { serializeBaseline } from '../core/baseline/serialize';
import { formatCount, plural } from '../core/findings/format';
import { writeUnderRoot } from '../node/baselineFile';
import { fixOf } from '../core/fixes/index';
import { normalizeRelative } from '../core/workspace';
import { readRecordingFile } from '../node/readRecordingFile';
import { isRecordingName, RECORDING_NAMES } from '../node/recordings';
import { confine } from '../node/workspaceFiles';
import { relPathOf } from './convert';
import { Session } from './session';
import { escapeText } from '../core/text';
import { COMMANDS, isCommandId, SAVE_BASELINE_COMMAND, SHOW_CALL_TREE_COMMAND, SHOW_DETAILS_COMMAND, SHOW_FIX_HINT_COMMAND, SHOW_QUERIES_COMMAND, SHOW_REPEATED_QUERIES_COMMAND } from '../protocol/commands';

/** What a command changed that the server must take up at once. */
export interface CommandEffects {
  /** Resolves once the saved baseline is loaded. */
  baselineSaved(): Promise<void>;
}

export async function executeCommand(session: Session, connection: Connection, params: ExecuteCommandParams, effects: CommandEffects): Promise<string | null> {
  const [arg] = (params.arguments ?? []) as Record<string, unknown>[];
  const text = await run(session, params.command, arg, effects);
  if (!text) return null;
  connection.sendNotification('window/showMessage', { type: MessageType.Info, message: text });
  return text;
}

async function run(session: Session, command: string, arg: Record<string, unknown> | undefined, effects: CommandEffects): Promise<string | undefined> {
  if (!isCommandId(command)) throw new Error(`unknown command ${command}`);
  // Every declared command (protocol/commands.ts) has its case: a missing one fails to compile.
  switch (command) {
    case SAVE_BASELINE_COMMAND: {
      const snapshot = session.index.snapshot();
      if (snapshot.nRecordings === 0) throw new Error(`${command}: no recordings indexed yet`);
      // The findings as the editor shows them: those silenced by an ignore comment are left out.
      const visible = [...diagnosticsByFile(snapshot, session.sourceIndex).values()].flatMap((d) => d.findings);
      const baseline = baselineOf(snapshot, { findings: visible });
      writeUnderRoot(session.root, DEFAULT_BASELINE_PATH, serializeBaseline(baseline));
      await effects.baselineSaved();
      return `Saved the baseline of ${plural(snapshot.nRecordings, 'recording')} to ${DEFAULT_BASELINE_PATH}: ${describeBaseline(baseline)}. Lenses and hovers now show the change since.`;
    }
    case SHOW_DETAILS_COMMAND: {
      if (typeof arg?.fnKey !== 'string' || (arg.uri !== undefined && typeof arg.uri !== 'string')) throw new Error(`${command}: expected ${COMMANDS[command].arguments}`);
      const fn = session.index.snapshot().functions().get(arg.fnKey);
      const location = fn && session.sourceIndex.locate(fn)?.location;
      // The function key is enough to find the function; a uri, where given, must agree with it.
      if (!location || (typeof arg.uri === 'string' && relPathOf(session.root, arg.uri) !== location.path)) return undefined;
      return hoverAt(session.index.snapshot(), session.sourceIndex, location.path, location.line, session.since());
    }
    case SHOW_CALL_TREE_COMMAND: {
      if (typeof arg?.recording !== 'string' || (arg.route !== undefined && typeof arg.route !== 'string')) throw new Error(`${command}: expected ${COMMANDS[command].arguments}`);
      const { abs, rel } = recordingFile(session.root, arg.recording);
      // Summaries keep no call tree (it would hold every recording in memory): the file is read again.
      const { trace, problems } = await readRecordingFile(abs, rel, { inside: session.root });
      const tree = renderCallTree(trace, { route: arg.route });
      if (tree === undefined) throw new Error(`${command}: ${arg.route} was not recorded in ${rel}`);
      return problems.length ? `${tree}\n\nProblems reading ${rel}:\n${problems.map((p) => `- ${formatProblem(p, { file: false })}`).join('\n')}` : tree;
    }
    case SHOW_REPEATED_QUERIES_COMMAND:
    case SHOW_FIX_HINT_COMMAND: {
      if (typeof arg?.path !== 'string' || typeof arg.line !== 'number' || typeof arg.rule !== 'string') throw new Error(`${command}: expected ${COMMANDS[command].arguments}`);
      const finding = findingAt(session, arg.path, arg.line, arg.rule);
      if (!finding) return undefined;
      if (command === SHOW_FIX_HINT_COMMAND) return fixOf(finding, session.sourceIndex)?.hint;
      return [`${finding.message} at ${arg.path}:${arg.line}${finding.scope ? ` (${finding.scope})` : ''}:`, ...finding.related.map((r) => `${formatCount(r.count)} × ${r.sql}`)].map(escapeText).join('\n');
    }
    case SHOW_QUERIES_COMMAND: {
      if (typeof arg?.fnKey !== 'string') throw new Error(`${command}: expected ${COMMANDS[command].arguments}`);
      const snapshot = session.index.snapshot();
      if (!snapshot.functions().has(arg.fnKey) && !(arg.fnKey.startsWith('route:') && snapshot.routes().has(arg.fnKey.slice(6)))) throw new Error(`${command}: ${arg.fnKey} was not recorded`);
      return renderQueries(arg.fnKey, snapshot.sqlOf(arg.fnKey));
    }
    default: {
      const undeclared: never = command;
      throw new Error(`unknown command ${String(undeclared)}`);
    }
  }
}

/**
 * The recording a command names, confined to the workspace: a relative path ending in
 * .appmap.json (or naming an OTLP trace) whose real path (symlinks resolved) stays inside the root. Commands come from the
 * client, and a client may be driven by anything, so nothing else is opened.
 */
function recordingFile(root: string, recording: string): { abs: string; rel: string } {
  const refuse = (why: string) => new Error(`${SHOW_CALL_TREE_COMMAND}: refused ${JSON.stringify(recording)}: ${why}`);
  const posix = recording.replace(/\\/g, '/');
  if (!isRecordingName(posix)) throw refuse(`not a recording (${RECORDING_NAMES})`);
  if (path.isAbsolute(recording) || posix.startsWith('/') || /^[A-Za-z]:/.test(posix)) throw refuse('not a workspace-relative path');
  const rel = normalizeRelative(posix);
  if (rel === undefined) throw refuse('outside the workspace');
  const confined = confine(root, path.join(root, rel));
  if (confined.kind === 'missing') throw refuse('no such file');
  const real = confined.kind === 'inside' ? confined.real : undefined;
  if (real === undefined || real === root || !isRecordingName(real) || !fs.statSync(real).isFile()) throw refuse('its real path is not a recording inside the workspace');
  return { abs: real, rel };
}

/** The finding of `rule` at `line` of `path`, at its current place. */
export function findingAt(session: Session, path: string, line: number, rule: string): Finding | undefined {
  return diagnosticsByFile(session.index.snapshot(), session.sourceIndex)
    .get(path)
    ?.findings.find((f) => f.rule === rule && f.location.line <= line && line <= (f.location.endLine ?? f.location.line));
}
