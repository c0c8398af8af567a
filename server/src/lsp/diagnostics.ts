// textDocument/publishDiagnostics: findings on their current lines (open files or not), with the
// rule id as code, and problems of broken recordings on the recording files themselves; with a
// baseline, its findings that are gone as information ("Resolved since the baseline: …"), once
// each, and the problems of a broken baseline file on that file.

import { Diagnostic, DiagnosticSeverity, DiagnosticRelatedInformation, Range } from 'vscode-languageserver/node';
import { resolvedFindings } from '../core/ide/since';
import { Severity } from '../core/config';
import { diagnosticsByFile } from '../core/ide/diagnostics';
import { Finding } from '../core/findings/finding';
import { formatCount } from '../core/findings/format';
import { formatProblem, Problem } from '../core/problem';
import { toRange, uriOf } from './convert';
import { Session } from './session';
import { escapeText } from '../core/text';

export interface DiagnosticsOptions {
  relatedInformation: boolean;
}

/**
 * Diagnostics of every file that has any, by URI, and what could not be published. Each file is
 * made on its own: a file no URI can name (the recording's problems say why) or one that fails is
 * left out, never the others (one recorded path with a lone surrogate lost every diagnostic).
 */
export function computeDiagnostics(session: Session, options: DiagnosticsOptions): { byUri: Map<string, Diagnostic[]>; failures: string[] } {
  const out = new Map<string, Diagnostic[]>();
  const failures: string[] = [];
  for (const [rel, { findings, problems }] of diagnosticsByFile(session.index.snapshot(), session.sourceIndex)) {
    try {
      const uri = uriOf(session.root, rel);
      if (uri !== undefined) out.set(uri, [...findings.map((f) => fromFinding(f, uri, options, (p) => uriOf(session.root, p))), ...problems.map(fromProblem)]);
    } catch (err) {
      failures.push(`diagnostics of ${JSON.stringify(rel)} failed: ${(err as Error).stack ?? err}`);
    }
  }
  const add = (rel: string, diagnostic: Diagnostic) => {
    const uri = uriOf(session.root, rel);
    if (uri !== undefined) out.set(uri, [...(out.get(uri) ?? []), diagnostic]);
  };
  for (const r of resolvedFindings(session.index.snapshot(), session.since())) {
    const range = lineRange(session.sourceIndex.text(r.path), r.line);
    if (range) add(r.path, { range, severity: DiagnosticSeverity.Information, code: r.rule, source: 'runlens', message: escapeText(r.message) });
  }
  for (const p of session.baselineProblems) add(p.file, fromProblem(p));
  return { byUri: out, failures };
}

/** The text of a 1-based line, from its first non-blank character; undefined when the file or line is gone. */
function lineRange(text: string | undefined, line: number): Range | undefined {
  const lines = text?.split('\n');
  if (!lines || line > lines.length) return undefined;
  const content = lines[line - 1].replace(/\r$/, '');
  const start = content.length - content.trimStart().length;
  return { start: { line: line - 1, character: start }, end: { line: line - 1, character: content.length } };
}

function fromFinding(f: Finding, uri: string, options: DiagnosticsOptions, uriOfPath: (path: string) => string | undefined): Diagnostic {
  const range = toRange(f.location);
  // Messages are plain text: recorded names and SQL escaped (core/text.ts), each on one line.
  const diagnostic: Diagnostic = { range, severity: severity(f.severity), code: f.rule, source: 'runlens', message: escapeText(f.message) };
  if (options.relatedInformation && (f.related.length || f.also?.length)) {
    // The other places of the code first (the per-row call of an N+1 on its query), then the queries.
    const also: DiagnosticRelatedInformation[] = [];
    for (const a of f.also ?? []) {
      const at = uriOfPath(a.location.path);
      if (at !== undefined) also.push({ location: { uri: at, range: toRange(a.location) }, message: escapeText(a.what) });
    }
    diagnostic.relatedInformation = [...also, ...f.related.map((r): DiagnosticRelatedInformation => ({ location: { uri, range }, message: escapeText(`${formatCount(r.count)} × ${r.sql}`) }))];
  }
  return diagnostic;
}

/**
 * A problem where its reader placed it (line and UTF-16 column, worked out from the bytes as they
 * were read: no file is read again here), else at the file's start.
 */
function fromProblem(p: Problem): Diagnostic {
  const position = p.line !== undefined && p.column !== undefined ? { line: p.line - 1, character: p.column - 1 } : { line: 0, character: 0 };
  return {
    range: { start: position, end: position },
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'runlens',
    message: formatProblem(p, { file: false }),
  };
}

function severity(s: Severity): DiagnosticSeverity {
  return s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}
