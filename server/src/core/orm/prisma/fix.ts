// The eager-loading fix for a Prisma N+1: the relation fields the repeated queries load, added to
// the query's `include: { author: true, … }` (or to its `select` when the query selects).

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, addArgument, addProperties, callArguments, callAt, hasSpread, jsLanguageOf, methodCall, objectEntries, objectEntry, unwrap } from '../js/syntax';
import { guardedByRead, inLoopOverOtherRows, rowLoops, within } from '../js/rowLoops';
import { RowRead, RowReads, loadFix } from '../js/loadFix';
import { filtersOn, lowerFirst, sameName } from '../js/names';
import { PrismaField, PrismaModel, prismaModels } from './models';

export function prismaFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const models = prismaModels(index);
  const model = models.find((m) => m.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!model || text === undefined || !language || !index.parsers) return undefined;
  const explained = explainRepeats(related, (entry) => explain(model, entry, models));
  const fields = explained.loaded;
  const unexplained = explained.unexplained;
  const loaded = fields.map((f) => f.name);
  if (loaded.length === 0) return undefined;
  const wanted = `include: { ${loaded.map((n) => `${n}: true`).join(', ')} }`;
  const at = `${location.path}:${location.line}:${location.column}`;
  if (unexplained.length > 0) {
    const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
    return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no relation of ${model.name} and need loading by hand` };
  }
  return withTree(index.parsers, language, text, (root) => {
    const call = callAt(root, location);
    if (!call) return undefined;
    const edit = includeEdit(text, call, loaded);
    if ('reason' in edit) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; ${edit.reason}` };
    const reads = rowReads(root, call, model, fields, models);
    return loadFix(text, call, edit.edits, reads, { path: location.path, at, added: edit.added, perRow: true });
  });
}

/**
 * The per-row queries of the loaded relations, each rewritten to read the loaded relation where
 * that is certain: on the row of a loop over the query's rows (in the same function), awaited, a
 * query of the target by the key the relation joins on and nothing else:
 * `prisma.author.findUnique({ where: { id: book.authorId } })` → `book.author`,
 * `prisma.review.findMany({ where: { bookId: book.id } })` → `book.reviews`. One behind the loaded
 * relation (`book.author ?? (await …)`) needs nothing; any other remains, and so does a relation
 * whose query is found nowhere in this file (its rows are read elsewhere, out of sight).
 */
function rowReads(root: Node, query: Node, model: PrismaModel, fields: PrismaField[], models: PrismaModel[]): RowReads {
  const loops = methodCall(query)?.method === 'findMany' ? rowLoops(query) : [];
  const edits: Edit[] = [];
  const rewritten: RowRead[] = [];
  const remaining: RowRead[] = [];
  const someRow = lowerFirst(model.name);
  for (const field of fields) {
    const target = models.find((m) => m.name === field.type);
    const key = target && joinKey(model, field, target);
    let seen = 0;
    for (const node of descendants(root)) {
      const loader = key && perRowQuery(node, target, field, key);
      if (!loader) continue;
      if (inLoopOverOtherRows(node, query)) continue;
      seen++;
      if (loader.row !== undefined && guardedByRead(node, loader.row, field.name)) continue;
      const read: RowRead = { read: `${loader.row ?? someRow}.${field.name}`, call: `${loader.method}()`, line: lineOf(node.startPosition) };
      const loop = loader.row !== undefined ? loops.find((l) => l.row === loader.row && within(node, l.body)) : undefined;
      const awaited = node.parent?.type === 'await_expression' ? node.parent : undefined;
      if (!loop || !awaited || !loader.exact) {
        remaining.push({ read: read.read, line: read.line });
        continue;
      }
      edits.push({ start: awaited.startIndex, end: awaited.endIndex, text: `${loader.row}.${field.name}` });
      rewritten.push(read);
    }
    if (seen === 0) remaining.push({ read: `${someRow}.${field.name}`, line: 0 });
  }
  return { edits, rewritten, remaining };
}

/** The key a relation joins on: the target's field and this model's (`id` ← `authorId`, `bookId` ← `id`). */
function joinKey(model: PrismaModel, field: PrismaField, target: PrismaModel): { targetField: string; rowField: string; many: boolean } | undefined {
  if (field.fields?.length === 1) {
    const references = field.references ?? target.fields.filter((f) => f.isId).map((f) => f.name);
    return references.length === 1 ? { targetField: references[0], rowField: field.fields[0], many: false } : undefined;
  }
  const opposite = oppositeOf(model, field, target);
  if (opposite?.fields?.length !== 1) return undefined;
  const references = opposite.references ?? model.fields.filter((f) => f.isId).map((f) => f.name);
  return references.length === 1 ? { targetField: opposite.fields[0], rowField: references[0], many: field.list } : undefined;
}

const ONE_METHODS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow']);

/**
 * `client.<target>.<find>({ where: { <targetField>: row.<rowField> } })`: the row it reads by, and
 * whether that is all it says (`exact`: no other argument, filter, order or selection).
 */
