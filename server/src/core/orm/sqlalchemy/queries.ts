// Where a SQLAlchemy query is written: `session.query(Model)…`, `select(Model)…` and
// Flask-SQLAlchemy's `Model.query…`, with the generative calls chained on them, ended before the
// call that runs the query so that `.options(…)` can be appended.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, SourceRange, descendants, isField, lineOf, withTree } from '../../source/language';
import { lastName } from './syntax';

/** How a query of a model is looked for. */
export interface QueryTarget {
  /** The model's class name. */
  model: string;
}

/**
 * Expressions that build a query of the model: `<x>.query(Model, …)` (Session.query),
 * `select(Model, …)` / `<x>.select(Model)` and `Model.query` (Flask-SQLAlchemy), each with the
 * generative calls chained on it (`.filter(…)`, `.order_by(…)`, `.options(…)`). A method that runs
 * the query (`.all()`, `.paginate(…)`) ends the range, left out so that `.options(…)` can be
 * appended; a chain that ends in one row or a number (`.first()`, `.get(…)`, `.count()`) is no
 * query of rows and is not reported. Parentheses around a chain's head are passed through. Only
 * chains starting within `within`.
 */
export function findQueryExpressions(parsers: SourceParsers, text: string, target: QueryTarget, within?: { fromLine: number; toLine: number }): SourceRange[] {
  if (!text.includes(target.model)) return [];
  return withTree(parsers, 'python', text, (root) => {
    const ranges: SourceRange[] = [];
    for (const node of descendants(root)) {
      if (!isQueryStart(node, target.model)) continue;
      const line = lineOf(node.startPosition);
      if (within && (line < within.fromLine || line > within.toLine)) continue;
      const end = queryEnd(node);
      if (!end) continue;
      ranges.push({ line, column: node.startPosition.column + 1, endLine: lineOf(end.endPosition), endColumn: end.endPosition.column + 1 });
    }
    return ranges.sort((a, b) => a.line - b.line || a.column - b.column);
  }) ?? [];
}

/** Methods that run the query for its rows: the range ends before them. */
const RUNS = new Set(['all', 'paginate', 'yield_per', 'partitions', 'fetchall', 'scalars', 'unique', '__iter__']);
/** Methods that give one row, a number or something else than rows: no query of rows. */
const NOT_ROWS = new Set([
  'first', 'one', 'one_or_none', 'scalar', 'scalar_one', 'scalar_one_or_none', 'get', 'get_or_404', 'first_or_404', 'one_or_404',
  'count', 'delete', 'update', 'exists', 'subquery', 'cte', 'scalar_subquery', 'as_scalar', 'label', 'alias', 'values', 'value',
  'statement', 'column_descriptions', 'with_entities', 'insert', 'compile',
]);

/** True when `node` starts a query of `model`. */
function isQueryStart(node: Node, model: string): boolean {
  if (node.type === 'attribute') {
    // Flask-SQLAlchemy: Model.query
    const object = node.childForFieldName('object');
    return object?.type === 'identifier' && object.text === model && node.childForFieldName('attribute')?.text === 'query';
  }
  if (node.type !== 'call') return false;
  const fn = node.childForFieldName('function');
  const name = lastName(fn);
  const isQuery = name === 'query' && fn?.type === 'attribute';
  const isSelect = name === 'select' && (fn?.type === 'identifier' || fn?.type === 'attribute');
  if (!isQuery && !isSelect) return false;
  const first = node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
  return first !== undefined && ((first.type === 'identifier' && first.text === model) || (first.type === 'attribute' && first.childForFieldName('attribute')?.text === model));
}

/** The last generative call of the chain from `start` (or `start`); undefined for no query of rows. */
function queryEnd(start: Node): Node | undefined {
  let last = start;
  let current = start;
  for (;;) {
    let parent = current.parent;
    // `(select(Post)).where(…)`: the head in parentheses, continued after them.
    while (parent?.type === 'parenthesized_expression' && parent.parent?.type === 'attribute' && isField(parent.parent, 'object', parent)) {
      current = parent;
      parent = parent.parent;
    }
    if (parent?.type !== 'attribute' || !isField(parent, 'object', current)) break;
    const method = parent.childForFieldName('attribute')?.text ?? '';
    const call = parent.parent;
    if (NOT_ROWS.has(method)) return undefined;
    if (RUNS.has(method) || call?.type !== 'call' || !isField(call, 'function', parent)) break;
    last = call;
    current = call;
  }
  return last;
}
