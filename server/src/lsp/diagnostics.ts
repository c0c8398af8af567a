// textDocument/publishDiagnostics: findings on their current lines (open files or not), with the
// rule id as code, and problems of broken recordings on the recording files themselves; with a
// baseline, its findings that are gone as information ("Resolved since the baseline: …"), once
// each, and the problems of a broken baseline file on that file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, DiagnosticSeverity, DiagnosticRelatedInformation, Range } from 'vscode-languageserver/node';
import { resolvedFindings } from '../core/ide/since';
import { Severity } from '../core/config';
import { diagnosticsByFile } from '../core/ide/diagnostics';
import { Finding } from '../core/findings/finding';
import { formatCount } from '../core/findings/format';
import { formatProblem, Problem } from '../core/problem';
import { openFileSync } from '../node/workspaceFiles';
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
      if (uri !== undefined) out.set(uri, [...findings.map((f) => fromFinding(f, uri, options, (p) => uriOf(session.root, p))), ...problems.map((p) => fromProblem(session, p))]);
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
  // Placed from the bytes read when the baseline was loaded: the file is not read again here.
  for (const p of session.baselineProblems) add(p.file, fromProblem(session, p, session.baselinePositions.get(p) ?? { line: 0, character: 0 }));
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

function fromProblem(session: Session, p: Problem, known?: { line: number; character: number }): Diagnostic {
  const position = known ?? (p.byteOffset === undefined ? { line: 0, character: 0 } : positionOfByte(session.root, p.file, p.byteOffset));
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

/**
 * Line and character of a byte offset in a recording, reading the file up to it (recordings are
 * often one line). Opened through the one door (node/workspaceFiles.ts): a regular file inside the
 * root, never blocking, so a FIFO named like a recording cannot hold the server's thread.
 */
function positionOfByte(root: string, rel: string, offset: number): { line: number; character: number } {
  if (!(offset > 0)) return { line: 0, character: 0 };
  const file = path.join(root, rel);
  let line = 0;
  let lineStart = 0;
  let fd: number | undefined;
  let stamp: string | undefined;
  try {
    fd = openFileSync(file, { inside: root });
    const st = fs.fstatSync(fd);
    // Diagnostics are computed again on every edit: a broken recording is read up to its problem
    // once per version of the file, not once per keystroke.
    stamp = `${offset}:${st.size}:${st.mtimeMs}:${st.ino}`;
    const known = positionCache.get(file);
    if (known?.stamp === stamp) return known.position;
    const buffer = Buffer.allocUnsafe(1 << 16);
    for (let at = 0; at < offset; ) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, offset - at), at);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        if (buffer[i] === 0x0a) {
          line++;
          lineStart = at + i + 1;
        }
      }
      at += n;
    }
  } catch {
    return { line: 0, character: 0 };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  const position = { line, character: offset - lineStart };
  if (positionCache.size > 1000) positionCache.clear();
  if (stamp !== undefined) positionCache.set(file, { stamp, position });
  return position;
}

/** Byte offsets already turned into positions, per recording file. */
const positionCache = new Map<string, { stamp: string; position: { line: number; character: number } }>();
