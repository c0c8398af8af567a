// The interface an ORM plugs into placement and fixes (core/orm/<name>/index.ts implements it):
// which table is which model, where a query of a model is written (so an N+1 sits on the query
// that built it), and the eager-loading fix of that query. Placement is handed the ORMs it tries
// (core/orm/index.ts lists them) and imports none of them.

import type { OrmName, RelatedEntry } from '../findings/finding';
import type { SourceLanguage, SourceRange } from '../source/language';
import type { SourceIndex, SourceLocation } from '../sourceIndex';

export interface Fix {
  title: string;
  /** The change, when it is certain: replace `range` (1-based, end exclusive) of `path` by `newText`. */
  edit?: { path: string; range: Required<SourceLocation>; newText: string };
  /** What to add and where, in words: shown when there is no edit, printed by `scan --fix-hints`. */
  hint: string;
}

export interface OrmQuery {
  /** The whole query expression, in the current text. */
  location: Required<SourceLocation>;
  /** The ORM's name of the model the query is of (`Meeting`). */
  model: string;
}

export interface OrmSupport {
  name: OrmName;
  /** The languages its queries are written in. */
  languages: SourceLanguage[];
  /** The word for the N+1 message: `N+1: 1,500 queries from this queryset`. */
  noun: string;
  /** The model behind a table, from the workspace's model definitions. */
  modelOfTable(index: SourceIndex, table: string): string | undefined;
  /** Expressions in `path`, within the lines, that build a query of `model`, in order. */
  findQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[];
  /** The eager-loading fix of `query` for the repeated queries `related`. */
  fix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined;
}
