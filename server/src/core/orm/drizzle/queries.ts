// Where a Drizzle query is written: a select chain over the table's variable
// (`db.select().from(messages).orderBy(…)`, as a whole), and a relational query
// (`db.query.messages.findMany(…)`, findFirst).

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { callArguments, inJsTree, lastName, lineWithin, methodCall, rangeOfNode, unwrap } from '../js/syntax';
import { chainTop } from '../js/chain';

export interface DrizzleQuery {
  /** The whole query: the chain's outermost call, or the findMany/findFirst call. */
  call: Node;
  kind: 'select' | 'relational';
}

export function findDrizzleQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  return inJsTree(index, path, (root) => drizzleQueriesIn(root, model).filter((q) => lineWithin(q.call, within)).map((q) => rangeOfNode(q.call)));
}

export function drizzleQueriesIn(root: Node, table: string): DrizzleQuery[] {
  const queries: DrizzleQuery[] = [];
  for (const node of descendants(root)) {
    const call = methodCall(node);
    if (!call) continue;
    if (call.method === 'from' && lastName(callArguments(node)[0]) === table && unwrap(callArguments(node)[0]).type === 'identifier') {
      // `….select(…).from(table)`: the select is what comes before.
      const before = unwrap(call.object);
      if (before.type === 'call_expression' && /^select(Distinct)?$/.test(methodCall(before)?.method ?? '')) queries.push({ call: chainTop(node), kind: 'select' });
    } else if ((call.method === 'findMany' || call.method === 'findFirst') && isQueryOf(unwrap(call.object), table)) {
      queries.push({ call: node, kind: 'relational' });
    }
  }
  return queries;
}

/** `db.query.messages`. */
function isQueryOf(node: Node, table: string): boolean {
  if (node.type !== 'member_expression' || lastName(node) !== table) return false;
  const object = node.childForFieldName('object');
  return object !== null && lastName(object) === 'query';
}
