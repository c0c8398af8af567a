// Objection's models: classes with a static `tableName` (`static tableName = 'projects'` or a
// getter returning it) anywhere in the workspace's JavaScript and TypeScript, and their
// `relationMappings` (a static field, getter or method returning an object literal): each
// relation's kind, target class and `join` columns, with the `through` table of a many-to-many.

import type { Node } from 'web-tree-sitter';
import { descendants, lineOf, SourceParsers, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { JS_SUFFIXES, jsLanguageOf, lastName, objectEntries, objectEntry, stringValue, unwrap } from '../js/syntax';
import { scanWorkspace } from '../js/workspace';

export interface ObjectionModel {
  /** The class name. */
  name: string;
  table: string;
  relations: ObjectionRelation[];
  path: string;
  line: number;
}

export interface ObjectionRelation {
  /** The key of the mapping: what `withGraphFetched` and `$relatedQuery` name. */
  name: string;
  /** `HasManyRelation`, `BelongsToOneRelation`, `ManyToManyRelation`, … as written. */
  kind: string;
  /** The target class, its last name (`Task` for `Task`, `'Task'`, `require('./Task')` is not read). */
  target?: string;
  /** `join.from` and `join.to` as written: `'projects.id'`, `'tasks.project_id'`. */
  from: string[];
  to: string[];
  /** The join table of a many-to-many (`join.through.from`'s table). */
  through?: string;
}

/** The Objection models of the workspace, read once per file text. */
export function objectionModels(index: SourceIndex): ObjectionModel[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(index, 'objection', JS_SUFFIXES, /\btableName\b/, (path, text) => readModels(parsers, path, text), (found) => found.flatMap((f) => f.value));
}

function readModels(parsers: SourceParsers, path: string, text: string): ObjectionModel[] | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  return withTree(parsers, language, text, (root) => {
    const models: ObjectionModel[] = [];
    for (const node of descendants(root)) {
      if (node.type !== 'class_declaration' && node.type !== 'class') continue;
      const name = node.childForFieldName('name')?.text;
      const body = node.childForFieldName('body');
      // Only a class that extends another (Model, or the app's BaseModel) is a model.
      if (!name || !body || !node.namedChildren.some((c) => c.type === 'class_heritage')) continue;
      const table = staticValue(body, 'tableName');
      const tableName = table && stringValue(table);
      if (tableName === undefined) continue;
      const mappings = staticValue(body, 'relationMappings');
      models.push({ name, table: tableName, relations: mappings?.type === 'object' ? readRelations(mappings) : [], path, line: lineOf(node.startPosition) });
    }
    return models.length ? models : undefined;
  });
}

/** The value of a static member: `static x = v`, `static get x() { return v; }`, `static x() { return v; }`. */
function staticValue(body: Node, name: string): Node | undefined {
  for (const member of body.namedChildren) {
    if (!member.children.some((c) => c.type === 'static')) continue;
    if (member.childForFieldName('name')?.text !== name && member.childForFieldName('property')?.text !== name) continue;
    if (member.type === 'field_definition' || member.type === 'public_field_definition') {
      const value = member.childForFieldName('value');
      return value ? unwrap(value) : undefined;
    }
    if (member.type === 'method_definition') {
      const block = member.childForFieldName('body');
      const ret = block?.namedChildren.find((c) => c.type === 'return_statement');
      const value = ret?.namedChildren[0];
      return value ? unwrap(value) : undefined;
    }
  }
  return undefined;
}

function readRelations(mappings: Node): ObjectionRelation[] {
  const relations: ObjectionRelation[] = [];
  for (const entry of objectEntries(mappings)) {
    const value = unwrap(entry.value);
    if (value.type !== 'object') continue;
    const kind = lastName(objectEntry(value, 'relation')?.value);
    const join = objectEntry(value, 'join');
    const joinValue = join && unwrap(join.value);
    if (!kind || joinValue?.type !== 'object') continue;
    const modelClass = objectEntry(value, 'modelClass')?.value;
    const target = modelClass && (stringValue(modelClass) ?? lastName(modelClass));
    const through = objectEntry(joinValue, 'through');
    const throughValue = through && unwrap(through.value);
    const throughFrom = throughValue?.type === 'object' ? columnsOf(objectEntry(throughValue, 'from')?.value)[0] : undefined;
    relations.push({
      name: entry.key,
      kind,
      ...(target !== undefined ? { target } : {}),
      from: columnsOf(objectEntry(joinValue, 'from')?.value),
      to: columnsOf(objectEntry(joinValue, 'to')?.value),
      ...(throughFrom !== undefined && throughFrom.includes('.') ? { through: throughFrom.slice(0, throughFrom.lastIndexOf('.')) } : {}),
    });
  }
  return relations;
}

/** `'tasks.project_id'` or `['a.x', 'a.y']`: the columns as written. */
function columnsOf(node: Node | undefined): string[] {
  if (!node) return [];
  const n = unwrap(node);
  if (n.type === 'array') return n.namedChildren.map((c) => stringValue(c)).filter((s): s is string => s !== undefined);
  const s = stringValue(n);
  return s === undefined ? [] : [s];
}
