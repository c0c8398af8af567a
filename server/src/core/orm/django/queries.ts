// Where a Django query is written: the expressions in Python source that build a queryset of a
// model (`Meeting.objects.filter(…)…`), so recorded SQL can be put on the line that built it.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, SourceRange, descendants, isField, lineOf, withTree } from '../../source/language';

/**
 * Expressions that build a queryset of `modelName`: each chain that starts at
 * `<modelName>.objects` or `<modelName>._default_manager` and goes on through attribute accesses and
 * calls. The range runs from the model name to the end of the chain's last call (a trailing
 * attribute such as `.query` is left out; a chain with no call is no queryset). Only chains starting
 * on lines within `within` when given. Nested chains are all reported; ordered by position.
 */
export function findQuerysetExpressions(
  parsers: SourceParsers,
  text: string,
  modelName: string,
  within?: { fromLine: number; toLine: number },
): SourceRange[] {
  return withTree(parsers, 'python', text, (root) => {
    const ranges: SourceRange[] = [];
    for (const node of descendants(root)) {
      if (node.type !== 'attribute' || !MANAGERS.has(node.childForFieldName('attribute')?.text ?? '')) continue;
      const model = node.childForFieldName('object');
      if (model?.type !== 'identifier' || model.text !== modelName) continue;
      const line = lineOf(model.startPosition);
      if (within && (line < within.fromLine || line > within.toLine)) continue;
      const lastCall = lastCallOfChain(node);
      if (!lastCall) continue;
      ranges.push({
        line,
        column: model.startPosition.column + 1,
        endLine: lineOf(lastCall.endPosition),
        endColumn: lastCall.endPosition.column + 1,
      });
    }
    return ranges.sort((a, b) => a.line - b.line || a.column - b.column);
  }) ?? [];
}

const MANAGERS = new Set(['objects', '_default_manager']);

/** The outermost call of the attribute/call chain that `manager` starts, passing through
 *  parentheses around a chain's head: `(Meeting.objects.filter(x)).count()`. */
function lastCallOfChain(manager: Node): Node | undefined {
  let lastCall: Node | undefined;
  let current = manager;
  for (;;) {
    const parent = current.parent;
    if (!parent) break;
    if (parent.type === 'call' && isField(parent, 'function', current)) {
      lastCall = parent;
    } else if (parent.type === 'parenthesized_expression') {
      const outer = parent.parent;
      if (!outer || !((outer.type === 'attribute' && isField(outer, 'object', parent)) || (outer.type === 'call' && isField(outer, 'function', parent)))) break;
    } else if (!(parent.type === 'attribute' && isField(parent, 'object', current))) {
      break;
    }
    current = parent;
  }
  return lastCall;
}
