// textDocument/hover: the core's hover text for the line under the cursor, as markdown.

import { Hover, HoverParams, MarkupKind } from 'vscode-languageserver/node';
import { hoverAt } from '../core/ide/hover';
import { relPathOf } from './convert';
import { Session } from './session';

export function provideHover(session: Session, params: HoverParams): Hover | null {
  const rel = relPathOf(session.root, params.textDocument.uri);
  if (rel === undefined) return null;
  const text = hoverAt(session.index.snapshot(), session.sourceIndex, rel, params.position.line + 1, session.since());
  return text ? { contents: { kind: MarkupKind.Markdown, value: text } } : null;
}
