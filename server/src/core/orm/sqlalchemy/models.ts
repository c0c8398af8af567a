// SQLAlchemy support: the declarative models of the workspace (classes with `__tablename__`, their
// single-table subclasses, Flask-SQLAlchemy `db.Model` classes) and their tables, where a query of a
// model is written, and the eager-loading fix: `.options(joinedload(Model.rel))` for many-to-one and
// scalar relationships, `.options(selectinload(Model.rel))` for collections, from each repeated
// query's tables and filter columns and the models' foreign keys. The edit is made only where the
// module already imports the loaders; otherwise the hint says which import to add as well.

import { RelatedEntry } from '../../findings/finding';
import { findQueryExpressions, findSqlaDeclarations, loaderNames, optionsEdit, SqlaClassDecl, SqlaDeclarations, SqlaRelationship } from './declarations';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { Fix, OrmQuery, OrmSupport } from '../../placement/orm';
import { append } from '../../arrays';

export interface SqlaModel {
  name: string;
  table: string;
  decl: SqlaClassDecl;
  /** Declared here, on mapped superclasses, and made on this model by other models' `backref=`. */
  relationships: SqlaRelationship[];
  /** Foreign keys of this model's table (a single-table subclass shares its parent's). */
  foreignKeys: SqlaClassDecl['foreignKeys'];
  primaryKeys: string[];
  parent?: SqlaModel;
}

export const sqlalchemy: OrmSupport = {
  name: 'sqlalchemy',
  languages: ['python'],
  noun: 'query',
  modelOfTable(index, table) {
    const models = sqlaModels(index).filter((m) => m.table === table);
    return (models.find((m) => !m.parent) ?? models[0])?.name;
  },
  findQueries(index, path, model, within) {
    const text = index.text(path);
    return text === undefined || !index.parsers ? [] : findQueryExpressions(index.parsers, text, { model }, within);
  },
  fix: sqlalchemyFix,
};

type Loader = 'joinedload' | 'selectinload';

export interface SqlaLoad {
  /** In the order the repeated queries first ran. */
  loads: Array<{ loader: Loader; relationship: string }>;
  unexplained: Array<{ entry: RelatedEntry; reason: string }>;
}

function sqlalchemyFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const models = sqlaModels(index);
  const model = models.find((m) => m.name === query.model);
  if (text === undefined || !model || !index.parsers) return undefined;
  const load = relationshipsToLoad(model, related, models);
  const at = `${location.path}:${location.line}:${location.column}`;
  if (load.loads.length === 0) {
    return load.unexplained.length ? { title: 'How to load eagerly (hint)', hint: `the repeated queries ${describeUnexplained(load.unexplained, model)}; the query is at ${at}` } : undefined;
  }
  const names = loaderNames(index.parsers, text);
  const needed = [...new Set(load.loads.map((l) => l.loader))];
  const imported = needed.every((l) => names.has(l));
  const calls = (name: (l: Loader) => string) => load.loads.map((l) => `${name(l.loader)}(${model.name}.${l.relationship})`);
  const wanted = `.options(${calls((l) => names.get(l) ?? l).join(', ')})`;
  const edited = imported && load.unexplained.length === 0 ? optionsEdit(index.parsers, text, location, calls((l) => names.get(l) as string)) : undefined;
  if (edited) return { title: `Load eagerly: ${edited.added}`, edit: { path: location.path, range: location, newText: edited.newText }, hint: `append ${edited.added} to the query at ${at}` };
  const missing = needed.filter((l) => !names.has(l));
  const importing = missing.length ? ` and "from sqlalchemy.orm import ${missing.join(', ')}" to the imports of ${location.path}` : '';
  const why = load.unexplained.length ? `; the repeated queries ${describeUnexplained(load.unexplained, model)}` : missing.length ? '' : '; merge it into the existing .options(…) by hand';
  return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}${importing}${why}` };
}

/** The relationships of `model` that the repeated queries load, and the loader for each. */
export function relationshipsToLoad(model: SqlaModel, related: RelatedEntry[], models: SqlaModel[]): SqlaLoad {
  const load: SqlaLoad = { loads: [], unexplained: [] };
  for (const entry of related) {
    const found = explain(model, entry.sql, models);
    if ('reason' in found) load.unexplained.push({ entry, reason: found.reason });
    else if (!load.loads.some((l) => l.relationship === found.relationship)) load.loads.push(found);
  }
  return load;
}

// ---- models -----------------------------------------------------------------------------------

interface Cached {
  generation: number;
  models: SqlaModel[];
  files: Map<string, { text: string; decls: SqlaDeclarations }>;
}

/** Per source index: the models, worked out again when anything read was forgotten. */
const cache = new WeakMap<SourceIndex, Cached>();

/**
 * The mapped classes of the workspace. SQLAlchemy models live in any module, so every Python file
 * outside tests and migrations that mentions `__tablename__` or `.Model` is parsed (once per text).
 */
export function sqlaModels(index: SourceIndex): SqlaModel[] {
  let cached = cache.get(index);
  if (cached && cached.generation === index.generation) return cached.models;
  const files: Cached['files'] = new Map();
  const classes: SqlaClassDecl[] = [];
  if (index.parsers) {
    for (const path of index.files.list(['.py'])) {
      if (SKIPPED_PATH.test(path)) continue;
      const text = index.text(path);
      if (text === undefined || !(text.includes('__tablename__') || text.includes('.Model'))) continue;
      const before = cached?.files.get(path);
      const decls = before && before.text === text ? before.decls : findSqlaDeclarations(index.parsers, path, text);
      files.set(path, { text, decls });
      append(classes, decls.classes);
    }
  }
  cached = { generation: index.generation, models: resolveModels(classes), files };
  cache.set(index, cached);
  return cached.models;
}

const SKIPPED_PATH = /(^|\/)(tests?|migrations|alembic)\/|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;

/** Mapped classes and their tables; then the relationships other models' `backref=` make. */
export function resolveModels(classes: SqlaClassDecl[]): SqlaModel[] {
  const byName = new Map<string, SqlaClassDecl>();
  for (const c of classes) if (c.name && !byName.has(c.name)) byName.set(c.name, c);
  const resolved = new Map<string, SqlaModel | null>();
  const resolving = new Set<string>();
  const modelOf = (decl: SqlaClassDecl): SqlaModel | null => {
    if (resolved.has(decl.name)) return resolved.get(decl.name) ?? null;
    if (resolving.has(decl.name)) return null;
    resolving.add(decl.name);
    const parentDecl = decl.bases.map((b) => byName.get(b.split('.').pop() as string)).find((d) => d !== undefined && d !== decl);
    const parent = parentDecl ? modelOf(parentDecl) : null;
    resolving.delete(decl.name);
    let table = decl.tableName ?? parent?.table;
    // Flask-SQLAlchemy names the table of a `db.Model` class without __tablename__ after the class
    // (Django's `models.Model` and a bare `Model` are not that base).
    if (table === undefined && decl.bases.some((b) => /^\w+\.Model$/.test(b) && b !== 'models.Model')) table = snakeCase(decl.name);
    const model: SqlaModel | null = decl.abstract || table === undefined ? null : {
      name: decl.name,
      table,
      decl,
      relationships: [...(parent?.relationships ?? []), ...decl.relationships],
      foreignKeys: [...(parent && parent.table === table ? parent.foreignKeys : []), ...decl.foreignKeys],
      primaryKeys: decl.primaryKeys.length ? decl.primaryKeys : parent?.primaryKeys ?? [],
      parent: parent ?? undefined,
    };
    resolved.set(decl.name, model);
    return model;
  };
  const models = [...byName.values()].map(modelOf).filter((m): m is SqlaModel => m !== null);
  for (const owner of models) {
    for (const r of owner.decl.relationships) {
      const target = r.backref !== undefined && r.target !== undefined ? models.find((m) => m.name === r.target) : undefined;
      if (target && !target.relationships.some((t) => t.name === r.backref)) {
        target.relationships.push({ name: r.backref as string, target: owner.name, secondary: r.secondary, line: r.line });
      }
    }
  }
  return models;
}

/** Flask-SQLAlchemy's `camel_to_snake_case`: `UserRole` → `user_role`, `HTMLPage` → `html_page`. */
export function snakeCase(name: string): string {
  return name.replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, '_$1').toLowerCase().replace(/^_+/, '');
}

// ---- explaining a repeated query --------------------------------------------------------------

type Explained = { loader: Loader; relationship: string } | { reason: string };

/** The relationship of `model` a repeated query loads, from its tables, filter columns and the foreign keys. */
function explain(model: SqlaModel, sql: string, models: SqlaModel[]): Explained {
  if (/^\s*SELECT\s+(count|sum|avg|min|max)\s*\(/i.test(sql)) return { reason: 'aggregate' };
  const facts = sqlFacts(sql);
  const table = facts.tables[0];
  if (!table) return { reason: 'none' };
  const filters = new Set(facts.filterColumns);
  const filtered = (t: string, column: string) => filters.has(`${t}.${column}`) || filters.has(column);
  const found: Array<{ loader: Loader; relationship: string }> = [];
  for (const r of model.relationships) {
    const target = models.find((m) => m.name === r.target);
    if (!target || target.table !== table) continue;
    if (r.secondary !== undefined) {
      if (facts.tables.includes(r.secondary)) found.push({ loader: 'selectinload', relationship: r.name });
      continue;
    }
    // Many-to-one: this table holds the key, the query fetches the target by its primary key.
    const forward = model.foreignKeys.map((fk) => pointsAt(fk.target, target)).find((c) => c !== undefined);
    if (forward !== undefined && filtered(table, forward) && r.uselist !== true) {
      found.push({ loader: 'joinedload', relationship: r.name });
      continue;
    }
    // One-to-many (or one-to-one when uselist=False): the target's table holds the key to this one.
    const backward = target.foreignKeys.find((fk) => pointsAt(fk.target, model) !== undefined && filtered(table, fk.column));
    if (backward) {
      found.push({ loader: r.uselist === false ? 'joinedload' : 'selectinload', relationship: r.name });
      continue;
    }
    // Keys declared elsewhere (ForeignKeyConstraint, primaryjoin): a scalar fetched by primary key.
    if (forward === undefined && r.uselist === false && filtered(table, target.primaryKeys[0] ?? 'id')) found.push({ loader: 'joinedload', relationship: r.name });
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) return { reason: 'none' };
  return { reason: `ambiguous: ${found.map((f) => f.relationship).join(', ')}` };
}

/** The referenced column when a `ForeignKey(…)` target (`"users.id"`, `User.id`) points at `model`. */
function pointsAt(target: string, model: SqlaModel): string | undefined {
  const parts = target.split('.');
  if (parts.length < 2) return undefined;
  const [owner, column] = parts.slice(-2);
  return owner === model.table || owner === model.name ? column : undefined;
}

function describeUnexplained(unexplained: SqlaLoad['unexplained'], model: SqlaModel): string {
  const parts: string[] = [];
  const tables = (match: (r: string) => boolean) => [...new Set(unexplained.filter((u) => match(u.reason)).map((u) => u.entry.table ?? 'query'))].join(', ');
  const none = tables((r) => r === 'none');
  const aggregate = tables((r) => r === 'aggregate');
  if (none) parts.push(`on ${none} match no relationship of ${model.name} and need loading by hand`);
  if (aggregate) parts.push(`on ${aggregate} count rows, which eager loading does not remove`);
  for (const u of unexplained.filter((x) => x.reason.startsWith('ambiguous: '))) {
    parts.push(`on ${u.entry.table ?? 'a table'} match several relationships of ${model.name} (${u.reason.slice('ambiguous: '.length)}): load the one the loop reads`);
  }
  return parts.join('; ');
}
