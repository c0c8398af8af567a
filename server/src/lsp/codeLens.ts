// textDocument/codeLens and codeLens/resolve: the core's lenses for a file, as protocol lenses whose
// command shows the function's details, or for a route's lens the call tree of its slowest request
// (commands the server runs itself, see commands.ts). Two lenses on a line never run the same
// command. A file with more than LENSES_WITH_TITLES lenses gets them without their command (the
// title): the editor asks for those it shows with codeLens/resolve, so a file of hundreds of
// functions costs an answer of a third of the size, and titles only for what is on screen.

import { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { codeLenses, Lens, lensAgain } from '../core/ide/codeLens';
import { relPathOf } from './convert';
import { Session } from './session';
import { commandOf, SHOW_CALL_TREE_COMMAND, SHOW_DETAILS_COMMAND } from '../protocol/commands';

/**
 * Lenses of a file sent whole, titles and commands; above this, each is resolved on request.
 * Editors resolve a lens that comes without a command: VS Code and Neovim 0.12 those on screen,
 * Neovim 0.10 all of them, one request each (its runtime's vim/lsp/codelens.lua; lsp-mode resolves
 * too, not checked here); eglot shows no lenses. A file of this many lenses or fewer (every one in
 * the tests and the editors' end-to-end tests) is answered as before, titles included.
 */
export const LENSES_WITH_TITLES = 100;

/** What an unresolved lens carries: its function key, and the route if it is a route's lens. */
type LensData = [fnKey: string] | [fnKey: string, route: string];

export function provideCodeLenses(session: Session, params: CodeLensParams): CodeLens[] {
  if (!session.config.lenses) return [];
  const rel = relPathOf(session.root, params.textDocument.uri);
  if (rel === undefined) return [];
  const lenses = codeLenses(session.index.snapshot(), session.sourceIndex, rel, session.since());
  const whole = lenses.length <= LENSES_WITH_TITLES;
  return lenses.map((lens) => {
    const position = { line: lens.line - 1, character: lens.column - 1 };
    const range = { start: position, end: position };
    if (whole) return { range, command: commandOfLens(lens) };
    const data: LensData = lens.route ? [lens.fnKey, lens.route.route] : [lens.fnKey];
    return { range, data };
  });
}

/**
 * A lens sent without its command, with it: computed now, from the current recordings. A lens of a
 * function or route recorded no more gets a command that does nothing, titled so (the server has
 * asked the editor for the file's lenses again, workspace/codeLens/refresh, where it can).
 */
export function resolveCodeLens(session: Session, lens: CodeLens): CodeLens {
  if (lens.command) return lens;
  const data = lens.data as unknown;
  const valid = Array.isArray(data) && (data.length === 1 || data.length === 2) && data.every((d) => typeof d === 'string');
  if (!valid) throw new Error('codeLens/resolve: the lens is not one of this server\'s (its data is not [fnKey, route?])');
  const [fnKey, route] = data as LensData;
  const again = lensAgain(session.index.snapshot(), fnKey, route, session.since());
  if (!again) return { range: lens.range, data: lens.data, command: { title: 'not recorded any more', command: '' } };
  return { range: lens.range, data: lens.data, command: commandOfLens({ ...again, fnKey }) };
}

function commandOfLens(lens: Pick<Lens, 'title' | 'route' | 'fnKey'>): NonNullable<CodeLens['command']> {
  return lens.route ? commandOf(lens.title, SHOW_CALL_TREE_COMMAND, lens.route) : commandOf(lens.title, SHOW_DETAILS_COMMAND, { fnKey: lens.fnKey });
}
