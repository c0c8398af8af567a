// The eager-loading fix for a Django N+1: which relations of the queryset's model the repeated
// queries load one row at a time, found from what was recorded (each repeated query's table, join
// table and filter column) and the workspace's model definitions; then the edit that appends
// `.select_related(…)` (forward foreign keys and one-to-ones) and `.prefetch_related(…)`
// (many-to-many and reverse relations) to the queryset, or merges into such calls already there.

import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { sliceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { DjangoModel, DjangoRelation, djangoModels, resolveTarget } from './models';

/** The edit that loads the relations eagerly, or a hint where it is not certain. */
export function djangoFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const load = djangoRelationsToLoad(query.model, related, djangoModels(index));
  if (text === undefined || !load || load.selectRelated.length + load.prefetchRelated.length === 0) return undefined;
  const edited = load.unexplained.length === 0 ? eagerQueryset(sliceRange(text, location), load) : undefined;
  const at = `${location.path}:${location.line}:${location.column}`;
  if (edited) return { title: `Load eagerly: ${edited.added}`, edit: { path: location.path, range: location, newText: edited.newText }, hint: `append ${edited.added} to the queryset at ${at}` };
  const names = [...load.selectRelated.map((n) => `select_related("${n}")`), ...load.prefetchRelated.map((n) => `prefetch_related("${n}")`)].join(', ');
  const unexplained = load.unexplained.map((r) => r.table ?? 'query').join(', ');
  return {
    title: `Load eagerly (hint): ${names}`,
    hint: `add ${names} to the queryset at ${at}${unexplained ? `; the repeated queries on ${unexplained} match no relation of ${query.model} and need loading by hand` : '; merge them into the existing calls by hand'}`,
  };
}

export interface DjangoLoad {
  /** Relation names for select_related, in the order the queries first ran. */
  selectRelated: string[];
  prefetchRelated: string[];
  /** Repeated queries no relation of the model explains (then the fix is a hint, not an edit). */
  unexplained: RelatedEntry[];
}

/** The relations of `modelName` that the repeated queries load. */
export function djangoRelationsToLoad(modelName: string, related: RelatedEntry[], models: DjangoModel[]): DjangoLoad | undefined {
  const model = models.find((m) => m.name === modelName);
  if (!model) return undefined;
  const load: DjangoLoad = { selectRelated: [], prefetchRelated: [], unexplained: [] };
  for (const entry of related) {
    const facts = sqlFacts(entry.sql);
    const found = explain(model, facts.tables, facts.filterColumns, models);
    if (!found) load.unexplained.push(entry);
    else {
      const list = found.eager === 'select' ? load.selectRelated : load.prefetchRelated;
      if (!list.includes(found.name)) list.push(found.name);
    }
  }
  return load;
}

export interface QuerysetEdit {
  /** The new text of the queryset expression. */
  newText: string;
  /** What was added, for titles and hints: `.select_related("where").prefetch_related("topics")`. */
  added: string;
}

/**
 * The queryset expression with the relations loaded eagerly: appended as new calls, or merged into
 * `select_related(…)`/`prefetch_related(…)` calls of the expression whose arguments are plain
 * string literals. Undefined when an existing call cannot be merged into safely (not literals).
 */
