// Where the rows of a query are walked one by one in the same function (`for (const p of projects)`,
// `projects.map((p) => …)`, `forEach`), for the Node ORMs' fixes: once the query loads a relation
// eagerly, the per-row loader calls in those loops can read the loaded relation instead. Syntax
// only: rows handed to another function are not followed.

import type { Node } from 'web-tree-sitter';
import { descendants } from '../../source/language';
import { Edit, applyEdits, unwrap } from './syntax';

export interface RowLoop {
  /** The name each row has in the loop (`project`). */
  row: string;
  /** The loop's body: a statement block or an expression. */
  body: Node;
  /** The whole loop statement (a for…of) or call (`rows.map(…)`), for removing it when nothing is left. */
  node: Node;
}

/**
 * The loops over the rows of `call`'s result: the result awaited into a variable (`const rows =
 * await call`, or `const { rows } = …` for Sequelize's findAndCountAll) that is never assigned
 * again, then walked after it, in the same function, with a plain row name.
 */
export function rowLoops(call: Node): RowLoop[] {
  const awaited = call.parent?.type === 'await_expression' ? call.parent : undefined;
  const declarator = awaited?.parent;
  if (!awaited || declarator?.type !== 'variable_declarator' || declarator.childForFieldName('value')?.id !== awaited.id) return [];
  const name = declarator.childForFieldName('name');
  let rows: string | undefined;
  if (name?.type === 'identifier') rows = name.text;
  else if (name?.type === 'object_pattern') rows = name.namedChildren.find((c) => c.type === 'shorthand_property_identifier_pattern' && c.text === 'rows')?.text;
  const scope = enclosingFunctionBody(declarator);
  if (!rows || !scope) return [];
  const loops: RowLoop[] = [];
  for (const node of descendants(scope)) {
    if (node.startIndex < declarator.endIndex) continue;
    // Assigned again: the loops may walk other rows.
    if (node.type === 'assignment_expression' && node.childForFieldName('left')?.text === rows) return [];
    const loop = rowLoopAt(node, rows);
    if (loop) loops.push(loop);
  }
  return loops;
}

/** True when `inner` lies inside `outer` (or is it). */
export function within(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * The edit removing a statement with its line when it stands alone on it (the indentation before
 * it and the line break after it), else the statement alone.
 */
export function removeStatement(text: string, statement: Node): Edit {
  const lineStart = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  const lineEnd = text.indexOf('\n', statement.endIndex);
  const end = lineEnd < 0 ? text.length : lineEnd + 1;
  const alone = /^[ \t]*$/.test(text.slice(lineStart, statement.startIndex)) && /^[ \t]*(\/\/.*)?$/.test(text.slice(statement.endIndex, end).replace(/\n$/, ''));
  return alone ? { start: lineStart, end, text: '' } : { start: statement.startIndex, end: statement.endIndex, text: '' };
}

/**
 * One replacement holding the query's edits and the loop's: the text from the first edited place
 * (the query at the latest) to the last, with the edits applied; 1-based, end exclusive.
 */
export function editOver(text: string, query: Node, edits: Edit[]): { range: { line: number; column: number; endLine: number; endColumn: number }; newText: string } {
  let start = query.startIndex;
  let end = query.endIndex;
  for (const e of edits) {
    start = Math.min(start, e.start);
    end = Math.max(end, e.end);
  }
  const position = (offset: number) => {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    return { line, column: offset - lineStart + 1 };
  };
  const s = position(start);
  const e = position(end);
  return { range: { line: s.line, column: s.column, endLine: e.line, endColumn: e.column }, newText: applyEdits(text, start, end, edits) };
}

/** The distinct texts of `items`, joined by commas. */
export function joined<T>(items: T[], text: (item: T) => string): string {
  return [...new Set(items.map(text))].join(', ');
}

/**
 * True when `node` is in a loop over the rows of another query (`for (const book of books)`,
 * `books` awaited from a query other than `query` in that function): what it loads per row is
 * that query's N+1, not this one's.
 */
export function inLoopOverOtherRows(node: Node, query: Node): boolean {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    const rows = iterated(n);
    if (rows === undefined) continue;
    const scope = enclosingFunctionBody(n);
    for (const d of scope ? descendants(scope) : []) {
      if (d.type !== 'variable_declarator' || d.startIndex > n.startIndex) continue;
      const name = d.childForFieldName('name');
      const value = d.childForFieldName('value');
      const bound = name?.type === 'identifier' ? name.text : name?.type === 'object_pattern' && name.namedChildren.some((c) => c.text === 'rows') ? 'rows' : undefined;
      if (bound !== rows || value?.type !== 'await_expression') continue;
      const call = value.namedChildren.find((c) => c.type !== 'comment');
      if (call?.type === 'call_expression' && call.id !== query.id) return true;
    }
  }
  return false;
}

