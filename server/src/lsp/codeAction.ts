// textDocument/codeAction: on each finding in the requested range, the eager-loading quick fix (an
// edit where it is certain, else a hint shown by a command), "ignore it here" (an ignore comment
// above the line, in the file's own syntax), and "show the repeated queries". Edits are worked out
// on the file's text as it is now (compared with the disk first: it may have changed behind the
// editor's back), and carry the open document's version where the client takes versioned edits,
// so that a client whose document moved on since does not apply them.

import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { diagnosticsByFile } from '../core/ide/diagnostics';
import { Finding } from '../core/findings/finding';
import { formatCount } from '../core/findings/format';
import { ignoreComment, ignoreEdit } from '../core/fixes/ignore';
import { fixOf } from '../core/fixes/index';
import { relPathOf, toRange, uriOf } from './convert';
import { Session } from './session';
import { commandOf, FindingPlace, SHOW_FIX_HINT_COMMAND, SHOW_REPEATED_QUERIES_COMMAND } from '../protocol/commands';

export function provideCodeActions(session: Session, params: CodeActionParams, options: { documentChanges: boolean }): CodeAction[] {
  const rel = relPathOf(session.root, params.textDocument.uri);
  if (rel === undefined) return [];
  if (params.context.only && !params.context.only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(`${CodeActionKind.QuickFix}.`))) return [];
  // Found by the attack of issue 15: a file changed on disk kept its old text here until a
  // document event, and edits made for the old lines, applied, overwrote other code.
  session.sourceIndex.refresh(rel);
  // An edit may be in another file than the finding (JPA's @EntityGraph goes on the repository
  // method): each edit names its own document and that document's version.
  const edit = (path: string, uri: string, edits: TextEdit[]): WorkspaceEdit => {
    const version = session.open.get(path)?.version ?? null;
    return options.documentChanges ? { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] } : { changes: { [uri]: edits } };
  };
  const findings = diagnosticsByFile(session.index.snapshot(), session.sourceIndex).get(rel)?.findings ?? [];
  const first = params.range.start.line + 1;
  const last = params.range.end.line + 1;
  const actions: CodeAction[] = [];
  for (const f of findings) {
    if (f.location.line > last || (f.location.endLine ?? f.location.line) < first) continue;
    const uri = uriOf(session.root, f.location.path);
    if (uri === undefined) continue;
    const diagnostics = matching(params.context.diagnostics, f);
    const at: FindingPlace = { path: f.location.path, line: f.location.line, rule: f.rule };
    let fix = fixOf(f, session.sourceIndex);
    if (fix?.edit && fix.edit.path !== f.location.path) {
      // Its file is read afresh too, as the finding's was above, and the fix made again on it.
      session.sourceIndex.refresh(fix.edit.path);
      fix = fixOf(f, session.sourceIndex);
    }
    const fixUri = fix?.edit && (fix.edit.path === f.location.path ? uri : uriOf(session.root, fix.edit.path));
    if (fix?.edit && fixUri) {
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics, isPreferred: true, edit: edit(fix.edit.path, fixUri, [TextEdit.replace(toRange(fix.edit.range), fix.edit.newText)]) });
    } else if (fix) {
      actions.push({ title: `${fix.title}: ${fix.hint}`, kind: CodeActionKind.QuickFix, diagnostics, command: commandOf(fix.title, SHOW_FIX_HINT_COMMAND, at) });
    }
    const text = session.sourceIndex.text(f.location.path);
    if (text !== undefined) {
      const ignore = ignoreEdit(f, text);
      const position = { line: ignore.line - 1, character: 0 };
      actions.push({ title: `Ignore ${f.rule} here (${ignoreComment(f.rule, f.location.path)})`, kind: CodeActionKind.QuickFix, diagnostics, edit: edit(f.location.path, uri, [TextEdit.insert(position, ignore.newText)]) });
    }
    if (f.related.length) {
      actions.push({ title: `Show the ${f.related.length === 1 ? 'repeated query' : `${formatCount(f.related.length)} repeated queries`}`, kind: CodeActionKind.QuickFix, diagnostics, command: commandOf('Show the repeated queries', SHOW_REPEATED_QUERIES_COMMAND, at) });
    }
  }
  return actions;
}

/** The client's diagnostics that are this finding (same rule and start line). */
function matching(diagnostics: Diagnostic[], f: Finding): Diagnostic[] {
  return diagnostics.filter((d) => d.code === f.rule && d.range.start.line === f.location.line - 1);
}
