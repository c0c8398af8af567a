// The `hotspots` tool: where the recorded time and SQL go, merged over the recordings (the core's
// statistics, as baselines hold them): routes, tests, functions and SQL shapes, the largest first.

import { z } from 'zod';
import { emptyStats, mergeStats } from '../../core/analysis/stats';
import { formatCount, formatMs } from '../../core/findings/format';
import { answer, boundedSql, DEFAULT_ITEMS, firstOf, MAX_ITEMS, ToolAnswer } from '../answer';
import { McpWorkspace, problemLines, readRecordings } from '../workspace';
import { pathsArg, ToolSpec } from './spec';
import { escapeText } from '../../core/text';

export const hotspotsInput = {
  by: z.enum(['time', 'sql']).optional().describe('order by total time (default) or by SQL count'),
  recordings: pathsArg.optional().describe('recordings or folders of them (workspace-relative); all under the root when absent'),
  limit: z.number().int().min(1).max(MAX_ITEMS).optional().describe(`at most this many of each kind (default ${DEFAULT_ITEMS})`),
};

const spot = z.object({ key: z.string(), calls: z.number(), totalMs: z.number(), sql: z.number(), path: z.string().optional(), line: z.number().optional() });

export const hotspotsOutput = {
  recordings: z.number(),
  routes: z.array(spot),
  tests: z.array(spot),
  functions: z.array(spot),
  sqlShapes: z.array(spot.extend({ tables: z.array(z.string()) })),
  problems: z.array(z.string()),
  truncated: z.string().optional(),
};

export const hotspotsTool: ToolSpec<typeof hotspotsInput, typeof hotspotsOutput> = {
  name: 'hotspots',
  title: 'Hotspots',
  description: 'Where the recorded time and SQL go: routes, tests, functions and SQL shapes by total time (or by SQL count), merged over the recordings.',
  input: hotspotsInput,
  output: hotspotsOutput,
  readOnly: true,
  run: runHotspots,
};

type Spot = z.infer<typeof spot>;

async function runHotspots(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof hotspotsInput>>): Promise<ToolAnswer> {
  const output = await readRecordings(ws, { paths: args.recordings, withSummaries: true });
  const stats = emptyStats();
  const tests = new Map<string, Spot>();
  for (const s of output.summaries) {
    mergeStats(stats, s.stats);
    if (!s.test) continue;
    const t = tests.get(s.test.name) ?? { key: s.test.name, calls: 0, totalMs: 0, sql: 0, ...(s.test.location ? { path: s.test.location.path, line: s.test.location.line } : {}) };
    t.calls += 1;
    t.totalMs += finite(s.stats.roots.totalMs);
    t.sql += s.stats.nSql;
    tests.set(s.test.name, t);
  }
  const order = (a: Spot, b: Spot) => (args.by === 'sql' ? b.sql - a.sql || b.totalMs - a.totalMs : b.totalMs - a.totalMs || b.sql - a.sql) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const limit = args.limit ?? DEFAULT_ITEMS;
  const notes: string[] = [];
  const top = <T extends Spot>(items: T[], what: string): T[] => {
    const shown = firstOf(items.sort(order), limit, what, 'raise limit to see more');
    if (shown.truncated) notes.push(shown.truncated);
    return shown.items;
  };
  const routes = top([...stats.routes.values()].map((r) => ({ key: r.route, calls: r.nCalls, totalMs: finite(r.totalMs), sql: r.nSql })), 'routes');
  const testSpots = top([...tests.values()], 'tests');
  const functions = top(
    [...stats.functions.values()].map((f) => ({ key: f.key, calls: f.nCalls, totalMs: finite(f.totalMs), sql: f.nSql, ...(f.fn.recordedPath ? { path: f.fn.recordedPath } : {}), ...(f.fn.recordedLine ? { line: f.fn.recordedLine } : {}) })),
    'functions',
  );
  const sqlShapes = top([...stats.sqlShapes.values()].map((q) => ({ key: boundedSql(q.shape), calls: q.nCalls, totalMs: finite(q.totalMs), sql: q.nCalls, tables: [...q.tables] })), 'SQL shapes');
  const section = (title: string, items: Spot[]) => [`${title}:`, ...items.map((s) => escapeText(`  ${formatMs(s.totalMs)} · ${formatCount(s.sql)} SQL · ${formatCount(s.calls)} × ${s.key}`))];
  const problems = problemLines(output.problems);
  const text = [
    ...section('Routes', routes),
    ...section('Tests', testSpots),
    ...section('Functions', functions),
    ...section('SQL shapes', sqlShapes),
    ...notes,
    ...problems.map((p) => `problem: ${p}`),
  ].join('\n');
  return answer(text, { recordings: output.nRecordings, routes, tests: testSpots, functions, sqlShapes, problems, ...(notes.length ? { truncated: notes.join('; ') } : {}) });
}

/** Unknown times (NaN) count 0 in a total. */
function finite(ms: number): number {
  return Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : 0;
}
