// Where a Prisma query is written: `prisma.book.findMany(…)`/findFirst/findUnique, on any client
// expression.

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { inJsTree, lastName, lineWithin, methodCall, rangeOfNode, unwrap } from '../js/syntax';
import { lowerFirst } from '../js/names';

/** `prisma.book.findMany(…)`/findFirst/findUnique on any client, written within the lines: their ranges, in order. */
export function findPrismaQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  const delegate = lowerFirst(model);
  return inJsTree(index, path, (root) => {
    const ranges: SourceRange[] = [];
    for (const node of descendants(root)) if (lineWithin(node, within) && isQuery(node, delegate)) ranges.push(rangeOfNode(node));
    return ranges;
  });
}

const QUERY_METHODS = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow']);

/** `<client>.book.findMany(…)`: any client expression (`prisma`, `this.prisma`, `tx`, `ctx.db`). */
function isQuery(node: Node, delegate: string): boolean {
  const call = methodCall(node);
  if (!call || !QUERY_METHODS.has(call.method)) return false;
  const receiver = unwrap(call.object);
  return receiver.type === 'member_expression' && lastName(receiver) === delegate;
}
