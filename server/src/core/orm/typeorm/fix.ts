// The eager-loading fix for a TypeORM N+1: the relations the repeated queries load, found from each
// query's tables, join tables and filter columns, added to the query's `relations: ["author", …]`.

import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import type { Node } from 'web-tree-sitter';
import { Edit, addArgument, addElements, addProperties, callArguments, callAt, calleeName, enclosingClassName, hasSpread, jsLanguageOf, lastName, methodCall, objectEntries, objectEntry, preferredQuote, quoted, stringValue, unwrap } from '../js/syntax';
import { RowLoop, inLoopOverOtherRows, joined, rowLoops, within } from '../js/rowLoops';
import { RowRead, RowReads, loadFix, removeEmptiedLoops, removeRowStatement } from '../js/loadFix';
import { camelCase, filtersOn, lowerFirst, sameName, snakeCase } from '../js/names';
import { TypeormEntity, TypeormRelation, typeormEntities } from './models';
import { TypeormQuery, queriesIn } from './queries';
import { WHERE_METHODS } from './queries';

export function typeormFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const entities = typeormEntities(index);
  const entity = entities.find((e) => e.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!entity || text === undefined || !language || !index.parsers) return undefined;
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(entity, entry, entities));
  if (loaded.length === 0) return undefined;
  const parsers = index.parsers;
  return withTree(parsers, language, text, (root) => {
    const quote = preferredQuote(root);
    const names = loaded.map((r) => r.name);
    const wanted = `relations: [${names.map((n) => quoted(n, quote)).join(', ')}]`;
    const at = `${location.path}:${location.line}:${location.column}`;
    if (unexplained.length > 0) {
      const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
      return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no relation of ${entity.name} and need loading by hand` };
    }
    const call = callAt(root, location);
    const found = call && queriesIn(root, entity.name).find((q) => q.call.id === call.id);
    if (!call || !found) return undefined;
    const edit = relationsEdit(text, found, names, quote);
    if ('reason' in edit) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; ${edit.reason}` };
    const reads = rowReads(index, root, text, found, entity, loaded);
    // A lazy relation awaited per row takes the loaded rows: nothing remains there.
    const lazy = reads.lazy;
    const tail = lazy.length ? `; awaiting ${joined(lazy, (r) => r.read)} then takes the loaded rows` : '';
    return loadFix(text, call, edit.edits, reads, { path: location.path, at, added: edit.added, perRow: true, tail });
  });
}

/**
 * The per-row loaders of the loaded relations, each rewritten to read the loaded relation where
 * that is certain: on the row of a loop over the query's rows (in the same function), awaited,
 * `relation(Project, 'tasks').of(project).loadMany()` (or loadOne) and, for a relation whose id
 * the entity keeps (@RelationId), `users.findOneBy({ id: task.assigneeId })` on a repository of
 * the target. Such a loader becomes `project.tasks`; `project.tasks = await …loadMany()` goes
 * with its line, and a loop left empty with it. Any other loader remains, and so does a relation
 * whose loader is found nowhere in this file (its rows are read elsewhere, out of sight).
 */
