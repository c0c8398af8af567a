// Where an Objection query is written: the chain started by `Project.query()` on a model class
// (or `this.query()` inside it), as a whole: `Project.query().where(…).orderBy('id')`.

import type { Node } from 'web-tree-sitter';
import { descendants, SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { enclosingClassName, inJsTree, lastName, lineWithin, methodCall, rangeOfNode, unwrap } from '../js/syntax';
import { chainTop } from '../js/chain';

/** The whole chains started by `model.query()` written within the lines, in order. */
export function findObjectionQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  return inJsTree(index, path, (root) => queryStarts(root, model).filter((n) => lineWithin(n, within)).map((n) => rangeOfNode(chainTop(n))));
}

/** The `Model.query()` calls of `model` in the file, in order. */
export function queryStarts(root: Node, model: string): Node[] {
  const starts: Node[] = [];
  for (const node of descendants(root)) {
    const call = methodCall(node);
    if (call?.method !== 'query') continue;
    const receiver = unwrap(call.object);
    const name = receiver.type === 'this' ? enclosingClassName(node) : lastName(receiver);
    if (name === model) starts.push(node);
  }
  return starts;
}
