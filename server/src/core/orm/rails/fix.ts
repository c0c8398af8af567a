// The eager-loading fix for an ActiveRecord N+1: which associations the repeated queries load one
// row at a time, found from each query's tables and filter columns and the models' associations,
// appended to the relation as `.includes(…)` or merged into the chain's `.includes(…)`; a hint where
// that is not certain (no association, several, or a count that eager loading does not remove).

import type { Node, Point } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { SourceParsers, SourceRange, nodeAt, offsetInRange, onNewLineIfLeadingDots, sliceRange, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { RailsAssociation } from './declarations';
import { joinTableOf, RailsModel, railsModels, targetOf } from './models';
import { underscore } from './inflection';
import { methodName, pairKey, symbolName } from './syntax';

/** The edit appending `.includes(…)`, or a hint where an association or the edit is not certain. */
export function railsFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const text = index.text(location.path);
  const models = railsModels(index);
  const model = models.find((m) => m.name === query.model);
  if (text === undefined || !model || !index.parsers) return undefined;
  const load = associationsToLoad(model, related, models);
  if (load.symbols.length + load.pairs.length === 0 && load.unexplained.length === 0) return undefined;
  const at = `${location.path}:${location.line}:${location.column}`;
  const wanted = `.includes(${renderLoad(load.symbols, load.pairs)})`;
  if (load.symbols.length + load.pairs.length === 0) {
    return { title: 'How to load eagerly (hint)', hint: `the repeated queries ${describeUnexplained(load.unexplained, model)}; the query is at ${at}` };
  }
  const edited = load.unexplained.length === 0 ? includesEdit(index.parsers, text, location, load) : undefined;
  if (edited) return { title: `Load eagerly: ${edited.added}`, edit: { path: location.path, range: location, newText: edited.newText }, hint: `append ${edited.added} to the query at ${at}` };
  return {
    title: `Load eagerly (hint): ${wanted}`,
    hint: `add ${wanted} to the query at ${at}${load.unexplained.length ? `; the repeated queries ${describeUnexplained(load.unexplained, model)}` : '; merge it into the existing .includes(…) by hand'}`,
  };
}

export interface RailsLoad extends IncludesLoad {
  /** Repeated queries no single association of the model explains. */
  unexplained: Array<{ entry: RelatedEntry; reason: string }>;
}

/** The associations of `model` that the repeated queries load, in the order they first ran. */
export function associationsToLoad(model: RailsModel, related: RelatedEntry[], models: RailsModel[]): RailsLoad {
  const load: RailsLoad = { symbols: [], pairs: [], unexplained: [] };
  for (const entry of related) {
    const found = explain(model, entry.sql, models);
    if ('reason' in found) load.unexplained.push({ entry, reason: found.reason });
    else if (found.pair) {
      if (!load.pairs.some((p) => p.key === found.pair!.key)) load.pairs.push(found.pair);
    } else if (!load.symbols.includes(found.symbol)) load.symbols.push(found.symbol);
  }
  return load;
}

type Explained = { symbol: string; pair?: { key: string; value: string } } | { reason: string };

