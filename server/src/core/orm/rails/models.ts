// ActiveRecord support: the models of app/models/**/*.rb and their tables (as Rails names them),
// where a relation of a model is written (the model constant or a collection association of it),
// and the eager-loading fix: which associations the repeated queries load one row at a time,
// found from each query's tables and filter columns, appended as `.includes(…)` or merged into
// the chain's `.includes(…)`; a hint where that is not certain.

import { RelatedEntry } from '../../findings/finding';
import {
  findRelationExpressions,
  findRubyDeclarations,
  includesEdit,
  IncludesLoad,
  RailsAssociation,
  renderLoad,
  RubyClassDecl,
  RubyDeclarations,
  RubyModuleDecl,
} from './declarations';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { Fix, OrmQuery, OrmSupport } from '../../placement/orm';
import { append } from '../../arrays';

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

export const rails: OrmSupport = {
  name: 'rails',
  languages: ['ruby'],
  noun: 'query',
  modelOfTable(index, table) {
    // The base of a single-table hierarchy first: its subclasses share the table.
    const models = railsModels(index).filter((m) => m.table === table);
    return (models.find((m) => !m.parent) ?? models[0])?.name;
  },
  findQueries(index, path, model, within) {
    const text = index.text(path);
    if (text === undefined || !index.parsers) return [];
    return findRelationExpressions(index.parsers, text, { model, associations: collectionsOf(index).get(model) ?? [] }, within);
  },
  fix: railsFix,
};

/** The edit appending `.includes(…)`, or a hint where an association or the edit is not certain. */
function railsFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const models = railsModels(index);
  const model = models.find((m) => m.name === query.model);
  if (text === undefined || !model || !index.parsers) return undefined;
  const load = associationsToLoad(model, related, models);
  if (load.symbols.length + load.pairs.length === 0 && load.unexplained.length === 0) return undefined;
  const at = `${location.path}:${location.line}:${location.column}`;
  const wanted = `.includes(${renderLoad(load.symbols, load.pairs)})`;
  if (load.symbols.length + load.pairs.length === 0) {
    return { title: 'How to load eagerly (hint)', hint: `the repeated queries ${describeUnexplained(load.unexplained, model)}; the query is at ${at}` };
  }
  const edited = load.unexplained.length === 0 ? includesEdit(index.parsers, text, location, load) : undefined;
  if (edited) return { title: `Load eagerly: ${edited.added}`, edit: { path: location.path, range: location, newText: edited.newText }, hint: `append ${edited.added} to the query at ${at}` };
  return {
    title: `Load eagerly (hint): ${wanted}`,
    hint: `add ${wanted} to the query at ${at}${load.unexplained.length ? `; the repeated queries ${describeUnexplained(load.unexplained, model)}` : '; merge it into the existing .includes(…) by hand'}`,
  };
}

export interface RailsLoad extends IncludesLoad {
  /** Repeated queries no single association of the model explains. */
  unexplained: Array<{ entry: RelatedEntry; reason: string }>;
}

/** The associations of `model` that the repeated queries load, in the order they first ran. */
export function associationsToLoad(model: RailsModel, related: RelatedEntry[], models: RailsModel[]): RailsLoad {
  const load: RailsLoad = { symbols: [], pairs: [], unexplained: [] };
  for (const entry of related) {
    const found = explain(model, entry.sql, models);
    if ('reason' in found) load.unexplained.push({ entry, reason: found.reason });
    else if (found.pair) {
      if (!load.pairs.some((p) => p.key === found.pair!.key)) load.pairs.push(found.pair);
    } else if (!load.symbols.includes(found.symbol)) load.symbols.push(found.symbol);
  }
  return load;
}

// ---- models -----------------------------------------------------------------------------------

interface Cached {
  generation: number;
  models: RailsModel[];
  files: Map<string, { text: string; decls: RubyDeclarations }>;
  /** Model name → the collection associations (of any model) that point at it; made on first use. */
  collections?: Map<string, Array<{ owner: string; name: string }>>;
}

/** Per source index: the models, worked out again when anything read was forgotten. */
const cache = new WeakMap<SourceIndex, Cached>();

