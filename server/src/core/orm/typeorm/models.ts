// TypeORM: entities from `@Entity("books") class Book { @ManyToOne(() => Author, …) author … }`
// anywhere in the workspace's TypeScript and JavaScript (table: the @Entity name, else the class
// name in snake case), their relations (ManyToOne, OneToOne, OneToMany, ManyToMany with @JoinColumn
// and @JoinTable); queries through a repository of the entity (`dataSource.getRepository(Book).find`,
// a variable, field or injected parameter holding one, `Book.find` on a BaseEntity,
// `manager.find(Book, …)`); and the fix that adds the relations the repeated queries load to
// `relations: ["author", …]`.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import {
  addArgument,
  addElements,
  addProperties,
  applyEdits,
  callArguments,
  filtersOn,
  sameName,
  callAt,
  calleeName,
  camelCase,
  Edit,
  hasSpread,
  JS_LANGUAGES,
  JS_SUFFIXES,
  jsLanguageOf,
  lastName,
  lineWithin,
  lowerFirst,
  methodCall,
  objectEntries,
  objectEntry,
  preferredQuote,
  quoted,
  rangeOfNode,
  scanWorkspace,
  snakeCase,
  stringProperty,
  stringValue,
  unwrap,
  inJsTree,
  modelByTable,
} from '../js/syntax';
import { descendants, lineOf, SourceParsers, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Fix, OrmQuery, OrmSupport } from '../../placement/orm';

export interface TypeormEntity {
  /** The class name. */
  name: string;
  table: string;
  /** The primary key column (`id` unless a @PrimaryColumn/@PrimaryGeneratedColumn says otherwise). */
  primaryKey: string;
  relations: TypeormRelation[];
  path: string;
  line: number;
}

export type RelationKind = 'many-to-one' | 'one-to-one' | 'one-to-many' | 'many-to-many';

export interface TypeormRelation {
  name: string;
  kind: RelationKind;
  /** The target entity's class name. */
  target: string;
  /** The property on the target that points back (`(review) => review.book` → "book"). */
  inverse?: string;
  /** @JoinColumn: its `name`, or true for the default column. */
  joinColumn?: string | true;
  /** @JoinTable: its `name`, or true for the default table. */
  joinTable?: string | true;
  /** Declared `Promise<…>`: awaiting it loads the relation unless it was loaded with the row. */
  lazy: boolean;
  line: number;
}

export const typeorm: OrmSupport = {
  name: 'typeorm',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(typeormEntities(index), table),
  findQueries(index, path, model, within) {
    return inJsTree(index, path, (root) => queriesIn(root, model).filter((q) => lineWithin(q.call, within)).map((q) => rangeOfNode(q.call)));
  },
  fix: typeormFix,
};

/** The entities of the workspace, read once per file text. */
export function typeormEntities(index: SourceIndex): TypeormEntity[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(index, 'typeorm', JS_SUFFIXES, /@Entity\s*\(/, (path, text) => readEntities(parsers, path, text), (found) => {
    // The same entity in source and compiled output: the first one.
    const entities: TypeormEntity[] = [];
    for (const { value } of found) for (const e of value) if (!entities.some((x) => x.name === e.name)) entities.push(e);
    return entities;
  });
}

// ---- reading entities -------------------------------------------------------------------------

const RELATION_DECORATORS: Record<string, RelationKind> = {
  ManyToOne: 'many-to-one',
  OneToOne: 'one-to-one',
  OneToMany: 'one-to-many',
  ManyToMany: 'many-to-many',
};

const PRIMARY_DECORATORS = new Set(['PrimaryGeneratedColumn', 'PrimaryColumn', 'ObjectIdColumn']);

function readEntities(parsers: SourceParsers, path: string, text: string): TypeormEntity[] | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  return withTree(parsers, language, text, (root) => {
    const entities: TypeormEntity[] = [];
    for (const node of descendants(root)) {
      if (node.type !== 'class_declaration' && node.type !== 'abstract_class_declaration' && node.type !== 'class') continue;
      const name = node.childForFieldName('name')?.text;
      // `@Entity() export class Book` puts the decorator on the export statement.
      const decorators = [...decoratorsOf(node), ...(node.parent?.type === 'export_statement' ? decoratorsOf(node.parent) : [])];
      const entity = decorators.find((d) => d.name === 'Entity');
      if (!name || !entity) continue;
      const first = entity.args[0] && unwrap(entity.args[0]);
      const table = stringValue(first) ?? (first?.type === 'object' ? stringProperty(first, 'name') : undefined) ?? snakeCase(name);
      const { primaryKey, relations } = readMembers(node);
      entities.push({ name, table, primaryKey, relations, path, line: lineOf(node.startPosition) });
    }
    return entities.length ? entities : undefined;
  });
}

