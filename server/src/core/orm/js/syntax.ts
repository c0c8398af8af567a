// The JavaScript and TypeScript syntax the Node ORMs (Sequelize, Prisma, TypeORM) share: which
// files are JavaScript or TypeScript, syntax-tree helpers for calls, object literals and strings,
// and edits that add to an object or array literal in the author's own layout. Syntax only:
// nothing imported is followed.

import type { Node } from 'web-tree-sitter';
import type { SourceIndex } from '../../sourceIndex';
import { descendants, languageOfPath, lineOf, SourceLanguage, SourceRange, withTree } from '../../source/language';

export const JS_LANGUAGES: SourceLanguage[] = ['javascript', 'typescript', 'tsx'];

export const JS_SUFFIXES = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];

/** The grammar of a JavaScript or TypeScript file; undefined for anything else, declaration files included. */
export function jsLanguageOf(path: string): SourceLanguage | undefined {
  if (/\.d\.[cm]?ts$/.test(path)) return undefined;
  const language = languageOfPath(path);
  return language && JS_LANGUAGES.includes(language) ? language : undefined;
}

/** Runs `find` on the syntax tree of a JS/TS file of the workspace; nothing when it cannot be parsed. */
export function inJsTree(index: SourceIndex, path: string, find: (root: Node) => SourceRange[]): SourceRange[] {
  const language = jsLanguageOf(path);
  const text = index.text(path);
  if (!language || text === undefined || !index.parsers) return [];
  return withTree(index.parsers, language, text, find) ?? [];
}

/** The expression inside parentheses, `x as T`, `x!`, `x satisfies T` and `<T>x`. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (!WRAPPERS.has(current.type)) return current;
    const children = current.namedChildren.filter((c) => c.type !== 'comment');
    // `<T>x` puts the type first; the others put the expression first.
    const inner = current.type === 'type_assertion' ? children[children.length - 1] : children[0];
    if (!inner) return current;
    current = inner;
  }
}

const WRAPPERS = new Set(['parenthesized_expression', 'as_expression', 'non_null_expression', 'satisfies_expression', 'type_assertion']);

/** The content of a string literal, or of a template literal without substitutions. */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'string') return n.text.slice(1, -1);
  if (n.type === 'template_string' && !n.namedChildren.some((c) => c.type === 'template_substitution')) return n.text.slice(1, -1);
  return undefined;
}

/** `Author` → "Author"; `models.Author`, `db['Author']` → "Author"; anything else: undefined. */
export function lastName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'identifier' || n.type === 'type_identifier' || n.type === 'property_identifier') return n.text;
  if (n.type === 'member_expression') {
    const property = n.childForFieldName('property');
    return property?.type === 'property_identifier' ? property.text : undefined;
  }
  if (n.type === 'subscript_expression') return stringValue(n.childForFieldName('index'));
  return undefined;
}

/** A call's arguments, comments left out. */
export function callArguments(call: Node): Node[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

/** `object.method(…)`: the object and the method name of a call, when the callee is a property access. */
export function methodCall(call: Node): { object: Node; method: string; property: Node } | undefined {
  if (call.type !== 'call_expression') return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined;
  const object = callee.childForFieldName('object');
  const property = callee.childForFieldName('property');
  if (!object || property?.type !== 'property_identifier') return undefined;
  return { object, method: property.text, property };
}

/** The name of a called function: `f(…)` → "f", `a.b.f(…)` → "f". */
export function calleeName(call: Node): string | undefined {
  return call.type === 'call_expression' ? lastName(call.childForFieldName('function')) : undefined;
}

export interface ObjectEntry {
  /** The `pair` or the shorthand property. */
  node: Node;
  key: string;
  /** The value; a shorthand property is its own value. */
  value: Node;
}

/** The properties of an object literal with a plain key (`a: 1`, `'a': 1`, `a`), in order. */
export function objectEntries(object: Node): ObjectEntry[] {
  const entries: ObjectEntry[] = [];
  for (const child of object.namedChildren) {
    if (child.type === 'shorthand_property_identifier') entries.push({ node: child, key: child.text, value: child });
    else if (child.type === 'pair') {
      const keyNode = child.childForFieldName('key');
      const value = child.childForFieldName('value');
      const key = keyNode?.type === 'property_identifier' ? keyNode.text : stringValue(keyNode);
      if (key !== undefined && value) entries.push({ node: child, key, value });
    }
  }
  return entries;
}

export function objectEntry(object: Node, key: string): ObjectEntry | undefined {
  return objectEntries(object).find((e) => e.key === key);
}

/** True for an object literal holding `...spread`: what it spreads may set any key. */
export function hasSpread(object: Node): boolean {
  return object.namedChildren.some((c) => c.type === 'spread_element');
}

/** The string value of `key` in an object literal, when it is a plain string. */
export function stringProperty(object: Node | undefined, key: string): string | undefined {
  const entry = object?.type === 'object' ? objectEntry(object, key) : undefined;
  return entry && stringValue(entry.value);
}

/** True when `key` is `true` in an object literal. */
export function trueProperty(object: Node | undefined, key: string): boolean | undefined {
  const entry = object?.type === 'object' ? objectEntry(object, key) : undefined;
  if (!entry) return undefined;
  const value = unwrap(entry.value).text;
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** The name of the class around `node`, if any. */
export function enclosingClassName(node: Node): string | undefined {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'class_declaration' || n.type === 'abstract_class_declaration' || n.type === 'class') {
      return n.childForFieldName('name')?.text;
    }
  }
  return undefined;
}

