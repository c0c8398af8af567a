// Sequelize's models: `sequelize.define('Book', …)` and `class Book extends Model` +
// `Book.init(…, { sequelize })` anywhere in the workspace's JavaScript and TypeScript, with their
// tables (tableName, else the plural of the model name, as Sequelize forms it) and associations
// (`Book.belongsTo(Author, { as: 'author' })`, hasOne, hasMany, belongsToMany through).

import type { Node } from 'web-tree-sitter';
import { descendants, isField, lineOf, SourceParsers, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { JS_SUFFIXES, callArguments, enclosingClassName, jsLanguageOf, lastName, methodCall, objectEntries, objectEntry, stringProperty, stringValue, trueProperty, unwrap } from '../js/syntax';
import { pluralize, snakeCase } from '../js/names';
import { scanWorkspace } from '../js/workspace';

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

export function modelNamed(models: SequelizeModel[], name: string): SequelizeModel | undefined {
  return models.find((m) => m.name === name) ?? models.find((m) => m.names.includes(name));
}
