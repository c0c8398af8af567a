// Which grammar a source file needs, the parsing port the core is handed (the Node side loads the
// grammars), and the few syntax-tree helpers the source analyses share. No file system here.

import type { Node, Point, Tree } from 'web-tree-sitter';

export type SourceLanguage = 'python' | 'ruby' | 'java' | 'javascript' | 'typescript' | 'tsx';

/** Parses source text; the caller owns the returned tree and must `delete()` it. */
export interface SourceParsers {
  parse(language: SourceLanguage, text: string): Tree | undefined;
}

/** 1-based lines, 1-based UTF-16 columns, end exclusive. (web-tree-sitter parses JavaScript
 *  strings as UTF-16, so its columns are UTF-16 code units already.) */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The language of a file by its extension (case-insensitive); undefined for anything else. */
export function languageOfPath(path: string): SourceLanguage | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))) return undefined;
  return EXTENSIONS[path.slice(dot + 1).toLowerCase()];
}

/**
 * Parses `text`, hands the root to `read` and frees the tree afterwards: trees live in WebAssembly
 * memory that the JavaScript garbage collector never reclaims.
 */
export function withTree<T>(
  parsers: SourceParsers,
  language: SourceLanguage,
  text: string,
  read: (root: Node) => T,
): T | undefined {
  const tree = parsers.parse(language, text);
  if (!tree) return undefined;
  try {
    return read(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** Every node under `root` (root included) in document order. Iterative: expression trees can
 *  be deeper than the call stack allows (long `a + b + …` chains). */
export function* descendants(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
}

/** The 1-based line of a tree-sitter point. */
export function lineOf(point: Point): number {
  return point.row + 1;
}

/** The 1-based last line a node covers; a node that ends at column 0 ends on the line before. */
export function lastLineOf(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row : end.row + 1;
}

/** True when `child` is the node in `parent`'s field `field`. */
export function isField(parent: Node, field: string, child: Node): boolean {
  const node = parent.childForFieldName(field);
  return node !== null && node.id === child.id;
}

const EXTENSIONS: Record<string, SourceLanguage> = {
  py: 'python',
  rb: 'ruby',
  java: 'java',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
};

// Editing a chain expression in the current text (shared by the ORMs' fixes).

/** The text of a 1-based, end-exclusive range (columns in UTF-16 code units, as JS strings). */
export function sliceRange(text: string, range: SourceRange): string {
  const lines = text.split('\n');
  if (range.line === range.endLine) return (lines[range.line - 1] ?? '').slice(range.column - 1, range.endColumn - 1);
  const parts = [(lines[range.line - 1] ?? '').slice(range.column - 1)];
  for (let l = range.line + 1; l < range.endLine; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[range.endLine - 1] ?? '').slice(0, range.endColumn - 1));
  return parts.join('\n');
}

/** The offset in the range's text of a point inside it (columns in UTF-16 units, as JS strings). */
export function offsetInRange(expression: string, range: SourceRange, point: Point): number {
  const rows = point.row + 1 - range.line;
  if (rows === 0) return point.column - (range.column - 1);
  let at = 0;
  for (let i = 0; i < rows; i++) at = expression.indexOf('\n', at) + 1;
  return at + point.column;
}

/** The innermost node spanning exactly `range`: the head of a chain, not a body made of it alone. */
export function nodeAt(root: Node, range: SourceRange): Node | undefined {
  let found: Node | undefined;
  for (const node of descendants(root)) {
    const s = node.startPosition;
    const e = node.endPosition;
    if (s.row + 1 === range.line && s.column + 1 === range.column && e.row + 1 === range.endLine && e.column + 1 === range.endColumn) found = node;
  }
  return found;
}

/** A chain written one `.call()` per line gets the new call on a line of its own, indented alike. */
export function onNewLineIfLeadingDots(expression: string): string {
  const lines = expression.split('\n');
  const indent = lines.length > 1 ? /^(\s*)\./.exec(lines[lines.length - 1])?.[1] : undefined;
  return indent === undefined ? '' : `\n${indent}`;
}
