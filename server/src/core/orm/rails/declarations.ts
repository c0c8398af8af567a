// Reads ActiveRecord class declarations (superclass, table_name, associations, attachments) from a
// Ruby file, finds the expressions that build a relation of a model, and computes the
// `.includes(…)` edit of such an expression. Syntax only, one file at a time: which class is a
// model, and its table, is decided across files by core/orm/rails.ts. The position helpers at the
// end are shared with source/sqlalchemy.ts.

import type { Node, Point } from 'web-tree-sitter';
import { SourceParsers, SourceRange, descendants, lineOf, nodeAt, offsetInRange, onNewLineIfLeadingDots, sliceRange, withTree } from '../../source/language';

export interface RubyClassDecl {
  /** Qualified by the enclosing modules and classes: `Admin::User`. */
  name: string;
  /** The enclosing module and class names, outermost first (`['Admin']`). */
  namespace: string[];
  /** As written, without a leading `::` (`ApplicationRecord`, `ActiveRecord::Base`, `User`). */
  superclass?: string;
  /** `self.table_name = "…"`. */
  tableName?: string;
  /** `self.abstract_class = true` or `primary_abstract_class`. */
  abstract: boolean;
  associations: RailsAssociation[];
  attachments: RailsAttachment[];
  path: string;
  /** 1-based line of the `class` keyword. */
  line: number;
}

export interface RubyModuleDecl {
  /** Qualified name: `Admin`. */
  name: string;
  /** `def self.table_name_prefix; "admin_"; end`, as `rails generate model admin/user` writes it. */
  tableNamePrefix?: string;
}

export type RailsAssociationKind = 'belongs_to' | 'has_many' | 'has_one' | 'has_and_belongs_to_many';

export interface RailsAssociation {
  kind: RailsAssociationKind;
  name: string;
  className?: string;
  foreignKey?: string;
  primaryKey?: string;
  through?: string;
  source?: string;
  /** `as:` of a polymorphic has_many/has_one. */
  as?: string;
  polymorphic: boolean;
  joinTable?: string;
  line: number;
}

/** `has_one_attached :image` / `has_many_attached :images` (Active Storage). */
export interface RailsAttachment {
  kind: 'one' | 'many';
  name: string;
  line: number;
}

export interface RubyDeclarations {
  classes: RubyClassDecl[];
  modules: RubyModuleDecl[];
}

/** The classes and modules a Ruby file declares, at the top level or nested in other ones. */
export function findRubyDeclarations(parsers: SourceParsers, path: string, text: string): RubyDeclarations {
  return withTree(parsers, 'ruby', text, (root) => {
    const found: RubyDeclarations = { classes: [], modules: [] };
    // An explicit stack of (class or module, enclosing names): modules nest arbitrarily deep.
    const stack: Array<[Node, string[]]> = [];
    const push = (body: Node | null, namespace: string[]) => {
      const children = body?.namedChildren.filter((c) => c.type === 'class' || c.type === 'module') ?? [];
      for (const child of children.reverse()) stack.push([child, namespace]);
    };
    push(root, []);
    while (stack.length > 0) {
      const [node, namespace] = stack.pop()!;
      const parts = constantParts(node.childForFieldName('name'));
      if (!parts) continue;
      const name = parts.absolute ? parts.names : [...namespace, ...parts.names];
      if (node.type === 'class') found.classes.push(readClass(node, name, path));
      else found.modules.push(readModule(node, name));
      push(node.childForFieldName('body'), name);
    }
    return found;
  }) ?? { classes: [], modules: [] };
}

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

/** What to add to `.includes(…)`: association symbols, and `key: value` entries (Active Storage). */
export interface IncludesLoad {
  symbols: string[];
  pairs: Array<{ key: string; value: string }>;
}

export interface IncludesEdit {
  /** The new text of the whole relation expression. */
  newText: string;
  /** What was added, for titles and hints: `.includes(:user)` or `:user in .includes()`. */
  added: string;
}

/**
 * The relation expression at `range` with the associations loaded eagerly: merged into the chain's
 * last `.includes(…)` whose arguments are plain symbols and `key: value` pairs (symbols after the
 * last symbol, pairs at the end: Ruby wants positional arguments first), or appended as a new
 * `.includes(…)`. Undefined when no expression is at `range` or the existing call cannot be merged
 * into safely (an array, a splat, a variable).
 */
