// Where code runs SQL itself: the line of the recorded function around a query whose text names
// the query's table after FROM, JOIN, INTO or UPDATE.

import { Anchor } from '../findings/finding';
import { factsOf } from '../analysis/stats';
import { FunctionIdentity, SourceIndex, SourceLocation } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';

/** The statement, in the recorded function around a query, that names the query's table; `known` holds the answers per function and table. */
export function findSqlStatement(trace: Trace, index: SourceIndex, query: Call, known: Map<string, SourceLocation | null>): Anchor | undefined {
  const { kind, fn: fnOf, parent, sql } = trace.calls;
  const caller = parent[query];
  if (sql[query] === -1 || caller === -1) return undefined;
  if (kind[caller] !== CallKind.Function || fnOf[caller] === -1) return undefined;
  const table = factsOf(trace, query).tables[0];
  if (!table) return undefined;
  const fn = trace.functions[fnOf[caller]];
  // Each search reads the function's file line by line: once per function and table, not once per finding.
  const key = `${fnOf[caller]}\u0000${table}`;
  let location = known.get(key);
  if (location === undefined) known.set(key, (location = statementIn(fn, table, index) ?? null));
  return location ? { location, ref: { kind: 'sql-statement', fn, table } } : undefined;
}

export function statementIn(fn: FunctionIdentity, table: string, index: SourceIndex): SourceLocation | undefined {
  const located = index.locate(fn);
  if (!located?.definition) return undefined;
  const text = index.text(located.location.path);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const to = Math.min(located.definition.endLine, lines.length);
  const mentionsTable = new RegExp(`\\b(from|join|into|update)\\s+[\`"'\\[]?${escapeRegExp(table)}\\b`, 'i');
  for (let l = located.definition.line; l <= to; l++) {
    const line = lines[l - 1];
    if (mentionsTable.test(line)) return { path: located.location.path, line: l, column: firstNonSpace(line) };
  }
  return undefined;
}


function firstNonSpace(line: string): number {
  const m = /\S/.exec(line);
  return m ? m.index + 1 : 1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
