// The SQLAlchemy models of the workspace: the declarative classes with `__tablename__`, their
// single-table subclasses and Flask-SQLAlchemy `db.Model` classes, with their tables, foreign keys
// and relationships (backrefs made on the other side), read once per file text.

import { SourceIndex } from '../../sourceIndex';
import { append } from '../../arrays';
import { findSqlaDeclarations, SqlaClassDecl, SqlaDeclarations, SqlaRelationship } from './declarations';

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

/**
 * The mapped classes of the workspace. SQLAlchemy models live in any module, so every Python file
 * outside tests and migrations that mentions `__tablename__` or `.Model` is parsed (once per text).
 */
export function sqlaModels(index: SourceIndex): SqlaModel[] {
  return index.derive('orm.sqlalchemy.models', () => {
    const classes: SqlaClassDecl[] = [];
    const parsers = index.parsers;
    if (parsers) {
      // Each file's declarations derived from its text: parsed again only when it changes.
      const declarations = index.perText('orm.sqlalchemy.file', (path, text): SqlaDeclarations | undefined =>
        text.includes('__tablename__') || text.includes('.Model') ? findSqlaDeclarations(parsers, path, text) : undefined,
      );
      for (const path of index.files.list(['.py'])) {
        if (SKIPPED_PATH.test(path)) continue;
        const decls = declarations.get(path);
        if (decls) append(classes, decls.classes);
      }
    }
    return resolveModels(classes);
  });
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
