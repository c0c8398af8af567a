// Reads Django models (table names and relations) from a models file, and finds the expressions in
// Python source that build a queryset of a model, so recorded SQL can be put on the line that
// built it. Syntax only: one file at a time, nothing imported is followed.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, SourceRange, descendants, isField, lineOf, withTree } from '../../source/language';

export type { SourceRange } from '../../source/language';

export interface DjangoModel {
  name: string;
  /** The folder holding models.py or the models/ package, unless Meta.app_label says otherwise. */
  appLabel: string;
  /** Meta.db_table, the parent's table for proxy models, else `${appLabel}_${name.toLowerCase()}`. */
  dbTable: string;
  /** The workspace-relative path given in. */
  path: string;
  /** 1-based line of the `class` keyword. */
  line: number;
  /** Relations declared on the model and on abstract models it extends in the same file. */
  fields: DjangoRelation[];
}

export interface DjangoRelation {
  name: string;
  kind: 'foreign-key' | 'one-to-one' | 'many-to-many';
  /** As written, quotes stripped: "Venue", "auth.User", "self", "settings.AUTH_USER_MODEL". */
  target: string;
  relatedName?: string;
  /** ManyToManyField(db_table=…). */
  dbTable?: string;
  through?: string;
  /** 1-based line of the field assignment. */
  line: number;
}

/**
 * The concrete models a Python file defines at module level: classes based on `models.Model` /
 * `Model` or on a model defined earlier in the same file. Abstract models (`Meta.abstract = True`)
 * are not returned, since they have no table and no manager, but count as model bases and hand
 * their relations down to the models extending them, as Django copies abstract fields.
 */
export function findDjangoModels(parsers: SourceParsers, path: string, text: string): DjangoModel[] {
  const appLabel = appLabelOfPath(path);
  return withTree(parsers, 'python', text, (root) => {
    const known = new Map<string, { model: DjangoModel; abstract: boolean }>();
    const models: DjangoModel[] = [];
    for (const statement of root.namedChildren) {
      const cls = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (cls?.type !== 'class_definition') continue;
      const name = cls.childForFieldName('name')?.text;
      const parents = baseNames(cls);
      if (name === undefined || !parents.some((p) => MODEL_BASES.has(p) || known.has(p))) continue;
      const meta = readMeta(cls);
      const label = meta.appLabel ?? appLabel;
      const inherited = parents.flatMap((p) => {
        const parent = known.get(p);
        return parent?.abstract ? parent.model.fields : [];
      });
      const proxied = meta.proxy ? parents.map((p) => known.get(p)).find((p) => p && !p.abstract) : undefined;
      const model: DjangoModel = {
        name,
        appLabel: label,
        dbTable: meta.dbTable ?? proxied?.model.dbTable ?? `${label}_${name.toLowerCase()}`,
        path,
        line: lineOf(cls.startPosition),
        fields: [...inherited, ...relationsOf(cls)],
      };
      known.set(name, { model, abstract: meta.abstract });
      if (!meta.abstract) models.push(model);
    }
    return models;
  }) ?? [];
}

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

const MODEL_BASES = new Set(['models.Model', 'Model', 'django.db.models.Model']);

const MANAGERS = new Set(['objects', '_default_manager']);

const RELATION_KINDS: Record<string, DjangoRelation['kind']> = {
  ForeignKey: 'foreign-key',
  OneToOneField: 'one-to-one',
  ManyToManyField: 'many-to-many',
};

/** "meetups/models.py" and "meetups/models/meeting.py" → "meetups"; another file → its folder. */
function appLabelOfPath(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0 && p !== '.');
  const file = parts.pop() ?? '';
  if (file === 'models.py') return parts[parts.length - 1] ?? '';
  const models = parts.lastIndexOf('models');
  if (models > 0) return parts[models - 1];
  return parts[parts.length - 1] ?? '';
}

/** The class's positional bases as written ("models.Model", "TimeStamped"). */
function baseNames(cls: Node): string[] {
  const bases = cls.childForFieldName('superclasses');
  return bases ? bases.namedChildren.filter((b) => b.type === 'identifier' || b.type === 'attribute').map((b) => b.text) : [];
}

interface Meta {
  dbTable?: string;
  appLabel?: string;
  abstract: boolean;
  proxy: boolean;
}

function readMeta(cls: Node): Meta {
  const meta: Meta = { abstract: false, proxy: false };
  for (const statement of classBody(cls)) {
    if (statement.type !== 'class_definition' || statement.childForFieldName('name')?.text !== 'Meta') continue;
    for (const [name, value] of assignments(statement)) {
      if (name === 'db_table') meta.dbTable = stringValue(value) ?? meta.dbTable;
      else if (name === 'app_label') meta.appLabel = stringValue(value) ?? meta.appLabel;
      else if (name === 'abstract') meta.abstract = value.text === 'True';
      else if (name === 'proxy') meta.proxy = value.text === 'True';
    }
  }
  return meta;
}

function relationsOf(cls: Node): DjangoRelation[] {
  const relations: DjangoRelation[] = [];
  for (const [name, value, assignment] of assignments(cls)) {
    if (value.type !== 'call') continue;
    const callee = value.childForFieldName('function');
    const calleeName = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    const kind = RELATION_KINDS[calleeName ?? ''];
    const args = value.childForFieldName('arguments');
    if (!kind || !args) continue;
    const keywords = new Map<string, Node>();
    let target: Node | undefined;
    for (const arg of args.namedChildren) {
      if (arg.type === 'keyword_argument') {
        const key = arg.childForFieldName('name')?.text;
        const keyValue = arg.childForFieldName('value');
        if (key !== undefined && keyValue) keywords.set(key, keyValue);
      } else if (target === undefined && arg.type !== 'comment' && !arg.type.endsWith('splat')) {
        target = arg;
      }
    }
    target ??= keywords.get('to');
    if (!target) continue;
    const relation: DjangoRelation = { name, kind, target: textValue(target), line: lineOf(assignment.startPosition) };
    const relatedName = keywords.get('related_name');
    if (relatedName) relation.relatedName = textValue(relatedName);
    const dbTable = keywords.get('db_table');
    if (dbTable) relation.dbTable = textValue(dbTable);
    const through = keywords.get('through');
    if (through) relation.through = textValue(through);
    relations.push(relation);
  }
  return relations;
}

function classBody(cls: Node): Node[] {
  return cls.childForFieldName('body')?.namedChildren ?? [];
}

/** `name = value` statements directly in a class body (annotated ones too), with the assignment. */
function assignments(cls: Node): Array<[string, Node, Node]> {
  const found: Array<[string, Node, Node]> = [];
  for (const statement of classBody(cls)) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type === 'identifier' && right) found.push([left.text, right, assignment]);
  }
  return found;
}

/** A string literal's content (adjacent literals joined), else the expression as written. */
function textValue(node: Node): string {
  return stringValue(node) ?? node.text;
}

function stringValue(node: Node): string | undefined {
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.map(stringValue);
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  const end = node.namedChildren.find((c) => c.type === 'string_end');
  if (!start || !end) return undefined;
  return node.text.slice(start.text.length, node.text.length - end.text.length);
}

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
