// The eager-loading fix for a Sequelize N+1: the associations the repeated queries load, found from
// each query's tables and filter columns, added to the query's `include: […]`.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { append } from '../../arrays';
import { Edit, addArgument, addElements, addProperties, callArguments, callAt, declaredNames, hasSpread, jsLanguageOf, lastName, methodCall, objectEntries, objectEntry, preferredQuote, quoted, stringProperty, stringValue, unwrap } from '../js/syntax';
import { guardedByRead, inLoopOverOtherRows, rowLoops, within } from '../js/rowLoops';
import { RowRead, RowReads, loadFix } from '../js/loadFix';
import { camelCase, columnOf, filtersOn, lowerFirst, onTable, pluralize, sameName, snakeCase, upperFirst } from '../js/names';
import { SequelizeAssociation, SequelizeModel, modelNamed, sequelizeModels } from './models';
import { QUERY_METHODS } from './queries';

interface Loaded {
  association: SequelizeAssociation;
  target: SequelizeModel;
}

export function sequelizeFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const models = sequelizeModels(index);
  const model = models.find((m) => m.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!model || text === undefined || !language || !index.parsers) return undefined;
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(model, entry, models), (a, b) => a.association === b.association);
  if (loaded.length === 0) return undefined;
  return withTree(index.parsers, language, text, (root) => {
    const call = callAt(root, location);
    const method = call && methodCall(call);
    if (!call || !method) return undefined;
    const quote = preferredQuote(root);
    const receiver = unwrap(method.object);
    // `db.Book.findAll` → `db.Author`; a bare `Book.findAll` → `Author` when that name is there.
    const prefix = receiver.type === 'member_expression' ? receiver.childForFieldName('object')?.text : undefined;
    const declared = declaredNames(root);
    const items = loaded.map((l) => includeItem(l, prefix, declared, quote));
    const wanted = `include: [${items.join(', ')}]`;
    const at = `${location.path}:${location.line}:${location.column}`;
    if (unexplained.length > 0) {
      const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
      return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no association of ${model.name} and need loading by hand` };
    }
    const reads = rowReads(root, call, model, loaded, method.method, quote);
    const edit = includeEdit(text, call, method.method, loaded, items, reads.order);
    if ('reason' in edit) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; ${edit.reason}` };
    return loadFix(text, call, edit.edits, reads, { path: location.path, at, added: edit.added, perRow: false });
  });
}

/**
 * The getter calls of the loaded associations, each rewritten to read the loaded association where
 * that is certain: `await project.getTasks()` on the row of a loop over the query's rows (in the
 * same function) becomes `project.tasks`, and a getter's `order: [['id', 'ASC']]` moves into the
 * query's order (`['tasks', 'id', 'ASC']`). A call already behind the loaded association
 * (`book.author ?? (await book.getAuthor())`) needs nothing. Any other call of the getter remains,
 * and so does an association whose getter is called nowhere in this file (its rows are read
 * elsewhere, out of sight).
 */
function rowReads(root: Node, query: Node, model: SequelizeModel, loaded: Loaded[], method: string, quote: "'" | '"'): RowReads & { order: string[] } {
  // findOne and findByPk give one row: no loop over it.
  const loops = method === 'findAll' || method === 'findAndCountAll' ? rowLoops(query) : [];
  const orderAt = queryOrder(query, method);
  const edits: Edit[] = [];
  const order: string[] = [];
  const rewritten: RowRead[] = [];
  const remaining: RowRead[] = [];
  const someRow = lowerFirst(model.name);
  for (const l of loaded) {
    const name = associationName(l);
    const getter = `get${upperFirst(name)}`;
    let seen = 0;
    for (const node of descendants(root)) {
      const call = node.type === 'call_expression' ? methodCall(node) : undefined;
      if (!call || call.method !== getter) continue;
      if (inLoopOverOtherRows(node, query)) continue;
      seen++;
      const object = unwrap(call.object);
      const row = object.type === 'identifier' ? object.text : undefined;
      if (row !== undefined && guardedByRead(node, row, name)) continue;
      const line = lineOf(node.startPosition);
      const loop = row !== undefined ? loops.find((lp) => lp.row === row && within(node, lp.body)) : undefined;
      const awaited = node.parent?.type === 'await_expression' ? node.parent : undefined;
      const moved = loop && awaited ? getterOrder(node, name, quote) : undefined;
      // An order to move where the query's order is not written out here: not certain.
      if (!awaited || moved === undefined || (moved.length > 0 && orderAt === undefined)) {
        remaining.push({ read: `${row ?? someRow}.${name}`, call: `${getter}()`, line });
        continue;
      }
      append(order, moved);
      edits.push({ start: awaited.startIndex, end: awaited.endIndex, text: `${row}.${name}` });
      rewritten.push({ read: `${row}.${name}`, call: `${row}.${getter}()`, line });
    }
    if (seen === 0) remaining.push({ read: `${someRow}.${name}`, call: `${getter}()`, line: 0 });
  }
  const unique = remaining.filter((r, i) => remaining.findIndex((o) => o.read === r.read) === i);
  return { edits, order, rewritten, remaining: unique };
}

