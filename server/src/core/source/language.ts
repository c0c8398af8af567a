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
