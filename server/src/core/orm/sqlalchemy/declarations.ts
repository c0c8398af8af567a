// Reads SQLAlchemy declarative classes (table, foreign-key columns, relationships; 2.0 `Mapped[…]`
// / `mapped_column` and classic `Column` styles, Flask-SQLAlchemy's `db.Model`) and `Table(…)`
// assignments from a Python file. Syntax only, one file at a time: models.ts joins the files.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, lineOf, withTree } from '../../source/language';
import { lastName, stringValue } from './syntax';

export interface SqlaClassDecl {
  name: string;
  /** Positional bases as written (`Base`, `db.Model`). */
  bases: string[];
  /** `__tablename__ = "…"`. */
  tableName?: string;
  /** `__abstract__ = True`. */
  abstract: boolean;
  /** Columns with a `ForeignKey("table.column")` (or `ForeignKey(Model.column)`): column name → target as written. */
  foreignKeys: Array<{ column: string; target: string }>;
  primaryKeys: string[];
  relationships: SqlaRelationship[];
  path: string;
  /** 1-based line of the `class` keyword. */
  line: number;
}

export interface SqlaRelationship {
  name: string;
  /** The target class name as written (`"User"`, `User`, `lambda: User`, or from `Mapped["User"]`), last dotted segment. */
  target?: string;
  /** `secondary=`: a table name (from a string, or the `Table(…)` the variable names in this file), else the variable. */
  secondary?: string;
  /** `uselist=` when given, else from the annotation (`Mapped[list[…]]` true, `Mapped[X]` false). */
  uselist?: boolean;
  /** `backref="name"` / `backref=backref("name", …)`: the relationship it makes on the target. */
  backref?: string;
  line: number;
}

export interface SqlaDeclarations {
  classes: SqlaClassDecl[];
  /** `name = Table("table", …)` at module level: variable → table name. */
  tables: Map<string, string>;
}

/** The classes and `Table(…)` variables a Python file declares at module level. */
export function findSqlaDeclarations(parsers: SourceParsers, path: string, text: string): SqlaDeclarations {
  return withTree(parsers, 'python', text, (root) => {
    const tables = new Map<string, string>();
    const classes: SqlaClassDecl[] = [];
    for (const statement of root.namedChildren) {
      const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
      if (assignment?.type === 'assignment') {
        const left = assignment.childForFieldName('left');
        const right = assignment.childForFieldName('right');
        if (left?.type === 'identifier' && right?.type === 'call' && lastName(right.childForFieldName('function')) === 'Table') {
          const name = right.childForFieldName('arguments')?.namedChildren[0];
          const value = name && stringValue(name);
          if (value !== undefined) tables.set(left.text, value);
        }
        continue;
      }
      const cls = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (cls?.type === 'class_definition') classes.push(readClass(cls, path));
    }
    for (const c of classes) for (const r of c.relationships) if (r.secondary !== undefined) r.secondary = tables.get(r.secondary) ?? r.secondary;
    return { classes, tables };
  }) ?? { classes: [], tables: new Map() };
}

const COLUMN_CALLS = new Set(['Column', 'mapped_column']);

