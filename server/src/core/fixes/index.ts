// Fixes for findings: the eager-loading change of an N+1 where it is certain (an edit), else a
// hint that says what to add and where. Django querysets get edits today; other code gets hints.

import { resolveAnchor } from '../findings/anchor';
import { Finding } from '../findings/finding';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { sqlFacts } from '../sql/normalize';
import { djangoRelationsToLoad, eagerQueryset } from './django';

export interface Fix {
  title: string;
  /** The change, when it is certain: replace `range` (1-based, end exclusive) of `path` by `newText`. */
  edit?: { path: string; range: Required<SourceLocation>; newText: string };
  /** What to add and where, in words: shown when there is no edit, printed by `scan --fix-hints`. */
  hint: string;
}

export function eagerLoadingFix(finding: Finding, index: SourceIndex): Fix | undefined {
  if (finding.rule !== 'n-plus-one') return undefined;
  const ref = finding.ref;
  const location = resolveAnchor(ref, index) ?? finding.location;
  if (ref.kind === 'queryset' && location.endLine !== undefined && location.endColumn !== undefined) {
    const text = index.text(location.path);
    const load = djangoRelationsToLoad(ref.model, finding.related, index.models());
    if (text !== undefined && load && load.selectRelated.length + load.prefetchRelated.length > 0) {
      const range = location as Required<SourceLocation>;
      const expression = sliceRange(text, range);
      const edited = load.unexplained.length === 0 ? eagerQueryset(expression, load) : undefined;
      const names = [...load.selectRelated.map((n) => `select_related("${n}")`), ...load.prefetchRelated.map((n) => `prefetch_related("${n}")`)].join(', ');
      if (edited) {
        return {
          title: `Load eagerly: ${edited.added}`,
          edit: { path: location.path, range, newText: edited.newText },
          hint: `append ${edited.added} to the queryset at ${location.path}:${location.line}:${location.column}`,
        };
      }
      const unexplained = load.unexplained.map((r) => r.table ?? 'query').join(', ');
      return {
        title: `Load eagerly (hint): ${names}`,
        hint: `add ${names} to the queryset at ${location.path}:${location.line}:${location.column}${unexplained ? `; the repeated queries on ${unexplained} match no relation of ${ref.model} and need loading by hand` : '; merge them into the existing calls by hand'}`,
      };
    }
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

/** The text of a 1-based, end-exclusive range (columns in UTF-16 code units, as JS strings). */
export function sliceRange(text: string, range: Required<SourceLocation>): string {
  const lines = text.split('\n');
  if (range.line === range.endLine) return (lines[range.line - 1] ?? '').slice(range.column - 1, range.endColumn - 1);
  const parts = [(lines[range.line - 1] ?? '').slice(range.column - 1)];
  for (let l = range.line + 1; l < range.endLine; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[range.endLine - 1] ?? '').slice(0, range.endColumn - 1));
  return parts.join('\n');
}

/** Applies a fix's edit to the text (tests and `scan --fix`-like tools). */
export function applyEdit(text: string, edit: NonNullable<Fix['edit']>): string {
  const lines = text.split('\n');
  const offset = (line: number, column: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  return text.slice(0, offset(edit.range.line, edit.range.column)) + edit.newText + text.slice(offset(edit.range.endLine, edit.range.endColumn));
}
