// A finding as the MCP tools give it: place, counts, the repeated queries, and the fix (the
// eager-loading edit with the text it replaces where certain, else the hint) — one shape, shared
// by `findings` and `explain_finding`, with its zod schema for their output schemas.

import * as path from 'node:path';
import { z } from 'zod';
import { Finding } from '../core/findings/finding';
import { Fix } from '../core/fixes/index';
import { readTextSync } from '../node/workspaceFiles';
import { boundedSql, firstOf } from './answer';
import { escapeText } from '../core/text';

/** Repeated query shapes listed per finding at most (an N+1 of one loop can run dozens of shapes). */
const MAX_REPEATED = 20;

/** The largest source file whose replaced text is quoted in an edit (as the source index reads). */
const MAX_SOURCE_BYTES = 4 << 20;


export const rangeSchema = z.object({
  line: z.number().describe('1-based'),
  column: z.number().describe('1-based, UTF-16 code units'),
  endLine: z.number(),
  endColumn: z.number().describe('exclusive'),
});

export const fixSchema = z.object({
  title: z.string(),
  hint: z.string().describe('what to change and where, in words'),
  edit: z
    .object({
      path: z.string().describe('workspace-relative'),
      range: rangeSchema,
      oldText: z.string().optional().describe('the text the range holds now'),
      newText: z.string(),
    })
    .optional()
    .describe('the change, when it is certain: replace range of path by newText'),
});

export const findingSchema = z.object({
  id: z.string().describe('stable across runs and edits; give it to explain_finding'),
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  detail: z.string().optional(),
  path: z.string().describe('workspace-relative'),
  line: z.number().nullable().describe('1-based; null for a file the root does not hold'),
  column: z.number(),
  count: z.number().describe('queries for the SQL rules, calls for slow calls'),
  elapsedMs: z.number().optional(),
  scope: z.string().optional().describe('the request or test'),
  recordings: z.array(z.string()),
  repeatedQueries: z.array(z.object({ sql: z.string(), count: z.number(), table: z.string().optional() })).describe(`at most ${MAX_REPEATED} shapes, the most repeated first`),
  repeatedQueriesTruncated: z.string().optional(),
  also: z.array(z.object({ what: z.string(), path: z.string(), line: z.number() })).optional(),
  fix: fixSchema.optional(),
});

export type FindingJson = z.infer<typeof findingSchema>;

export function findingJson(f: Finding, id: string, fix: Fix | undefined, root: string, unplaced: boolean): FindingJson {
  // Most repeated first; ties keep the finding's order (stable sort).
  const repeated = firstOf([...f.related].sort((a, b) => b.count - a.count), MAX_REPEATED, 'repeated query shapes', 'explain_finding shows the call path, the source query and the fix');
  return {
    id,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    ...(f.detail ? { detail: f.detail } : {}),
    path: f.location.path,
    line: unplaced ? null : f.location.line,
    column: f.location.column,
    count: f.count,
    ...(f.elapsedMs !== undefined && Number.isFinite(f.elapsedMs) ? { elapsedMs: f.elapsedMs } : {}),
    ...(f.scope !== undefined ? { scope: f.scope } : {}),
    recordings: f.recordings,
    repeatedQueries: repeated.items.map((r) => ({ sql: boundedSql(r.sql), count: r.count, ...(r.table ? { table: r.table } : {}) })),
    ...(repeated.truncated ? { repeatedQueriesTruncated: repeated.truncated } : {}),
    ...(f.also?.length ? { also: f.also.map((a) => ({ what: a.what, path: a.location.path, line: a.location.line })) } : {}),
    ...(fix ? { fix: fixJson(fix, root) } : {}),
  };
}

/** A fix, its edit with the text it replaces now (so that an agent's text-replacing tool can apply it). */
export function fixJson(fix: Fix, root: string): z.infer<typeof fixSchema> {
  if (!fix.edit) return { title: fix.title, hint: fix.hint };
  const { path: file, range, newText } = fix.edit;
  const oldText = textOfRange(root, file, range);
  return { title: fix.title, hint: fix.hint, edit: { path: file, range: { line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn }, ...(oldText !== undefined ? { oldText } : {}), newText } };
}

/** One line per finding, as `runlens scan` prints them: `path:line:col severity message (detail) [rule] id`. */
export function findingLine(f: FindingJson): string {
  const at = f.line === null ? `${f.path}:` : `${f.path}:${f.line}:${f.column}`;
  // Recorded text escaped (core/text.ts): a path or route with a line break stays on its line.
  return escapeText(`${at} ${f.severity} ${f.message}${f.detail ? ` (${f.detail})` : ''} [${f.rule}] id ${f.id}`);
}

/** The text of a range of a workspace file now (read through the door, inside the root), or undefined. */
export function textOfRange(root: string, file: string, range: z.infer<typeof rangeSchema>): string | undefined {
  const lines = fileLines(root, file);
  if (!lines || range.line > lines.length || range.endLine > lines.length) return undefined;
  if (range.line === range.endLine) return lines[range.line - 1].slice(range.column - 1, range.endColumn - 1);
  return [lines[range.line - 1].slice(range.column - 1), ...lines.slice(range.line, range.endLine - 1), lines[range.endLine - 1].slice(0, range.endColumn - 1)].join('\n');
}

/** A workspace file's lines now, read through the door (inside the root, bounded), or undefined. */
export function fileLines(root: string, file: string): string[] | undefined {
  try {
    return readTextSync(path.join(root, file), { maxBytes: MAX_SOURCE_BYTES, inside: root }).split('\n');
  } catch {
    return undefined;
  }
}
