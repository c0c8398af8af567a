// The `explain_finding` tool: one finding by id, with the call path from its request or test down
// to the repeated queries (read again from its recording, through the door), the source query whose
// rows the loop iterates, and the fix with its diff.

import { z } from 'zod';
import { sqlShapeOf } from '../../core/analysis/stats';
import { formatCount, functionLabel } from '../../core/findings/format';
import { ancestry, Call, CallKind, forEachDescendant, Trace } from '../../core/trace';
import { answer, boundedSql, ToolAnswer } from '../answer';
import { fileLines, findingJson, findingLine, findingSchema, FindingJson } from '../findingJson';
import { findingIds, McpWorkspace, problemLines, readRecordings, ToolError, withTrace } from '../workspace';
import { ToolSpec } from './spec';
import { escapeText } from '../../core/text';

/** Frames of a call path shown at most: the first few (the request) and the nearest the query. */
const MAX_FRAMES = 30;

export const explainInput = {
  id: z.string().min(1).max(200).describe('a finding id, as the findings tool gives it'),
};

const frameSchema = z.object({ kind: z.enum(['request', 'function', 'sql', 'client', 'gap']), label: z.string(), path: z.string().optional(), line: z.number().optional() });

export const explainOutput = {
  finding: findingSchema,
  recording: z.string().describe('the recording the call path was read from'),
  callPath: z.array(frameSchema).describe('from the request or test down to the first repeated query'),
  sourceQuery: z.object({ sql: z.string(), count: z.number() }).optional().describe('the query whose rows the loop iterates: the last SELECT before the repeats that ran fewer times'),
  diff: z.string().optional().describe('the fix as a unified diff, when it is an edit'),
  problems: z.array(z.string()),
  truncated: z.string().optional(),
};

export const explainFindingTool: ToolSpec<typeof explainInput, typeof explainOutput> = {
  name: 'explain_finding',
  title: 'Explain a finding',
  description:
    'One finding by id (from the findings tool): the call path from the request or test down to the repeated queries, the source query whose rows the loop iterates, and the fix with its diff.',
  input: explainInput,
  output: explainOutput,
  readOnly: true,
  run: runExplain,
};

async function runExplain(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof explainInput>>): Promise<ToolAnswer> {
  const output = await readRecordings(ws, { withFixes: true });
  const ids = findingIds(output.findings);
  const f = output.findings.find((x) => ids.get(x) === args.id);
  if (!f) throw new ToolError(`no finding with id ${JSON.stringify(args.id)} in the recordings now (the findings tool lists them; an id changes only when the finding is gone or moved to other code)`);
  const finding = findingJson(f, args.id, output.fixes.get(f), ws.root, output.unplaced.has(f));
  const recording = f.recordings[0];
  const shapes = new Set(f.related.map((r) => r.sql));
  const read = await withTrace(ws, recording, (trace) => explainIn(trace, shapes, f.scope));
  const { frames, truncated } = boundFrames(read.value.path);
  const diff = finding.fix?.edit ? unifiedDiff(ws.root, finding.fix.edit) : undefined;
  const problems = problemLines([...output.problems, ...read.problems]);
  const text = [
    findingLine(finding),
    `call path (${recording}):`,
    ...frames.map((fr, i) => `${'  '.repeat(Math.min(i, 12) + 1)}${escapeText(`${fr.label}${fr.path ? ` (${fr.path}${fr.line ? `:${fr.line}` : ''})` : ''}`)}`),
    ...(truncated ? [truncated] : []),
    ...(read.value.source ? [`source query (${formatCount(read.value.source.count)} ×): ${escapeText(read.value.source.sql)}`] : []),
    `repeated: ${f.related.map((r) => `${formatCount(r.count)} × ${escapeText(boundedSql(r.sql))}`).join('\n          ')}`,
    ...(finding.fix ? [`fix: ${finding.fix.title}`, diff ?? finding.fix.hint] : []),
    ...problems.map((p) => `problem: ${p}`),
  ].join('\n');
  return answer(text, {
    finding,
    recording,
    callPath: frames,
    ...(read.value.source ? { sourceQuery: read.value.source } : {}),
    ...(diff ? { diff } : {}),
    problems,
    ...(truncated ? { truncated } : {}),
  });
}

type Frame = z.infer<typeof frameSchema>;