function rowReads(index: SourceIndex, root: Node, text: string, query: TypeormQuery, entity: TypeormEntity, loaded: TypeormRelation[]): RowReads & { lazy: RowRead[] } {
  const loops = LIST_METHODS.has(query.method) ? rowLoops(query.call) : [];
  const ids = relationIds(index, entity);
  const repositories = repositoriesIn(root);
  const edits: Edit[] = [];
  const rewritten: RowRead[] = [];
  const remaining: RowRead[] = [];
  const lazy: RowRead[] = [];
  const emptied = new Map<number, { loop: RowLoop; removed: number }>();
  const someRow = lowerFirst(entity.name);
  for (const relation of loaded) {
    let seen = 0;
    // A relation left to load per row: read it from the row (a lazy one, awaited, takes the loaded rows).
    const remains = (read: RowRead) => (relation.lazy ? lazy : remaining).push({ read: read.read, line: read.line });
    for (const node of descendants(root)) {
      const loader = loaderOf(node, entity, relation, ids, repositories);
      if (!loader) continue;
      if (inLoopOverOtherRows(node, query.call)) continue;
      seen++;
      const row = loader.row.type === 'identifier' ? loader.row.text : undefined;
      const read: RowRead = { read: `${row ?? someRow}.${relation.name}`, call: `${loader.method}()`, line: lineOf(node.startPosition) };
      const loop = row !== undefined ? loops.find((l) => l.row === row && within(node, l.body)) : undefined;
      const awaited = node.parent?.type === 'await_expression' ? node.parent : undefined;
      if (!loop || !awaited) {
        remains(read);
        continue;
      }
      rewritten.push(read);
      const assignment = awaited.parent;
      const statement = assignment?.parent;
      if (assignment?.type === 'assignment_expression' && statement?.type === 'expression_statement' && unwrap(assignment.childForFieldName('left')!).text === `${row}.${relation.name}`) {
        // `project.tasks = await …loadMany()`: the loaded relation is there already.
        edits.push(removeRowStatement(text, statement, loop, emptied));
      } else edits.push({ start: awaited.startIndex, end: awaited.endIndex, text: `${row}.${relation.name}` });
    }
    if (seen === 0) remains({ read: `${someRow}.${relation.name}`, line: 0 });
  }
  removeEmptiedLoops(text, edits, emptied);
  return { edits, rewritten, remaining, lazy };
}

/** The methods that return a list of rows, over which a loop can run. */
const LIST_METHODS = new Set(['find', 'findBy', 'findAndCount', 'findAndCountBy']);

interface Loader {
  method: string;
  /** The row whose relation it loads. */
  row: Node;
}

/**
 * A per-row loader of `relation`: `….relation(Entity, 'name').of(row).loadMany()` (or loadOne),
 * or `repo.findOneBy({ id: row.relationId })` on a repository of the target, `relationId` the
 * @RelationId of the relation.
 */
function loaderOf(node: Node, entity: TypeormEntity, relation: TypeormRelation, ids: Map<string, string>, repositories: Map<string, string>): Loader | undefined {
  const call = node.type === 'call_expression' ? methodCall(node) : undefined;
  if (!call) return undefined;
  if (call.method === 'loadMany' || call.method === 'loadOne') {
    const of = unwrap(call.object);
    const ofCall = of.type === 'call_expression' ? methodCall(of) : undefined;
    const relationCall = ofCall?.method === 'of' ? unwrap(ofCall.object) : undefined;
    const rel = relationCall?.type === 'call_expression' ? methodCall(relationCall) : undefined;
    const args = relationCall && rel?.method === 'relation' ? callArguments(relationCall) : [];
    const row = callArguments(of)[0];
    if (args.length !== 2 || lastName(args[0]) !== entity.name || stringValue(args[1]) !== relation.name || !row) return undefined;
    return { method: call.method, row: unwrap(row) };
  }
  if (call.method !== 'findOneBy' || relation.kind === 'one-to-many' || relation.kind === 'many-to-many') return undefined;
  const receiver = unwrap(call.object);
  const target = receiver.type === 'identifier' ? repositories.get(receiver.text) : repositoryTarget(receiver);
  const where = callArguments(node);
  const filter = where.length === 1 ? unwrap(where[0]) : undefined;
  if (target !== relation.target || filter?.type !== 'object' || hasSpread(filter)) return undefined;
  const entries = objectEntries(filter);
  if (entries.length !== 1 || filter.namedChildren.filter((c) => c.type !== 'comment').length !== 1) return undefined;
  const value = unwrap(entries[0].value);
  const object = value.type === 'member_expression' ? value.childForFieldName('object') : undefined;
  const property = value.type === 'member_expression' ? value.childForFieldName('property')?.text : undefined;
  if (!object || property === undefined || ids.get(property) !== relation.name) return undefined;
  return { method: call.method, row: unwrap(object) };
}

