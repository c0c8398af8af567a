// The eager-loading fix for a Prisma N+1: the relation fields the repeated queries load, added to
// the query's `include: { author: true, … }` (or to its `select` when the query selects).

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, addArgument, addProperties, applyEdits, callArguments, callAt, hasSpread, jsLanguageOf, objectEntries, objectEntry, unwrap } from '../js/syntax';
import { filtersOn, lowerFirst, sameName } from '../js/names';
import { PrismaField, PrismaModel, prismaModels } from './models';

export function prismaFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const models = prismaModels(index);
  const model = models.find((m) => m.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!model || text === undefined || !language || !index.parsers) return undefined;
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(model, entry, models)?.name);
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
    const newText = applyEdits(text, call.startIndex, call.endIndex, edit.edits);
    const reads = loaded.map((n) => `${lowerFirst(model.name)}.${n}`).join(', ');
    return { title: `Load eagerly: ${edit.added}`, edit: { path: location.path, range: location, newText }, hint: `add ${edit.added} to the query at ${at}, then read ${reads} instead of querying per row` };
  });
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
