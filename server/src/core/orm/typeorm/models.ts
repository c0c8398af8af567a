// TypeORM's entities: `@Entity("books") class Book { @ManyToOne(() => Author, …) author … }` anywhere
// in the workspace's TypeScript and JavaScript (table: the @Entity name, else the class name in snake
// case), and their relations (ManyToOne, OneToOne, OneToMany, ManyToMany with @JoinColumn and
// @JoinTable).

import type { Node } from 'web-tree-sitter';
import { descendants, lineOf, SourceParsers, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { JS_SUFFIXES, callArguments, calleeName, jsLanguageOf, lastName, stringProperty, stringValue, unwrap } from '../js/syntax';
import { snakeCase } from '../js/names';
import { scanWorkspace } from '../js/workspace';

export interface TypeormEntity {
  /** The class name. */
  name: string;
  table: string;
  /** The primary key column (`id` unless a @PrimaryColumn/@PrimaryGeneratedColumn says otherwise). */
  primaryKey: string;
  relations: TypeormRelation[];
  path: string;
  line: number;
}

export type RelationKind = 'many-to-one' | 'one-to-one' | 'one-to-many' | 'many-to-many';

export interface TypeormRelation {
  name: string;
  kind: RelationKind;
  /** The target entity's class name. */
  target: string;
  /** The property on the target that points back (`(review) => review.book` → "book"). */
  inverse?: string;
  /** @JoinColumn: its `name`, or true for the default column. */
  joinColumn?: string | true;
  /** @JoinTable: its `name`, or true for the default table. */
  joinTable?: string | true;
  /** Declared `Promise<…>`: awaiting it loads the relation unless it was loaded with the row. */
  lazy: boolean;
  line: number;
}

/** The entities of the workspace, read once per file text. */
export function typeormEntities(index: SourceIndex): TypeormEntity[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(index, 'typeorm', JS_SUFFIXES, /@Entity\s*\(/, (path, text) => readEntities(parsers, path, text), (found) => {
    // The same entity in source and compiled output: the first one.
    const entities: TypeormEntity[] = [];
    for (const { value } of found) for (const e of value) if (!entities.some((x) => x.name === e.name)) entities.push(e);
    return entities;
  });
}

const RELATION_DECORATORS: Record<string, RelationKind> = {
  ManyToOne: 'many-to-one',
  OneToOne: 'one-to-one',
  OneToMany: 'one-to-many',
  ManyToMany: 'many-to-many',
};

const PRIMARY_DECORATORS = new Set(['PrimaryGeneratedColumn', 'PrimaryColumn', 'ObjectIdColumn']);

function readEntities(parsers: SourceParsers, path: string, text: string): TypeormEntity[] | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  return withTree(parsers, language, text, (root) => {
    const entities: TypeormEntity[] = [];
    for (const node of descendants(root)) {
      if (node.type !== 'class_declaration' && node.type !== 'abstract_class_declaration' && node.type !== 'class') continue;
      const name = node.childForFieldName('name')?.text;
      // `@Entity() export class Book` puts the decorator on the export statement.
      const decorators = [...decoratorsOf(node), ...(node.parent?.type === 'export_statement' ? decoratorsOf(node.parent) : [])];
      const entity = decorators.find((d) => d.name === 'Entity');
      if (!name || !entity) continue;
      const first = entity.args[0] && unwrap(entity.args[0]);
      const table = stringValue(first) ?? (first?.type === 'object' ? stringProperty(first, 'name') : undefined) ?? snakeCase(name);
      const { primaryKey, relations } = readMembers(node);
      entities.push({ name, table, primaryKey, relations, path, line: lineOf(node.startPosition) });
    }
    return entities.length ? entities : undefined;
  });
}

interface Decorator {
  name: string;
  args: Node[];
}

export function decoratorsOf(node: Node): Decorator[] {
  const found: Decorator[] = [];
  for (const child of node.children) {
    if (child.type !== 'decorator') continue;
    const expression = child.namedChildren.find((c) => c.type !== 'comment');
    if (!expression) continue;
    if (expression.type === 'call_expression') {
      const name = calleeName(expression);
      if (name) found.push({ name, args: callArguments(expression) });
    } else {
      const name = lastName(expression);
      if (name) found.push({ name, args: [] });
    }
  }
  return found;
}

function readMembers(cls: Node): { primaryKey: string; relations: TypeormRelation[] } {
  let primaryKey = 'id';
  const relations: TypeormRelation[] = [];
  const body = cls.childForFieldName('body');
  for (const member of body?.namedChildren ?? []) {
    if (member.type !== 'public_field_definition' && member.type !== 'field_definition') continue;
    const name = (member.childForFieldName('name') ?? member.childForFieldName('property'))?.text;
    if (!name) continue;
    const decorators = decoratorsOf(member);
    for (const d of decorators) {
      if (PRIMARY_DECORATORS.has(d.name)) {
        const options = d.args.map(unwrap).find((a) => a.type === 'object');
        primaryKey = stringProperty(options, 'name') ?? name;
      }
      const kind = RELATION_DECORATORS[d.name];
      if (!kind) continue;
      const target = targetName(d.args[0]);
      if (!target) continue;
      const relation: TypeormRelation = { name, kind, target, lazy: isPromiseType(member), line: lineOf(member.startPosition) };
      const inverse = d.args[1] && unwrap(d.args[1]);
      if (inverse && inverse.type !== 'object') {
        const body = inverse.type === 'arrow_function' ? inverse.childForFieldName('body') : inverse;
        const inverseName = stringValue(body) ?? (body?.type === 'member_expression' ? lastName(body) : undefined);
        if (inverseName) relation.inverse = inverseName;
      }
      const joinColumn = decorators.find((x) => x.name === 'JoinColumn');
      if (joinColumn) relation.joinColumn = optionName(joinColumn) ?? true;
      const joinTable = decorators.find((x) => x.name === 'JoinTable');
      if (joinTable) relation.joinTable = optionName(joinTable) ?? true;
      relations.push(relation);
    }
  }
  return { primaryKey, relations };
}

/** `() => Author`, `type => Author`, `"Author"`: the target's class name. */
function targetName(arg: Node | undefined): string | undefined {
  if (!arg) return undefined;
  const n = unwrap(arg);
  if (n.type === 'arrow_function') {
    const body = n.childForFieldName('body');
    return body ? stringValue(body) ?? lastName(body) : undefined;
  }
  return stringValue(n) ?? lastName(n);
}

/** `@JoinColumn({ name: "author_id" })`, `@JoinColumn([{ name: … }])`, `@JoinTable({ name: "book_tags" })`. */
function optionName(d: Decorator): string | undefined {
  let options: Node | undefined = d.args[0] && unwrap(d.args[0]);
  if (options?.type === 'array') options = options.namedChildren.find((c) => c.type === 'object');
  return options?.type === 'object' ? stringProperty(options, 'name') : undefined;
}

function isPromiseType(member: Node): boolean {
  const type = member.childForFieldName('type');
  return type !== null && /^:\s*Promise\s*</.test(type.text);
}