/**
 * The query's order as the getter's can join it: the array literal, `null` when there is none
 * yet (and the options can take one), undefined when it is written elsewhere.
 */
function queryOrder(query: Node, method: string): Node | null | undefined {
  const args = callArguments(query);
  const at = QUERY_METHODS[method];
  if (args.length === at) return null;
  const options = args[at] && unwrap(args[at]);
  if (options?.type !== 'object' || hasSpread(options)) return undefined;
  const order = objectEntry(options, 'order');
  if (!order) return null;
  const value = unwrap(order.value);
  return value.type === 'array' ? value : undefined;
}

/**
 * The query's order items that give the loaded rows the getter's order: none for a getter without
 * arguments, `['tasks', 'id', 'ASC']` for its `order: [['id', 'ASC']]`; undefined when its
 * arguments say anything else (a where, attributes, a scope), which reading the loaded rows would lose.
 */
function getterOrder(call: Node, name: string, quote: "'" | '"'): string[] | undefined {
  const args = callArguments(call);
  if (args.length === 0) return [];
  const options = unwrap(args[0]);
  if (args.length > 1 || options.type !== 'object') return undefined;
  const entries = objectEntries(options);
  if (entries.length !== options.namedChildren.filter((c) => c.type !== 'comment').length || entries.some((e) => e.key !== 'order')) return undefined;
  if (entries.length === 0) return [];
  const value = unwrap(entries[0].value);
  if (value.type !== 'array') return undefined;
  const items: string[] = [];
  for (const item of value.namedChildren.filter((c) => c.type !== 'comment')) {
    const parts = unwrap(item).type === 'array' ? unwrap(item).namedChildren.filter((c) => c.type !== 'comment') : [item];
    const column = stringValue(parts[0]);
    const direction = parts[1] && stringValue(parts[1]);
    if (column === undefined || parts.length > 2 || (parts.length === 2 && !/^(ASC|DESC)( NULLS (FIRST|LAST))?$/i.test(direction ?? ''))) return undefined;
    items.push(`[${[quoted(name, quote), ...parts.map((p) => p.text)].join(', ')}]`);
  }
  return items;
}

/** The association of `model` a repeated query loads, from its tables and filter columns. */
function explain(model: SequelizeModel, entry: RelatedEntry, models: SequelizeModel[]): Loaded | undefined {
  const facts = sqlFacts(entry.sql);
  const table = facts.tables[0];
  if (!table) return undefined;
  const filters = facts.filterColumns;
  const exact: Loaded[] = [];
  const loose: Loaded[] = [];
  for (const association of model.associations) {
    const target = modelNamed(models, association.target);
    if (!target || !sameName(target.table, table)) continue;
    const candidate = { association, target };
    if (association.kind === 'belongsToMany') {
      // The getter joins the through table: FROM Tags INNER JOIN BookTags ON … AND BookTags.BookId = ?.
      const through = association.through && ('table' in association.through ? association.through.table : modelNamed(models, association.through.model)?.table);
      if (through && facts.tables.slice(1).some((t) => sameName(t, through))) exact.push(candidate);
    } else if (association.kind === 'belongsTo') {
      // The getter reads the target by its key: FROM Authors WHERE Authors.id = ?.
      if (filtersOn(filters, table, target.primaryKey)) exact.push(candidate);
    } else {
      // hasOne/hasMany read the target by its foreign key: FROM Reviews WHERE Reviews.BookId = ?.
      const fk = association.foreignKey ?? camelCase(`${model.name}_${model.primaryKey}`);
      if (filtersOn(filters, table, fk) || filtersOn(filters, table, snakeCase(fk))) exact.push(candidate);
      else if (filters.some((f) => onTable(f, table) && !sameName(columnOf(f), target.primaryKey))) loose.push(candidate);
    }
  }
  if (exact.length === 1) return exact[0];
  // A foreign key we could not name (set in the target's attributes), but only one association fits.
  if (exact.length === 0 && loose.length === 1) return loose[0];
  return undefined;
}

