// textDocument/codeLens: the core's lenses for a file, as protocol lenses whose command shows the
// function's details, or for a route's lens the call tree of its slowest request (commands the
// server runs itself, see commands.ts). Two lenses on a line never run the same command.

import { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { codeLenses } from '../core/ide/codeLens';
import { relPathOf } from './convert';
import { Session } from './session';
import { commandOf, SHOW_CALL_TREE_COMMAND, SHOW_DETAILS_COMMAND } from '../protocol/commands';

export function provideCodeLenses(session: Session, params: CodeLensParams): CodeLens[] {
  if (!session.config.lenses) return [];
  const rel = relPathOf(session.root, params.textDocument.uri);
  if (rel === undefined) return [];
  return codeLenses(session.index.snapshot(), session.sourceIndex, rel, session.since()).map((lens) => {
    const position = { line: lens.line - 1, character: lens.column - 1 };
    return {
      range: { start: position, end: position },
      command: lens.route ? commandOf(lens.title, SHOW_CALL_TREE_COMMAND, lens.route) : commandOf(lens.title, SHOW_DETAILS_COMMAND, { fnKey: lens.fnKey }),
    };
  });
}
