// workspace/symbol: recorded routes and tests (core/ide/symbols.ts) as symbols. A route is an
// Event (a request the application answers) at its handler's name; a test is a Method at its
// recorded place, with its recording as container.

import { SymbolInformation, SymbolKind, WorkspaceSymbolParams } from 'vscode-languageserver/node';
import { workspaceSymbols } from '../core/ide/symbols';
import { toRange, uriOf } from './convert';
import { Session } from './session';

export function provideWorkspaceSymbols(session: Session, params: WorkspaceSymbolParams): SymbolInformation[] {
  const query = typeof params.query === 'string' ? params.query : '';
  return workspaceSymbols(session.index.snapshot(), session.sourceIndex, query).map((s) => ({
    name: s.name,
    kind: s.kind === 'route' ? SymbolKind.Event : SymbolKind.Method,
    location: { uri: uriOf(session.root, s.location.path), range: toRange(s.location) },
    containerName: s.container,
  }));
}