interface Decorator {
  name: string;
  args: Node[];
}

function decoratorsOf(node: Node): Decorator[] {
  const found: Decorator[] = [];
  for (const child of node.children) {
    if (child.type !== 'decorator') continue;
    const expression = child.namedChildren.find((c) => c.type !== 'comment');
    if (!expression) continue;
    if (expression.type === 'call_expression') {
      const name = calleeName(expression);
      if (name) found.push({ name, args: callArguments(expression) });
    } else {
      const name = lastName(expression);
      if (name) found.push({ name, args: [] });
    }
  }
  return found;
}

function readMembers(cls: Node): { primaryKey: string; relations: TypeormRelation[] } {
  let primaryKey = 'id';
  const relations: TypeormRelation[] = [];
  const body = cls.childForFieldName('body');
  for (const member of body?.namedChildren ?? []) {
    if (member.type !== 'public_field_definition' && member.type !== 'field_definition') continue;
    const name = (member.childForFieldName('name') ?? member.childForFieldName('property'))?.text;
    if (!name) continue;
    const decorators = decoratorsOf(member);
    for (const d of decorators) {
      if (PRIMARY_DECORATORS.has(d.name)) {
        const options = d.args.map(unwrap).find((a) => a.type === 'object');
        primaryKey = stringProperty(options, 'name') ?? name;
      }
      const kind = RELATION_DECORATORS[d.name];
      if (!kind) continue;
      const target = targetName(d.args[0]);
      if (!target) continue;
      const relation: TypeormRelation = { name, kind, target, lazy: isPromiseType(member), line: lineOf(member.startPosition) };
      const inverse = d.args[1] && unwrap(d.args[1]);
      if (inverse && inverse.type !== 'object') {
        const body = inverse.type === 'arrow_function' ? inverse.childForFieldName('body') : inverse;
        const inverseName = stringValue(body) ?? (body?.type === 'member_expression' ? lastName(body) : undefined);
        if (inverseName) relation.inverse = inverseName;
      }
      const joinColumn = decorators.find((x) => x.name === 'JoinColumn');
      if (joinColumn) relation.joinColumn = optionName(joinColumn) ?? true;
      const joinTable = decorators.find((x) => x.name === 'JoinTable');
      if (joinTable) relation.joinTable = optionName(joinTable) ?? true;
      relations.push(relation);
    }
  }
  return { primaryKey, relations };
}

/** `() => Author`, `type => Author`, `"Author"`: the target's class name. */
function targetName(arg: Node | undefined): string | undefined {
  if (!arg) return undefined;
  const n = unwrap(arg);
  if (n.type === 'arrow_function') {
    const body = n.childForFieldName('body');
    return body ? stringValue(body) ?? lastName(body) : undefined;
  }
  return stringValue(n) ?? lastName(n);
}

/** `@JoinColumn({ name: "author_id" })`, `@JoinColumn([{ name: … }])`, `@JoinTable({ name: "book_tags" })`. */
function optionName(d: Decorator): string | undefined {
  let options: Node | undefined = d.args[0] && unwrap(d.args[0]);
  if (options?.type === 'array') options = options.namedChildren.find((c) => c.type === 'object');
  return options?.type === 'object' ? stringProperty(options, 'name') : undefined;
}

function isPromiseType(member: Node): boolean {
  const type = member.childForFieldName('type');
  return type !== null && /^:\s*Promise\s*</.test(type.text);
}

// ---- queries --------------------------------------------------------------------------------------

/** Methods taking find options, and their `…By` forms that take a where clause instead. */
const OPTIONS_METHODS = new Set(['find', 'findOne', 'findOneOrFail', 'findAndCount']);
const WHERE_METHODS: Record<string, string> = { findBy: 'find', findOneBy: 'findOne', findOneByOrFail: 'findOneOrFail', findAndCountBy: 'findAndCount' };

