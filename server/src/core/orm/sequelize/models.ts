// Sequelize: models from `sequelize.define('Book', …)` and `class Book extends Model` +
// `Book.init(…, { sequelize })` anywhere in the workspace's JavaScript and TypeScript, with their
// tables (tableName, else the plural of the model name, as Sequelize forms it) and associations
// (`Book.belongsTo(Author, { as: 'author' })`, hasOne, hasMany, belongsToMany through); queries
// `Book.findAll(…)`/findOne/findAndCountAll/findByPk; and the fix that adds the associations the
// repeated queries load to `include: […]`.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { descendants, isField, lineOf, SourceParsers, SourceRange, withTree } from '../../source/language';
import {
  addArgument,
  addElements,
  addProperties,
  applyEdits,
  callArguments,
  columnOf,
  filtersOn,
  onTable,
  sameName,
  callAt,
  camelCase,
  declaredNames,
  Edit,
  enclosingClassName,
  hasSpread,
  JS_LANGUAGES,
  JS_SUFFIXES,
  jsLanguageOf,
  lastName,
  lineWithin,
  methodCall,
  objectEntries,
  objectEntry,
  pluralize,
  preferredQuote,
  quoted,
  rangeOfNode,
  scanWorkspace,
  snakeCase,
  stringProperty,
  stringValue,
  trueProperty,
  unwrap,
  inJsTree,
  modelByTable,
} from '../js/syntax';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Fix, OrmQuery, OrmSupport } from '../../placement/orm';
import { append } from '../../arrays';

export interface SequelizeModel {
  /** The model name (`sequelize.define`'s first argument, `modelName`, else the class name). */
  name: string;
  table: string;
  /** Every name code refers to the model by: the model name, the class, the variable it is kept in. */
  names: string[];
  primaryKey: string;
  associations: SequelizeAssociation[];
  path: string;
  line: number;
}

export type AssociationKind = 'belongsTo' | 'hasOne' | 'hasMany' | 'belongsToMany';

export interface SequelizeAssociation {
  kind: AssociationKind;
  /** The target as written, its last name: "Author" for `models.Author`. */
  target: string;
  as?: string;
  foreignKey?: string;
  /** belongsToMany: the join table, given as a table name or as a model. */
  through?: { table: string } | { model: string };
  line: number;
}

export const sequelize: OrmSupport = {
  name: 'sequelize',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(sequelizeModels(index), table),
  findQueries(index, path, model, within) {
    const known = sequelizeModels(index).find((m) => m.name === model);
    const names = new Set(known ? known.names : [model]);
    return inJsTree(index, path, (root) => {
      const ranges: SourceRange[] = [];
      for (const node of descendants(root)) if (lineWithin(node, within) && queryOf(node, names)) ranges.push(rangeOfNode(node));
      return ranges;
    });
  },
  fix: sequelizeFix,
};

