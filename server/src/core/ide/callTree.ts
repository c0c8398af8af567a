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
  const { parent, kind, length: n } = trace.calls;
  // Sizes and SQL counts of every subtree in one backward pass: children come after their parent.
  const size = new Int32Array(n).fill(1);
  const nSqlBelow = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i];
    if (p === -1) continue;
    size[p] += size[i];
    nSqlBelow[p] += nSqlBelow[i] + (kind[i] === CallKind.Sql ? 1 : 0);
  }

  let roots: Call[];
  let header: string;
  if (options.route === undefined) {
    roots = [];
    for (let c = 0; c < n; c++) if (parent[c] === -1) roots.push(c);
    header = `Calls recorded in ${trace.recordingPath}`;
  } else {
    roots = requestsOf(trace, options.route);
    if (!roots.length) return undefined;
    header = `Calls of ${options.route} recorded in ${trace.recordingPath}${roots.length > 1 ? ` (${formatCount(roots.length)} requests)` : ''}`;
  }
  const total = roots.reduce((t, c) => t + size[c], 0);

  const lines = [header];
  let shown = 0;
  // An explicit stack: recorded call trees can be deeper than the JS stack allows.
  const stack = entriesOf(trace, roots, 0).reverse();
  while (stack.length && lines.length - 1 < maxLines) {
    const e = stack.pop() as Entry;
    const indent = INDENT.repeat(e.depth);
    if (e.kind === 'group') {
      lines.push(indent + groupLine(trace, e));
      shown += e.n;
      continue;
    }
    lines.push(indent + callLine(trace, e.call, nSqlBelow[e.call]));
    shown++;
    const children = entriesOf(trace, childrenOf(trace, e.call), e.depth + 1);
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
function entriesOf(trace: Trace, siblings: Iterable<Call>, depth: number): Entry[] {
  const { firstChild, elapsedMs } = trace.calls;
  const out: Entry[] = [];
  let run = new Map<string, Entry & { kind: 'group' }>();
  const flush = () => {
    for (const g of run.values()) out.push(g.n === 1 ? { kind: 'call', call: g.first, depth } : g);
    run = new Map();
  };
  for (const c of siblings) {
    if (firstChild[c] !== -1) {
      flush();
      out.push({ kind: 'call', call: c, depth });
      continue;
    }
    const key = leafKey(trace, c);
    const g = run.get(key);
    const ms = elapsedMs[c];
    const timed = !Number.isNaN(ms);
    if (!g) run.set(key, { kind: 'group', first: c, n: 1, sumMs: timed ? ms : 0, nTimed: timed ? 1 : 0, depth });
    else {
      g.n++;
      if (timed) {
        g.sumMs += ms;
        g.nTimed++;
      }
    }
  }
  flush();
  return out;
}

/** What makes two calls without children the same: the SQL shape, the function, the request. */
function leafKey(trace: Trace, c: Call): string {
  const calls = trace.calls;
  switch (calls.kind[c] as CallKind) {
    case CallKind.Sql:
      return `s${sqlShapeOf(trace, c)}`;
    case CallKind.Function:
      return `f${calls.fn[c]}`;
    case CallKind.HttpServer: {
      const http = calls.http.get(c);
      return `h${http?.method} ${http?.path}`;
    }
    default: {
      const client = calls.client.get(c);
      return `c${client?.method} ${client?.url}`;
    }
  }
}

function callLine(trace: Trace, c: Call, nSql: number): string {
  const parts = [labelOf(trace, c), formatMs(trace.calls.elapsedMs[c])];
  if (nSql > 0) parts.push(`${formatCount(nSql)} SQL`);
  return parts.join(' · ');
}

function groupLine(trace: Trace, g: Entry & { kind: 'group' }): string {
  return `${formatCount(g.n)} × ${labelOf(trace, g.first)} · ${g.nTimed ? formatMs(g.sumMs) : formatMs(NaN)}`;
}

function labelOf(trace: Trace, c: Call): string {
  const calls = trace.calls;
  switch (calls.kind[c] as CallKind) {
    case CallKind.Sql:
      return sqlLabel(sqlShapeOf(trace, c));
    case CallKind.Function: {
      const fn = calls.fn[c];
      return fn === -1 ? (calls.spanName.get(c) ?? '(unknown function)') : functionLabel(trace.functions[fn]);
    }
    case CallKind.HttpServer: {
      const http = calls.http.get(c);
      return http ? `${http.method} ${http.path}${http.status !== undefined ? ` → ${http.status}` : ''}` : 'request';
    }
    default: {
      const client = calls.client.get(c);
      return client ? `${client.method} ${client.url}${client.status !== undefined ? ` → ${client.status}` : ''}` : 'HTTP request';
    }
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
  const { parent, kind, http } = trace.calls;
  for (let c = 0; c < trace.calls.length; c++) {
    if (kind[c] !== CallKind.HttpServer || http.get(c)?.route !== route) continue;
    let inside = false;
    for (let p = parent[c]; p !== -1 && !inside; p = parent[p]) inside = chosen.has(p);
    chosen.add(c);
    if (!inside) out.push(c);
  }
  return out;
}
