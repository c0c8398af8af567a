// The eager-loading fix for a Drizzle N+1: the relations of the query's table that the repeated
// queries load (from each query's table and filter columns, against `relations(…)`), loaded with
// `with: { user: true }`. A relational query (`db.query.messages.findMany(…)`) gets it in its
// options; a select chain (`db.select().from(messages).orderBy(messages.id)`) is rewritten as the
// relational query that returns the same rows (`select()` without a projection; where, orderBy,
// limit and offset carried over), else a hint says so.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, addArgument, addProperties, applyEdits, callArguments, calleeName, callAt, hasSpread, jsLanguageOf, objectEntries, objectEntry, unwrap } from '../js/syntax';
import { columnOf, onTable, sameName } from '../js/names';
import { chainLinks } from '../js/chain';
import { DrizzleRelation, DrizzleTable, drizzleTables } from './models';
import { drizzleQueriesIn } from './queries';

export function drizzleFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const tables = drizzleTables(index);
  const table = tables.find((t) => t.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!table || text === undefined || !language || !index.parsers) return undefined;
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(table, entry, tables));
  if (loaded.length === 0) return undefined;
  return withTree(index.parsers, language, text, (root) => {
    const call = callAt(root, location);
    const q = call && drizzleQueriesIn(root, table.name).find((x) => x.call.id === call.id);
    if (!call || !q) return undefined;
    const withs = loaded.map((r) => `${r.name}: true`);
    const wanted = `with: { ${withs.join(', ')} }`;
    const at = `${location.path}:${location.line}:${location.column}`;
    const after = `then read each row's ${loaded.map((r) => r.name).join(', ')} instead of querying per row`;
    const hint = (reason: string): Fix => ({ title: `Load eagerly (hint): ${wanted}`, hint: `load the rows with a relational query, db.query.${table.name}.findMany({ ${wanted} }), at ${at}; ${reason}` });
    if (unexplained.length > 0) return hint(`the repeated queries on ${unexplained.map((r) => r.table ?? 'query').join(', ')} match no relation of ${table.name} and need loading by hand`);
    if (q.kind === 'relational') {
      const args = callArguments(call);
      let edits: Edit[];
      let added = wanted;
      if (args.length === 0) {
        const edit = addArgument(call, `{ ${wanted} }`);
        if (!edit) return hint('the call cannot be edited safely');
        edits = [edit];
      } else {
        const options = unwrap(args[0]);
        if (options.type !== 'object' || hasSpread(options)) return hint('its options are not an object literal written here: merge it by hand');
        const existing = objectEntry(options, 'with');
        if (!existing) edits = addProperties(text, options, [wanted]);
        else {
          const value = unwrap(existing.value);
          if (value.type !== 'object') return hint('its with is not an object written here: merge it by hand');
          const present = new Set(objectEntries(value).map((e) => e.key));
          const missing = loaded.filter((r) => !present.has(r.name)).map((r) => `${r.name}: true`);
          if (missing.length === 0) return hint('it is in its with already; check where the rows are read');
          edits = addProperties(text, value, missing);
          added = `${missing.join(', ')} in with`;
        }
      }
      const newText = applyEdits(text, call.startIndex, call.endIndex, edits);
      return { title: `Load eagerly: ${added}`, edit: { path: location.path, range: location, newText }, hint: `add ${added} to the query at ${at}, ${after}` };
    }
    const rewritten = relationalOf(call, table.name, wanted);
    if ('reason' in rewritten) return hint(rewritten.reason);
    return { title: `Load eagerly: a relational query with ${wanted}`, edit: { path: location.path, range: location, newText: rewritten.text }, hint: `write the query at ${at} as ${rewritten.text}, ${after}` };
  });
}

/** `db.select().from(t).where(w).orderBy(o).limit(n)` as `db.query.t.findMany({ with, where, orderBy, limit })`, or why not. */
function relationalOf(top: Node, name: string, wanted: string): { text: string } | { reason: string } {
  const { root, links } = chainLinks(top);
  const select = links[0];
  if (!select || !/^select(Distinct)?$/.test(select.method ?? '') || links[1]?.method !== 'from') return { reason: 'its chain does not start with select().from()' };
  if (select.method !== 'select' || select.args.length > 0) return { reason: 'it selects chosen columns, which a relational query names with columns: rewrite it by hand' };
  const options = [wanted];
  for (const link of links.slice(2)) {
    const args = link.args.map((a) => a.text);
    switch (link.method) {
      case 'where':
        if (args.length !== 1) return { reason: 'its where is not one condition' };
        options.push(`where: (${name}, { ${operatorsIn(link.args[0]).join(', ')} }) => ${args[0]}`);
        break;
      case 'orderBy': {
        if (args.length === 0) return { reason: 'its orderBy is empty' };
        const ordered = link.args.map((a) => (isOrder(a) ? a.text : `asc(${a.text})`));
        const operators = [...new Set(link.args.map((a) => (isOrder(a) ? calleeName(unwrap(a))! : 'asc')))];
        options.push(`orderBy: (${name}, { ${operators.join(', ')} }) => [${ordered.join(', ')}]`);
        break;
      }
      case 'limit':
      case 'offset':
        if (args.length !== 1) return { reason: `its ${link.method} is not one value` };
        options.push(`${link.method}: ${args[0]}`);
        break;
      default:
        return { reason: `its ${link.method ?? 'call'}(…) has no relational form certain here: rewrite it by hand` };
    }
  }
  return { text: `${root.text}.query.${name}.findMany({ ${options.join(', ')} })` };
}

function isOrder(node: Node): boolean {
  const n = unwrap(node);
  return n.type === 'call_expression' && (calleeName(n) === 'asc' || calleeName(n) === 'desc') && n.childForFieldName('function')?.type === 'identifier';
}

/** The operators a where condition calls by bare name (`eq`, `and`, `inArray`), first seen first. */
function operatorsIn(node: Node): string[] {
  const names: string[] = [];
  for (const n of descendants(node)) {
    const fn = n.type === 'call_expression' ? n.childForFieldName('function') : null;
    if (fn?.type === 'identifier' && !names.includes(fn.text)) names.push(fn.text);
  }
  return names;
}

/** The relation of `table` a repeated query loads: `one` by the referenced columns, `many` by a foreign key. */
function explain(table: DrizzleTable, entry: RelatedEntry, tables: DrizzleTable[]): DrizzleRelation | undefined {
  const facts = sqlFacts(entry.sql);
  const name = facts.tables[0];
  if (!name) return undefined;
  const filters = facts.filterColumns.filter((f) => onTable(f, name)).map(columnOf);
  const matches = table.relations.filter((r) => {
    const target = tables.find((t) => t.name === r.target);
    if (!target || !sameName(target.table, name)) return false;
    if (r.kind === 'one' && r.references.length) return r.references.every((p) => filters.some((f) => sameName(f, target.columns[p] ?? p)));
    return filters.some((f) => !sameName(f, target.primaryKey));
  });
  return matches.length === 1 ? matches[0] : undefined;
}
