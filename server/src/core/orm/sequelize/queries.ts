// Where a Sequelize query is written: `Book.findAll(…)`/findOne/findAndCountAll/findByPk on any
// name the model is known by.

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { enclosingClassName, inJsTree, lastName, lineWithin, methodCall, rangeOfNode, unwrap } from '../js/syntax';
import { sequelizeModels } from './models';

/** `Book.findAll(…)`, `db.Book.findOne(…)`, `this.findAll(…)` in class Book, written within the lines: their ranges, in order. */
export function findSequelizeQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  const known = sequelizeModels(index).find((m) => m.name === model);
  const names = new Set(known ? known.names : [model]);
  return inJsTree(index, path, (root) => {
    const ranges: SourceRange[] = [];
    for (const node of descendants(root)) if (lineWithin(node, within) && queryOf(node, names)) ranges.push(rangeOfNode(node));
    return ranges;
  });
}

/** Query methods and the position of their options argument. */
export const QUERY_METHODS: Record<string, number> = { findAll: 0, findOne: 0, findAndCountAll: 0, findByPk: 1 };

/** `Book.findAll(…)`, `db.Book.findOne(…)`, `this.findAll(…)` in class Book: the method, else undefined. */
function queryOf(node: Node, names: Set<string>): string | undefined {
  const call = methodCall(node);
  if (!call || QUERY_METHODS[call.method] === undefined) return undefined;
  const receiver = unwrap(call.object);
  const name = receiver.type === 'this' ? enclosingClassName(node) : lastName(receiver);
  return name !== undefined && names.has(name) ? call.method : undefined;
}
