// The commands the server runs for workspace/executeCommand, declared once as data (as gopls's
// `command` package): each command's id, its arguments and its result. The server (lsp/commands.ts,
// and the lenses and quick fixes that carry commands) and the VS Code client import this file; it
// imports nothing, so the client compiles it alone, without the server.

/** Where a finding is: a workspace-relative path, a 1-based line in it, and the finding's rule. */
export interface FindingPlace {
  path: string;
  line: number;
  rule: string;
}

/**
 * Each command's arguments (the `arguments` of workspace/executeCommand: one object, or none)
 * and its result, the text it shows (null: nothing to show, or bad arguments, said in the log).
 */
export interface CommandSignatures {
  'runlens.showDetails': { arguments: [{ fnKey: string; uri?: string }]; result: string | null };
  'runlens.showCallTree': { arguments: [{ recording: string; route?: string }]; result: string | null };
  'runlens.showQueries': { arguments: [{ fnKey: string }]; result: string | null };
  'runlens.showRepeatedQueries': { arguments: [FindingPlace]; result: string | null };
  'runlens.showFixHint': { arguments: [FindingPlace]; result: string | null };
  'runlens.saveBaseline': { arguments: []; result: string | null };
}

export type CommandId = keyof CommandSignatures;
export type CommandArguments<C extends CommandId> = CommandSignatures[C]['arguments'];
export type CommandResult<C extends CommandId> = CommandSignatures[C]['result'];

/** Shows the numbers of a recorded function (the command of a function's lens). */
export const SHOW_DETAILS_COMMAND = 'runlens.showDetails' satisfies CommandId;
/** Shows the recorded call tree of a request or a recording (the command of a route's lens). */
export const SHOW_CALL_TREE_COMMAND = 'runlens.showCallTree' satisfies CommandId;
/** Shows the SQL shapes a function ran, most frequent first. */
export const SHOW_QUERIES_COMMAND = 'runlens.showQueries' satisfies CommandId;
/** Shows the repeated queries of the finding at a place (a quick fix's command). */
export const SHOW_REPEATED_QUERIES_COMMAND = 'runlens.showRepeatedQueries' satisfies CommandId;
/** Shows the hint of a fix that has no certain edit (a quick fix's command). */
export const SHOW_FIX_HINT_COMMAND = 'runlens.showFixHint' satisfies CommandId;
/** Saves the current recordings as the workspace's baseline, .runlens/baseline.json. */
export const SAVE_BASELINE_COMMAND = 'runlens.saveBaseline' satisfies CommandId;

/**
 * Every command, in the order the server lists them (executeCommandProvider.commands), with its
 * arguments as people read them (in the error a bad call logs); `[]`: none, so a client may offer
 * the command in its palette.
 */
export const COMMANDS: { readonly [C in CommandId]: { readonly arguments: string } } = {
  [SHOW_DETAILS_COMMAND]: { arguments: '[{ fnKey, uri? }]' },
  [SHOW_CALL_TREE_COMMAND]: { arguments: '[{ recording, route? }]' },
  [SHOW_QUERIES_COMMAND]: { arguments: '[{ fnKey }]' },
  [SHOW_REPEATED_QUERIES_COMMAND]: { arguments: '[{ path, line, rule }]' },
  [SHOW_FIX_HINT_COMMAND]: { arguments: '[{ path, line, rule }]' },
  [SAVE_BASELINE_COMMAND]: { arguments: '[]' },
};

/** The ids of every command, in the order of COMMANDS. */
export const COMMAND_IDS = Object.keys(COMMANDS) as CommandId[];

/** Whether `command` is one of the server's. */
export function isCommandId(command: string): command is CommandId {
  return Object.prototype.hasOwnProperty.call(COMMANDS, command);
}

/** A command as a lens or a quick fix carries it: its arguments are those its id takes. */
export function commandOf<C extends CommandId>(title: string, command: C, ...args: CommandArguments<C>): { title: string; command: C; arguments: CommandArguments<C> } {
  return { title, command, arguments: args };
}
