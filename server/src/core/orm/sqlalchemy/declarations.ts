// Reads SQLAlchemy declarative classes (table, foreign-key columns, relationships; 2.0 `Mapped[…]`
// / `mapped_column` and classic `Column` styles, Flask-SQLAlchemy's `db.Model`) and `Table(…)`
// assignments from a Python file, finds the expressions that build a query of a model
// (`session.query(Model)…`, `select(Model)…`, `Model.query…`), and computes the `.options(…)` edit
// of such an expression. Syntax only, one file at a time: core/orm/sqlalchemy.ts joins the files.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, SourceRange, descendants, isField, lineOf, nodeAt, offsetInRange, onNewLineIfLeadingDots, sliceRange, withTree } from '../../source/language';

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

/** How each loader function can be written in a module, from its imports; absent when not imported. */
export function loaderNames(parsers: SourceParsers, text: string): Map<string, string> {
  return withTree(parsers, 'python', text, (root) => {
    const names = new Map<string, string>();
    const prefixes: string[] = [];
    for (const statement of root.namedChildren) {
      if (statement.type === 'import_from_statement') {
        const module = statement.childForFieldName('module_name')?.text;
        const imported = statement.childrenForFieldName('name');
        if (module === 'sqlalchemy.orm') {
          if (statement.namedChildren.some((c) => c.type === 'wildcard_import')) for (const l of LOADERS) names.set(l, l);
          for (const item of imported) {
            const [name, alias] = importedName(item);
            if (LOADERS.has(name)) names.set(name, alias);
          }
        } else if (module === 'sqlalchemy') {
          for (const item of imported) {
            const [name, alias] = importedName(item);
            if (name === 'orm') prefixes.push(`${alias}.`);
          }
        }
      } else if (statement.type === 'import_statement') {
        for (const item of statement.childrenForFieldName('name')) {
          const [name, alias] = importedName(item);
          if (name === 'sqlalchemy.orm') prefixes.push(alias === name ? 'sqlalchemy.orm.' : `${alias}.`);
          else if (name === 'sqlalchemy') prefixes.push(`${alias}.orm.`);
        }
      }
    }
    // A module reached by name (`orm.joinedload`) serves for the loaders not imported directly.
    for (const l of LOADERS) if (!names.has(l) && prefixes.length > 0) names.set(l, `${prefixes[0]}${l}`);
    return names;
  }) ?? new Map();
}

export interface OptionsEdit {
  newText: string;
  /** What was added, for titles and hints: `.options(joinedload(Post.author))` or `… in .options()`. */
  added: string;
}

/**
 * The query expression at `range` with `loaders` (`joinedload(Post.author)`) merged into the chain's
 * last `.options(…)` (after its last argument; loaders already there are skipped) or appended as a
 * new `.options(…)`. Undefined when no expression is at `range`, or nothing is left to add.
 */
export function optionsEdit(parsers: SourceParsers, text: string, range: SourceRange, loaders: string[]): OptionsEdit | undefined {
  return withTree(parsers, 'python', text, (root) => {
    const node = nodeAt(root, range);
    if (!node) return undefined;
    const expression = sliceRange(text, range);
    const options = chainCalls(node).find((c) => lastName(c.childForFieldName('function')) === 'options');
    if (!options) {
      const added = `.options(${loaders.join(', ')})`;
      return { newText: expression + onNewLineIfLeadingDots(expression) + added, added };
    }
    const args = options.childForFieldName('arguments');
    const items = args ? args.namedChildren.filter((a) => a.type !== 'comment') : [];
    const present = new Set(items.map((i) => i.text.replace(/\s+/g, '')));
    const missing = loaders.filter((l) => !present.has(l.replace(/\s+/g, '')));
    if (missing.length === 0 || !args) return undefined;
    const last = items[items.length - 1];
    const at = last ? offsetInRange(expression, range, last.endPosition) : offsetInRange(expression, range, args.endPosition) - 1;
    const insert = `${last ? ', ' : ''}${missing.join(', ')}`;
    return { newText: expression.slice(0, at) + insert + expression.slice(at), added: `${missing.join(', ')} in .options()` };
  });
}

// ---- declarations -----------------------------------------------------------------------------

const LOADERS = new Set(['joinedload', 'selectinload', 'subqueryload']);
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

/** `from x import a as b` items: [name, the name it is bound to]. */
function importedName(item: Node): [string, string] {
  if (item.type === 'aliased_import') {
    const name = item.childForFieldName('name')?.text ?? '';
    return [name, item.childForFieldName('alias')?.text ?? name];
  }
  // `import sqlalchemy.orm` binds `sqlalchemy`; the prefix is then the whole dotted name.
  return [item.text, item.text];
}

// ---- query chains -----------------------------------------------------------------------------

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

/** The calls of a chain, outermost first. */
function chainCalls(node: Node): Node[] {
  const calls: Node[] = [];
  for (let n: Node | null = node; n; ) {
    if (n.type === 'parenthesized_expression') n = n.namedChild(0);
    else if (n.type === 'call') {
      calls.push(n);
      const fn = n.childForFieldName('function');
      n = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    } else if (n.type === 'attribute') n = n.childForFieldName('object');
    else break;
  }
  return calls;
}

// ---- literals and positions -------------------------------------------------------------------

/** The last name of `x`, `a.b.x`. */
function lastName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  const end = node.namedChildren.find((c) => c.type === 'string_end');
  if (!start || !end || node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return node.text.slice(start.text.length, node.text.length - end.text.length);
}