function readClass(cls: Node, path: string): SqlaClassDecl {
  const bases = (cls.childForFieldName('superclasses')?.namedChildren ?? []).filter((b) => b.type === 'identifier' || b.type === 'attribute').map((b) => b.text);
  const decl: SqlaClassDecl = {
    name: cls.childForFieldName('name')?.text ?? '',
    bases,
    abstract: false,
    foreignKeys: [],
    primaryKeys: [],
    relationships: [],
    path,
    line: lineOf(cls.startPosition),
  };
  for (const statement of cls.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier') continue;
    const name = left.text;
    if (name === '__tablename__') decl.tableName = (right && stringValue(right)) ?? decl.tableName;
    else if (name === '__abstract__') decl.abstract = right?.text === 'True';
    if (right?.type !== 'call') continue;
    const callee = lastName(right.childForFieldName('function'));
    const args = right.childForFieldName('arguments')?.namedChildren ?? [];
    const keywords = keywordsOf(args);
    if (callee !== undefined && COLUMN_CALLS.has(callee)) {
      const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
      const explicitName = positional[0] && stringValue(positional[0]);
      const column = explicitName ?? name;
      for (const arg of positional) {
        if (arg.type !== 'call' || lastName(arg.childForFieldName('function')) !== 'ForeignKey') continue;
        const target = arg.childForFieldName('arguments')?.namedChildren[0];
        if (target) decl.foreignKeys.push({ column, target: stringValue(target) ?? target.text });
      }
      if (keywords.get('primary_key')?.text === 'True') decl.primaryKeys.push(column);
    } else if (callee === 'relationship') {
      const positional = args.find((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
      const annotation = assignment.childForFieldName('type')?.text;
      const fromAnnotation = annotation ? annotatedTarget(annotation) : undefined;
      const relationship: SqlaRelationship = { name, line: lineOf(assignment.startPosition) };
      const target = positional ? targetName(positional) : fromAnnotation?.target;
      if (target !== undefined) relationship.target = target;
      const secondary = keywords.get('secondary');
      if (secondary) relationship.secondary = stringValue(secondary) ?? secondary.text;
      const uselist = keywords.get('uselist')?.text;
      if (uselist === 'True' || uselist === 'False') relationship.uselist = uselist === 'True';
      else if (fromAnnotation) relationship.uselist = fromAnnotation.collection;
      const backref = keywords.get('backref');
      const backrefName = backref && (stringValue(backref) ?? (backref.type === 'call' ? firstString(backref) : undefined));
      if (backrefName !== undefined) relationship.backref = backrefName;
      decl.relationships.push(relationship);
    }
  }
  return decl;
}

/** `Mapped["User"]`, `Mapped[Optional[User]]`, `Mapped[list["Tag"]]`, `Mapped["List[Tag]"]`: target and collection. */
function annotatedTarget(annotation: string): { target: string; collection: boolean } | undefined {
  const inner = /^\s*(?:\w+\.)*(?:Mapped|WriteOnlyMapped|DynamicMapped)\[(.*)\]\s*$/s.exec(annotation)?.[1];
  if (inner === undefined) return undefined;
  const unquoted = inner.replace(/["']/g, '').replace(/\s+/g, '');
  const collection = /^(?:typing\.)?(?:List|list|Set|set|FrozenSet|frozenset|Sequence|Collection)\[/.test(unquoted) || /^(?:WriteOnly|Dynamic)Mapped/.test(annotation.trim());
  const names = unquoted
    .replace(/\b(?:typing\.)?(?:List|list|Set|set|FrozenSet|frozenset|Sequence|Collection|Optional)\[/g, '')
    .replace(/[\][]/g, '')
    .split('|')
    .filter((n) => n !== 'None' && n !== '');
  const target = names.length === 1 ? names[0].split('.').pop() : undefined;
  return target ? { target, collection } : undefined;
}

/** `"User"`, `"models.User"`, `User`, `lambda: User` → User. */
function targetName(node: Node): string | undefined {
  const value = stringValue(node);
  if (value !== undefined) return value.split('.').pop();
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  if (node.type === 'lambda') {
    const body = node.childForFieldName('body');
    return body ? targetName(body) : undefined;
  }
  return undefined;
}

function keywordsOf(args: Node[]): Map<string, Node> {
  const keywords = new Map<string, Node>();
  for (const arg of args) {
    if (arg.type !== 'keyword_argument') continue;
    const key = arg.childForFieldName('name')?.text;
    const value = arg.childForFieldName('value');
    if (key !== undefined && value) keywords.set(key, value);
  }
  return keywords;
}

function firstString(call: Node): string | undefined {
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  return first ? stringValue(first) : undefined;
}
