// Where an ActiveRecord query is written: the expressions that build a relation of a model (the
// model constant, or a collection association of it), ended before the call that loads the rows so
// that `.includes(…)` can be appended.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, SourceRange, descendants, lineOf, withTree } from '../../source/language';
import { constantParts, methodName, sameNode } from './syntax';

/** What findRelationExpressions looks for. */
export interface RelationTarget {
  /** Qualified model name (`Micropost`, `Admin::User`). */
  model: string;
  /** Collection associations (has_many, habtm, through) of any model whose target is the model. */
  associations: Array<{ owner: string; name: string }>;
}

/**
 * Expressions that build a relation of the model: a chain that starts at the model constant
 * (`Micropost.where(…).order(…)`, `Admin::User.all`) or at a collection association of it
 * (`@user.microposts.paginate(…)`, `current_user.microposts`, and a bare `microposts.where(…)` in
 * a method of the owning class). The range runs from the start of the chain (the receiver of an
 * association included) to the last call that still returns a relation: a call with a block
 * (`.each do … end`) or a method that loads or counts (`.to_a`, `.first`, `.count`, `.find_each`)
 * ends it and is left out, so that `.includes(…)` can be appended to the range. A chain on the
 * constant that ends at once in a single-row or aggregate method (`Micropost.find(1)`,
 * `Micropost.count`, `Micropost.new`) is no relation. Only chains starting within `within`.
 */
export function findRelationExpressions(
  parsers: SourceParsers,
  text: string,
  target: RelationTarget,
  within?: { fromLine: number; toLine: number },
): SourceRange[] {
  const short = target.model.split('::').pop() ?? target.model;
  const names = new Set(target.associations.map((a) => a.name));
  // Most files never mention the model: no parse for those.
  if (!text.includes(short) && ![...names].some((n) => text.includes(n))) return [];
  return withTree(parsers, 'ruby', text, (root) => {
    const ranges: SourceRange[] = [];
    for (const node of descendants(root)) {
      const start = chainStart(node, target, short, names);
      if (!start) continue;
      const line = lineOf(start.startPosition);
      if (within && (line < within.fromLine || line > within.toLine)) continue;
      const end = relationEnd(start);
      if (!end) continue;
      ranges.push({ line, column: start.startPosition.column + 1, endLine: lineOf(end.endPosition), endColumn: end.endPosition.column + 1 });
    }
    return ranges.sort((a, b) => a.line - b.line || a.column - b.column);
  }) ?? [];
}

/** Methods that end a relation: they load the rows, count them, or make something else. */
const LOADS_ROWS = new Set([
  'each', 'each_with_index', 'each_with_object', 'map', 'collect', 'flat_map', 'find_each', 'find_in_batches', 'in_batches',
  'to_a', 'to_ary', 'load', 'records', 'length', 'first', 'last', 'take', 'second', 'third', 'sort_by', 'group_by', 'index_by',
  'each_slice', 'inject', 'reduce', 'filter_map', 'zip', 'reverse', 'as_json', 'to_json',
]);
/** One record without an argument, several with one (`first(10)`). */
const SINGLE_WITHOUT_ARGS = new Set(['first', 'last', 'take', 'second', 'third']);
const NOT_ROWS = new Set([
  'new', 'build', 'create', 'create!', 'find', 'find_by', 'find_by!', 'find_or_create_by', 'find_or_create_by!',
  'find_or_initialize_by', 'first!', 'last!', 'take!', 'sole', 'find_sole_by', 'count', 'size', 'exists?', 'any?', 'many?',
  'none?', 'one?', 'empty?', 'pluck', 'pick', 'ids', 'sum', 'average', 'minimum', 'maximum', 'calculate', 'delete_all',
  'update_all', 'destroy_all', 'delete_by', 'destroy_by', 'insert', 'insert!', 'insert_all', 'insert_all!', 'upsert',
  'upsert_all', 'transaction', 'table_name', 'column_names', 'columns', 'model_name', 'human_attribute_name', 'name', 'to_s',
  'to_sql', 'explain', 'inspect', 'class', 'arel_table', 'connection', 'reflect_on_association', 'primary_key',
]);

/** The node a chain of the model starts at, when `node` is one. */
function chainStart(node: Node, target: RelationTarget, short: string, associations: Set<string>): Node | undefined {
  const parent = node.parent;
  const receives = parent?.type === 'call' && sameNode(parent.childForFieldName('receiver'), node);
  if (node.type === 'constant' || node.type === 'scope_resolution') {
    const parts = receives ? constantParts(node) : undefined;
    if (!parts) return undefined;
    const written = parts.names.join('::');
    return written === target.model || (written === short && inNamespaceOf(node, target.model)) ? node : undefined;
  }
  // `microposts.where(…)` in a method of User: the association of `self`, written bare.
  if (node.type === 'identifier') {
    if (!receives || !associations.has(node.text)) return undefined;
    const owner = enclosingNames(node).join('::');
    return target.associations.some((a) => a.name === node.text && a.owner === owner) ? node : undefined;
  }
  if (node.type !== 'call' || !node.childForFieldName('receiver') || node.childForFieldName('arguments') || blockOf(node)) return undefined;
  const method = methodName(node);
  return method !== undefined && associations.has(method) ? node : undefined;
}

/**
 * The last node of the chain from `start` that still is a relation; undefined when the chain ends
 * in a method that makes no rows to iterate (a count, one record, a new record).
 */
function relationEnd(start: Node): Node | undefined {
  const fromClass = start.type === 'constant' || start.type === 'scope_resolution';
  let current = start;
  let last: Node | undefined = fromClass ? undefined : start;
  for (;;) {
    const parent = current.parent;
    if (parent?.type !== 'call' || !sameNode(parent.childForFieldName('receiver'), current)) break;
    const method = methodName(parent);
    if (method === undefined) break;
    const oneRow = SINGLE_WITHOUT_ARGS.has(method) && !parent.childForFieldName('arguments');
    if (NOT_ROWS.has(method) || oneRow) return undefined;
    if (LOADS_ROWS.has(method) || blockOf(parent)) {
      // `Micropost.find_each do |m|` and `Micropost.first(10)` load rows straight from the class:
      // the constant itself is then the place to add `.includes(…)`.
      return last ?? (LOADS_ROWS.has(method) ? start : undefined);
    }
    last = parent;
    current = parent;
  }
  return last;
}

function blockOf(call: Node): Node | null {
  return call.childForFieldName('block');
}

/** True when `node` is inside `module`/`class` declarations naming the model's namespace. */
function inNamespaceOf(node: Node, model: string): boolean {
  const namespace = model.split('::').slice(0, -1);
  if (namespace.length === 0) return true;
  const enclosing = enclosingNames(node);
  return namespace.every((n, i) => enclosing[i] === n);
}

/** The names of the modules and classes around `node`, outermost first. */
function enclosingNames(node: Node): string[] {
  const names: string[][] = [];
  for (let n = node.parent; n; n = n.parent) {
    if (n.type !== 'class' && n.type !== 'module') continue;
    const parts = constantParts(n.childForFieldName('name'));
    if (!parts) continue;
    names.unshift(parts.names);
    if (parts.absolute) break;
  }
  return names.flat();
}