const REPOSITORY_GETTERS = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository']);
const REPOSITORY_TYPES = new Set(['Repository', 'TreeRepository', 'MongoRepository']);

interface TypeormQuery {
  call: Node;
  method: string;
  property: Node;
  /** Where the find options (or the where clause) go: 0 on a repository, 1 on an entity manager. */
  optionsAt: number;
}

/** The queries of `entity` in a file, in order. */
function queriesIn(root: Node, entity: string): TypeormQuery[] {
  const repositories = repositoryNames(root, entity);
  const queries: TypeormQuery[] = [];
  for (const node of descendants(root)) {
    const call = methodCall(node);
    if (!call || !(OPTIONS_METHODS.has(call.method) || WHERE_METHODS[call.method])) continue;
    const receiver = unwrap(call.object);
    const args = callArguments(node);
    if (isRepositoryOf(receiver, entity, repositories)) queries.push({ call: node, method: call.method, property: call.property, optionsAt: 0 });
    // `manager.find(Book, …)`; an array's `find` takes a function, never the entity class.
    else if (args[0] && unwrap(args[0]).type === 'identifier' && unwrap(args[0]).text === entity) queries.push({ call: node, method: call.method, property: call.property, optionsAt: 1 });
  }
  return queries;
}

function isRepositoryOf(receiver: Node, entity: string, repositories: Set<string>): boolean {
  if (receiver.type === 'identifier') return receiver.text === entity || repositories.has(receiver.text);
  if (receiver.type === 'member_expression') return unwrap(receiver.childForFieldName('object') ?? receiver).type === 'this' && repositories.has(lastName(receiver) ?? '');
  return isRepositoryCall(receiver, entity);
}

/** `dataSource.getRepository(Book)`, `getRepository(Book)`, `AppDataSource.getRepository("Book")`. */
function isRepositoryCall(node: Node, entity: string): boolean {
  let n = unwrap(node);
  if (n.type === 'await_expression') n = unwrap(n.namedChildren[0] ?? n);
  if (n.type !== 'call_expression' || !REPOSITORY_GETTERS.has(calleeName(n) ?? '')) return false;
  const arg = callArguments(n)[0];
  return arg !== undefined && (lastName(arg) === entity || stringValue(arg) === entity);
}

/** Variables, fields and parameters of the file that hold a repository of `entity`. */
function repositoryNames(root: Node, entity: string): Set<string> {
  const names = new Set<string>();
  for (const node of descendants(root)) {
    switch (node.type) {
      case 'variable_declarator':
      case 'public_field_definition':
      case 'field_definition': {
        const name = node.childForFieldName('name') ?? node.childForFieldName('property');
        const value = node.childForFieldName('value');
        if (name && ((value && isRepositoryCall(value, entity)) || isRepositoryType(node, entity))) names.add(name.text);
        break;
      }
      case 'assignment_expression': {
        const right = node.childForFieldName('right');
        const name = lastName(node.childForFieldName('left'));
        if (right && name && isRepositoryCall(right, entity)) names.add(name);
        break;
      }
      case 'required_parameter':
      case 'optional_parameter': {
        // Nest: `@InjectRepository(Book) private readonly books: Repository<Book>`.
        const pattern = node.childForFieldName('pattern');
        const injected = decoratorsOf(node).some((d) => d.name === 'InjectRepository' && lastName(d.args[0]) === entity);
        if (pattern?.type === 'identifier' && (injected || isRepositoryType(node, entity))) names.add(pattern.text);
        break;
      }
      default:
        break;
    }
  }
  return names;
}

/** Declared `: Repository<Book>` (or a tree or Mongo repository). */
function isRepositoryType(node: Node, entity: string): boolean {
  const type = node.childForFieldName('type');
  const generic = type?.namedChildren.find((c) => c.type === 'generic_type');
  if (!generic) return false;
  const name = generic.childForFieldName('name') ?? generic.namedChildren[0];
  const args = generic.childForFieldName('type_arguments') ?? generic.namedChildren.find((c) => c.type === 'type_arguments');
  return REPOSITORY_TYPES.has(lastName(name) ?? name?.text ?? '') && args?.namedChildren[0]?.text === entity;
}

// ---- the fix ------------------------------------------------------------------------------------------

function typeormFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
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
