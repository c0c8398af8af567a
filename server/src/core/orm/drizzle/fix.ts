// The eager-loading fix for a Drizzle N+1: the relations of the query's table that the repeated
// queries load (from each query's table and filter columns, against `relations(…)`), loaded with
// `with: { user: true }`. A relational query (`db.query.messages.findMany(…)`) gets it in its
// options; a select chain (`db.select().from(messages).orderBy(messages.id)`) is rewritten as the
// relational query that returns the same rows (`select()` without a projection; where, orderBy,
// limit and offset carried over), else a hint says so. The loops over the query's rows then read
// the loaded relation instead of querying it per row, where that is certain (rowReads).

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, addArgument, addProperties, callArguments, calleeName, callAt, hasSpread, jsLanguageOf, lastName, methodCall, objectEntries, objectEntry, unwrap } from '../js/syntax';
import { inLoopOverOtherRows, rowLoops, within } from '../js/rowLoops';
import { RowRead, RowReads, loadFix } from '../js/loadFix';
import { append } from '../../arrays';
import { columnOf, onTable, sameName } from '../js/names';
import { chainLinks } from '../js/chain';
import { DrizzleRelation, DrizzleTable, drizzleTables } from './models';
import { DrizzleQuery, drizzleQueriesIn } from './queries';

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
      return loadFix(text, call, edits, rowReads(root, call, table, loaded, tables), { path: location.path, at, added, perRow: true });
    }
    const rewritten = relationalOf(call, table.name, wanted);
    if ('reason' in rewritten) return hint(rewritten.reason);
    const edit = { start: call.startIndex, end: call.endIndex, text: rewritten.text };
    return loadFix(text, call, [edit], rowReads(root, call, table, loaded, tables), { path: location.path, at, added: `a relational query with ${wanted}`, action: `write the query at ${at} as ${rewritten.text}`, perRow: true });
  });
}

/**
 * The per-row queries of the loaded relations' tables, each rewritten to read the loaded relation
 * where that is certain: on the row of a loop over the query's rows (in the same function),
 * awaited, a query of the target by the key the relation joins on and nothing else,
 * `eq(users.id, m.userId)` in `db.select().from(users).where(…)` or in a relational query's
 * `where`. For a `one` relation, `const [user] = await <select>` becomes `const user = m.user`, and
 * `await db.query.users.findFirst(…)` `m.user`; for a `many` relation, `await <select>` and
 * `await db.query.tasks.findMany(…)` become `project.tasks`. Any other remains, and so does a
 * relation whose table is queried nowhere in this file.
 */
function rowReads(root: Node, query: Node, table: DrizzleTable, loaded: DrizzleRelation[], tables: DrizzleTable[]): RowReads {
  const loops = rowLoops(query);
  const edits: Edit[] = [];
  const rewritten: RowRead[] = [];
  const remaining: RowRead[] = [];
  for (const relation of loaded) {
    const key = joinKey(table, relation, tables);
    let seen = 0;
    for (const q of drizzleQueriesIn(root, relation.target)) {
      if (q.call.id === query.id || inLoopOverOtherRows(q.call, query)) continue;
      seen++;
      const condition = perRowCondition(q, relation.target);
      const eq = key && condition && keyRead(condition.where, relation.target, key.targetProperty);
      const row = eq && condition.exact && eq.row.property === key!.rowProperty ? eq.row.name : undefined;
      const read: RowRead = { read: eq ? `${eq.row.name}.${relation.name}` : `each row's ${relation.name}`, line: lineOf(q.call.startPosition) };
      const loop = row !== undefined ? loops.find((l) => l.row === row && within(q.call, l.body)) : undefined;
      const awaited = q.call.parent?.type === 'await_expression' ? q.call.parent : undefined;
      const method = q.kind === 'relational' ? methodCall(q.call)?.method : 'select';
      const declarator = awaited?.parent?.type === 'variable_declarator' ? awaited.parent : undefined;
      const pattern = declarator?.childForFieldName('name');
      const single = pattern?.type === 'array_pattern' && pattern.namedChildren.length === 1 && pattern.namedChildren[0].type === 'identifier' ? pattern.namedChildren[0] : undefined;
      const rewrite: Edit[] | undefined =
        !loop || !awaited
          ? undefined
          : relation.kind === 'many'
            ? method === 'findFirst' ? undefined : [{ start: awaited.startIndex, end: awaited.endIndex, text: `${row}.${relation.name}` }]
            : method === 'findFirst'
              ? [{ start: awaited.startIndex, end: awaited.endIndex, text: `${row}.${relation.name}` }]
              : method === 'select' && single && pattern
                ? [{ start: pattern.startIndex, end: pattern.endIndex, text: single.text }, { start: awaited.startIndex, end: awaited.endIndex, text: `${row}.${relation.name}` }]
                : undefined;
      if (!rewrite) {
        remaining.push(read);
        continue;
      }
      append(edits, rewrite);
      rewritten.push({ ...read, call: method === 'select' ? `select().from(${relation.target})` : `query.${relation.target}.${method}()` });
    }
    if (seen === 0) remaining.push({ read: `each row's ${relation.name}`, line: 0 });
  }
  return { edits, rewritten, remaining };
}

