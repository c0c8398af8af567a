// The eager-loading fix for a MikroORM N+1: the relations of the query's entity that the repeated
// queries load (found from each query's table and filter columns), added to the query's options as
// `populate: ['tasks']`, or to the populate list already there; the loops over the query's rows then
// read the populated collection instead of initialising it per row, where that is certain
// (rowReads). Where no relation loads them (a plain key column), a hint in exact code: one `$in`
// query over all rows.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, addArgument, addElements, addProperties, callArguments, callAt, hasSpread, jsLanguageOf, lastName, methodCall, objectEntries, objectEntry, preferredQuote, quoted, stringValue, unwrap } from '../js/syntax';
import { columnOf, lowerFirst, onTable, sameName } from '../js/names';
import { RowLoop, inLoopOverOtherRows, rowLoops, within } from '../js/rowLoops';
import { RowRead, RowReads, loadFix, removeEmptiedLoops, removeRowStatement } from '../js/loadFix';
import { MikroEntity, MikroRelation, mikroEntities } from './models';
import { mikroQueriesIn, mikroQueryAt } from './queries';
import { lineOf } from '../../source/language';

export function mikroFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const entities = mikroEntities(index);
  const entity = entities.find((e) => e.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!entity || text === undefined || !language || !index.parsers) return undefined;
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(entity, entry, entities));
  if (loaded.length === 0) return related.length === 1 ? batchHint(index, query, related[0], entities) : undefined;
  return withTree(index.parsers, language, text, (root) => {
    const call = callAt(root, location);
    const q = call && mikroQueryAt(call, entity.name);
    if (!call || !q) return undefined;
    const quote = preferredQuote(root);
    const items = loaded.map((r) => quoted(r.name, quote));
    const wanted = `populate: [${items.join(', ')}]`;
    const at = `${location.path}:${location.line}:${location.column}`;
    if (unexplained.length > 0) {
      const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
      return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no relation of ${entity.name} and need loading by hand` };
    }
    const args = callArguments(call);
    let edits: Edit[];
    let added = wanted;
    if (args.length <= q.optionsAt) {
      // Missing arguments before the options: an empty where clause.
      const fill = Array(q.optionsAt - args.length).fill('{}');
      const edit = addArgument(call, [...fill, `{ ${wanted} }`].join(', '));
      if (!edit) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the call cannot be edited safely` };
      edits = [edit];
    } else {
      const options = unwrap(args[q.optionsAt]);
      if (options.type !== 'object') return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; its options are not an object literal here: merge it into them by hand` };
      const existing = objectEntry(options, 'populate');
      if (!existing) {
        if (hasSpread(options)) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; its options spread another object that may hold populate: merge it by hand` };
        edits = addProperties(text, options, [wanted]);
      } else {
        const value = unwrap(existing.value);
        if (value.type !== 'array') return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; its populate is not a list written here: merge it by hand` };
        const present = value.namedChildren.map((c) => stringValue(c));
        const missing = loaded.filter((r) => !present.includes(r.name)).map((r) => quoted(r.name, quote));
        if (missing.length === 0) return { title: `Load eagerly (hint): ${wanted}`, hint: `it is in populate at ${at} already; check where the rows are read` };
        edits = addElements(text, value, missing);
        added = `${missing.join(', ')} in populate`;
      }
    }
    return loadFix(text, call, edits, rowReads(root, text, call, entity, loaded), { path: location.path, at, added, perRow: true });
  });
}

/** What a collection's loader gives, read from the populated collection instead. */
const LOADERS: Record<string, (read: string) => string> = { init: (r) => r, load: (r) => r, loadItems: (r) => `${r}.getItems()` };

/**
 * The per-row loaders of the loaded collections (1:m, m:n), each rewritten to read the populated
 * collection where that is certain: on the row of a loop over the query's rows (in the same
 * function), awaited, without arguments, `project.tasks.init()` (or `load()`) goes with its line
 * when it stands alone, and a loop left empty with it; elsewhere it becomes `project.tasks`, and
 * `loadItems()` `project.tasks.getItems()`. Any other remains (a loader with options, a row handed
 * elsewhere, a reference), and so does a relation whose loader is found nowhere in this file.
 */
function rowReads(root: Node, text: string, query: Node, entity: MikroEntity, loaded: MikroRelation[]): RowReads {
  const loops = rowLoops(query);
  const edits: Edit[] = [];
  const rewritten: RowRead[] = [];
  const remaining: RowRead[] = [];
  const emptied = new Map<number, { loop: RowLoop; removed: number }>();
  const someRow = lowerFirst(entity.name);
  for (const relation of loaded) {
    const name = relation.name;
    let seen = 0;
    for (const node of descendants(root)) {
      const call = node.type === 'call_expression' ? methodCall(node) : undefined;
      const loader = call && Object.hasOwn(LOADERS, call.method) ? LOADERS[call.method] : undefined;
      const collection = call && unwrap(call.object);
      const property = collection?.type === 'member_expression' ? collection.childForFieldName('property')?.text : undefined;
      if (!call || !loader || property !== name) continue;
      if (inLoopOverOtherRows(node, query)) continue;
      seen++;
      const object = unwrap(collection!.childForFieldName('object')!);
      const row = object.type === 'identifier' ? object.text : undefined;
      const read: RowRead = { read: `${row ?? someRow}.${name}`, call: `${row ?? someRow}.${name}.${call.method}()`, line: lineOf(node.startPosition) };
      const loop = row !== undefined ? loops.find((l) => l.row === row && within(node, l.body)) : undefined;
      const awaited = node.parent?.type === 'await_expression' ? node.parent : undefined;
      if (!loop || !awaited || callArguments(node).length > 0 || (relation.kind !== '1:m' && relation.kind !== 'm:n')) {
        remaining.push(read);
        continue;
      }
      rewritten.push(read);
      const statement = awaited.parent;
      if (statement?.type === 'expression_statement' && call.method !== 'loadItems') edits.push(removeRowStatement(text, statement, loop, emptied));
      else edits.push({ start: awaited.startIndex, end: awaited.endIndex, text: loader(`${row}.${name}`) });
    }
    if (seen === 0) remaining.push({ read: `${someRow}.${name}`, line: 0 });
  }
  removeEmptiedLoops(text, edits, emptied);
  return { edits, rewritten, remaining };
}

/** The relation of `entity` a repeated query loads, from its table and filter columns. */
function explain(entity: MikroEntity, entry: RelatedEntry, entities: MikroEntity[]): MikroRelation | undefined {
  const facts = sqlFacts(entry.sql);
  const table = facts.tables[0];
  if (!table) return undefined;
  const filters = facts.filterColumns.filter((f) => onTable(f, table));
  const matches = entity.relations.filter((r) => {
    const target = entities.find((e) => e.name === r.target);
    if (!target || !sameName(target.table, table)) return false;
    // A collection (1:m) is read by its foreign key; a reference (m:1, 1:1) by the target's key;
    // a many-to-many joins its pivot table.
    if (r.kind === 'm:n') return facts.tables.length > 1;
    if (r.kind === '1:m' || (r.kind === '1:1' && r.mappedBy)) return filters.some((f) => !sameName(columnOf(f), target.primaryKey));
    return filters.some((f) => sameName(columnOf(f), target.primaryKey));
  });
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Where no relation loads the repeated rows (a plain key column, `ownerId`), the exact code of one
 * query over all rows, from the per-row `find(User, { id: project.ownerId })` after the query in its
 * file: `find(User, { id: { $in: projects.map((p) => p.ownerId) } })`, and a Map to match them.
 */
function batchHint(index: SourceIndex, query: OrmQuery, entry: RelatedEntry, entities: MikroEntity[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  const table = sqlFacts(entry.sql).tables[0];
  const target = table && entities.find((e) => sameName(e.table, table));
  if (!target || text === undefined || !language || !index.parsers) return undefined;
  return withTree(index.parsers, language, text, (root) => {
    const rows = rowsVariable(callAt(root, location));
    const perRow = mikroQueriesIn(root, target.name).filter((q) => q.optionsAt === 2 && lineOf(q.call.startPosition) > location.line);
    if (!rows || perRow.length !== 1) return undefined;
    const where = callArguments(perRow[0].call)[1];
    const object = where && unwrap(where);
    const entries = object?.type === 'object' ? objectEntries(object) : [];
    const value = entries.length === 1 ? unwrap(entries[0].value) : undefined;
    const property = value?.type === 'member_expression' ? lastName(value) : undefined;
    const receiver = methodCall(perRow[0].call)?.object.text;
    if (!property || !receiver || perRow[0].method !== 'find') return undefined;
    const v = rows.charAt(0);
    const t = target.table.charAt(0);
    const key = entries[0].key;
    const batch = `const ${target.table} = await ${receiver}.find(${target.name}, { ${key}: { $in: ${rows}.map((${v}) => ${v}.${property}) } });`;
    return {
      title: `Load in one query (hint): { ${key}: { $in: … } }`,
      hint: `load all ${target.table} in one query after the query at ${location.path}:${location.line}:${location.column}: ${batch} then match each row with a Map: const byId = new Map(${target.table}.map((${t}) => [${t}.${key}, ${t}])); byId.get(${v}.${property}), instead of the query per row at ${location.path}:${lineOf(perRow[0].call.startPosition)}`,
    };
  });
}

/** `const projects = await <query>`: `projects`. */
function rowsVariable(call: Node | undefined): string | undefined {
  let n = call?.parent;
  while (n && (n.type === 'await_expression' || n.type === 'parenthesized_expression')) n = n.parent;
  const name = n?.type === 'variable_declarator' ? n.childForFieldName('name') : undefined;
  return name?.type === 'identifier' ? name.text : undefined;
}
