// The ActiveRecord models of the workspace: the classes of app/models/**/*.rb whose superclass
// chain reaches a model base, with their tables as Rails names them (table_name, single-table
// inheritance, table_name_prefix, nested models) and their associations, read once per file text.

import { SourceIndex } from '../../sourceIndex';
import { append } from '../../arrays';
import { findRubyDeclarations, RailsAssociation, RubyClassDecl, RubyDeclarations, RubyModuleDecl } from './declarations';
import { pluralize, singularOfTable, underscore } from './inflection';

export interface RailsModel {
  /** Qualified: `Admin::User`. */
  name: string;
  table: string;
  decl: RubyClassDecl;
  /** Associations declared here and on model superclasses (single-table inheritance). */
  associations: RailsAssociation[];
  attachments: RubyClassDecl['attachments'];
  /** The superclass model, for single-table inheritance. */
  parent?: RailsModel;
}

/**
 * The ActiveRecord models of the workspace: classes of app/models/**\/*.rb that extend a model base.
 * Derived from the source index's generation; each file's declarations from its text (a file whose
 * text did not change is not parsed again).
 */
export function railsModels(index: SourceIndex): RailsModel[] {
  return index.derive('orm.rails.models', () => {
    const classes: RubyClassDecl[] = [];
    const modules: RubyModuleDecl[] = [];
    const parsers = index.parsers;
    if (parsers) {
      const declarations = index.perText('orm.rails.file', (path, text): RubyDeclarations => findRubyDeclarations(parsers, path, text));
      for (const path of index.files.list(['.rb'])) {
        if (!MODEL_PATH.test(path)) continue;
        const decls = declarations.get(path);
        if (decls === undefined) continue;
        append(classes, decls.classes);
        append(modules, decls.modules);
      }
    }
    return resolveModels(classes, modules);
  });
}

const MODEL_PATH = /(^|\/)app\/models\/.+\.rb$/;

/** For each model, the has_many and has_and_belongs_to_many associations that reach it, once per generation:
 *  findQueries runs for every recorded function searched. */
export function collectionsOf(index: SourceIndex): Map<string, Array<{ owner: string; name: string }>> {
  const models = railsModels(index);
  return index.derive('orm.rails.collections', () => collectionsOfModels(models));
}

function collectionsOfModels(models: RailsModel[]): Map<string, Array<{ owner: string; name: string }>> {
  const collections = new Map<string, Array<{ owner: string; name: string }>>();
  for (const owner of models) {
    for (const a of owner.associations) {
      if (a.kind !== 'has_many' && a.kind !== 'has_and_belongs_to_many') continue;
      const target = targetOf(owner, a, models);
      if (!target) continue;
      let list = collections.get(target.name);
      if (!list) collections.set(target.name, (list = []));
      list.push({ owner: owner.name, name: a.name });
    }
  }
  return collections;
}

/** The classes that are models (their superclass chain reaches a model base), with their tables. */
export function resolveModels(classes: RubyClassDecl[], modules: RubyModuleDecl[]): RailsModel[] {
  const byName = new Map<string, RubyClassDecl>();
  for (const c of classes) if (!byName.has(c.name)) byName.set(c.name, c);
  const prefixes = new Map(modules.filter((m) => m.tableNamePrefix !== undefined).map((m) => [m.name, m.tableNamePrefix as string]));
  const resolved = new Map<string, { model: RailsModel | null; isBase: boolean }>();
  const resolving = new Set<string>();

  /** The model of a class, null for a class that is no model (or an abstract one: `abstract` says). */
  const modelOf = (decl: RubyClassDecl): { model: RailsModel | null; isBase: boolean } => {
    const known = resolved.get(decl.name);
    if (known) return known;
    if (resolving.has(decl.name)) return { model: null, isBase: false };
    resolving.add(decl.name);
    let parentModel: RailsModel | null = null;
    let isModel = false;
    const superName = decl.superclass;
    if (superName !== undefined) {
      const parentDecl = lookup(byName, superName, decl.namespace);
      if (parentDecl) {
        const parent = modelOf(parentDecl);
        isModel = parent.isBase;
        parentModel = parent.model;
      } else isModel = MODEL_BASES.has(superName);
    }
    resolving.delete(decl.name);
    const done = (result: { model: RailsModel | null; isBase: boolean }) => (resolved.set(decl.name, result), result);
    if (!isModel) return done({ model: null, isBase: false });
    // An abstract class (ApplicationRecord) has no table but makes its subclasses models.
    if (decl.abstract) return done({ model: null, isBase: true });
    const table = decl.tableName ?? parentModel?.table ?? defaultTable(decl, byName, prefixes, (d) => modelOf(d).model);
    const model: RailsModel = {
      name: decl.name,
      table,
      decl,
      associations: [...(parentModel?.associations ?? []), ...decl.associations],
      attachments: [...(parentModel?.attachments ?? []), ...decl.attachments],
      parent: parentModel ?? undefined,
    };
    return done({ model, isBase: true });
  };

  const models: RailsModel[] = [];
  for (const decl of byName.values()) {
    const { model } = modelOf(decl);
    if (model) models.push(model);
  }
  return models;
}