/** The association of `model` a repeated query loads, from its tables and filter columns. */
function explain(model: RailsModel, sql: string, models: RailsModel[]): Explained {
  // `.count`, `.exists?`, `.sum` query every time: loading the rows eagerly does not remove them.
  if (/^\s*SELECT\s+(COUNT|SUM|AVG|MIN|MAX)\s*\(|^\s*SELECT\s+1\s+AS\s+one\b/i.test(sql)) return { reason: 'aggregate' };
  const facts = sqlFacts(sql);
  const table = facts.tables[0];
  if (!table) return { reason: 'unknown' };
  const filters = new Set(facts.filterColumns);
  const filtered = (column: string) => filters.has(`${table}.${column}`) || filters.has(column);
  const found: Explained[] = [];
  for (const a of model.associations) {
    const target = targetOf(model, a, models);
    if (!target || target.table !== table) continue;
    if (a.through) {
      // JOIN the middle table, filtered by its key to this model (following / followers: one table, two keys).
      const through = model.associations.find((t) => t.name === a.through);
      const middle = through && targetOf(model, through, models);
      const key = through && through.kind !== 'belongs_to' ? keyToOwner(model, through) : undefined;
      if (middle && facts.tables.includes(middle.table) && (key === undefined || filters.has(`${middle.table}.${key}`))) found.push({ symbol: a.name });
    } else if (a.kind === 'has_and_belongs_to_many') {
      if (facts.tables.includes(a.joinTable ?? joinTableOf(model.table, target.table))) found.push({ symbol: a.name });
    } else if (a.kind === 'belongs_to') {
      if (filtered(a.primaryKey ?? 'id')) found.push({ symbol: a.name });
    } else if (filtered(keyToOwner(model, a))) {
      // `user.posts.where(published: true)` per row: a further condition on the association, which
      // the loaded rows do not serve (unless the association's or the target's scope says it).
      const others = new Set([keyToOwner(model, a), ...(a.as ? [`${a.as}_type`] : [])]);
      const further = a.kind === 'has_many' && !a.scoped && !hasDefaultScope(target) ? [...new Set(facts.filterColumns.filter((c) => !c.includes('.') || c.startsWith(`${table}.`)).map((c) => c.slice(c.lastIndexOf('.') + 1)))].filter((c) => !others.has(c)) : [];
      found.push(further.length ? { reason: `further: ${a.name} ${target.name} ${keyToOwner(model, a)} ${further.join(' ')}` } : { symbol: a.name });
    }
  }
  // Active Storage: the attachment rows of each record, then the blob of each attachment.
  if (table === 'active_storage_attachments' && filtered('record_id')) {
    const single = /\bLIMIT\b/i.test(sql);
    const kinds = model.attachments.filter((a) => a.kind === (single ? 'one' : 'many'));
    for (const a of kinds) found.push(attachmentLoad(a));
  } else if (table === 'active_storage_blobs' && filtered('id') && model.attachments.length === 1) {
    found.push(attachmentLoad(model.attachments[0]));
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) return { reason: 'none' };
  const names = found.map((f) => ('symbol' in f ? (f.pair ? `${f.pair.key}: ${f.pair.value}` : `:${f.symbol}`) : `:${f.reason.split(' ')[1]}`)).join(', ');
  return { reason: `ambiguous: ${names}` };
}

/** The column of a has_many/has_one's table that points back at the owner (`user_id`, `commentable_id`). */
function keyToOwner(owner: RailsModel, a: RailsAssociation): string {
  // Named after the class that declares the association: a single-table subclass inherits it as is.
  let declaring = owner;
  while (declaring.parent && !declaring.decl.associations.includes(a)) declaring = declaring.parent;
  return a.foreignKey ?? (a.as ? `${a.as}_id` : `${underscore(declaring.decl.name.split('::').pop() as string)}_id`);
}

function attachmentLoad(a: { kind: 'one' | 'many'; name: string }): Explained {
  return a.kind === 'one' ? { symbol: `${a.name}_attachment`, pair: { key: `${a.name}_attachment`, value: ':blob' } } : { symbol: `${a.name}_attachments`, pair: { key: `${a.name}_attachments`, value: ':blobs' } };
}

function describeUnexplained(unexplained: RailsLoad['unexplained'], model: RailsModel): string {
  const parts: string[] = [];
  const tables = (reason: (r: string) => boolean) => [...new Set(unexplained.filter((u) => reason(u.reason)).map((u) => u.entry.table ?? 'query'))].join(', ');
  const aggregate = tables((r) => r === 'aggregate');
  const none = tables((r) => r === 'none' || r === 'unknown');
  const ambiguous = unexplained.filter((u) => u.reason.startsWith('ambiguous: '));
  if (none) parts.push(`on ${none} match no association of ${model.name} and need loading by hand`);
  if (aggregate) parts.push(`on ${aggregate} count or test rows, which .includes does not remove (use .size on loaded rows, or a counter cache)`);
  for (const a of ambiguous) parts.push(`on ${a.entry.table ?? 'a table'} match several associations of ${model.name} (${a.reason.slice('ambiguous: '.length)}): include the one the loop reads`);
  for (const u of unexplained.filter((x) => x.reason.startsWith('further: '))) parts.push(furtherScope(u.entry.table ?? 'a table', u.reason, model));
  return parts.join('; ');
}

/**
 * What remains for `row.posts.where(published: …)` per row: .includes(:posts) loads every post,
 * and the .where on the association queries each time anyway. A scoped association loads the
 * filtered rows eagerly; one grouped query does the same without declaring one.
 */
function furtherScope(table: string, reason: string, model: RailsModel): string {
  const [, name, target, key, ...columns] = reason.split(' ');
  const row = underscore(model.name.split('::').pop() as string);
  const conditions = columns.map((c) => `${c}: …`).join(', ');
  const scoped = `${columns[0]}_${name}`;
  return (
    `on ${table} read :${name} with a further condition on ${columns.join(', ')} per row (${row}.${name}.where(…)), which .includes(:${name}) does not serve: the .where on the association queries each time; ` +
    `declare a scoped association, has_many :${scoped}, -> { where(${conditions}) }, class_name: "${target}", read ${row}.${scoped} in the loop and add .includes(:${scoped}), ` +
    `or load them in one grouped query, ${target}.where(${key}: <the rows' ids>, ${conditions}).group_by(&:${key})`
  );
}

/** True when the model or a model it inherits from declares a default_scope. */
function hasDefaultScope(model: RailsModel): boolean {
  for (let m: RailsModel | undefined = model; m; m = m.parent) if (m.decl.defaultScope) return true;
  return false;
}

/** What to add to `.includes(…)`: association symbols, and `key: value` entries (Active Storage). */
export interface IncludesLoad {
  symbols: string[];
  pairs: Array<{ key: string; value: string }>;
}

export interface IncludesEdit {
  /** The new text of the whole relation expression. */
  newText: string;
  /** What was added, for titles and hints: `.includes(:user)` or `:user in .includes()`. */
  added: string;
}

/**
 * The relation expression at `range` with the associations loaded eagerly: merged into the chain's
 * last `.includes(…)` whose arguments are plain symbols and `key: value` pairs (symbols after the
 * last symbol, pairs at the end: Ruby wants positional arguments first), or appended as a new
 * `.includes(…)`. Undefined when no expression is at `range` or the existing call cannot be merged
 * into safely (an array, a splat, a variable).
 */
export function includesEdit(parsers: SourceParsers, text: string, range: SourceRange, load: IncludesLoad): IncludesEdit | undefined {
  return withTree(parsers, 'ruby', text, (root) => {
    const node = nodeAt(root, range);
    if (!node) return undefined;
    const expression = sliceRange(text, range);
    const includes = chainCalls(node).find((c) => methodName(c) === 'includes');
    if (!includes) {
      const added = `.includes(${renderLoad(load.symbols, load.pairs)})`;
      return { newText: expression + onNewLineIfLeadingDots(expression) + added, added };
    }
    const args = includes.childForFieldName('arguments');
    const items = args ? args.namedChildren.filter((a) => a.type !== 'comment') : [];
    const existingSymbols = new Set<string>();
    const existingKeys = new Set<string>();
    for (const item of items) {
      const symbol = symbolName(item);
      if (symbol !== undefined) existingSymbols.add(symbol);
      else if (item.type === 'pair' && pairKey(item) !== undefined) existingKeys.add(pairKey(item) as string);
      else return undefined;
    }
    const symbols = load.symbols.filter((s) => !existingSymbols.has(s));
    const pairs = load.pairs.filter((p) => !existingKeys.has(p.key));
    if (symbols.length === 0 && pairs.length === 0) return undefined;
    const edits: Array<{ at: number; text: string }> = [];
    const offset = (p: Point) => offsetInRange(expression, range, p);
    const lastSymbol = [...items].reverse().find((i) => symbolName(i) !== undefined);
    const lastItem = items[items.length - 1];
    if (symbols.length > 0) {
      const list = symbols.map((s) => `:${s}`).join(', ');
      if (lastSymbol) edits.push({ at: offset(lastSymbol.endPosition), text: `, ${list}` });
      else if (items.length > 0) edits.push({ at: offset(items[0].startPosition), text: `${list}, ` });
      else edits.push(emptyArgsInsert(includes, expression, range, list));
    }
    if (pairs.length > 0) {
      const list = pairs.map((p) => `${p.key}: ${p.value}`).join(', ');
      if (lastItem) edits.push({ at: offset(lastItem.endPosition), text: `, ${list}` });
      else if (symbols.length === 0) edits.push(emptyArgsInsert(includes, expression, range, list));
      else edits[edits.length - 1].text += `, ${list}`;
    }
    let newText = expression;
    for (const e of edits.sort((a, b) => b.at - a.at)) newText = newText.slice(0, e.at) + e.text + newText.slice(e.at);
    return { newText, added: `${renderLoad(symbols, pairs)} in .includes()` };
  });
}

export function renderLoad(symbols: string[], pairs: Array<{ key: string; value: string }>): string {
  return [...symbols.map((s) => `:${s}`), ...pairs.map((p) => `${p.key}: ${p.value}`)].join(', ');
}

/** The calls of a chain, outermost first. */
function chainCalls(node: Node): Node[] {
  const calls: Node[] = [];
  for (let n: Node | null = node; n && n.type === 'call'; n = n.childForFieldName('receiver')) calls.push(n);
  return calls;
}

/** `(` … `)` of a call with no arguments: `includes()`. */
function emptyArgsInsert(call: Node, expression: string, range: SourceRange, text: string): { at: number; text: string } {
  const args = call.childForFieldName('arguments');
  if (args) return { at: offsetInRange(expression, range, args.endPosition) - 1, text };
  return { at: offsetInRange(expression, range, call.endPosition), text: `(${text})` };
}
