// Where a query of a model is written: the ORM expression that built a source query (Django's
// `Model.objects…`, `Micropost.where(…)`, `prisma.book.findMany(…)`), looked up from the query's
// table through each ORM's models, in the recorded project functions of the request.

import { Anchor } from '../findings/finding';
import { languageOfPath } from '../source/language';
import { factsOf } from '../analysis/stats';
import { FunctionIdentity, SourceIndex, SourceLocation } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { memoOf, walkRemembering } from './calls';
import { OrmSupport } from './orm';

/**
 * The ORM expression that built a source query: first in the functions on the query's own stack,
 * innermost first, then in those of the same request or test that ran before it, latest first
 * (the view that returned the lazy queryset has returned by the time the template iterates it).
 * Both walks remember, per model, where they ended for every call they passed, and each function
 * is searched once per model: the searches of thousands of source queries in one request walk
 * each call once.
 */
export function querysetSearch(trace: Trace, index: SourceIndex, orms: readonly OrmSupport[]): (scopeCall: Call | undefined, source: Call) => Anchor | undefined {
  /** Per ORM and model: the queryset in each function (by function index), null for none. */
  const inFunction = new Map<string, Map<number, Anchor | null>>();
  /** Per ORM and model: for each call walked up, the nearest call at or above it whose function holds one (-1: none). */
  const upward = new Map<string, Map<number, number>>();
  /** Per ORM, model, thread and scope: for each call walked back, the latest call at or before it whose function holds one. */
  const backward = new Map<string, Map<number, number>>();
  const { kind, fn, parent, sql, threadId } = trace.calls;
  const next = (i: number) => parent[i];
  return (scopeCall, source) => {
    if (!index.parsers || sql[source] === -1) return undefined;
    const table = factsOf(trace, source).tables[0];
    if (!table) return undefined;
    for (const orm of orms) {
      const model = orm.modelOfTable(index, table);
      if (!model) continue;
      const key = `${orm.name}\u0000${model}`;
      const known = memoOf(inFunction, key);
      const querysetOf = (i: number): Anchor | null => {
        if (kind[i] !== CallKind.Function || fn[i] === -1) return null;
        let found = known.get(fn[i]);
        if (found === undefined) {
          found = querysetAnchor(orm, trace.functions[fn[i]], model, index) ?? null;
          known.set(fn[i], found);
        }
        return found;
      };
      const onStack = walkRemembering(memoOf(upward, key), source, next, (i) => querysetOf(i) !== null);
      if (onStack !== -1) return querysetOf(onStack) as Anchor;
      const first = scopeCall ?? 0;
      const thread = threadId[source];
      const before = walkRemembering(
        memoOf(backward, `${key}\u0000${thread}\u0000${first}`),
        source - 1,
        (i) => (i > first ? i - 1 : -1),
        (i) => i >= first && threadId[i] === thread && querysetOf(i) !== null,
      );
      if (before !== -1) return querysetOf(before) as Anchor;
    }
    return undefined;
  };
}


/**
 * The ORM expression of a query in the function that ran it (its caller), if any: not searched
 * back through the request as a source query's is (a lazy queryset built elsewhere), since a
 * lookup run again and again is written where it runs. One function's text per query.
 */
export function querysetOfCaller(trace: Trace, index: SourceIndex, orms: readonly OrmSupport[], query: Call): Anchor | undefined {
  const { kind, fn, parent, sql } = trace.calls;
  const caller = parent[query];
  if (caller === -1 || kind[caller] !== CallKind.Function || fn[caller] === -1 || sql[query] === -1 || !index.parsers) return undefined;
  const table = factsOf(trace, query).tables[0];
  if (!table) return undefined;
  for (const orm of orms) {
    const model = orm.modelOfTable(index, table);
    const found = model && querysetAnchor(orm, trace.functions[fn[caller]], model, index);
    if (found) return found;
  }
  return undefined;
}

/** The place of `model`'s query in the function, as a finding's anchor. */
function querysetAnchor(orm: OrmSupport, fn: FunctionIdentity, model: string, index: SourceIndex): Anchor | undefined {
  const location = querysetIn(orm, fn, model, index);
  return location && { location, ref: { kind: 'queryset', orm: orm.name, fn, model } };
}

/**
 * The first query of `model` in the function's own body, else among the statements of its class's
 * body that no method holds (`queryset = …` of a Django view, a Rails `scope`): never in another
 * method, which the request may never have run (a Rails N+1 sat on `microposts.limit(5)` of
 * `User#recent_microposts` because the recorded `User#feed` delegates to a query object).
 */
export function querysetIn(orm: OrmSupport, fn: FunctionIdentity, model: string, index: SourceIndex): Required<SourceLocation> | undefined {
  const located = index.locate(fn);
  const def = located?.definition;
  if (!located || !def) return undefined;
  const path = located.location.path;
  const language = languageOfPath(path);
  if (!language || !orm.languages.includes(language)) return undefined;
  let ranges = orm.findQueries(index, path, model, { fromLine: def.line, toLine: def.endLine });
  if (ranges.length === 0 && def.container.length) {
    const definitions = index.definitionsOf(path) ?? [];
    const cls = definitions.find((d) => d.kind === 'class' && d.name === def.container[def.container.length - 1] && d.line <= def.line && d.endLine >= def.endLine);
    if (cls) {
      const methods = definitions.filter((d) => d.kind !== 'class' && d.line >= cls.line && d.endLine <= cls.endLine);
      ranges = orm.findQueries(index, path, model, { fromLine: cls.line, toLine: cls.endLine }).filter((r) => !methods.some((m) => r.line >= m.line && r.line <= m.endLine));
    }
  }
  const r = ranges[0];
  return r && { path, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn };
}