/** The properties a relation joins on: the target's (`users.id`) and the loaded row's (`m.userId`). */
function joinKey(table: DrizzleTable, relation: DrizzleRelation, tables: DrizzleTable[]): { targetProperty: string; rowProperty: string } | undefined {
  if (relation.kind === 'one') return relation.fields.length === 1 && relation.references.length === 1 ? { targetProperty: relation.references[0], rowProperty: relation.fields[0] } : undefined;
  // A `many` is read by the `one` of the target back to this table.
  const back = tables.find((t) => t.name === relation.target)?.relations.filter((r) => r.kind === 'one' && r.target === table.name) ?? [];
  return back.length === 1 && back[0].fields.length === 1 && back[0].references.length === 1 ? { targetProperty: back[0].fields[0], rowProperty: back[0].references[0] } : undefined;
}

/**
 * The condition of a per-row query, and whether it says nothing else (`exact`): `select()` (no
 * projection), `from(target)`, `where(cond)` and no other link; or a relational query whose
 * options are `{ where: cond }`.
 */
function perRowCondition(q: DrizzleQuery, target: string): { where: Node; exact: boolean } | undefined {
  if (q.kind === 'relational') {
    const args = callArguments(q.call);
    const options = args.length === 1 ? unwrap(args[0]) : undefined;
    const entries = options?.type === 'object' ? objectEntries(options) : [];
    const where = entries.find((e) => e.key === 'where');
    const alone = entries.length === 1 && !hasSpread(options!) && options!.namedChildren.filter((c) => c.type !== 'comment').length === 1;
    return where ? { where: unwrap(where.value), exact: alone } : undefined;
  }
  const { links } = chainLinks(q.call);
  const [select, from] = links;
  const wheres = links.filter((l) => l.method === 'where');
  if (wheres.length !== 1 || wheres[0].args.length !== 1) return undefined;
  const exact = links.length === 3 && select.method === 'select' && select.args.length === 0 && from.method === 'from' && lastName(from.args[0]) === target && links[2] === wheres[0];
  return { where: unwrap(wheres[0].args[0]), exact };
}

/** `eq(users.id, m.userId)` (either way round), the target's column `property`: the row's name and property. */
function keyRead(condition: Node, target: string, property: string): { row: { name: string; property: string } } | undefined {
  if (condition.type !== 'call_expression' || condition.childForFieldName('function')?.text !== 'eq') return undefined;
  const args = callArguments(condition).map(unwrap);
  if (args.length !== 2 || args.some((a) => a.type !== 'member_expression')) return undefined;
  const parts = args.map((a) => ({ object: unwrap(a.childForFieldName('object')!), property: a.childForFieldName('property')?.text ?? '' }));
  const column = parts.findIndex((p) => p.object.type === 'identifier' && p.object.text === target && p.property === property);
  const other = parts[1 - column];
  if (column < 0 || other.object.type !== 'identifier' || other.object.text === target) return undefined;
  return { row: { name: other.object.text, property: other.property } };
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
