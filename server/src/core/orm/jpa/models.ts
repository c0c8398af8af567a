// JPA (Hibernate, Spring Data JPA, Jakarta or javax persistence): the `@Entity` classes of the
// workspace's Java files with their tables (`@Table(name = …)`, else the class name as Spring
// Boot's naming writes it, `OwnerVisit` → owner_visit, or as written) and relations (`@OneToMany(
// mappedBy = "owner") List<Pet> pets`, `@ManyToOne @JoinColumn(name = "owner_id") Owner owner`,
// `@ManyToMany`, `@OneToOne`), relations of `@MappedSuperclass` parents included; and the Spring
// Data repositories (`interface OwnerRepository extends JpaRepository<Owner, Integer>`) with the
// query methods they declare. Each file read once per text (the scan of orm/js/workspace.ts, which
// knows no language).

import type { Node } from 'web-tree-sitter';
import { append } from '../../arrays';
import { descendants, lineOf, SourceParsers, SourceRange, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { rangeOfNode } from '../js/syntax';
import { sameName, snakeCase } from '../js/names';
import { scanWorkspace } from '../js/workspace';

export type JpaRelationKind = 'one-to-many' | 'many-to-one' | 'one-to-one' | 'many-to-many';

export interface JpaRelation {
  /** The field's name (`pets`): what `attributePaths` and `join fetch` name. */
  name: string;
  kind: JpaRelationKind;
  /** The target entity's class name (`Pet` of `List<Pet>`). */
  target: string;
  /** `mappedBy = "owner"`: the target's field that owns the foreign key. */
  mappedBy?: string;
  /** `@JoinColumn(name = "owner_id")`. */
  joinColumn?: string;
  /** `@JoinTable(name = "vet_specialties")`. */
  joinTable?: string;
}

export interface JpaEntity {
  name: string;
  /** The table names Hibernate may use for it: `@Table`'s, else the snake-case and the plain class name. */
  tables: string[];
  /** The parent class as written (`BaseEntity`), whose mapped relations it inherits. */
  parent?: string;
  relations: JpaRelation[];
  /** A `@MappedSuperclass`: no table of its own. */
  mapped: boolean;
  path: string;
  line: number;
}

export interface JpaRepositoryMethod {
  name: string;
  /** The whole declaration, annotations included. */
  range: SourceRange;
  /** The `@EntityGraph(…)` text it already has. */
  entityGraph?: string;
  /** The JPQL of its `@Query`, when it has one. */
  query?: string;
}

export interface JpaRepository {
  /** The interface's name (`OwnerRepository`). */
  name: string;
  entity: string;
  methods: JpaRepositoryMethod[];
  path: string;
  /** The line after which an import goes: the last import's, else the package declaration's (0: none). */
  importsEndLine: number;
  /** The file imports `EntityGraph` already (by name or with the package's `*`). */
  importsEntityGraph: boolean;
}

interface FileJpa {
  entities: JpaEntity[];
  repositories: JpaRepository[];
}

export interface JpaModels {
  entities: JpaEntity[];
  repositories: JpaRepository[];
}

/** The interfaces of Spring Data whose first type argument is the entity. */
const REPOSITORY_BASES = new Set(['Repository', 'CrudRepository', 'ListCrudRepository', 'PagingAndSortingRepository', 'ListPagingAndSortingRepository', 'JpaRepository', 'JpaSpecificationExecutor', 'RevisionRepository']);
const RELATIONS: Record<string, JpaRelationKind> = { OneToMany: 'one-to-many', ManyToOne: 'many-to-one', OneToOne: 'one-to-one', ManyToMany: 'many-to-many' };
/** The collection types whose element type is a to-many relation's target. */
const COLLECTIONS = new Set(['List', 'Set', 'Collection', 'SortedSet', 'Iterable']);

/** The entities and repositories of the workspace, read once per file text. */
export function jpaModels(index: SourceIndex): JpaModels {
  const parsers = index.parsers;
  if (!parsers) return { entities: [], repositories: [] };
  return scanWorkspace(index, 'jpa', ['.java'], /@Entity\b|@MappedSuperclass\b|Repository\s*</, (path, text) => readFile(parsers, path, text), (found) => ({
    entities: found.flatMap((f) => f.value.entities),
    repositories: found.flatMap((f) => f.value.repositories),
  }));
}

/** The entity Hibernate maps to `table`, if exactly one. */
export function entityOfTable(models: JpaModels, table: string): JpaEntity | undefined {
  const matching = models.entities.filter((e) => !e.mapped && e.tables.some((t) => sameName(t, table)));
  return matching.length === 1 ? matching[0] : undefined;
}

/** An entity's relations, its mapped superclasses' included (nearest first). */
export function relationsOf(models: JpaModels, entity: JpaEntity): JpaRelation[] {
  const relations = [...entity.relations];
  const seen = new Set([entity.name]);
  let parent = entity.parent;
  while (parent && !seen.has(parent)) {
    seen.add(parent);
    const p = models.entities.find((e) => e.name === parent);
    if (!p) break;
    append(relations, p.relations);
    parent = p.parent;
  }
  return relations;
}

function readFile(parsers: SourceParsers, path: string, text: string): FileJpa | undefined {
  const found = withTree(parsers, 'java', text, (root) => {
    const entities: JpaEntity[] = [];
    const repositories: JpaRepository[] = [];
    let importsEndLine = 0;
    let importsEntityGraph = false;
    for (const node of root.namedChildren) {
      if (node.type === 'package_declaration' && importsEndLine === 0) importsEndLine = lineOf(node.endPosition);
      if (node.type === 'import_declaration') {
        importsEndLine = lineOf(node.endPosition);
        const name = node.text.replace(/^import\s+(static\s+)?|;\s*$/g, '').replace(/\s+/g, '');
        if (/(^|\.)EntityGraph$/.test(name) || name === 'org.springframework.data.jpa.repository.*') importsEntityGraph = true;
      }
    }
    for (const node of descendants(root)) {
      if (node.type === 'class_declaration') {
        const entity = readEntity(node, path);
        if (entity) entities.push(entity);
      } else if (node.type === 'interface_declaration') {
        const repository = readRepository(node, path);
        if (repository) repositories.push({ ...repository, importsEndLine, importsEntityGraph });
      }
    }
    return { entities, repositories };
  });
  return found && (found.entities.length || found.repositories.length) ? found : undefined;
}

interface Annotation {
  name: string;
  /** `@Table(name = "owners")` → { name: "owners" }; a lone value as `value`. */
  values: Map<string, string>;
  text: string;
}

/** The annotations among a declaration's modifiers. */
export function annotationsOf(declaration: Node): Annotation[] {
  const modifiers = declaration.namedChildren.find((c) => c.type === 'modifiers');
  if (!modifiers) return [];
  const out: Annotation[] = [];
  for (const a of modifiers.namedChildren) {
    if (a.type !== 'annotation' && a.type !== 'marker_annotation') continue;
    const name = (a.childForFieldName('name')?.text ?? '').replace(/^.*\./, '');
    const values = new Map<string, string>();
    const args = a.childForFieldName('arguments');
    for (const arg of args?.namedChildren ?? []) {
      if (arg.type === 'element_value_pair') {
        const key = arg.childForFieldName('key')?.text;
        const value = arg.childForFieldName('value');
        if (key && value) values.set(key, literalText(value));
      } else values.set('value', literalText(arg));
    }
    out.push({ name, values, text: a.text });
  }
  return out;
}

/** A string literal's text (`"owners"` → owners; text blocks and concatenations of literals joined); else the node's text. */
function literalText(node: Node): string {
  if (node.type === 'string_literal') return node.namedChildren.filter((c) => c.type === 'string_fragment' || c.type === 'multiline_string_fragment').map((c) => c.text).join('');
  if (node.type === 'binary_expression') return node.namedChildren.map(literalText).join('');
  return node.text;
}

function readEntity(node: Node, path: string): JpaEntity | undefined {
  const annotations = annotationsOf(node);
  const isEntity = annotations.some((a) => a.name === 'Entity');
  const mapped = annotations.some((a) => a.name === 'MappedSuperclass');
  const name = node.childForFieldName('name')?.text;
  if (!name || (!isEntity && !mapped)) return undefined;
  const table = annotations.find((a) => a.name === 'Table')?.values.get('name');
  const superclass = node.childForFieldName('superclass')?.namedChildren[0];
  const parent = superclass ? superclass.text.replace(/<.*$/s, '').replace(/^.*\./, '') : undefined;
  const relations: JpaRelation[] = [];
  const body = node.childForFieldName('body');
  for (const member of body?.namedChildren ?? []) {
    if (member.type !== 'field_declaration') continue;
    const relation = readRelation(member);
    if (relation) relations.push(relation);
  }
  const tables = table ? [table] : [...new Set([snakeCase(name), name])];
  return { name, tables, parent, relations, mapped: mapped && !isEntity, path, line: lineOf(node.startPosition) };
}

function readRelation(field: Node): JpaRelation | undefined {
  const annotations = annotationsOf(field);
  const kindOf = annotations.find((a) => RELATIONS[a.name]);
  const declarator = field.namedChildren.find((c) => c.type === 'variable_declarator');
  const name = declarator?.childForFieldName('name')?.text;
  const type = field.childForFieldName('type');
  if (!kindOf || !name || !type) return undefined;
  const kind = RELATIONS[kindOf.name];
  let target: string | undefined;
  if (type.type === 'generic_type') {
    const base = type.namedChildren[0]?.text.replace(/^.*\./, '');
    const args = type.namedChildren.find((c) => c.type === 'type_arguments')?.namedChildren ?? [];
    // Map<K, V>: the value's type.
    target = base && COLLECTIONS.has(base) ? args[0]?.text : args[args.length - 1]?.text;
  } else target = type.text;
  target = kindOf.values.get('targetEntity')?.replace(/\.class$/, '') ?? target?.replace(/^.*\./, '');
  if (!target) return undefined;
  return {
    name,
    kind,
    target,
    mappedBy: kindOf.values.get('mappedBy'),
    joinColumn: annotations.find((a) => a.name === 'JoinColumn')?.values.get('name'),
    joinTable: annotations.find((a) => a.name === 'JoinTable')?.values.get('name'),
  };
}

function readRepository(node: Node, path: string): Omit<JpaRepository, 'importsEndLine' | 'importsEntityGraph'> | undefined {
  const name = node.childForFieldName('name')?.text;
  const extendsList = node.namedChildren.find((c) => c.type === 'extends_interfaces');
  let entity: string | undefined;
  for (const t of descendants(extendsList ?? node)) {
    if (t.type !== 'generic_type' || !extendsList) continue;
    const base = t.namedChildren[0]?.text.replace(/^.*\./, '');
    const first = t.namedChildren.find((c) => c.type === 'type_arguments')?.namedChildren[0]?.text;
    if (base && REPOSITORY_BASES.has(base) && first) {
      entity = first.replace(/^.*\./, '');
      break;
    }
  }
  if (!name || !entity) return undefined;
  const methods: JpaRepositoryMethod[] = [];
  for (const member of node.childForFieldName('body')?.namedChildren ?? []) {
    if (member.type !== 'method_declaration') continue;
    const methodName = member.childForFieldName('name')?.text;
    if (!methodName) continue;
    const annotations = annotationsOf(member);
    methods.push({ name: methodName, range: rangeOfNode(member), entityGraph: annotations.find((a) => a.name === 'EntityGraph')?.text, query: annotations.find((a) => a.name === 'Query')?.values.get('value') });
  }
  return { name, entity, methods, path };
}