function perRowQuery(node: Node, target: PrismaModel, field: PrismaField, key: { targetField: string; rowField: string; many: boolean }): { row?: string; method: string; exact: boolean } | undefined {
  const call = node.type === 'call_expression' ? methodCall(node) : undefined;
  if (!call || !(key.many ? call.method === 'findMany' : ONE_METHODS.has(call.method))) return undefined;
  const delegate = unwrap(call.object);
  if (delegate.type !== 'member_expression' || delegate.childForFieldName('property')?.text !== lowerFirst(target.name)) return undefined;
  const args = callArguments(node);
  const options = args.length === 1 ? unwrap(args[0]) : undefined;
  const where = options?.type === 'object' ? objectEntry(options, 'where') : undefined;
  const filter = where && unwrap(where.value);
  if (!options || filter?.type !== 'object') return undefined;
  const entries = objectEntries(filter);
  const by = entries.find((e) => e.key === key.targetField);
  const value = by && unwrap(by.value);
  const row = value?.type === 'member_expression' && value.childForFieldName('property')?.text === key.rowField ? unwrap(value.childForFieldName('object')!) : undefined;
  if (!row) return undefined;
  const alone = (object: Node, n: number) => object.namedChildren.filter((c) => c.type !== 'comment').length === n && objectEntries(object).length === n;
  // findFirst of a to-one reads the one row there is; field.list guards findMany of a to-many.
  const exact = alone(options, 1) && alone(filter, 1) && row.type === 'identifier' && key.many === field.list;
  return { row: row.type === 'identifier' ? row.text : undefined, method: call.method, exact };
}

/** The relation field of `model` a repeated query loads, from its tables, filters and join table. */
function explain(model: PrismaModel, entry: RelatedEntry, models: PrismaModel[]): PrismaField | undefined {
  const facts = sqlFacts(entry.sql);
  const table = facts.tables[0];
  if (!table) return undefined;
  const matches: PrismaField[] = [];
  for (const field of model.fields) {
    const target = models.find((m) => m.name === field.type);
    if (!target || !sameName(target.table, table)) continue;
    if (field.fields) {
      // This side holds the key: the target is read by what it references (its id).
      const references = field.references ?? target.fields.filter((f) => f.isId).map((f) => f.name);
      const column = columnOfField(target, references[0]);
      if (column && filtersOn(facts.filterColumns, table, column)) matches.push(field);
      continue;
    }
    const opposite = oppositeOf(model, field, target);
    if (opposite?.fields) {
      // The target holds the key: it is read by its foreign key (reviews.book_id = ?).
      const column = columnOfField(target, opposite.fields[0]);
      if (column && filtersOn(facts.filterColumns, table, column)) matches.push(field);
    } else if (field.list && opposite?.list) {
      // Implicit many-to-many: the join table `_BookToTag` (or `_<relation name>`) is in the query.
      const join = `_${field.relationName ?? [model.name, target.name].sort().join('To')}`;
      if (entry.sql.toLowerCase().includes(join.toLowerCase())) matches.push(field);
    }
  }
  return matches.length === 1 ? matches[0] : undefined;
}

/** The field on the other side of a relation: same relation name, pointing back at `model`. */
function oppositeOf(model: PrismaModel, field: PrismaField, target: PrismaModel): PrismaField | undefined {
  const candidates = target.fields.filter((f) => f !== field && f.type === model.name && f.relationName === field.relationName);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The database column of a field of `model` (its `@map`, else its name). */
function columnOfField(model: PrismaModel, fieldName: string | undefined): string | undefined {
  if (fieldName === undefined) return undefined;
  return model.fields.find((f) => f.name === fieldName)?.column ?? fieldName;
}

/** The edits adding the relations to the call's `include` (or `select`), or why that is not certain. */
function includeEdit(text: string, call: Node, relations: string[]): { edits: Edit[]; added: string } | { reason: string } {
  const args = callArguments(call);
  const entries = relations.map((n) => `${n}: true`);
  const include = `include: { ${entries.join(', ')} }`;
  if (args.length === 0) {
    const edit = addArgument(call, `{ ${include} }`);
    return edit ? { edits: [edit], added: include } : { reason: 'the call cannot be edited safely' };
  }
  const options = unwrap(args[0]);
  if (options.type !== 'object') return { reason: 'its arguments are not an object literal here: merge it into them by hand' };
  // `select` and `include` cannot be used together: a selecting query takes the relations in its select.
  const existing = objectEntry(options, 'select') ?? objectEntry(options, 'include');
  if (!existing) {
    if (hasSpread(options)) return { reason: 'its arguments spread another object that may hold an include or select: merge it by hand' };
    return { edits: addProperties(text, options, [include]), added: include };
  }
  const value = unwrap(existing.value);
  if (value.type !== 'object' || hasSpread(value)) return { reason: `its ${existing.key} is not written out here: merge it by hand` };
  const present = new Set(objectEntries(value).map((e) => e.key));
  const missing = relations.filter((n) => !present.has(n));
  if (missing.length === 0) return { reason: `the relations are in its ${existing.key} already; check where the rows are read` };
  const added = missing.map((n) => `${n}: true`);
  return { edits: addProperties(text, value, added), added: `${added.join(', ')} in ${existing.key}` };
}
