// workspace/symbol: recorded routes and tests (core/ide/symbols.ts) as symbols. A route is an
// Event (a request the application answers) at its handler's name; a test is a Method at its
// recorded place, with its recording as container.

import { SymbolInformation, SymbolKind, WorkspaceSymbolParams } from 'vscode-languageserver/node';
import { workspaceSymbols } from '../core/ide/symbols';
import { toRange, uriOf } from './convert';
import { Session } from './session';

/** The symbols whose file a URI can name: one at a path that is not well-formed Unicode is left out, never all. */
export function provideWorkspaceSymbols(session: Session, params: WorkspaceSymbolParams): SymbolInformation[] {
  const query = typeof params.query === 'string' ? params.query : '';
  const out: SymbolInformation[] = [];
  for (const s of workspaceSymbols(session.index.snapshot(), session.sourceIndex, query)) {
    const uri = uriOf(session.root, s.location.path);
    if (uri === undefined) continue;
    out.push({ name: s.name, kind: s.kind === 'route' ? SymbolKind.Event : SymbolKind.Method, location: { uri, range: toRange(s.location) }, containerName: s.container });
  }
  return out;
}
