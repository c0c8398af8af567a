// Reads ActiveRecord class declarations (superclass, table_name, associations, attachments) and
// modules (table_name_prefix) from a Ruby file. Syntax only, one file at a time: which class is a
// model, and its table, is decided across files by models.ts.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, lineOf, withTree } from '../../source/language';
import { constantParts, methodName, pairKey, stringContent, symbolOrString } from './syntax';

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
  /** `default_scope …`: every query of the model may filter more. */
  defaultScope?: true;
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
  /** Declared with a scope (`has_many :comments, -> { order(:id) }`): its queries may filter more. */
  scoped?: true;
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
    if (method === 'default_scope') decl.defaultScope = true;
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
        ...(args.some((a) => a.type === 'lambda') ? { scoped: true as const } : {}),
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