/** The name Sequelize knows an association by: `as`, else the target's model name (plural for to-many). */
function associationName(l: Loaded): string {
  if (l.association.as) return l.association.as;
  return l.association.kind === 'hasMany' || l.association.kind === 'belongsToMany' ? pluralize(l.target.name) : l.target.name;
}

/** `Author`, `db.Author`, `{ model: Author, as: 'author' }`; the association's name where the model is not in reach. */
function includeItem(l: Loaded, prefix: string | undefined, declared: Set<string>, quote: "'" | '"'): string {
  const ref = prefix !== undefined ? `${prefix}.${l.target.name}` : l.target.names.find((n) => declared.has(n));
  if (ref === undefined) return quoted(associationName(l), quote);
  return l.association.as ? `{ model: ${ref}, as: ${quoted(l.association.as, quote)} }` : ref;
}

/**
 * The edits adding the include items to the call's options, with `order` items for the loaded
 * rows (queryOrder said where they go), or why that is not certain.
 */
function includeEdit(text: string, call: Node, method: string, loaded: Loaded[], items: string[], order: string[]): { edits: Edit[]; added: string } | { reason: string } {
  const at = QUERY_METHODS[method];
  const args = callArguments(call);
  // findAndCountAll counts joined rows unless told to count distinct ones.
  const needsDistinct = method === 'findAndCountAll' && loaded.some((l) => l.association.kind === 'hasMany' || l.association.kind === 'belongsToMany');
  const include = `include: [${items.join(', ')}]`;
  const orderArray = order.length ? queryOrder(call, method) : null;
  const orderProperty = order.length && !orderArray ? [`order: [${order.join(', ')}]`] : [];
  const orderEdits = order.length && orderArray ? addElements(text, orderArray, order) : [];
  if (args.length === at) {
    const edit = addArgument(call, `{ ${[include, ...(needsDistinct ? ['distinct: true'] : []), ...orderProperty].join(', ')} }`);
    return edit ? { edits: [edit], added: include } : { reason: 'the call cannot be edited safely' };
  }
  if (args.length < at) return { reason: 'the call has fewer arguments than expected' };
  const options = unwrap(args[at]);
  if (options.type !== 'object') return { reason: 'its options are not an object literal here: merge it into them by hand' };
  const existing = objectEntry(options, 'include');
  const distinct = needsDistinct && !objectEntry(options, 'distinct') ? ['distinct: true'] : [];
  if (!existing) {
    if (hasSpread(options)) return { reason: 'its options spread another object that may hold an include: merge it by hand' };
    return { edits: [...addProperties(text, options, [include, ...distinct, ...orderProperty]), ...orderEdits], added: include };
  }
  const value = unwrap(existing.value);
  const elements = value.type === 'array' ? value.namedChildren.filter((c) => c.type !== 'comment') : [value];
  if (elements.some((e) => !isIncludeItem(e))) return { reason: 'its include is not a list of models written out here: merge it by hand' };
  const missing = loaded.map((l, i) => ({ l, item: items[i] })).filter(({ l }) => !elements.some((e) => includes(e, l)));
  if (missing.length === 0) return { reason: 'it is in the include already; check where the rows are read' };
  const added = missing.map((m) => m.item);
  const edits: Edit[] = value.type === 'array' ? addElements(text, value, added) : [{ start: value.startIndex, end: value.endIndex, text: `[${value.text}, ${added.join(', ')}]` }];
  if (distinct.length || orderProperty.length) append(edits, addProperties(text, options, [...distinct, ...orderProperty]));
  append(edits, orderEdits);
  return { edits, added: `${added.join(', ')} in include` };
}

/** An element of an include list we can read: a model, `{ model, as }`, `{ association }`, a name. */
function isIncludeItem(node: Node): boolean {
  const n = unwrap(node);
  return n.type === 'object' || n.type === 'string' || n.type === 'identifier' || n.type === 'member_expression';
}

/** True when the include element loads the association. */
function includes(node: Node, l: Loaded): boolean {
  const n = unwrap(node);
  if (n.type === 'string') return stringValue(n) === associationName(l);
  if (n.type === 'object') {
    const association = stringProperty(n, 'association');
    if (association !== undefined) return association === associationName(l);
    const model = lastName(objectEntry(n, 'model')?.value);
    const as = stringProperty(n, 'as');
    return model !== undefined && l.target.names.includes(model) && as === l.association.as;
  }
  const name = lastName(n);
  return !l.association.as && name !== undefined && l.target.names.includes(name);
}