/** The Sequelize models of the workspace, read once per file text. */
export function sequelizeModels(index: SourceIndex): SequelizeModel[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(
    index,
    'sequelize',
    JS_SUFFIXES,
    // `Model.init` needs `{ sequelize }`, `new Sequelize` names it: files without the word hold a
    // model only through `x.define('Name', …)` or only associations.
    /sequelize|\.define\s*\(\s*['"`]|\.(?:belongsTo|hasOne|hasMany|belongsToMany)\s*\(/i,
    (path, text) => readDeclarations(parsers, path, text),
    combine,
  );
}

// ---- reading models ---------------------------------------------------------------------------

interface DeclaredModel {
  name: string;
  names: string[];
  tableName?: string;
  freezeTableName?: boolean;
  underscored?: boolean;
  primaryKey: string;
  path: string;
  line: number;
}

interface DefineDefaults {
  freezeTableName?: boolean;
  underscored?: boolean;
}

interface FileDeclarations {
  models: DeclaredModel[];
  associations: Array<{ source: string; association: SequelizeAssociation }>;
  defaults: DefineDefaults;
}

const ASSOCIATIONS = new Set<string>(['belongsTo', 'hasOne', 'hasMany', 'belongsToMany']);

/** Query methods and the position of their options argument. */
const QUERY_METHODS: Record<string, number> = { findAll: 0, findOne: 0, findAndCountAll: 0, findByPk: 1 };

function readDeclarations(parsers: SourceParsers, path: string, text: string): FileDeclarations | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  return withTree(parsers, language, text, (root) => {
    const found: FileDeclarations = { models: [], associations: [], defaults: {} };
    for (const node of descendants(root)) {
      if (node.type === 'new_expression') {
        readDefaults(node, found.defaults);
        continue;
      }
      const call = methodCall(node);
      if (!call) continue;
      if (call.method === 'define') {
        const model = readDefine(node, path);
        if (model) found.models.push(model);
      } else if (call.method === 'init') {
        const model = readInit(node, call.object, path);
        if (model) found.models.push(model);
      } else if (ASSOCIATIONS.has(call.method)) {
        const association = readAssociation(node, call.method as AssociationKind);
        const object = unwrap(call.object);
        const source = object.type === 'this' ? enclosingClassName(node) : lastName(object);
        if (association && source) found.associations.push({ source, association });
      }
    }
    const any = found.models.length + found.associations.length > 0 || found.defaults.freezeTableName !== undefined || found.defaults.underscored !== undefined;
    return any ? found : undefined;
  });
}

/** `new Sequelize(…, { define: { freezeTableName, underscored } })`: defaults for every model. */
function readDefaults(node: Node, defaults: DefineDefaults): void {
  if (lastName(node.childForFieldName('constructor')) !== 'Sequelize') return;
  for (const arg of callArguments(node)) {
    const options = unwrap(arg);
    const define = options.type === 'object' ? objectEntry(options, 'define') : undefined;
    const value = define && unwrap(define.value);
    if (value?.type !== 'object') continue;
    defaults.freezeTableName ??= trueProperty(value, 'freezeTableName');
    defaults.underscored ??= trueProperty(value, 'underscored');
  }
}

/** `sequelize.define('Book', { …attributes }, { …options })`. */
function readDefine(node: Node, path: string): DeclaredModel | undefined {
  const args = callArguments(node);
  const name = stringValue(args[0]);
  const attributes = args[1] && unwrap(args[1]);
  // Other `define`s (AMD modules, custom elements) pass an array or a class second.
  if (name === undefined || (attributes && attributes.type !== 'object')) return undefined;
  const options = args[2] && unwrap(args[2]).type === 'object' ? unwrap(args[2]) : undefined;
  return declaredModel(name, bindingOf(node), attributes, options, path, node);
}

/** `Book.init({ …attributes }, { sequelize, modelName, tableName })`, also as `this.init`/`super.init`. */
function readInit(node: Node, object: Node, path: string): DeclaredModel | undefined {
  const args = callArguments(node);
  const attributes = args[0] && unwrap(args[0]);
  const options = args[1] && unwrap(args[1]);
  if (attributes?.type !== 'object' || options?.type !== 'object' || !objectEntry(options, 'sequelize')) return undefined;
  const receiver = unwrap(object);
  const className = receiver.type === 'this' || receiver.type === 'super' ? enclosingClassName(node) : lastName(receiver);
  const name = stringProperty(options, 'modelName') ?? className;
  if (name === undefined) return undefined;
  return declaredModel(name, className, attributes, options, path, node);
}

/** A model as `define` or `init` declares it; `alias` is the variable or class it is known by too. */
function declaredModel(name: string, alias: string | undefined, attributes: Node | undefined, options: Node | undefined, path: string, node: Node): DeclaredModel {
  return {
    name,
    names: alias && alias !== name ? [name, alias] : [name],
    tableName: stringProperty(options, 'tableName'),
    freezeTableName: trueProperty(options, 'freezeTableName'),
    underscored: trueProperty(options, 'underscored'),
    primaryKey: primaryKeyOf(attributes),
    path,
    line: lineOf(node.startPosition),
  };
}

/** `Book.hasMany(Review, { as, foreignKey, through })`. */
function readAssociation(node: Node, kind: AssociationKind): SequelizeAssociation | undefined {
  const args = callArguments(node);
  const target = lastName(args[0]);
  if (!target) return undefined;
  const options = args[1] && unwrap(args[1]).type === 'object' ? unwrap(args[1]) : undefined;
  const association: SequelizeAssociation = { kind, target, line: lineOf(node.startPosition) };
  const as = options && objectEntry(options, 'as');
  if (as) {
    const value = unwrap(as.value);
    // `as: { singular, plural }`: the include and the accessors use the plural for to-many.
    association.as = value.type === 'object' ? stringProperty(value, kind === 'hasMany' || kind === 'belongsToMany' ? 'plural' : 'singular') : stringValue(value);
  }
  const foreignKey = options && objectEntry(options, 'foreignKey');
  if (foreignKey) {
    const value = unwrap(foreignKey.value);
    association.foreignKey = value.type === 'object' ? stringProperty(value, 'field') ?? stringProperty(value, 'name') : stringValue(value);
  }
  if (kind === 'belongsToMany') {
    const through = options && objectEntry(options, 'through');
    let value = through && unwrap(through.value);
    if (value?.type === 'object') value = objectEntry(value, 'model')?.value;
    const table = stringValue(value);
    const model = table === undefined ? lastName(value) : undefined;
    if (table !== undefined) association.through = { table };
    else if (model !== undefined) association.through = { model };
    else return undefined;
  }
  return association;
}

/** The attribute declared `primaryKey: true` (its `field` when it has one), else Sequelize's `id`. */
function primaryKeyOf(attributes: Node | undefined): string {
  if (attributes?.type !== 'object') return 'id';
  for (const entry of objectEntries(attributes)) {
    const value = unwrap(entry.value);
    if (value.type === 'object' && trueProperty(value, 'primaryKey')) return stringProperty(value, 'field') ?? entry.key;
  }
  return 'id';
}

/** The variable or property a model is stored in: `const Book = …`, `db.Book = …`. */
function bindingOf(node: Node): string | undefined {
  let n = node;
  while (n.parent && (n.parent.type === 'await_expression' || n.parent.type === 'parenthesized_expression' || n.parent.type === 'as_expression')) n = n.parent;
  const parent = n.parent;
  if (parent?.type === 'variable_declarator' && isField(parent, 'value', n)) {
    const name = parent.childForFieldName('name');
    return name?.type === 'identifier' ? name.text : undefined;
  }
  if (parent?.type === 'assignment_expression' && isField(parent, 'right', n)) return lastName(parent.childForFieldName('left'));
  return undefined;
}

function combine(found: Array<{ path: string; value: FileDeclarations }>): SequelizeModel[] {
  const defaults: DefineDefaults = {};
  for (const { value } of found) {
    defaults.freezeTableName ??= value.defaults.freezeTableName;
    defaults.underscored ??= value.defaults.underscored;
  }
  const models: SequelizeModel[] = [];
  for (const { value } of found) {
    for (const d of value.models) {
      // The same model in source and in compiled output (src/ and build/): one model, every name.
      const same = models.find((m) => m.name === d.name);
      if (same) {
        for (const n of d.names) if (!same.names.includes(n)) same.names.push(n);
        continue;
      }
      const underscored = d.underscored ?? defaults.underscored ?? false;
      const freeze = d.freezeTableName ?? defaults.freezeTableName ?? false;
      const table = d.tableName ?? (freeze ? d.name : underscored ? snakeCase(pluralize(d.name)) : pluralize(d.name));
      models.push({ name: d.name, table, names: [...d.names], primaryKey: d.primaryKey, associations: [], path: d.path, line: d.line });
    }
  }
  for (const { value } of found) {
    for (const { source, association } of value.associations) {
      const model = modelNamed(models, source);
      if (!model) continue;
      const duplicate = model.associations.some((a) => a.kind === association.kind && a.target === association.target && a.as === association.as);
      if (!duplicate) model.associations.push(association);
    }
  }
  return models;
}

function modelNamed(models: SequelizeModel[], name: string): SequelizeModel | undefined {
  return models.find((m) => m.name === name) ?? models.find((m) => m.names.includes(name));
}

// ---- queries --------------------------------------------------------------------------------------

/** `Book.findAll(…)`, `db.Book.findOne(…)`, `this.findAll(…)` in class Book: the method, else undefined. */
function queryOf(node: Node, names: Set<string>): string | undefined {
  const call = methodCall(node);
  if (!call || QUERY_METHODS[call.method] === undefined) return undefined;
  const receiver = unwrap(call.object);
  const name = receiver.type === 'this' ? enclosingClassName(node) : lastName(receiver);
  return name !== undefined && names.has(name) ? call.method : undefined;
}

// ---- the fix ------------------------------------------------------------------------------------------

interface Loaded {
  association: SequelizeAssociation;
  target: SequelizeModel;
}

function sequelizeFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
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
    const getters = loaded.map((l) => `get${upperFirst(associationName(l))}()`).join(', ');
    const names = loaded.map((l) => associationName(l)).join(', ');
    const after = `then read the loaded ${names} of each row instead of calling ${getters}`;
    if (unexplained.length > 0) {
      const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
      return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no association of ${model.name} and need loading by hand` };
    }
    const edit = includeEdit(text, call, method.method, loaded, items);
    if ('reason' in edit) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; ${edit.reason}` };
    const newText = applyEdits(text, call.startIndex, call.endIndex, edit.edits);
    return { title: `Load eagerly: ${edit.added}`, edit: { path: location.path, range: location, newText }, hint: `add ${edit.added} to the query at ${at}, ${after}` };
  });
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