/** `X.getRepository(Entity)` → "Entity". */
function repositoryTarget(node: Node): string | undefined {
  const call = node.type === 'call_expression' ? methodCall(node) : undefined;
  return call?.method === 'getRepository' ? lastName(callArguments(node)[0]) : undefined;
}

/** The names bound to a repository in the file (`const users = dataSource.getRepository(User)`), with its entity. */
function repositoriesIn(root: Node): Map<string, string> {
  const found = new Map<string, string>();
  for (const node of descendants(root)) {
    if (node.type !== 'variable_declarator') continue;
    const name = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    const target = value && repositoryTarget(unwrap(value));
    if (name?.type === 'identifier' && target) found.set(name.text, target);
  }
  return found;
}

/** The entity's @RelationId properties: `@RelationId((task: Task) => task.assignee) assigneeId` → assigneeId → assignee. */
function relationIds(index: SourceIndex, entity: TypeormEntity): Map<string, string> {
  const ids = new Map<string, string>();
  const text = index.text(entity.path);
  const language = jsLanguageOf(entity.path);
  if (text === undefined || !language || !index.parsers) return ids;
  withTree(index.parsers, language, text, (root) => {
    for (const node of descendants(root)) {
      if (node.type !== 'public_field_definition' || enclosingClassName(node) !== entity.name) continue;
      const name = node.childForFieldName('name')?.text;
      for (const decorator of node.childrenForFieldName('decorator')) {
        const call = decorator?.namedChildren[0];
        if (!name || call?.type !== 'call_expression' || calleeName(call) !== 'RelationId') continue;
        const fn = callArguments(call)[0];
        const body = fn?.type === 'arrow_function' ? unwrap(fn.childForFieldName('body')!) : undefined;
        const relation = body?.type === 'member_expression' ? body.childForFieldName('property')?.text : undefined;
        if (relation) ids.set(name, relation);
      }
    }
  });
  return ids;
}

/** The relation of `entity` a repeated query loads, from its tables and filter columns. */
function explain(entity: TypeormEntity, entry: RelatedEntry, entities: TypeormEntity[]): TypeormRelation | undefined {
  const facts = sqlFacts(entry.sql);
  const table = facts.tables[0];
  if (!table) return undefined;
  const filters = facts.filterColumns;
  const matches: TypeormRelation[] = [];
  for (const relation of entity.relations) {
    const target = entities.find((e) => e.name === relation.target);
    if (!target || !sameName(target.table, table)) continue;
    const owner = relation.kind === 'many-to-one' || (relation.kind === 'one-to-one' && relation.joinColumn !== undefined);
    if (owner) {
      // By the target's key (`authors.id = $1`), or, for a lazy relation, joined to this entity's
      // row: FROM authors INNER JOIN books ON … WHERE books.id IN ($1).
      const joined = facts.tables.slice(1).some((t) => sameName(t, entity.table)) && filtersOn(filters, entity.table, entity.primaryKey);
      if (filtersOn(filters, table, target.primaryKey) || joined) matches.push(relation);
    } else if (relation.kind === 'many-to-many') {
      const join = joinTableOf(entity, relation, target);
      if (join && facts.tables.slice(1).some((t) => sameName(t, join))) matches.push(relation);
    } else {
      // One-to-many or the inverse one-to-one: the target is read by its foreign key.
      const inverse = inverseOf(entity, relation, target);
      if (inverse && joinColumnsOf(inverse, entity).some((c) => filtersOn(filters, table, c))) matches.push(relation);
    }
  }
  return matches.length === 1 ? matches[0] : undefined;
}