/** The whole range of a node (1-based lines and columns, end exclusive). */
export function rangeOfNode(node: Node): SourceRange {
  return { line: lineOf(node.startPosition), column: node.startPosition.column + 1, endLine: lineOf(node.endPosition), endColumn: node.endPosition.column + 1 };
}

/** The call expression that spans exactly `range`, if any. */
export function callAt(root: Node, range: SourceRange): Node | undefined {
  for (const node of descendants(root)) {
    if (node.type !== 'call_expression') continue;
    const r = rangeOfNode(node);
    if (r.line === range.line && r.column === range.column && r.endLine === range.endLine && r.endColumn === range.endColumn) return node;
  }
  return undefined;
}

/** True when `line` lies in `within`, or there is no `within`. */
export function lineWithin(node: Node, within?: { fromLine: number; toLine: number }): boolean {
  const line = lineOf(node.startPosition);
  return !within || (line >= within.fromLine && line <= within.toLine);
}

/**
 * Names a file declares or imports anywhere (imports, requires, variables, classes, functions,
 * parameters): over-approximates what is in scope at a point, which is enough to tell whether
 * writing a model's name there refers to something.
 */
export function declaredNames(root: Node): Set<string> {
  const names = new Set<string>();
  const addPattern = (pattern: Node | null) => {
    if (!pattern) return;
    for (const n of descendants(pattern)) {
      if (n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') {
        // `{ a: b }` binds b, not a: the key of a pair pattern is a property_identifier, skipped here.
        names.add(n.text);
      }
    }
  };
  for (const node of descendants(root)) {
    switch (node.type) {
      case 'import_clause':
        addPattern(node);
        break;
      case 'variable_declarator':
        addPattern(node.childForFieldName('name'));
        break;
      case 'class_declaration':
      case 'abstract_class_declaration':
      case 'function_declaration':
      case 'generator_function_declaration': {
        const name = node.childForFieldName('name');
        if (name) names.add(name.text);
        break;
      }
      case 'required_parameter':
      case 'optional_parameter':
        addPattern(node.childForFieldName('pattern'));
        break;
      case 'formal_parameters':
        for (const p of node.namedChildren) if (p.type === 'identifier' || p.type === 'object_pattern' || p.type === 'array_pattern' || p.type === 'assignment_pattern') addPattern(p);
        break;
      default:
        break;
    }
  }
  return names;
}

/** The quote the file's string literals use most: new literals are written alike. */
export function preferredQuote(root: Node): "'" | '"' {
  let single = 0;
  let double = 0;
  for (const node of descendants(root)) {
    if (node.type !== 'string') continue;
    if (node.text.startsWith("'")) single++;
    else if (node.text.startsWith('"')) double++;
  }
  return single > double ? "'" : '"';
}

export function quoted(value: string, quote: "'" | '"'): string {
  return `${quote}${value.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`)}${quote}`;
}

// ---- edits ------------------------------------------------------------------------------------------

/** Replace [start, end) of the file text (UTF-16 offsets, as tree-sitter gives them) by `text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The text of [from, to) of `text` with `edits` (inside it, not overlapping) applied. */
export function applyEdits(text: string, from: number, to: number, edits: Edit[]): string {
  let out = '';
  let at = from;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at, to);
}

/** Adds `properties` (`key: value`) after the last property of an object literal, in its layout. */
export function addProperties(text: string, object: Node, properties: string[]): Edit[] {
  return appendItems(text, object, properties);
}

/** Adds `items` at the end of an array literal, in its layout. */
export function addElements(text: string, array: Node, items: string[]): Edit[] {
  return appendItems(text, array, items);
}

/**
 * Appends to an object or array literal: after the last element with `, ` on one line; when the
 * literal spans lines, each item on a line of its own indented like the last element, after a
 * comment that ends the last element's line; a trailing comma stays.
 */
function appendItems(text: string, literal: Node, items: string[]): Edit[] {
  const elements = literal.namedChildren.filter((c) => c.type !== 'comment');
  const last = elements[elements.length - 1];
  if (!last) {
    const [open, close] = literal.type === 'array' ? ['[', ']'] : ['{ ', ' }'];
    return [{ start: literal.startIndex, end: literal.endIndex, text: `${open}${items.join(', ')}${close}` }];
  }
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  if (last.startPosition.row === literal.startPosition.row) {
    return [comma ? { start: comma.endIndex, end: comma.endIndex, text: ` ${items.join(', ')},` } : { start: last.endIndex, end: last.endIndex, text: `, ${items.join(', ')}` }];
  }
  const lineStart = text.lastIndexOf('\n', last.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, last.startIndex))?.[0] ?? '';
  const lines = items.map((item) => `\n${indent}${item}`);
  if (comma) {
    const at = endOfLine(text, comma.endIndex);
    return [{ start: at, end: at, text: lines.map((l) => `${l},`).join('') }];
  }
  const at = endOfLine(text, last.endIndex);
  if (at === last.endIndex) return [{ start: at, end: at, text: `,${lines.join(',')}` }];
  return [
    { start: last.endIndex, end: last.endIndex, text: ',' },
    { start: at, end: at, text: lines.join(',') },
  ];
}

/** The end of the line from `offset` when only spaces and a comment follow there; else `offset`. */
function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  const rest = text.slice(offset, end);
  return /^\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(rest) ? end : offset;
}

/** Adds `argument` after the call's last argument. */
export function addArgument(call: Node, argument: string): Edit | undefined {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'arguments') return undefined;
  const existing = args.namedChildren.filter((c) => c.type !== 'comment');
  const last = existing[existing.length - 1];
  if (!last) return { start: args.startIndex + 1, end: args.endIndex - 1, text: argument };
  return { start: last.endIndex, end: last.endIndex, text: `, ${argument}` };
}