export function eagerQueryset(expression: string, load: DjangoLoad): QuerysetEdit | undefined {
  let text = expression;
  const added: string[] = [];
  for (const [method, names] of [['select_related', load.selectRelated], ['prefetch_related', load.prefetchRelated]] as const) {
    if (names.length === 0) continue;
    const call = findCall(text, method);
    if (!call) {
      const appended = `.${method}(${names.map((n) => JSON.stringify(n)).join(', ')})`;
      text += appended;
      added.push(appended);
      continue;
    }
    const existing = literalArgs(text.slice(call.argsStart, call.argsEnd));
    if (existing === undefined) return undefined;
    const missing = names.filter((n) => !existing.includes(n));
    if (missing.length === 0) continue;
    // After the last literal, so that a trailing comma and line breaks stay where the author put them.
    const args = text.slice(call.argsStart, call.argsEnd);
    const at = call.argsStart + Math.max(args.lastIndexOf('"'), args.lastIndexOf("'")) + 1;
    const insert = `${existing.length ? ', ' : ''}${missing.map((n) => JSON.stringify(n)).join(', ')}`;
    text = text.slice(0, existing.length ? at : call.argsEnd) + insert + text.slice(existing.length ? at : call.argsEnd);
    added.push(`${missing.map((n) => JSON.stringify(n)).join(', ')} in .${method}()`);
  }
  return { newText: text, added: added.join('') };
}

// ---- helpers ----------------------------------------------------------------------------------

interface Explained {
  name: string;
  eager: 'select' | 'prefetch';
}

/** The relation of `model` a repeated query loads, from its tables and filter columns. */
function explain(model: DjangoModel, tables: readonly string[], filterColumns: readonly string[], models: DjangoModel[]): Explained | undefined {
  const table = tables[0];
  const filters = new Set(filterColumns);
  const targetOf = (r: DjangoRelation) => resolveTarget(r.target, model, models);
  // Forward foreign key or one-to-one: SELECT … FROM target WHERE target.id = ?.
  for (const r of model.fields) {
    if (r.kind === 'many-to-many') continue;
    const target = targetOf(r);
    if (target && target.dbTable === table && (filters.has(`${table}.id`) || filters.has('id'))) return { name: r.name, eager: 'select' };
  }
  // Forward many-to-many: FROM target JOIN model_field WHERE model_field.model_id = ?.
  for (const r of model.fields) {
    if (r.kind !== 'many-to-many') continue;
    const target = targetOf(r);
    const join = r.dbTable ?? (r.through ? resolveTarget(r.through, model, models)?.dbTable : `${model.dbTable}_${r.name.toLowerCase()}`);
    if (target && target.dbTable === table && join && tables.includes(join)) return { name: r.name, eager: 'prefetch' };
  }
  // Reverse relations: another model points at this one.
  for (const other of models) {
    for (const r of other.fields) {
      if (resolveTarget(r.target, other, models) !== model) continue;
      const accessor = r.relatedName ?? (r.kind === 'one-to-one' ? other.name.toLowerCase() : `${other.name.toLowerCase()}_set`);
      if (r.relatedName === '+') continue;
      if (r.kind === 'many-to-many') {
        const join = r.dbTable ?? `${other.dbTable}_${r.name.toLowerCase()}`;
        if (other.dbTable === table && tables.includes(join)) return { name: accessor, eager: 'prefetch' };
      } else if (other.dbTable === table && (filters.has(`${table}.${r.name}_id`) || filters.has(`${r.name}_id`))) {
        return { name: accessor, eager: r.kind === 'one-to-one' ? 'select' : 'prefetch' };
      }
    }
  }
  return undefined;
}

/** The last `.method(` call of a chain and its argument span (balanced parentheses, strings skipped). */
function findCall(text: string, method: string): { argsStart: number; argsEnd: number } | undefined {
  const at = text.lastIndexOf(`.${method}(`);
  if (at === -1) return undefined;
  const argsStart = at + method.length + 2;
  let depth = 1;
  for (let i = argsStart; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end === -1) return undefined;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { argsStart, argsEnd: i };
  }
  return undefined;
}

/** The names of a call whose arguments are all plain string literals; undefined otherwise. */
function literalArgs(args: string): string[] | undefined {
  const trimmed = args.trim().replace(/,\s*$/, '');
  if (trimmed === '') return [];
  const names: string[] = [];
  for (const part of trimmed.split(',')) {
    const m = /^\s*(["'])([\w_]+)\1\s*$/.exec(part);
    if (!m) return undefined;
    names.push(m[2]);
  }
  return names;
}
