// Text for the commands: the recorded call tree of a request (or of a whole recording) as indented
// lines, one per call, with its time and the SQL run below it; and the queries a function ran. A
// language server's command can only answer with text every editor can show, hence plain text.

import { sqlShapeOf } from '../analysis/stats';
import { formatCount, formatMs, functionLabel } from '../findings/format';
import { Call, CallKind, childrenOf, Trace } from '../trace';
import { escapeText } from '../text';

export interface CallTreeOptions {
  /** Only the requests of this route (`GET /meetings/past/`); the whole recording when absent. */
  route?: string;
  /** Lines of the tree shown at most; the rest is counted in a last `… N more calls` line. */
  maxLines?: number;
}

export const DEFAULT_MAX_TREE_LINES = 500;
const INDENT = '  ';
const MAX_SQL_LABEL = 120;

/**
 * The recorded calls under the route's requests, or of the whole recording, one line per call:
 * `label · time · N SQL` (SQL counts the queries below the call). Consecutive calls without
 * children (queries, leaf functions) are grouped when they repeat: `500 × SELECT … FROM "t" …`,
 * in the order each first ran, so an N+1 loop reads as one line per query of its body. Undefined
 * when the route was not recorded.
 */
export function renderCallTree(trace: Trace, options: CallTreeOptions = {}): string | undefined {
  const maxLines = options.maxLines ?? DEFAULT_MAX_TREE_LINES;
  const calls = trace.calls;
  // Sizes and SQL counts of every subtree in one backward pass: children come after their parent.
  const size = new Int32Array(calls.length).fill(1);
  const nSqlBelow = new Int32Array(calls.length);
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i];
    if (c.parent === -1) continue;
    size[c.parent] += size[i];
    nSqlBelow[c.parent] += nSqlBelow[i] + (c.kind === CallKind.Sql ? 1 : 0);
  }

  let roots: Call[];
  let header: string;
  if (options.route === undefined) {
    roots = calls.filter((c) => c.parent === -1);
    header = `Calls recorded in ${trace.recordingPath}`;
  } else {
    roots = requestsOf(trace, options.route);
    if (!roots.length) return undefined;
    header = `Calls of ${options.route} recorded in ${trace.recordingPath}${roots.length > 1 ? ` (${formatCount(roots.length)} requests)` : ''}`;
  }
  const total = roots.reduce((n, c) => n + size[c.index], 0);

  const lines = [header];
  let shown = 0;
  // An explicit stack: recorded call trees can be deeper than the JS stack allows.
  const stack = entriesOf(roots, 0).reverse();
  while (stack.length && lines.length - 1 < maxLines) {
    const e = stack.pop() as Entry;
    const indent = INDENT.repeat(e.depth);
    if (e.kind === 'group') {
      lines.push(indent + groupLine(trace, e));
      shown += e.n;
      continue;
    }
    lines.push(indent + callLine(trace, e.call, nSqlBelow[e.call.index]));
    shown++;
    const children = entriesOf(childrenOf(trace, e.call), e.depth + 1);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  if (shown < total) lines.push(`… ${formatCount(total - shown)} more ${total - shown === 1 ? 'call' : 'calls'}`);
  // Plain text: each line's recorded names and SQL escaped (core/text.ts), so the tree keeps its lines.
  return lines.map(escapeText).join('\n');
}

/** The SQL shapes a function ran (or code outside the project that it called), most frequent first. */
export function renderQueries(fnKey: string, queries: { sql: string; count: number }[]): string {
  if (!queries.length) return escapeText(`${fnKey} ran no recorded SQL.`);
  const total = queries.reduce((n, q) => n + q.count, 0);
  return [`${fnKey} ran ${formatCount(total)} SQL ${total === 1 ? 'query' : 'queries'} of ${formatCount(queries.length)} ${queries.length === 1 ? 'shape' : 'shapes'}:`, ...queries.map((q) => `${formatCount(q.count)} × ${q.sql}`)].map(escapeText).join('\n');
}

