// Statistics of recorded calls, per function, per route and per SQL shape: number of calls, total,
// self, mean, min and max time and their spread, SQL count. Computed per recording and merged
// across recordings.

import { Interner } from '../intern';
import { normalizeSql, dialectOf, sqlFacts, SqlFacts } from '../sql/normalize';
import { Call, CallKind, FunctionInfo, SqlInfo, SqlText, Trace, sqlOf } from '../trace';

export interface TimingStats {
  nCalls: number;
  /** Calls whose time is known (the others never returned or had no elapsed). */
  nTimed: number;
  /** Inclusive time; a recursive call inside a call of the same function is not counted twice. */
  totalMs: number;
  /** The sum of every call's own elapsed time, recursive ones included: the mean is sumMs / nTimed. */
  sumMs: number;
  /** Time not spent in recorded children. */
  selfMs: number;
  maxMs: number;
  /** The shortest timed call; Infinity while no call is timed. */
  minMs: number;
  /** The sum of the squares of every timed call's elapsed time (ms²), for the spread: see sdMs. */
  sumSqMs2: number;
  /** SQL queries run inside the calls (recursion counted once). */
  nSql: number;
}

export interface FunctionStats extends TimingStats {
  key: string;
  fn: FunctionInfo;
}

export interface RouteStats extends TimingStats {
  route: string;
  /** Response status → number of requests. */
  statuses: Record<string, number>;
}

export interface SqlShapeStats {
  shape: string;
  nCalls: number;
  nTimed: number;
  /** SQL calls do not nest, so the total is also the sum: the mean is totalMs / nTimed. */
  totalMs: number;
  maxMs: number;
  /** The shortest timed query; Infinity while no query is timed. */
  minMs: number;
  /** The sum of the squares of every timed query's elapsed time (ms²). */
  sumSqMs2: number;
  tables: readonly string[];
}

/** The outermost calls of each thread; for a test recording, their total is the test's recorded time. */
export interface RootStats {
  nCalls: number;
  nTimed: number;
  totalMs: number;
}

export interface TraceStats {
  functions: Map<string, FunctionStats>;
  routes: Map<string, RouteStats>;
  sqlShapes: Map<string, SqlShapeStats>;
  roots: RootStats;
  nSql: number;
  nRequests: number;
}

export function meanMs(s: { sumMs: number; nTimed: number }): number {
  return s.nTimed ? s.sumMs / s.nTimed : NaN;
}

/**
 * The sample standard deviation of one call's time (n − 1 in the denominator): NaN below two
 * timed calls, where one sample says nothing about the spread.
 */
export function sdMs(s: { sumMs: number; sumSqMs2: number; nTimed: number }): number {
  if (s.nTimed < 2) return NaN;
  const mean = s.sumMs / s.nTimed;
  // Rounding can make the difference slightly negative for identical times.
  return Math.sqrt(Math.max(0, (s.sumSqMs2 - s.nTimed * mean * mean) / (s.nTimed - 1)));
}

/** The identity of a function across recordings: class, name and static-ness, not file or line. */
export function functionKey(fn: FunctionInfo): string {
  return `${fn.definedClass}${fn.isStatic ? '.' : '#'}${fn.methodId}`;
}

