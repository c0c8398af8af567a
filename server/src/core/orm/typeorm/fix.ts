// The eager-loading fix for a TypeORM N+1: the relations the repeated queries load, found from each
// query's tables, join tables and filter columns, added to the query's `relations: ["author", …]`.

import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, addArgument, addElements, addProperties, applyEdits, callArguments, callAt, hasSpread, jsLanguageOf, objectEntries, objectEntry, preferredQuote, quoted, stringValue, unwrap } from '../js/syntax';
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
    const newText = applyEdits(text, call.startIndex, call.endIndex, edit.edits);
    const reads = loaded.map((r) => `${lowerFirst(entity.name)}.${r.name}`).join(', ');
    const after = loaded.every((r) => r.lazy) ? `; awaiting ${reads} then takes the loaded rows` : `, then read ${reads} instead of querying per row`;
    return { title: `Load eagerly: ${edit.added}`, edit: { path: location.path, range: location, newText }, hint: `add ${edit.added} to the query at ${at}${after}` };
  });
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