const MODEL_BASES = new Set(['ApplicationRecord', 'ActiveRecord::Base']);

/**
 * Rails' table name: the pluralised snake_case of the class name, after the nearest enclosing
 * module's `table_name_prefix` (the generator writes `def self.table_name_prefix = "admin_"` for
 * `Admin::User`; without one Rails names `Admin::User`'s table `users`), or after the singular table
 * of an enclosing model class (`Post::Comment` → `post_comments`).
 */
function defaultTable(
  decl: RubyClassDecl,
  byName: Map<string, RubyClassDecl>,
  prefixes: Map<string, string>,
  modelOf: (d: RubyClassDecl) => RailsModel | null,
): string {
  const own = pluralize(underscore(decl.name.split('::').pop() as string));
  let prefix = '';
  for (let i = decl.namespace.length; i > 0; i--) {
    const name = decl.namespace.slice(0, i).join('::');
    const found = prefixes.get(name);
    if (found !== undefined) {
      prefix = found;
      break;
    }
  }
  const enclosing = byName.get(decl.namespace.join('::'));
  const container = enclosing ? modelOf(enclosing) : null;
  return `${prefix}${container ? `${singularOfTable(container.table)}_` : ''}${own}`;
}

/** The class a constant names from inside `namespace`, innermost scope first (Ruby's lookup). */
function lookup(byName: Map<string, RubyClassDecl>, written: string, namespace: string[]): RubyClassDecl | undefined {
  if (written.startsWith('::')) return byName.get(written.slice(2));
  for (let i = namespace.length; i >= 0; i--) {
    const found = byName.get([...namespace.slice(0, i), written].join('::'));
    if (found) return found;
  }
  return undefined;
}

/** The model an association points at: `class_name:`, else the model its name implies. */
export function targetOf(owner: RailsModel, association: RailsAssociation, models: RailsModel[]): RailsModel | undefined {
  if (association.polymorphic) return undefined;
  if (association.through) {
    const through = owner.associations.find((a) => a.name === association.through);
    const middle = through && targetOf(owner, through, models);
    if (!middle) return undefined;
    const sourceNames = association.source ? [association.source] : [association.name];
    const source = middle.associations.find((a) => sourceNames.some((n) => a.name === n || pluralize(a.name) === n));
    return source && (association.className ? byClassName(association.className, owner, models) : targetOf(middle, source, models));
  }
  if (association.className) return byClassName(association.className, owner, models);
  const collection = association.kind === 'has_many' || association.kind === 'has_and_belongs_to_many';
  const candidates = models.filter((m) => {
    const base = underscore(m.name.split('::').pop() as string);
    return (collection ? pluralize(base) : base) === association.name;
  });
  return nearest(candidates, owner);
}

function byClassName(className: string, owner: RailsModel, models: RailsModel[]): RailsModel | undefined {
  const written = className.replace(/^::/, '');
  if (className.startsWith('::')) return models.find((m) => m.name === written);
  for (let i = owner.decl.namespace.length; i >= 0; i--) {
    const found = models.find((m) => m.name === [...owner.decl.namespace.slice(0, i), written].join('::'));
    if (found) return found;
  }
  return undefined;
}

/** Of models with the same short name, the one in the owner's namespace, else the top-level one. */
function nearest(candidates: RailsModel[], owner: RailsModel): RailsModel | undefined {
  for (let i = owner.decl.namespace.length; i >= 0; i--) {
    const prefix = owner.decl.namespace.slice(0, i).join('::');
    const found = candidates.find((m) => m.decl.namespace.join('::') === prefix);
    if (found) return found;
  }
  return candidates[0];
}

/** Rails' default join table of a has_and_belongs_to_many: both tables in lexical order, a shared prefix once. */
export function joinTableOf(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  const m = /^(.*_)(.+)\u0000\1(.+)$/.exec(`${first}\u0000${second}`);
  return m ? `${m[1]}${m[2]}_${m[3]}` : `${first}_${second}`;
}