export function traceStats(trace: Trace): TraceStats {
  const calls = trace.calls;
  const { parent, kind, elapsedMs, fn: fnOf, firstChild, nextSibling } = calls;
  const n = calls.length;
  // SQL calls in each subtree, bottom-up: children always come after their parent.
  const sqlBelow = new Int32Array(n);
  const childMs = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (kind[i] === CallKind.Sql) sqlBelow[i]++;
    const p = parent[i];
    if (p !== -1) {
      sqlBelow[p] += sqlBelow[i];
      if (!Number.isNaN(elapsedMs[i])) childMs[p] += elapsedMs[i];
    }
  }

  const stats = emptyStats();
  // Depth-first with enter/exit, so that "is this function already active above me" is O(1):
  // per function key (several recorded functions may share one), how many calls of it are open.
  const keyIds = new Map<string, number>();
  const keyNames: string[] = [];
  const keyOfFn = trace.functions.map((fn) => {
    const key = functionKey(fn);
    let id = keyIds.get(key);
    if (id === undefined) {
      keyIds.set(key, (id = keyIds.size));
      keyNames.push(key);
    }
    return id;
  });
  const active = new Int32Array(keyIds.size);
  const stack: number[] = [];
  const children: number[] = [];
  for (let r = 0; r < n; r++) {
    if (parent[r] !== -1) continue;
    stats.roots.nCalls++;
    if (!Number.isNaN(elapsedMs[r])) {
      stats.roots.nTimed++;
      stats.roots.totalMs += elapsedMs[r];
    }
    stack.push(r);
    while (stack.length) {
      const top = stack.pop() as number;
      if (top < 0) {
        active[keyOfFn[fnOf[~top]]]--;
        continue;
      }
      const ms = elapsedMs[top];
      const selfMs = Number.isNaN(ms) ? NaN : Math.max(0, ms - childMs[top]);
      const k = kind[top];
      const http = k === CallKind.HttpServer ? calls.http.get(top) : undefined;
      if (k === CallKind.Function && fnOf[top] !== -1) {
        const fn = trace.functions[fnOf[top]];
        const keyId = keyOfFn[fnOf[top]];
        const outermost = active[keyId] === 0;
        const key = keyNames[keyId];
        let s = stats.functions.get(key);
        if (!s) stats.functions.set(key, (s = { key, fn, ...emptyTiming() }));
        addTiming(s, ms, selfMs, outermost ? sqlBelow[top] : 0, outermost);
        active[keyId]++;
        stack.push(~top);
      } else if (http) {
        stats.nRequests++;
        let s = stats.routes.get(http.route);
        if (!s) stats.routes.set(http.route, (s = { route: http.route, statuses: {}, ...emptyTiming() }));
        addTiming(s, ms, selfMs, sqlBelow[top], true);
        const status = String(http.status ?? 'none');
        s.statuses[status] = (s.statuses[status] ?? 0) + 1;
      } else if (k === CallKind.Sql && calls.sql[top] !== -1) {
        stats.nSql++;
        const shape = sqlShapeOf(trace, top);
        let s = stats.sqlShapes.get(shape);
        if (!s) stats.sqlShapes.set(shape, (s = { shape, nCalls: 0, nTimed: 0, totalMs: 0, maxMs: 0, minMs: Infinity, sumSqMs2: 0, tables: factsOf(trace, top).tables }));
        s.nCalls++;
        if (!Number.isNaN(ms)) {
          s.nTimed++;
          s.totalMs += ms;
          s.maxMs = Math.max(s.maxMs, ms);
          s.minMs = Math.min(s.minMs, ms);
          s.sumSqMs2 += ms * ms;
        }
      }
      // Children in order: push the last first.
      children.length = 0;
      for (let c = firstChild[top]; c !== -1; c = nextSibling[c]) children.push(c);
      for (let c = children.length - 1; c >= 0; c--) stack.push(children[c]);
    }
  }
  return stats;
}

/** Adds `more` into `into` (statistics across recordings). */
export function mergeStats(into: TraceStats, more: TraceStats): TraceStats {
  into.nSql += more.nSql;
  into.nRequests += more.nRequests;
  into.roots.nCalls += more.roots.nCalls;
  into.roots.nTimed += more.roots.nTimed;
  into.roots.totalMs += more.roots.totalMs;
  for (const [k, s] of more.functions) {
    const t = into.functions.get(k);
    if (!t) into.functions.set(k, { ...s });
    else addTimingStats(t, s);
  }
  for (const [k, s] of more.routes) {
    const t = into.routes.get(k);
    if (!t) into.routes.set(k, { ...s, statuses: { ...s.statuses } });
    else {
      addTimingStats(t, s);
      for (const [status, count] of Object.entries(s.statuses)) t.statuses[status] = (t.statuses[status] ?? 0) + count;
    }
  }
  for (const [k, s] of more.sqlShapes) {
    const t = into.sqlShapes.get(k);
    if (!t) into.sqlShapes.set(k, { ...s });
    else {
      t.nCalls += s.nCalls;
      t.nTimed += s.nTimed;
      t.totalMs += s.totalMs;
      t.maxMs = Math.max(t.maxMs, s.maxMs);
      t.minMs = Math.min(t.minMs, s.minMs);
      t.sumSqMs2 += s.sumSqMs2;
    }
  }
  return into;
}

