// Fixes for findings: the eager-loading change of an N+1, computed by the ORM of the query it sits
// on (core/orm/) where it is certain (an edit), else a hint that says what to add and where; and
// for a repeated query (the same question asked again), the hint to keep its result.

import { resolveAnchor } from '../placement/index';
import { Finding } from '../findings/finding';
import { formatCount } from '../findings/format';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { sqlFacts } from '../sql/normalize';
import { ORMS, ormByName } from '../orm/index';
import { Fix } from '../placement/orm';

export type { Fix } from '../placement/orm';

/** The fix of a finding, for the rules that have one: n-plus-one (eager loading) and repeated-query (keeping the result). */
export function fixOf(finding: Finding, index: SourceIndex): Fix | undefined {
  return finding.rule === 'repeated-query' ? memoisationFix(finding, index) : eagerLoadingFix(finding, index);
}

/**
 * The same query with the same values, run again (an unmemoised current_user looked up for every
 * row): loading eagerly removes nothing, keeping the first result does. A hint: where the result
 * can live (a variable, the request, a cache) is the author's choice.
 */
export function memoisationFix(finding: Finding, index: SourceIndex): Fix | undefined {
  if (finding.rule !== 'repeated-query') return undefined;
  const location = resolveAnchor(finding.ref, index, ORMS) ?? finding.location;
  const table = finding.related[0]?.table;
  const runs = `runs the same query${table ? ` on ${table}` : ''} ${formatCount(finding.count)} times with the same values`;
  return {
    title: 'How to keep the result (hint)',
    hint: `the code around ${location.path}:${location.line} ${runs}: run it once and keep the result (memoise the lookup, e.g. in a variable before the loop or once per request); loading eagerly would not remove it`,
  };
}

export function eagerLoadingFix(finding: Finding, index: SourceIndex): Fix | undefined {
  if (finding.rule !== 'n-plus-one') return undefined;
  const ref = finding.ref;
  const location = resolveAnchor(ref, index, ORMS) ?? finding.location;
  if (ref.kind === 'queryset' && location.endLine !== undefined && location.endColumn !== undefined) {
    const fix = ormByName(ref.orm)?.fix(index, { location: location as Required<SourceLocation>, model: ref.model }, finding.related);
    if (fix) return fix;
  }
  return { title: `How to load eagerly (hint)`, hint: genericHint(finding, location) };
}

/** Says which rows are loaded one at a time, and the usual fix, where no edit is certain. */
function genericHint(finding: Finding, location: SourceLocation): string {
  const tables = [...new Set(finding.related.map((r) => r.table).filter((t): t is string => Boolean(t)))];
  const columns = [...new Set(finding.related.flatMap((r) => sqlFacts(r.sql).filterColumns))];
  const place = `${location.path}:${location.line}`;
  const what = `${tables.join(', ') || 'rows'} ${columns.length ? `(by ${columns.join(', ')}) ` : ''}one query per row`;
  if (/\.(rb|erb)$/.test(location.path)) {
    const associations = tables.map((t) => `:${singular(t)}`).join(', ');
    return `the code around ${place} loads ${what}; where that collection is queried, add .includes(${associations}) (check the association names in the models)`;
  }
  return `the code around ${place} loads ${what}; load them in one query with the rows they belong to (a JOIN, or one query with WHERE … IN (…) over all rows)`;
}

function singular(table: string): string {
  return table.replace(/ies$/, 'y').replace(/(ss|x|ch|sh)es$/, '$1').replace(/s$/, '');
}

/** Applies a fix's edit to the text (tests and `scan --fix`-like tools). */
export function applyEdit(text: string, edit: NonNullable<Fix['edit']>): string {
  const lines = text.split('\n');
  const offset = (line: number, column: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  return text.slice(0, offset(edit.range.line, edit.range.column)) + edit.newText + text.slice(offset(edit.range.endLine, edit.range.endColumn));
}
