// Prisma: models from the workspace's schema (`prisma/schema.prisma`, or any `*.prisma` file) read
// line by line (`model Book { … @@map("books") }`, relation fields with `@relation(fields, references)`,
// back-relations `reviews Review[]`, implicit many-to-many), queries
// `prisma.book.findMany(…)`/findFirst/findUnique, and the fix that adds the relations the repeated
// queries load to `include: { author: true, … }` (or to `select` when the query selects).

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import {
  addArgument,
  addProperties,
  applyEdits,
  callArguments,
  filtersOn,
  sameName,
  callAt,
  Edit,
  hasSpread,
  JS_LANGUAGES,
  jsLanguageOf,
  lastName,
  lineWithin,
  lowerFirst,
  methodCall,
  objectEntries,
  objectEntry,
  rangeOfNode,
  scanWorkspace,
  unwrap,
  inJsTree,
  modelByTable,
} from '../js/syntax';
import { descendants, SourceRange, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Fix, OrmQuery, OrmSupport } from '../../placement/orm';

export interface PrismaModel {
  name: string;
  /** `@@map`, else the model name. */
  table: string;
  fields: PrismaField[];
  path: string;
  line: number;
}

export interface PrismaField {
  name: string;
  /** The type as written, without `[]` and `?`. */
  type: string;
  list: boolean;
  /** The database column (`@map`, else the name). */
  column: string;
  isId: boolean;
  /** `@relation("Name", …)` or `@relation(name: "Name")`. */
  relationName?: string;
  /** `@relation(fields: [authorId], references: [id])`: this side holds the foreign key. */
  fields?: string[];
  references?: string[];
  line: number;
}

export const prisma: OrmSupport = {
  name: 'prisma',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(prismaModels(index), table),
  findQueries(index, path, model, within) {
    const delegate = lowerFirst(model);
    return inJsTree(index, path, (root) => {
      const ranges: SourceRange[] = [];
      for (const node of descendants(root)) if (lineWithin(node, within) && isQuery(node, delegate)) ranges.push(rangeOfNode(node));
      return ranges;
    });
  },
  fix: prismaFix,
};

/** Where `prisma init` puts the schema. */
const SCHEMA = 'prisma/schema.prisma';

/** The models of every `*.prisma` file of the workspace, read once per file text. */
export function prismaModels(index: SourceIndex): PrismaModel[] {
  return scanWorkspace(index, 'prisma', ['.prisma'], /\bmodel\s/, (path, text) => parsePrismaSchema(path, text), (found) => {
    // A schema copied into build output describes the same models: the first one counts.
    const models: PrismaModel[] = [];
    for (const m of found.flatMap((f) => f.value)) if (!models.some((x) => x.name === m.name)) models.push(m);
    return models;
  }, [SCHEMA]);
}

// ---- the schema ---------------------------------------------------------------------------------

/**
 * The models of a Prisma schema. Line based: a `model X {` line opens a block, `}` closes it; each
 * field is `name Type[]? @attributes…` on one line, as `prisma format` writes them. Comments (`//`)
 * are dropped; enums, views and types are not models.
 */
export function parsePrismaSchema(path: string, text: string): PrismaModel[] {
  const models: PrismaModel[] = [];
  let current: PrismaModel | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = stripComment(raw).trim();
    if (!current) {
      const open = /^model\s+(\w+)\s*\{/.exec(line);
      if (open) current = { name: open[1], table: open[1], fields: [], path, line: i + 1 };
      return;
    }
    if (line.startsWith('}')) {
      models.push(current);
      current = undefined;
      return;
    }
    const map = /^@@map\(\s*(?:name:\s*)?"([^"]*)"/.exec(line);
    if (map) {
      current.table = map[1];
      return;
    }
    const field = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
    if (!field) return;
    const attributes = field[5];
    const relation = /@relation\(([^)]*)\)/.exec(attributes)?.[1];
    const f: PrismaField = {
      name: field[1],
      type: field[2],
      list: field[3] === '[]',
      column: /@map\(\s*(?:name:\s*)?"([^"]*)"/.exec(attributes)?.[1] ?? field[1],
      isId: /@id\b/.test(attributes),
      line: i + 1,
    };
    if (relation !== undefined) {
      const name = /^\s*"([^"]*)"/.exec(relation)?.[1] ?? /\bname:\s*"([^"]*)"/.exec(relation)?.[1];
      if (name !== undefined) f.relationName = name;
      const fields = /\bfields:\s*\[([^\]]*)\]/.exec(relation)?.[1];
      const references = /\breferences:\s*\[([^\]]*)\]/.exec(relation)?.[1];
      if (fields !== undefined) f.fields = names(fields);
      if (references !== undefined) f.references = names(references);
    }
    current.fields.push(f);
  });
  return models;
}

function stripComment(line: string): string {
  // `//` outside strings (URLs in datasource blocks are never in model blocks, but defaults may hold them).
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

function names(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

// ---- queries --------------------------------------------------------------------------------------

const QUERY_METHODS = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow']);

/** `<client>.book.findMany(…)`: any client expression (`prisma`, `this.prisma`, `tx`, `ctx.db`). */
function isQuery(node: Node, delegate: string): boolean {
  const call = methodCall(node);
  if (!call || !QUERY_METHODS.has(call.method)) return false;
  const receiver = unwrap(call.object);
  return receiver.type === 'member_expression' && lastName(receiver) === delegate;
}

// ---- the fix ------------------------------------------------------------------------------------------

function prismaFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
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