export function emptyStats(): TraceStats {
  return { functions: new Map(), routes: new Map(), sqlShapes: new Map(), roots: { nCalls: 0, nTimed: 0, totalMs: 0 }, nSql: 0, nRequests: 0 };
}

/** The normalised shape of a SQL call: computed once per distinct text of the recording (memoised on its entry). */
export function sqlShapeOf(trace: Trace, call: Call): string {
  const sql = sqlOf(trace, call);
  return sql ? shapeOfSql(sql) : '';
}

/** The normalised shape of a recorded SQL text (memoised on the entry). */
export function shapeOfSql(sql: SqlInfo): string {
  const cached = shapeCache.get(sql);
  if (cached !== undefined) return cached;
  let normalized = normalizeSql(sql.cut ? sql.text.replace(/\.\.$/, '') : sql.text, dialectOf(sql.databaseType));
  // A text cut at the recorder's length limit ends inside a value or name whose length varies
  // from run to run: its last word is dropped, so the cut texts of one query share a shape.
  if (sql.cut) normalized = `${normalized.replace(/\s*\S*$/, '')} …`;
  const shape = shapes.intern(normalized, normalized);
  shapeCache.set(sql, shape);
  return shape;
}

const shapeCache = new WeakMap<object, string>();

/** Calls share few shapes: one string per shape, not one per call. */
const shapes = new Interner<string>();

const factsCache = new WeakMap<object, SqlFacts>();

/** SQL facts of a call, computed once per distinct text of the recording. */
export function factsOf(trace: Trace, c: Call): SqlFacts {
  return factsOfSql(sqlOf(trace, c) as SqlText);
}

/** SQL facts of a recorded text (memoised on the entry). */
export function factsOfSql(sql: SqlText): SqlFacts {
  let facts = factsCache.get(sql);
  if (!facts) {
    const f = sqlFacts(sql.text, dialectOf(sql.databaseType));
    facts = sharedFacts.intern(`${f.kind}\u0000${f.isCatalog}\u0000${f.tables.join('\u0001')}\u0000${f.filterColumns.join('\u0001')}`, f);
    factsCache.set(sql, facts);
  }
  return facts;
}

/** Most calls have the facts of many others (same kind, tables and columns): one object each. */
const sharedFacts = new Interner<SqlFacts>();


function emptyTiming(): TimingStats {
  return { nCalls: 0, nTimed: 0, totalMs: 0, sumMs: 0, selfMs: 0, maxMs: 0, minMs: Infinity, sumSqMs2: 0, nSql: 0 };
}

function addTiming(s: TimingStats, elapsedMs: number, selfMs: number, nSql: number, outermost: boolean): void {
  s.nCalls++;
  s.nSql += nSql;
  if (Number.isNaN(elapsedMs)) return;
  s.nTimed++;
  s.sumMs += elapsedMs;
  if (outermost) s.totalMs += elapsedMs;
  if (!Number.isNaN(selfMs)) s.selfMs += selfMs;
  s.maxMs = Math.max(s.maxMs, elapsedMs);
  s.minMs = Math.min(s.minMs, elapsedMs);
  s.sumSqMs2 += elapsedMs * elapsedMs;
}

function addTimingStats(t: TimingStats, s: TimingStats): void {
  t.nCalls += s.nCalls;
  t.nTimed += s.nTimed;
  t.totalMs += s.totalMs;
  t.sumMs += s.sumMs;
  t.selfMs += s.selfMs;
  t.maxMs = Math.max(t.maxMs, s.maxMs);
  t.minMs = Math.min(t.minMs, s.minMs);
  t.sumSqMs2 += s.sumSqMs2;
  t.nSql += s.nSql;
}