/** The ActiveRecord models of the workspace: classes of app/models/**\/*.rb that extend a model base. */
export function railsModels(index: SourceIndex): RailsModel[] {
  let cached = cache.get(index);
  if (cached && cached.generation === index.generation) return cached.models;
  const files: Cached['files'] = new Map();
  const classes: RubyClassDecl[] = [];
  const modules: RubyModuleDecl[] = [];
  if (index.parsers) {
    for (const path of index.files.list(['.rb'])) {
      if (!MODEL_PATH.test(path)) continue;
      const text = index.text(path);
      if (text === undefined) continue;
      // A file whose text did not change keeps its declarations: no parse.
      const before = cached?.files.get(path);
      const decls = before && before.text === text ? before.decls : findRubyDeclarations(index.parsers, path, text);
      files.set(path, { text, decls });
      append(classes, decls.classes);
      append(modules, decls.modules);
    }
  }
  cached = { generation: index.generation, models: resolveModels(classes, modules), files };
  cache.set(index, cached);
  return cached.models;
}

const MODEL_PATH = /(^|\/)app\/models\/.+\.rb$/;

/** For each model, the has_many and has_and_belongs_to_many associations that reach it, once per generation:
 *  findQueries runs for every recorded function searched. */
function collectionsOf(index: SourceIndex): Map<string, Array<{ owner: string; name: string }>> {
  const models = railsModels(index);
  const cached = cache.get(index) as Cached;
  if (cached.collections) return cached.collections;
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
  cached.collections = collections;
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

// ---- explaining a repeated query --------------------------------------------------------------

type Explained = { symbol: string; pair?: { key: string; value: string } } | { reason: string };

/** The association of `model` a repeated query loads, from its tables and filter columns. */
function explain(model: RailsModel, sql: string, models: RailsModel[]): Explained {
  // `.count`, `.exists?`, `.sum` query every time: loading the rows eagerly does not remove them.
  if (/^\s*SELECT\s+(COUNT|SUM|AVG|MIN|MAX)\s*\(|^\s*SELECT\s+1\s+AS\s+one\b/i.test(sql)) return { reason: 'aggregate' };
  const facts = sqlFacts(sql);
  const table = facts.tables[0];
  if (!table) return { reason: 'unknown' };
  const filters = new Set(facts.filterColumns);
  const filtered = (column: string) => filters.has(`${table}.${column}`) || filters.has(column);
  const found: Explained[] = [];
  for (const a of model.associations) {
    const target = targetOf(model, a, models);
    if (!target || target.table !== table) continue;
    if (a.through) {
      // JOIN the middle table, filtered by its key to this model (following / followers: one table, two keys).
      const through = model.associations.find((t) => t.name === a.through);
      const middle = through && targetOf(model, through, models);
      const key = through && through.kind !== 'belongs_to' ? keyToOwner(model, through) : undefined;
      if (middle && facts.tables.includes(middle.table) && (key === undefined || filters.has(`${middle.table}.${key}`))) found.push({ symbol: a.name });
    } else if (a.kind === 'has_and_belongs_to_many') {
      if (facts.tables.includes(a.joinTable ?? joinTableOf(model.table, target.table))) found.push({ symbol: a.name });
    } else if (a.kind === 'belongs_to') {
      if (filtered(a.primaryKey ?? 'id')) found.push({ symbol: a.name });
    } else if (filtered(keyToOwner(model, a))) {
      found.push({ symbol: a.name });
    }
  }
  // Active Storage: the attachment rows of each record, then the blob of each attachment.
  if (table === 'active_storage_attachments' && filtered('record_id')) {
    const single = /\bLIMIT\b/i.test(sql);
    const kinds = model.attachments.filter((a) => a.kind === (single ? 'one' : 'many'));
    for (const a of kinds) found.push(attachmentLoad(a));
  } else if (table === 'active_storage_blobs' && filtered('id') && model.attachments.length === 1) {
    found.push(attachmentLoad(model.attachments[0]));
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) return { reason: 'none' };
  const names = found.map((f) => ('symbol' in f ? (f.pair ? `${f.pair.key}: ${f.pair.value}` : `:${f.symbol}`) : '')).join(', ');
  return { reason: `ambiguous: ${names}` };
}

/** The column of a has_many/has_one's table that points back at the owner (`user_id`, `commentable_id`). */
function keyToOwner(owner: RailsModel, a: RailsAssociation): string {
  // Named after the class that declares the association: a single-table subclass inherits it as is.
  let declaring = owner;
  while (declaring.parent && !declaring.decl.associations.includes(a)) declaring = declaring.parent;
  return a.foreignKey ?? (a.as ? `${a.as}_id` : `${underscore(declaring.decl.name.split('::').pop() as string)}_id`);
}

function attachmentLoad(a: { kind: 'one' | 'many'; name: string }): Explained {
  return a.kind === 'one' ? { symbol: `${a.name}_attachment`, pair: { key: `${a.name}_attachment`, value: ':blob' } } : { symbol: `${a.name}_attachments`, pair: { key: `${a.name}_attachments`, value: ':blobs' } };
}

function describeUnexplained(unexplained: RailsLoad['unexplained'], model: RailsModel): string {
  const parts: string[] = [];
  const tables = (reason: (r: string) => boolean) => [...new Set(unexplained.filter((u) => reason(u.reason)).map((u) => u.entry.table ?? 'query'))].join(', ');
  const aggregate = tables((r) => r === 'aggregate');
  const none = tables((r) => r === 'none' || r === 'unknown');
  const ambiguous = unexplained.filter((u) => u.reason.startsWith('ambiguous: '));
  if (none) parts.push(`on ${none} match no association of ${model.name} and need loading by hand`);
  if (aggregate) parts.push(`on ${aggregate} count or test rows, which .includes does not remove (use .size on loaded rows, or a counter cache)`);
  for (const a of ambiguous) parts.push(`on ${a.entry.table ?? 'a table'} match several associations of ${model.name} (${a.reason.slice('ambiguous: '.length)}): include the one the loop reads`);
  return parts.join('; ');
}

/** Rails' default join table of a has_and_belongs_to_many: both tables in lexical order, a shared prefix once. */
export function joinTableOf(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  const m = /^(.*_)(.+)\u0000\1(.+)$/.exec(`${first}\u0000${second}`);
  return m ? `${m[1]}${m[2]}_${m[3]}` : `${first}_${second}`;
}

// ---- inflection (ActiveSupport's English defaults) --------------------------------------------

/** `UserProfile` → `user_profile`, `HTMLPage` → `html_page`. */
export function underscore(name: string): string {
  return name
    .replace(/::/g, '/')
    .replace(/([A-Z\d]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

const UNCOUNTABLE = ['equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police'];
const IRREGULAR: Array<[string, string]> = [['person', 'people'], ['man', 'men'], ['child', 'children'], ['sex', 'sexes'], ['move', 'moves'], ['zombie', 'zombies']];
/** ActiveSupport's plural rules, the last defined first (as Rails applies them). */
const PLURALS: Array<[RegExp, string]> = [
  [/(quiz)$/i, '$1zes'],
  [/^(oxen)$/i, '$1'],
  [/^(ox)$/i, '$1en'],
  [/^(m|l)ice$/i, '$1ice'],
  [/^(m|l)ouse$/i, '$1ice'],
  [/(matr|vert|ind)(?:ix|ex)$/i, '$1ices'],
  [/(x|ch|ss|sh)$/i, '$1es'],
  [/([^aeiouy]|qu)y$/i, '$1ies'],
  [/(hive)$/i, '$1s'],
  [/(?:([^f])fe|([lr])f)$/i, '$1$2ves'],
  [/sis$/i, 'ses'],
  [/([ti])a$/i, '$1a'],
  [/([ti])um$/i, '$1a'],
  [/(buffal|tomat)o$/i, '$1oes'],
  [/(bu)s$/i, '$1ses'],
  [/(alias|status)$/i, '$1es'],
  [/(octop|vir)i$/i, '$1i'],
  [/(octop|vir)us$/i, '$1i'],
  [/^(ax|test)is$/i, '$1es'],
  [/s$/i, 's'],
  [/$/, 's'],
];

/** The plural of a snake_case word: `micropost` → `microposts`, `person` → `people`, `category` → `categories`. */
export function pluralize(word: string): string {
  if (UNCOUNTABLE.some((u) => word === u || word.endsWith(`_${u}`))) return word;
  for (const [singular, plural] of IRREGULAR) {
    if (word === singular || word.endsWith(`_${singular}`) || (singular !== 'man' && word.endsWith(singular))) return word.slice(0, word.length - singular.length) + plural;
    if (word === plural || word.endsWith(`_${plural}`)) return word;
  }
  // A group that took no part in the match ($2 of the -ves rule) is replaced by nothing.
  for (const [rule, replacement] of PLURALS) if (rule.test(word)) return word.replace(rule, replacement);
  return word;
}

/** The singular of a table for a nested model's prefix: the inverse of pluralize on the common cases. */
function singularOfTable(table: string): string {
  for (const [singular, plural] of IRREGULAR) if (table.endsWith(plural)) return table.slice(0, table.length - plural.length) + singular;
  return table.replace(/ies$/, 'y').replace(/(x|ch|ss|sh)es$/, '$1').replace(/s$/, '');
}