/** The name of the rows a loop walks (`for (… of rows)`, `rows.map(…)`, `rows.forEach(…)`), if it is one. */
function iterated(node: Node): string | undefined {
  if (node.type === 'for_in_statement' && node.children.some((c) => c.type === 'of')) {
    const right = node.childForFieldName('right');
    return right && unwrap(right).type === 'identifier' ? unwrap(right).text : undefined;
  }
  if (node.type === 'call_expression') {
    const callee = node.childForFieldName('function');
    const object = callee?.type === 'member_expression' ? callee.childForFieldName('object') : undefined;
    const method = callee?.childForFieldName('property')?.text;
    return object && unwrap(object).type === 'identifier' && (method === 'map' || method === 'forEach') ? unwrap(object).text : undefined;
  }
  return undefined;
}

/** True when the call is the fallback of a read of the loaded relation: `row.name ?? (await row.getName())`. */
export function guardedByRead(call: Node, row: string, name: string): boolean {
  for (let n: Node | null = call.parent; n; n = n.parent) {
    if (n.type === 'binary_expression') {
      const operator = n.childForFieldName('operator')?.type;
      const left = n.childForFieldName('left');
      return (operator === '??' || operator === '||') && left !== null && unwrap(left).text === `${row}.${name}` && !within(call, left);
    }
    if (n.type !== 'await_expression' && n.type !== 'parenthesized_expression') return false;
  }
  return false;
}

function rowLoopAt(node: Node, rows: string): RowLoop | undefined {
  if (node.type === 'for_in_statement' && node.children.some((c) => c.type === 'of')) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const body = node.childForFieldName('body');
    // `for (const p of rows)` or `for (let p of rows)`: a `let` row reassigned in the body is not the row.
    if (left?.type !== 'identifier' || !right || unwrap(right).text !== rows || !body) return undefined;
    if ([...descendants(body)].some((n) => n.type === 'assignment_expression' && n.childForFieldName('left')?.text === left.text)) return undefined;
    return { row: left.text, body, node };
  }
  if (node.type === 'call_expression') {
    const callee = node.childForFieldName('function');
    const object = callee?.type === 'member_expression' ? callee.childForFieldName('object') : undefined;
    const method = callee?.childForFieldName('property')?.text;
    if (!object || unwrap(object).text !== rows || (method !== 'map' && method !== 'forEach')) return undefined;
    const fn = node.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment');
    if (fn?.type !== 'arrow_function' && fn?.type !== 'function_expression' && fn?.type !== 'function') return undefined;
    const parameter = fn.childForFieldName('parameter') ?? fn.childForFieldName('parameters')?.namedChildren[0];
    const row = parameter?.type === 'required_parameter' ? parameter.childForFieldName('pattern') : parameter;
    const body = fn.childForFieldName('body');
    if (row?.type !== 'identifier' || !body) return undefined;
    return { row: row.text, body, node };
  }
  return undefined;
}

function enclosingFunctionBody(node: Node): Node | undefined {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (['function_declaration', 'function_expression', 'function', 'arrow_function', 'method_definition', 'generator_function_declaration'].includes(n.type)) {
      return n.childForFieldName('body') ?? undefined;
    }
  }
  return undefined;
}
