// workspace/executeCommand: every command a lens or action carries runs here, on the server,
// because Neovim and Emacs fall back to the server for commands. Each returns its text, and shows
// it to the user through window/showMessage.

import { Connection, ExecuteCommandParams, MessageType } from 'vscode-languageserver/node';
import { hoverAt } from '../core/ide/hover';
import { relPathOf } from './convert';
import { Session } from './session';

/** Shows the numbers of a recorded function (the command of every lens). Arguments: [{ uri, fnKey }]. */
export const SHOW_DETAILS_COMMAND = 'runlens.showDetails';

export const COMMANDS = [SHOW_DETAILS_COMMAND];

export function executeCommand(session: Session, connection: Connection, params: ExecuteCommandParams): string | null {
  const [arg] = (params.arguments ?? []) as { uri?: unknown; fnKey?: unknown }[];
  switch (params.command) {
    case SHOW_DETAILS_COMMAND: {
      if (typeof arg?.uri !== 'string' || typeof arg.fnKey !== 'string') throw new Error(`${params.command}: expected [{ uri, fnKey }]`);
      const rel = relPathOf(session.root, arg.uri);
      const fn = session.index.snapshot().functions().get(arg.fnKey);
      const line = rel !== undefined && fn ? session.sourceIndex.locate(fn)?.location.line : undefined;
      const text = rel !== undefined && line !== undefined ? hoverAt(session.index.snapshot(), session.sourceIndex, rel, line) : undefined;
      if (!text) return null;
      connection.sendNotification('window/showMessage', { type: MessageType.Info, message: text });
      return text;
    }
    default:
      throw new Error(`unknown command ${params.command}`);
  }
}
