// The fix for a Knex N+1, always a hint (Knex has no relations to load eagerly): the exact code of
// one query over all rows, `const tasks = await knex('tasks').whereIn('project_id', projects.map((p)
// => p.id))…`, written from the per-row query found in the workspace (its one `where` column, the
// row property compared with it, what follows it, with the column added to a select of strings so
// rows can be matched back), and how each row then finds its own.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { callAt, jsLanguageOf, preferredQuote, quoted } from '../js/syntax';
import { columnOf, onTable, sameName } from '../js/names';
import { KnexChain, knexChains } from './models';

export function knexFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (text === undefined || !language || !index.parsers || related.length !== 1) return undefined;
  const facts = sqlFacts(related[0].sql);
  const table = facts.tables[0];
  const filters = table ? facts.filterColumns.filter((f) => onTable(f, table)).map(columnOf) : [];
  if (!table || filters.length !== 1) return undefined;
  const column = filters[0];
  const chains = knexChains(index);
  const perRow = perRowChain(chains, table, column, location.path, location.line);
  if (!perRow?.where) return undefined;
  return withTree(index.parsers, language, text, (root) => {
    const rows = rowsVariable(callAt(root, location));
    if (!rows) return undefined;
    const quote = preferredQuote(root);
    const v = rows.charAt(0);
    const property = perRow.where!.property;
    // The rows' own keys are distinct; the keys they refer to may repeat.
    const values = property === 'id' ? `${rows}.map((${v}) => ${v}.id)` : `[...new Set(${rows}.map((${v}) => ${v}.${property}))]`;
    const after = perRow.after.map((l) => (l.columns && !l.columns.some((c) => sameName(c, column)) ? `.select(${withColumn(l.columns, column).map((c) => quoted(c, quote)).join(', ')})` : l.text)).join('');
    const batch = `const ${table} = await ${perRow.instance}(${quoted(table, quote)}).whereIn(${quoted(column, quote)}, ${values})${after};`;
    const t = table.charAt(0);
    const match = sameName(column, 'id')
      ? `match each row with a Map: const byId = new Map(${table}.map((${t}) => [${t}.id, ${t}])); byId.get(${v}.${property})`
      : `take each row's ${table} from it: ${table}.${perRow.first ? 'find' : 'filter'}((${t}) => ${t}.${column} === ${v}.${property})`;
    return {
      title: `Load in one query (hint): whereIn(${quoted(column, quote)}, …)`,
      hint: `load all ${table} in one query after the query at ${location.path}:${location.line}:${location.column}: ${batch} then ${match}, instead of the query per row at ${perRow.path}:${perRow.line}`,
    };
  });
}

/** The per-row chain on `table` filtering `column`: the one after the source query in its file, else the one in the workspace. */
function perRowChain(chains: KnexChain[], table: string, column: string, path: string, line: number): KnexChain | undefined {
  const candidates = chains.filter((c) => sameName(c.table, table) && c.where && sameName(c.where.column, column));
  const here = candidates.filter((c) => c.path === path && c.line > line);
  const pick = here.length ? here : candidates;
  return pick.length === 1 ? pick[0] : undefined;
}

/** `const projects = await <query>`: `projects`. */
function rowsVariable(call: Node | undefined): string | undefined {
  let n = call?.parent;
  while (n && (n.type === 'await_expression' || n.type === 'parenthesized_expression')) n = n.parent;
  const name = n?.type === 'variable_declarator' ? n.childForFieldName('name') : undefined;
  return name?.type === 'identifier' ? name.text : undefined;
}

/** The select's columns with `column` added after `id` (else last), so each row can be matched back. */
function withColumn(columns: string[], column: string): string[] {
  const at = columns.indexOf('id');
  return at < 0 ? [...columns, column] : [...columns.slice(0, at + 1), column, ...columns.slice(at + 1)];
}