/** The edits adding the include items to the call's options, or why that is not certain. */
function includeEdit(text: string, call: Node, method: string, loaded: Loaded[], items: string[]): { edits: Edit[]; added: string } | { reason: string } {
  const at = QUERY_METHODS[method];
  const args = callArguments(call);
  // findAndCountAll counts joined rows unless told to count distinct ones.
  const needsDistinct = method === 'findAndCountAll' && loaded.some((l) => l.association.kind === 'hasMany' || l.association.kind === 'belongsToMany');
  const include = `include: [${items.join(', ')}]`;
  if (args.length === at) {
    const edit = addArgument(call, `{ ${include}${needsDistinct ? ', distinct: true' : ''} }`);
    return edit ? { edits: [edit], added: include } : { reason: 'the call cannot be edited safely' };
  }
  if (args.length < at) return { reason: 'the call has fewer arguments than expected' };
  const options = unwrap(args[at]);
  if (options.type !== 'object') return { reason: 'its options are not an object literal here: merge it into them by hand' };
  const existing = objectEntry(options, 'include');
  const distinct = needsDistinct && !objectEntry(options, 'distinct') ? ['distinct: true'] : [];
  if (!existing) {
    if (hasSpread(options)) return { reason: 'its options spread another object that may hold an include: merge it by hand' };
    return { edits: addProperties(text, options, [include, ...distinct]), added: include };
  }
  const value = unwrap(existing.value);
  const elements = value.type === 'array' ? value.namedChildren.filter((c) => c.type !== 'comment') : [value];
  if (elements.some((e) => !isIncludeItem(e))) return { reason: 'its include is not a list of models written out here: merge it by hand' };
  const missing = loaded.map((l, i) => ({ l, item: items[i] })).filter(({ l }) => !elements.some((e) => includes(e, l)));
  if (missing.length === 0) return { reason: 'it is in the include already; check where the rows are read' };
  const added = missing.map((m) => m.item);
  const edits: Edit[] = value.type === 'array' ? addElements(text, value, added) : [{ start: value.startIndex, end: value.endIndex, text: `[${value.text}, ${added.join(', ')}]` }];
  if (distinct.length) append(edits, addProperties(text, options, distinct));
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

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
