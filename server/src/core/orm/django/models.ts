// Django's models: read from each models file (table names and relations), and the models of the
// workspace (every models.py and models/*.py), read once per file text. Syntax only: one file at a
// time, nothing imported is followed.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { append } from '../../arrays';

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

interface Cached {
  generation: number;
  models: DjangoModel[];
  files: Map<string, { text: string; models: DjangoModel[] }>;
}

/** Per source index: the models, worked out again when anything read was forgotten. */
const cache = new WeakMap<SourceIndex, Cached>();

/** The Django models of the workspace (every models.py and models/*.py); a file whose text did not change is not parsed again. */
export function djangoModels(index: SourceIndex): DjangoModel[] {
  let cached = cache.get(index);
  if (cached && cached.generation === index.generation) return cached.models;
  const files: Cached['files'] = new Map();
  const models: DjangoModel[] = [];
  if (index.parsers) {
    for (const path of index.files.list(['.py'])) {
      if (!MODELS_PATH.test(path)) continue;
      const text = index.text(path);
      if (text === undefined) continue;
      const before = cached?.files.get(path);
      const found = before && before.text === text ? before.models : findDjangoModels(index.parsers, path, text);
      files.set(path, { text, models: found });
      append(models, found);
    }
  }
  cached = { generation: index.generation, models, files };
  cache.set(index, cached);
  return models;
}

/** The model a relation's target names ("Venue", "meetups.Venue", "self"). */
export function resolveTarget(target: string, from: DjangoModel, models: DjangoModel[]): DjangoModel | undefined {
  if (target === 'self') return from;
  const [app, name] = target.includes('.') ? target.split('.', 2) : [undefined, target];
  const candidates = models.filter((m) => m.name === name && (app === undefined || m.appLabel === app));
  return candidates.find((m) => m.appLabel === from.appLabel) ?? candidates[0];
}

const MODELS_PATH = /(^|\/)models(\.py|\/[^/]+\.py)$/;

const MODEL_BASES = new Set(['models.Model', 'Model', 'django.db.models.Model']);

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