/** The relation on the target that points back at `entity`. */
function inverseOf(entity: TypeormEntity, relation: TypeormRelation, target: TypeormEntity): TypeormRelation | undefined {
  if (relation.inverse) return target.relations.find((r) => r.name === relation.inverse);
  const candidates = target.relations.filter((r) => r.target === entity.name && r !== relation);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The foreign key column of an owning relation: @JoinColumn's name, else TypeORM's `authorId` (or `author_id` with a snake-case naming strategy). */
function joinColumnsOf(owning: TypeormRelation, referenced: TypeormEntity): string[] {
  if (typeof owning.joinColumn === 'string') return [owning.joinColumn];
  return [camelCase(`${owning.name}_${referenced.primaryKey}`), snakeCase(`${owning.name}_${referenced.primaryKey}`)];
}

/** The join table of a many-to-many: its @JoinTable here or on the inverse side, by name or by default. */
function joinTableOf(entity: TypeormEntity, relation: TypeormRelation, target: TypeormEntity): string | undefined {
  if (typeof relation.joinTable === 'string') return relation.joinTable;
  if (relation.joinTable === true) return snakeCase(`${entity.table}_${relation.name}_${target.table}`);
  const inverse = inverseOf(entity, relation, target);
  if (typeof inverse?.joinTable === 'string') return inverse.joinTable;
  if (inverse?.joinTable === true) return snakeCase(`${target.table}_${inverse.name}_${entity.table}`);
  return undefined;
}

/** The edits adding the relations to the call's find options, or why that is not certain. */
function relationsEdit(text: string, query: TypeormQuery, names: string[], quote: "'" | '"'): { edits: Edit[]; added: string } | { reason: string } {
  const args = callArguments(query.call);
  const list = `relations: [${names.map((n) => quoted(n, quote)).join(', ')}]`;
  const renamed = WHERE_METHODS[query.method];
  if (renamed) {
    // `findBy(where)` takes no options: it becomes `find({ where, relations })`.
    const where = args[query.optionsAt];
    if (!where || args.length > query.optionsAt + 1) return { reason: `${query.method} takes no options: write it as ${renamed}({ where, relations }) by hand` };
    return {
      edits: [
        { start: query.property.startIndex, end: query.property.endIndex, text: renamed },
        { start: where.startIndex, end: where.endIndex, text: `{ where: ${where.text}, ${list} }` },
      ],
      added: list,
    };
  }
  if (args.length === query.optionsAt) {
    const edit = addArgument(query.call, `{ ${list} }`);
    return edit ? { edits: [edit], added: list } : { reason: 'the call cannot be edited safely' };
  }
  if (args.length < query.optionsAt) return { reason: 'the call has fewer arguments than expected' };
  const options = unwrap(args[query.optionsAt]);
  if (options.type !== 'object') return { reason: 'its options are not an object literal here: merge it into them by hand' };
  const existing = objectEntry(options, 'relations');
  if (!existing) {
    if (hasSpread(options)) return { reason: 'its options spread another object that may hold relations: merge it by hand' };
    return { edits: addProperties(text, options, [list]), added: list };
  }
  const value = unwrap(existing.value);
  if (value.type === 'array') {
    const present = value.namedChildren.filter((c) => c.type !== 'comment').map((c) => stringValue(c));
    if (present.some((p) => p === undefined)) return { reason: 'its relations are not all written out here: merge it by hand' };
    // "author.profile" loads the author too.
    const missing = names.filter((n) => !present.some((p) => p === n || p?.startsWith(`${n}.`)));
    if (missing.length === 0) return { reason: 'the relations are in its options already; check where the rows are read' };
    const added = missing.map((n) => quoted(n, quote));
    return { edits: addElements(text, value, added), added: `${added.join(', ')} in relations` };
  }
  if (value.type === 'object' && !hasSpread(value)) {
    const present = new Set(objectEntries(value).map((e) => e.key));
    const missing = names.filter((n) => !present.has(n));
    if (missing.length === 0) return { reason: 'the relations are in its options already; check where the rows are read' };
    const added = missing.map((n) => `${n}: true`);
    return { edits: addProperties(text, value, added), added: `${added.join(', ')} in relations` };
  }
  return { reason: 'its relations are not written out here: merge it by hand' };
}
