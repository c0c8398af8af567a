// Where a TypeORM query is written: through a repository of the entity
// (`dataSource.getRepository(Book).find`, a variable, field or injected parameter holding one,
// `Book.find` on a BaseEntity, `manager.find(Book, …)`).

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { callArguments, calleeName, inJsTree, lastName, lineWithin, methodCall, rangeOfNode, stringValue, unwrap } from '../js/syntax';
import { decoratorsOf } from './models';

/** Queries through a repository of the entity, written within the lines: their ranges, in order. */
export function findTypeormQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  return inJsTree(index, path, (root) => queriesIn(root, model).filter((q) => lineWithin(q.call, within)).map((q) => rangeOfNode(q.call)));
}

/** Methods taking find options, and their `…By` forms that take a where clause instead. */
const OPTIONS_METHODS = new Set(['find', 'findOne', 'findOneOrFail', 'findAndCount']);
export const WHERE_METHODS: Record<string, string> = { findBy: 'find', findOneBy: 'findOne', findOneByOrFail: 'findOneOrFail', findAndCountBy: 'findAndCount' };

const REPOSITORY_GETTERS = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository']);
const REPOSITORY_TYPES = new Set(['Repository', 'TreeRepository', 'MongoRepository']);

export interface TypeormQuery {
  call: Node;
  method: string;
  property: Node;
  /** Where the find options (or the where clause) go: 0 on a repository, 1 on an entity manager. */
  optionsAt: number;
}

/** The queries of `entity` in a file, in order. */
export function queriesIn(root: Node, entity: string): TypeormQuery[] {
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