export function includesEdit(parsers: SourceParsers, text: string, range: SourceRange, load: IncludesLoad): IncludesEdit | undefined {
  return withTree(parsers, 'ruby', text, (root) => {
    const node = nodeAt(root, range);
    if (!node) return undefined;
    const expression = sliceRange(text, range);
    const includes = chainCalls(node).find((c) => methodName(c) === 'includes');
    if (!includes) {
      const added = `.includes(${renderLoad(load.symbols, load.pairs)})`;
      return { newText: expression + onNewLineIfLeadingDots(expression) + added, added };
    }
    const args = includes.childForFieldName('arguments');
    const items = args ? args.namedChildren.filter((a) => a.type !== 'comment') : [];
    const existingSymbols = new Set<string>();
    const existingKeys = new Set<string>();
    for (const item of items) {
      const symbol = symbolName(item);
      if (symbol !== undefined) existingSymbols.add(symbol);
      else if (item.type === 'pair' && pairKey(item) !== undefined) existingKeys.add(pairKey(item) as string);
      else return undefined;
    }
    const symbols = load.symbols.filter((s) => !existingSymbols.has(s));
    const pairs = load.pairs.filter((p) => !existingKeys.has(p.key));
    if (symbols.length === 0 && pairs.length === 0) return undefined;
    const edits: Array<{ at: number; text: string }> = [];
    const offset = (p: Point) => offsetInRange(expression, range, p);
    const lastSymbol = [...items].reverse().find((i) => symbolName(i) !== undefined);
    const lastItem = items[items.length - 1];
    if (symbols.length > 0) {
      const list = symbols.map((s) => `:${s}`).join(', ');
      if (lastSymbol) edits.push({ at: offset(lastSymbol.endPosition), text: `, ${list}` });
      else if (items.length > 0) edits.push({ at: offset(items[0].startPosition), text: `${list}, ` });
      else edits.push(emptyArgsInsert(includes, expression, range, list));
    }
    if (pairs.length > 0) {
      const list = pairs.map((p) => `${p.key}: ${p.value}`).join(', ');
      if (lastItem) edits.push({ at: offset(lastItem.endPosition), text: `, ${list}` });
      else if (symbols.length === 0) edits.push(emptyArgsInsert(includes, expression, range, list));
      else edits[edits.length - 1].text += `, ${list}`;
    }
    let newText = expression;
    for (const e of edits.sort((a, b) => b.at - a.at)) newText = newText.slice(0, e.at) + e.text + newText.slice(e.at);
    return { newText, added: `${renderLoad(symbols, pairs)} in .includes()` };
  });
}

export function renderLoad(symbols: string[], pairs: Array<{ key: string; value: string }>): string {
  return [...symbols.map((s) => `:${s}`), ...pairs.map((p) => `${p.key}: ${p.value}`)].join(', ');
}

// ---- declarations -----------------------------------------------------------------------------

const ASSOCIATIONS = new Set<string>(['belongs_to', 'has_many', 'has_one', 'has_and_belongs_to_many']);

function readClass(cls: Node, name: string[], path: string): RubyClassDecl {
  const superNode = cls.childForFieldName('superclass')?.namedChild(0);
  const superParts = superNode ? constantParts(superNode) : undefined;
  const decl: RubyClassDecl = {
    name: name.join('::'),
    namespace: name.slice(0, -1),
    superclass: superParts?.names.join('::'),
    abstract: false,
    associations: [],
    attachments: [],
    path,
    line: lineOf(cls.startPosition),
  };
  for (const statement of cls.childForFieldName('body')?.namedChildren ?? []) {
    if (statement.type === 'assignment') {
      const left = statement.childForFieldName('left');
      const right = statement.childForFieldName('right');
      if (left?.type !== 'call' || left.childForFieldName('receiver')?.type !== 'self' || !right) continue;
      const attribute = methodName(left);
      if (attribute === 'table_name') decl.tableName = stringContent(right) ?? decl.tableName;
      else if (attribute === 'abstract_class') decl.abstract = right.type === 'true';
      continue;
    }
    const call = statement.type === 'call' || statement.type === 'identifier' ? statement : undefined;
    if (!call || (call.type === 'call' && call.childForFieldName('receiver'))) continue;
    const method = call.type === 'identifier' ? call.text : methodName(call);
    if (method === 'primary_abstract_class') decl.abstract = true;
    if (call.type !== 'call' || method === undefined) continue;
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    const first = args[0] && symbolOrString(args[0]);
    if (first === undefined) continue;
    if (method === 'has_one_attached' || method === 'has_many_attached') {
      decl.attachments.push({ kind: method === 'has_one_attached' ? 'one' : 'many', name: first, line: lineOf(call.startPosition) });
    } else if (ASSOCIATIONS.has(method)) {
      const options = optionsOf(args);
      decl.associations.push({
        kind: method as RailsAssociationKind,
        name: first,
        className: options.get('class_name'),
        foreignKey: options.get('foreign_key'),
        primaryKey: options.get('primary_key'),
        through: options.get('through'),
        source: options.get('source'),
        as: options.get('as'),
        polymorphic: options.get('polymorphic') === 'true',
        joinTable: options.get('join_table'),
        line: lineOf(call.startPosition),
      });
    }
  }
  return decl;
}

