// MikroORM's entities: `new EntitySchema({ class: Project, tableName, properties: { tasks: { kind:
// '1:m', entity: () => Task, mappedBy: 'project' } } })`, and decorated classes (`@Entity()`,
// `@OneToMany(() => Task, (t) => t.project)`, `@ManyToOne(() => User)`, …) in files that import
// @mikro-orm. The table is `tableName`, else the class name in snake case (MikroORM's
// UnderscoreNamingStrategy); each relation keeps its kind, target, `mappedBy` and join column.

import type { Node } from 'web-tree-sitter';
import { descendants, lineOf, SourceParsers, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { JS_SUFFIXES, callArguments, jsLanguageOf, lastName, objectEntries, objectEntry, stringProperty, stringValue, unwrap } from '../js/syntax';
import { snakeCase } from '../js/names';
import { scanWorkspace } from '../js/workspace';
import { decoratorsOf } from '../typeorm/models';

export type MikroKind = '1:1' | 'm:1' | '1:m' | 'm:n';

export interface MikroEntity {
  /** The class name (or the schema's `name`). */
  name: string;
  table: string;
  primaryKey: string;
  relations: MikroRelation[];
  path: string;
  line: number;
}

export interface MikroRelation {
  /** The property: what `populate` names. */
  name: string;
  kind: MikroKind;
  target: string;
  mappedBy?: string;
  /** The owning side's join column (`fieldName`), when written. */
  fieldName?: string;
}

const KINDS: Record<string, MikroKind> = { '1:1': '1:1', 'm:1': 'm:1', '1:m': '1:m', 'm:n': 'm:n', ONE_TO_ONE: '1:1', MANY_TO_ONE: 'm:1', ONE_TO_MANY: '1:m', MANY_TO_MANY: 'm:n' };
const DECORATORS: Record<string, MikroKind> = { OneToOne: '1:1', ManyToOne: 'm:1', OneToMany: '1:m', ManyToMany: 'm:n' };

/** The MikroORM entities of the workspace, read once per file text. */
export function mikroEntities(index: SourceIndex): MikroEntity[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(index, 'mikro-orm', JS_SUFFIXES, /@mikro-orm\//, (path, text) => readEntities(parsers, path, text), (found) => found.flatMap((f) => f.value));
}

function readEntities(parsers: SourceParsers, path: string, text: string): MikroEntity[] | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  return withTree(parsers, language, text, (root) => {
    const entities: MikroEntity[] = [];
    for (const node of descendants(root)) {
      if (node.type === 'new_expression' && lastName(node.childForFieldName('constructor')) === 'EntitySchema') {
        const entity = readSchema(node, path);
        if (entity) entities.push(entity);
      } else if (node.type === 'class_declaration' || node.type === 'abstract_class_declaration') {
        const entity = readDecorated(node, path);
        if (entity) entities.push(entity);
      }
    }
    return entities.length ? entities : undefined;
  });
}

function readSchema(node: Node, path: string): MikroEntity | undefined {
  const options = callArguments(node)[0];
  const object = options && unwrap(options);
  if (object?.type !== 'object') return undefined;
  const name = lastName(objectEntry(object, 'class')?.value) ?? stringProperty(object, 'name');
  if (!name) return undefined;
  const properties = objectEntry(object, 'properties');
  const props = properties && unwrap(properties.value);
  let primaryKey = 'id';
  const relations: MikroRelation[] = [];
  for (const entry of props?.type === 'object' ? objectEntries(props) : []) {
    const value = unwrap(entry.value);
    if (value.type !== 'object') continue;
    if (unwrap(objectEntry(value, 'primary')?.value ?? value).text === 'true') primaryKey = stringProperty(value, 'fieldName') ?? entry.key;
    const kindNode = objectEntry(value, 'kind') ?? objectEntry(value, 'reference');
    const kind = kindNode && KINDS[stringValue(kindNode.value) ?? lastName(kindNode.value) ?? ''];
    const target = targetOf(objectEntry(value, 'entity')?.value);
    if (!kind || !target) continue;
    relations.push(relation(entry.key, kind, target, stringProperty(value, 'mappedBy'), stringProperty(value, 'fieldName')));
  }
  return { name, table: stringProperty(object, 'tableName') ?? stringProperty(object, 'collection') ?? snakeCase(name), primaryKey, relations, path, line: lineOf(node.startPosition) };
}

function readDecorated(cls: Node, path: string): MikroEntity | undefined {
  const name = cls.childForFieldName('name')?.text;
  const decorators = [...decoratorsOf(cls), ...(cls.parent?.type === 'export_statement' ? decoratorsOf(cls.parent) : [])];
  const entity = decorators.find((d) => d.name === 'Entity');
  if (!name || !entity) return undefined;
  const options = entity.args[0] && unwrap(entity.args[0]);
  const table = (options?.type === 'object' ? stringProperty(options, 'tableName') ?? stringProperty(options, 'collection') : undefined) ?? snakeCase(name);
  let primaryKey = 'id';
  const relations: MikroRelation[] = [];
  for (const member of cls.childForFieldName('body')?.namedChildren ?? []) {
    const prop = (member.childForFieldName('name') ?? member.childForFieldName('property'))?.text;
    if (!prop) continue;
    for (const d of decoratorsOf(member)) {
      const opts = d.args.map(unwrap).find((a) => a.type === 'object');
      if (d.name === 'PrimaryKey') primaryKey = stringProperty(opts, 'fieldName') ?? prop;
      const kind = DECORATORS[d.name];
      if (!kind) continue;
      const target = targetOf(d.args[0] && unwrap(d.args[0]).type !== 'object' ? d.args[0] : objectEntry(opts ?? d.args[0], 'entity')?.value);
      if (!target) continue;
      const second = d.args[1] && unwrap(d.args[1]);
      const inverse = second?.type === 'arrow_function' ? second.childForFieldName('body') : second;
      const mappedBy = stringProperty(opts, 'mappedBy') ?? (inverse && inverse.type !== 'object' ? stringValue(inverse) ?? lastName(inverse) : undefined);
      relations.push(relation(prop, kind, target, mappedBy, stringProperty(opts, 'fieldName') ?? stringProperty(opts, 'joinColumn')));
    }
  }
  return { name, table, primaryKey, relations, path, line: lineOf(cls.startPosition) };
}

function relation(name: string, kind: MikroKind, target: string, mappedBy: string | undefined, fieldName: string | undefined): MikroRelation {
  return { name, kind, target, ...(mappedBy !== undefined ? { mappedBy } : {}), ...(fieldName !== undefined ? { fieldName } : {}) };
}

/** `() => Task`, `Task`, `'Task'`: the target's name. */
function targetOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'arrow_function') return targetOf(n.childForFieldName('body') ?? undefined);
  return stringValue(n) ?? lastName(n);
}
