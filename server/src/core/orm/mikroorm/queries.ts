// Where a MikroORM query is written: the entity manager's `em.find(Project, …)`, findAll,
// findOne, findOneOrFail, findAndCount with the entity class first, and a repository's
// `em.getRepository(Project).find(…)`.

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { callArguments, calleeName, inJsTree, lastName, lineWithin, methodCall, rangeOfNode, unwrap } from '../js/syntax';

/** Query methods and where their options go, on the entity manager (the entity first) and on a repository. */
export const QUERY_METHODS: Record<string, { em: number; repository: number }> = {
  find: { em: 2, repository: 1 },
  findAll: { em: 1, repository: 0 },
  findOne: { em: 2, repository: 1 },
  findOneOrFail: { em: 2, repository: 1 },
  findAndCount: { em: 2, repository: 1 },
};

export interface MikroQuery {
  call: Node;
  method: string;
  /** The index of the options argument. */
  optionsAt: number;
}

export function findMikroQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  return inJsTree(index, path, (root) => mikroQueriesIn(root, model).filter((q) => lineWithin(q.call, within)).map((q) => rangeOfNode(q.call)));
}

export function mikroQueriesIn(root: Node, entity: string): MikroQuery[] {
  const queries: MikroQuery[] = [];
  for (const node of descendants(root)) {
    const q = mikroQueryAt(node, entity);
    if (q) queries.push(q);
  }
  return queries;
}

export function mikroQueryAt(node: Node, entity: string): MikroQuery | undefined {
  const call = methodCall(node);
  const at = call && QUERY_METHODS[call.method];
  if (!call || !at) return undefined;
  const first = callArguments(node)[0];
  if (first && lastName(first) === entity && unwrap(first).type !== 'string') return { call: node, method: call.method, optionsAt: at.em };
  const receiver = unwrap(call.object);
  if (receiver.type === 'call_expression' && calleeName(receiver) === 'getRepository' && lastName(callArguments(receiver)[0]) === entity) return { call: node, method: call.method, optionsAt: at.repository };
  return undefined;
}