function readModule(mod: Node, name: string[]): RubyModuleDecl {
  const decl: RubyModuleDecl = { name: name.join('::') };
  for (const statement of mod.childForFieldName('body')?.namedChildren ?? []) {
    if (statement.type !== 'singleton_method' || statement.childForFieldName('name')?.text !== 'table_name_prefix') continue;
    const body = statement.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    const value = body.length === 1 ? stringContent(body[0]) : undefined;
    if (value !== undefined) decl.tableNamePrefix = value;
  }
  return decl;
}

/** `key: value` and `:key => value` options with a literal value (string, symbol, true/false). */
function optionsOf(args: Node[]): Map<string, string> {
  const options = new Map<string, string>();
  const pairs = args.flatMap((a) => (a.type === 'pair' ? [a] : a.type === 'hash' ? a.namedChildren.filter((c) => c.type === 'pair') : []));
  for (const pair of pairs) {
    const key = pairKey(pair);
    const value = pair.childForFieldName('value');
    if (key === undefined || !value) continue;
    const literal = value.type === 'true' || value.type === 'false' ? value.type : symbolOrString(value);
    if (literal !== undefined) options.set(key, literal);
  }
  return options;
}

/** The names of a constant path (`Admin::User` → ['Admin', 'User']); `absolute` for `::User`. */
function constantParts(node: Node | null | undefined): { names: string[]; absolute: boolean } | undefined {
  if (!node) return undefined;
  if (node.type === 'constant') return { names: [node.text], absolute: false };
  if (node.type !== 'scope_resolution') return undefined;
  const name = node.childForFieldName('name');
  const scope = node.childForFieldName('scope');
  if (name?.type !== 'constant') return undefined;
  if (!scope) return { names: [name.text], absolute: true };
  const outer = constantParts(scope);
  return outer && { names: [...outer.names, name.text], absolute: outer.absolute };
}

// ---- relation chains --------------------------------------------------------------------------

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

/** The calls of a chain, outermost first. */
function chainCalls(node: Node): Node[] {
  const calls: Node[] = [];
  for (let n: Node | null = node; n && n.type === 'call'; n = n.childForFieldName('receiver')) calls.push(n);
  return calls;
}

function blockOf(call: Node): Node | null {
  return call.childForFieldName('block');
}

function methodName(call: Node): string | undefined {
  return call.childForFieldName('method')?.text;
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

// ---- literals and positions -------------------------------------------------------------------

function symbolName(node: Node): string | undefined {
  if (node.type === 'simple_symbol') return node.text.slice(1);
  return undefined;
}

/** `:user`, `"user"`, `'user'`, `:"user"` → user; undefined for anything else (interpolation too). */
function symbolOrString(node: Node): string | undefined {
  if (node.type === 'simple_symbol') return node.text.slice(1);
  if (node.type === 'delimited_symbol' || node.type === 'string') return stringContent(node);
  return undefined;
}

function stringContent(node: Node): string | undefined {
  if (node.type !== 'string' && node.type !== 'delimited_symbol') return undefined;
  const parts = node.namedChildren;
  if (parts.length === 0) return '';
  if (parts.length !== 1 || parts[0].type !== 'string_content') return undefined;
  return parts[0].text;
}

function pairKey(pair: Node): string | undefined {
  const key = pair.childForFieldName('key');
  if (!key) return undefined;
  if (key.type === 'hash_key_symbol') return key.text;
  return symbolOrString(key);
}

function sameNode(a: Node | null, b: Node): boolean {
  return a !== null && a.id === b.id;
}

/** `(` … `)` of a call with no arguments: `includes()`. */
function emptyArgsInsert(call: Node, expression: string, range: SourceRange, text: string): { at: number; text: string } {
  const args = call.childForFieldName('arguments');
  if (args) return { at: offsetInRange(expression, range, args.endPosition) - 1, text };
  return { at: offsetInRange(expression, range, call.endPosition), text: `(${text})` };
}