/** The path to the first repeated query of the finding's scope, and its source query. */
function explainIn(trace: Trace, shapes: Set<string>, scope: string | undefined): { path: Frame[]; source?: { sql: string; count: number } } {
  const { kind } = trace.calls;
  let first = -1;
  for (let c = 0; c < trace.calls.length; c++) {
    if (kind[c] === CallKind.Sql && shapes.has(sqlShapeOf(trace, c)) && inScope(trace, c, scope)) {
      first = c;
      break;
    }
  }
  if (first === -1) return { path: [] };
  const chain = ancestry(trace, first);
  const path = chain.map((c) => frameOf(trace, c));
  // The scope's SQL in call order, counted per shape: the source is the last SELECT before the
  // first repeat that ran fewer times than it (ARCHITECTURE.md, "How an N+1 finding is made").
  const scopeRoot = chain.find((c) => kind[c] === CallKind.HttpServer) ?? chain[0];
  const sql: Call[] = [];
  forEachDescendant(trace, scopeRoot, (c) => {
    if (kind[c] === CallKind.Sql) sql.push(c);
  });
  const counts = new Map<string, number>();
  for (const c of sql) counts.set(sqlShapeOf(trace, c), (counts.get(sqlShapeOf(trace, c)) ?? 0) + 1);
  const repeats = counts.get(sqlShapeOf(trace, first)) ?? 0;
  let source: { sql: string; count: number } | undefined;
  for (let i = sql.indexOf(first) - 1; i >= 0; i--) {
    const shape = sqlShapeOf(trace, sql[i]);
    if (/^\s*select\b/i.test(shape) && (counts.get(shape) ?? 0) < repeats) {
      source = { sql: boundedSql(shape), count: counts.get(shape) ?? 0 };
      break;
    }
  }
  return { path, source };
}

/** Whether a query is in the finding's scope: under its request (a query under no request is in a test's). */
function inScope(trace: Trace, call: Call, scope: string | undefined): boolean {
  const { kind, http } = trace.calls;
  const request = ancestry(trace, call).find((c) => kind[c] === CallKind.HttpServer && http.has(c));
  const info = request === undefined ? undefined : http.get(request);
  return scope === undefined || info === undefined || info.route === scope;
}

function frameOf(trace: Trace, c: Call): Frame {
  const calls = trace.calls;
  const kind = calls.kind[c] as CallKind;
  const http = calls.http.get(c);
  if (kind === CallKind.HttpServer && http) return { kind: 'request', label: http.route };
  if (kind === CallKind.Sql) return { kind: 'sql', label: boundedSql(sqlShapeOf(trace, c)) };
  const client = calls.client.get(c);
  if (kind === CallKind.HttpClient && client) return { kind: 'client', label: `${client.method} ${client.url}` };
  const fn = trace.functions[calls.fn[c]];
  if (!fn) return { kind: 'function', label: '(unknown function)' };
  return { kind: 'function', label: functionLabel(fn), ...(fn.recordedPath ? { path: fn.recordedPath } : {}), ...(fn.recordedLine ? { line: fn.recordedLine } : {}) };
}

/** The first frames and those nearest the query, MAX_FRAMES in all, with a gap between. */
function boundFrames(frames: Frame[]): { frames: Frame[]; truncated?: string } {
  if (frames.length <= MAX_FRAMES) return { frames };
  const head = 5;
  const tail = MAX_FRAMES - head - 1;
  const left = frames.length - head - tail;
  return {
    frames: [...frames.slice(0, head), { kind: 'gap', label: `… ${left} frames` }, ...frames.slice(-tail)],
    truncated: `truncated: ${MAX_FRAMES - 1} of ${frames.length} frames of the call path shown`,
  };
}

/** The edit as a unified diff of the whole lines it touches (the lines it leaves alone as context). */
export function unifiedDiff(root: string, edit: NonNullable<NonNullable<FindingJson['fix']>['edit']>): string | undefined {
  const lines = fileLines(root, edit.path);
  if (!lines || edit.range.endLine > lines.length) return undefined;
  const { line, column, endLine, endColumn } = edit.range;
  const before = lines.slice(line - 1, endLine);
  const head = before[0].slice(0, column - 1);
  const tail = before[before.length - 1].slice(endColumn - 1);
  const after = `${head}${edit.newText}${tail}`.split('\n');
  let same = 0;
  while (same < before.length && same < after.length && before[same] === after[same]) same++;
  let sameEnd = 0;
  while (sameEnd < before.length - same && sameEnd < after.length - same && before[before.length - 1 - sameEnd] === after[after.length - 1 - sameEnd]) sameEnd++;
  const body = [
    ...before.slice(0, same).map((l) => ` ${l}`),
    ...before.slice(same, before.length - sameEnd).map((l) => `-${l}`),
    ...after.slice(same, after.length - sameEnd).map((l) => `+${l}`),
    ...before.slice(before.length - sameEnd).map((l) => ` ${l}`),
  ];
  return [`--- a/${edit.path}`, `+++ b/${edit.path}`, `@@ -${line},${before.length} +${line},${after.length} @@`, ...body].join('\n') + '\n';
}