type Entry =
  | { kind: 'call'; call: Call; depth: number }
  /** Calls without children that repeat within one run of such siblings. */
  | { kind: 'group'; first: Call; n: number; sumMs: number; nTimed: number; depth: number };

/** Siblings as entries: calls with children stay alone; runs of calls without children are grouped. */
function entriesOf(siblings: Iterable<Call>, depth: number): Entry[] {
  const out: Entry[] = [];
  let run = new Map<string, Entry & { kind: 'group' }>();
  const flush = () => {
    for (const g of run.values()) out.push(g.n === 1 ? { kind: 'call', call: g.first, depth } : g);
    run = new Map();
  };
  for (const c of siblings) {
    if (c.firstChild !== -1) {
      flush();
      out.push({ kind: 'call', call: c, depth });
      continue;
    }
    const key = leafKey(c);
    const g = run.get(key);
    const timed = !Number.isNaN(c.elapsedMs);
    if (!g) run.set(key, { kind: 'group', first: c, n: 1, sumMs: timed ? c.elapsedMs : 0, nTimed: timed ? 1 : 0, depth });
    else {
      g.n++;
      if (timed) {
        g.sumMs += c.elapsedMs;
        g.nTimed++;
      }
    }
  }
  flush();
  return out;
}

/** What makes two calls without children the same: the SQL shape, the function, the request. */
function leafKey(c: Call): string {
  switch (c.kind) {
    case CallKind.Sql:
      return `s${sqlShapeOf(c)}`;
    case CallKind.Function:
      return `f${c.fn}`;
    case CallKind.HttpServer:
      return `h${c.http?.method} ${c.http?.path}`;
    default:
      return `c${c.client?.method} ${c.client?.url}`;
  }
}

function callLine(trace: Trace, c: Call, nSql: number): string {
  const parts = [labelOf(trace, c), formatMs(c.elapsedMs)];
  if (nSql > 0) parts.push(`${formatCount(nSql)} SQL`);
  return parts.join(' · ');
}

function groupLine(trace: Trace, g: Entry & { kind: 'group' }): string {
  return `${formatCount(g.n)} × ${labelOf(trace, g.first)} · ${g.nTimed ? formatMs(g.sumMs) : formatMs(NaN)}`;
}

function labelOf(trace: Trace, c: Call): string {
  switch (c.kind) {
    case CallKind.Sql:
      return sqlLabel(sqlShapeOf(c));
    case CallKind.Function:
      return c.fn === -1 ? (c.spanName ?? '(unknown function)') : functionLabel(trace.functions[c.fn]);
    case CallKind.HttpServer:
      return c.http ? `${c.http.method} ${c.http.path}${c.http.status !== undefined ? ` → ${c.http.status}` : ''}` : 'request';
    default:
      return c.client ? `${c.client.method} ${c.client.url}${c.client.status !== undefined ? ` → ${c.client.status}` : ''}` : 'HTTP request';
  }
}

/** A query on one line: a long plain column list becomes `…` (the table says more), then it is cut. */
function sqlLabel(shape: string): string {
  // Only the head is looked at: recorded queries can be megabytes long.
  let s = shape.slice(0, 4 * MAX_SQL_LABEL).replace(/\s+/g, ' ');
  const m = /^(SELECT (?:DISTINCT )?)([^()]*?)( FROM )/i.exec(s);
  if (m && m[2].length > 20) s = `${m[1]}…${s.slice(m[1].length + m[2].length)}`;
  return s.length > MAX_SQL_LABEL || shape.length > 4 * MAX_SQL_LABEL ? `${s.slice(0, MAX_SQL_LABEL - 1)}…` : s;
}

/** The requests of a route, outermost only (a request inside another one is in its tree already). */
function requestsOf(trace: Trace, route: string): Call[] {
  const out: Call[] = [];
  const chosen = new Set<number>();
  for (const c of trace.calls) {
    if (c.kind !== CallKind.HttpServer || c.http?.route !== route) continue;
    let inside = false;
    for (let p = c.parent; p !== -1 && !inside; p = trace.calls[p].parent) inside = chosen.has(p);
    chosen.add(c.index);
    if (!inside) out.push(c);
  }
  return out;
}
