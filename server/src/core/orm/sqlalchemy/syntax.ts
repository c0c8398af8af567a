// The Python syntax the SQLAlchemy readers share: the last name of a dotted name, and the value of a
// plain string literal, as tree-sitter gives them.

import type { Node } from 'web-tree-sitter';

/** The last name of `x`, `a.b.x`. */
export function lastName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

export function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  const end = node.namedChildren.find((c) => c.type === 'string_end');
  if (!start || !end || node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return node.text.slice(start.text.length, node.text.length - end.text.length);
}
