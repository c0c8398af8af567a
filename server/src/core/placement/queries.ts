// Where a query of a model is written: the ORM expression that built a source query (Django's
// `Model.objects…`, `Micropost.where(…)`, `prisma.book.findMany(…)`), looked up from the query's
// table through each ORM's models, in the recorded project functions of the request.

import { Anchor } from '../findings/finding';
import { languageOfPath } from '../source/language';
import { dialectOf, sqlFacts } from '../sql/normalize';
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
  return (scopeCall, source) => {
    if (!index.parsers || !source.sql) return undefined;
    const table = sqlFacts(source.sql.text, dialectOf(source.sql.databaseType)).tables[0];
    if (!table) return undefined;
    for (const orm of orms) {
      const model = orm.modelOfTable(index, table);
      if (!model) continue;
      const key = `${orm.name}\u0000${model}`;
      const known = memoOf(inFunction, key);
      const querysetOf = (i: number): Anchor | null => {
        const c = trace.calls[i];
        if (c.kind !== CallKind.Function || c.fn === -1) return null;
        let found = known.get(c.fn);
        if (found === undefined) {
          found = querysetAnchor(orm, trace.functions[c.fn], model, index) ?? null;
          known.set(c.fn, found);
        }
        return found;
      };
      const onStack = walkRemembering(memoOf(upward, key), source.index, (i) => trace.calls[i].parent, (i) => querysetOf(i) !== null);
      if (onStack !== -1) return querysetOf(onStack) as Anchor;
      const first = scopeCall ? scopeCall.index : 0;
      const before = walkRemembering(
        memoOf(backward, `${key}\u0000${source.threadId}\u0000${first}`),
        source.index - 1,
        (i) => (i > first ? i - 1 : -1),
        (i) => i >= first && trace.calls[i].threadId === source.threadId && querysetOf(i) !== null,
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
  const caller = query.parent === -1 ? undefined : trace.calls[query.parent];
  if (!caller || caller.kind !== CallKind.Function || caller.fn === -1 || !query.sql || !index.parsers) return undefined;
  const table = sqlFacts(query.sql.text, dialectOf(query.sql.databaseType)).tables[0];
  if (!table) return undefined;
  for (const orm of orms) {
    const model = orm.modelOfTable(index, table);
    const found = model && querysetAnchor(orm, trace.functions[caller.fn], model, index);
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
