// Where a JPA query of an entity is written in Java: a Spring Data repository's query method called
// on a field, variable or parameter declared with the repository's type (`this.owners.findByLastName
// (…)`, `owners.findAll()`), JPQL handed to an entity manager or session (`em.createQuery("select o
// from Owner o", Owner.class)`), and `em.find(Owner.class, id)`.

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { lineWithin, rangeOfNode } from '../js/syntax';
import { JpaModels, JpaRepository, jpaModels } from './models';

/** Repository methods that read rows (Spring Data's query method prefixes and the inherited finders). */
const READS = /^(find|read|get|query|search|stream)[A-Z]|^(findAll|findById|getById|getReferenceById|findOne)$/;
const JPQL_METHODS = new Set(['createQuery', 'createSelectionQuery']);

export interface JpaQuery {
  call: Node;
  /** The repository and method called, for a repository query. */
  repository?: JpaRepository;
  method: string;
  /** The JPQL string literal of a `createQuery`. */
  jpql?: Node;
}

export function findJpaQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  const text = index.text(path);
  if (text === undefined || !index.parsers || !path.endsWith('.java')) return [];
  const models = jpaModels(index);
  return withTree(index.parsers, 'java', text, (root) => jpaQueriesIn(root, model, models).filter((q) => lineWithin(q.call, within)).map((q) => rangeOfNode(q.call))) ?? [];
}

/** The queries of `entity` in a Java file, in order. */
export function jpaQueriesIn(root: Node, entity: string, models: JpaModels): JpaQuery[] {
  const repositories = models.repositories.filter((r) => r.entity === entity);
  const holders = repositories.length ? repositoryHolders(root, repositories) : new Map<string, JpaRepository>();
  const queries: JpaQuery[] = [];
  for (const node of descendants(root)) {
    if (node.type !== 'method_invocation') continue;
    const method = node.childForFieldName('name')?.text;
    const object = node.childForFieldName('object');
    if (!method || !object) continue;
    const holder = holderName(object);
    const repository = holder === undefined ? undefined : holders.get(holder);
    if (repository && READS.test(method)) {
      queries.push({ call: node, repository, method });
      continue;
    }
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    if (JPQL_METHODS.has(method) && args[0]?.type === 'string_literal' && new RegExp(`\\bfrom\\s+${entity}\\b`, 'i').test(args[0].text)) queries.push({ call: node, method, jpql: args[0] });
    else if (method === 'find' && args[0]?.type === 'class_literal' && args[0].text.replace(/\.class$/, '').replace(/^.*\./, '') === entity) queries.push({ call: node, method });
  }
  return queries;
}

/** `owners` and `this.owners`: the name; anything else: undefined. */
function holderName(object: Node): string | undefined {
  if (object.type === 'identifier') return object.text;
  if (object.type === 'field_access' && object.childForFieldName('object')?.type === 'this') return object.childForFieldName('field')?.text;
  return undefined;
}

/** Fields, variables and parameters of the file declared with a repository's type, by name. */
function repositoryHolders(root: Node, repositories: JpaRepository[]): Map<string, JpaRepository> {
  const byType = new Map(repositories.map((r) => [r.name, r]));
  const holders = new Map<string, JpaRepository>();
  for (const node of descendants(root)) {
    if (node.type !== 'field_declaration' && node.type !== 'local_variable_declaration' && node.type !== 'formal_parameter') continue;
    const type = node.childForFieldName('type')?.text.replace(/^.*\./, '');
    const repository = type === undefined ? undefined : byType.get(type);
    if (!repository) continue;
    if (node.type === 'formal_parameter') {
      const name = node.childForFieldName('name')?.text;
      if (name) holders.set(name, repository);
    } else {
      for (const d of node.namedChildren) if (d.type === 'variable_declarator') holders.set(d.childForFieldName('name')?.text ?? '', repository);
    }
  }
  return holders;
}
