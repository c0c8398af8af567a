// The eager-loading fix for a SQLAlchemy N+1: `.options(joinedload(Model.rel))` for many-to-one
// and scalar relationships, `.options(selectinload(Model.rel))` for collections, from each repeated
// query's tables and filter columns and the models' foreign keys. The edit is made only where the
// module already imports the loaders; otherwise the hint says which import to add as well.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { SourceParsers, SourceRange, nodeAt, offsetInRange, onNewLineIfLeadingDots, sliceRange, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { SqlaModel, sqlaModels } from './models';
import { lastName } from './syntax';

export function sqlalchemyFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const models = sqlaModels(index);
  const model = models.find((m) => m.name === query.model);
  if (text === undefined || !model || !index.parsers) return undefined;
  const load = relationshipsToLoad(model, related, models);
  const at = `${location.path}:${location.line}:${location.column}`;
  if (load.loads.length === 0) {
    return load.unexplained.length ? { title: 'How to load eagerly (hint)', hint: `the repeated queries ${describeUnexplained(load.unexplained, model)}; the query is at ${at}` } : undefined;
  }
  const names = loaderNames(index.parsers, text);
  const needed = [...new Set(load.loads.map((l) => l.loader))];
  const imported = needed.every((l) => names.has(l));
  const calls = (name: (l: Loader) => string) => load.loads.map((l) => `${name(l.loader)}(${model.name}.${l.relationship})`);
  const wanted = `.options(${calls((l) => names.get(l) ?? l).join(', ')})`;
  const edited = imported && load.unexplained.length === 0 ? optionsEdit(index.parsers, text, location, calls((l) => names.get(l) as string)) : undefined;
  if (edited) return { title: `Load eagerly: ${edited.added}`, edit: { path: location.path, range: location, newText: edited.newText }, hint: `append ${edited.added} to the query at ${at}` };
  const missing = needed.filter((l) => !names.has(l));
  const importing = missing.length ? ` and "from sqlalchemy.orm import ${missing.join(', ')}" to the imports of ${location.path}` : '';
  const why = load.unexplained.length ? `; the repeated queries ${describeUnexplained(load.unexplained, model)}` : missing.length ? '' : '; merge it into the existing .options(…) by hand';
  return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}${importing}${why}` };
}

type Loader = 'joinedload' | 'selectinload';

export interface SqlaLoad {
  /** In the order the repeated queries first ran. */
  loads: Array<{ loader: Loader; relationship: string }>;
  unexplained: Array<{ entry: RelatedEntry; reason: string }>;
}

/** The relationships of `model` that the repeated queries load, and the loader for each. */
export function relationshipsToLoad(model: SqlaModel, related: RelatedEntry[], models: SqlaModel[]): SqlaLoad {
  const load: SqlaLoad = { loads: [], unexplained: [] };
  for (const entry of related) {
    const found = explain(model, entry.sql, models);
    if ('reason' in found) load.unexplained.push({ entry, reason: found.reason });
    else if (!load.loads.some((l) => l.relationship === found.relationship)) load.loads.push(found);
  }
  return load;
}

type Explained = { loader: Loader; relationship: string } | { reason: string };

/** The relationship of `model` a repeated query loads, from its tables, filter columns and the foreign keys. */
function explain(model: SqlaModel, sql: string, models: SqlaModel[]): Explained {
  if (/^\s*SELECT\s+(count|sum|avg|min|max)\s*\(/i.test(sql)) return { reason: 'aggregate' };
  const facts = sqlFacts(sql);
  const table = facts.tables[0];
  if (!table) return { reason: 'none' };
  const filters = new Set(facts.filterColumns);
  const filtered = (t: string, column: string) => filters.has(`${t}.${column}`) || filters.has(column);
  const found: Array<{ loader: Loader; relationship: string }> = [];
  for (const r of model.relationships) {
    const target = models.find((m) => m.name === r.target);
    if (!target || target.table !== table) continue;
    if (r.secondary !== undefined) {
      if (facts.tables.includes(r.secondary)) found.push({ loader: 'selectinload', relationship: r.name });
      continue;
    }
    // Many-to-one: this table holds the key, the query fetches the target by its primary key.
    const forward = model.foreignKeys.map((fk) => pointsAt(fk.target, target)).find((c) => c !== undefined);
    if (forward !== undefined && filtered(table, forward) && r.uselist !== true) {
      found.push({ loader: 'joinedload', relationship: r.name });
      continue;
    }
    // One-to-many (or one-to-one when uselist=False): the target's table holds the key to this one.
    const backward = target.foreignKeys.find((fk) => pointsAt(fk.target, model) !== undefined && filtered(table, fk.column));
    if (backward) {
      found.push({ loader: r.uselist === false ? 'joinedload' : 'selectinload', relationship: r.name });
      continue;
    }
    // Keys declared elsewhere (ForeignKeyConstraint, primaryjoin): a scalar fetched by primary key.
    if (forward === undefined && r.uselist === false && filtered(table, target.primaryKeys[0] ?? 'id')) found.push({ loader: 'joinedload', relationship: r.name });
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) return { reason: 'none' };
  return { reason: `ambiguous: ${found.map((f) => f.relationship).join(', ')}` };
}

/** The referenced column when a `ForeignKey(…)` target (`"users.id"`, `User.id`) points at `model`. */
function pointsAt(target: string, model: SqlaModel): string | undefined {
  const parts = target.split('.');
  if (parts.length < 2) return undefined;
  const [owner, column] = parts.slice(-2);
  return owner === model.table || owner === model.name ? column : undefined;
}

function describeUnexplained(unexplained: SqlaLoad['unexplained'], model: SqlaModel): string {
  const parts: string[] = [];
  const tables = (match: (r: string) => boolean) => [...new Set(unexplained.filter((u) => match(u.reason)).map((u) => u.entry.table ?? 'query'))].join(', ');
  const none = tables((r) => r === 'none');
  const aggregate = tables((r) => r === 'aggregate');
  if (none) parts.push(`on ${none} match no relationship of ${model.name} and need loading by hand`);
  if (aggregate) parts.push(`on ${aggregate} count rows, which eager loading does not remove`);
  for (const u of unexplained.filter((x) => x.reason.startsWith('ambiguous: '))) {
    parts.push(`on ${u.entry.table ?? 'a table'} match several relationships of ${model.name} (${u.reason.slice('ambiguous: '.length)}): load the one the loop reads`);
  }
  return parts.join('; ');
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

const LOADERS = new Set(['joinedload', 'selectinload', 'subqueryload']);

/** `from x import a as b` items: [name, the name it is bound to]. */
function importedName(item: Node): [string, string] {
  if (item.type === 'aliased_import') {
    const name = item.childForFieldName('name')?.text ?? '';
    return [name, item.childForFieldName('alias')?.text ?? name];
  }
  // `import sqlalchemy.orm` binds `sqlalchemy`; the prefix is then the whole dotted name.
  return [item.text, item.text];
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
