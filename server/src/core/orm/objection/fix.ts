// The eager-loading fix for an Objection N+1: the relations of the query's model that the repeated
// queries load (found from each query's table and filter columns against the `join` of each
// relation mapping), added to the query as `.withGraphFetched('tasks')` right after `.query()`, or
// merged into the graph expression already there. Where the per-row `$relatedQuery('tasks')` of
// the same file orders its rows (`.orderBy('id')` and nothing else), that order goes along as a
// modifier, so the loaded rows come in the same order.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { callAt, jsLanguageOf, methodCall, preferredQuote, quoted, stringValue } from '../js/syntax';
import { camelCase, columnOf, filtersOn, lowerFirst, sameName } from '../js/names';
import { chainLinks, chainTop } from '../js/chain';
import { ObjectionModel, ObjectionRelation, objectionModels } from './models';

const GRAPH_METHODS = new Set(['withGraphFetched', 'withGraphJoined']);

export function objectionFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const model = objectionModels(index).find((m) => m.name === query.model);
  const text = index.text(location.path);
  const language = jsLanguageOf(location.path);
  if (!model || text === undefined || !language || !index.parsers) return undefined;
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(model, entry));
  if (loaded.length === 0) return undefined;
  return withTree(index.parsers, language, text, (root) => {
    const top = callAt(root, location);
    if (!top) return undefined;
    const { links } = chainLinks(top);
    const start = links.find((l) => l.method === 'query');
    if (!start) return undefined;
    const quote = preferredQuote(root);
    const names = loaded.map((r) => r.name);
    const graph = names.length === 1 ? names[0] : `[${names.join(', ')}]`;
    const wanted = `.withGraphFetched(${quoted(graph, quote)})`;
    const at = `${location.path}:${location.line}:${location.column}`;
    const row = lowerFirst(model.name);
    const after = `then read ${names.map((n) => `${row}.${n}`).join(', ')} instead of calling ${names.map((n) => `$relatedQuery(${quoted(n, quote)})`).join(', ')} per row`;
    if (unexplained.length > 0) {
      const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
      return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no relation of ${model.name} and need loading by hand` };
    }
    const existing = links.find((l) => l.method !== undefined && GRAPH_METHODS.has(l.method));
    let edited: string;
    let added: string;
    if (existing) {
      const arg = existing.args[0];
      const expression = stringValue(arg);
      if (!arg || expression === undefined) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${names.join(', ')} to the graph of ${existing.method} at ${at}; its expression is not a string written here: merge it by hand` };
      const inside = /^\s*\[(.*)\]\s*$/s.exec(expression);
      const present = (inside ? inside[1] : expression).split(',').map((s) => s.trim().replace(/\(.*$/s, ''));
      const missing = names.filter((n) => !present.includes(n));
      if (missing.length === 0) return { title: `Load eagerly (hint): ${wanted}`, hint: `${names.join(', ')} is in the graph of ${existing.method} at ${at} already; check where the rows are read` };
      const merged = inside ? `[${inside[1]}, ${missing.join(', ')}]` : `[${expression}, ${missing.join(', ')}]`;
      edited = text.slice(top.startIndex, arg.startIndex) + quoted(merged, quote) + text.slice(arg.endIndex, top.endIndex);
      added = `${missing.join(', ')} in ${existing.method}`;
    } else {
      const modifier = names.length === 1 ? orderModifier(root, text, names[0]) : undefined;
      const call = modifier ? `.withGraphFetched(${quoted(`${names[0]}(${modifier.name})`, quote)}).modifiers({ ${modifier.name}: ${modifier.fn} })` : wanted;
      edited = text.slice(top.startIndex, start.call.endIndex) + call + text.slice(start.call.endIndex, top.endIndex);
      added = call;
    }
    return { title: `Load eagerly: ${added}`, edit: { path: location.path, range: location, newText: edited }, hint: `add ${added} to the query at ${at}, ${after}` };
  });
}

/** The relation of `model` a repeated query loads: its far table, filtered by the far join column (or joined through the join table). */
function explain(model: ObjectionModel, entry: RelatedEntry): ObjectionRelation | undefined {
  const facts = sqlFacts(entry.sql);
  const table = facts.tables[0];
  if (!table) return undefined;
  const matches = model.relations.filter((r) => {
    const far = [...r.from, ...r.to].filter((c) => !sameName(tableOf(c), model.table));
    if (!far.some((c) => sameName(tableOf(c), table))) return false;
    if (r.through) return facts.tables.slice(1).some((t) => sameName(t, r.through!));
    return far.some((c) => sameName(tableOf(c), table) && filtersOn(facts.filterColumns, table, columnOf(c)));
  });
  return matches.length === 1 ? matches[0] : undefined;
}

function tableOf(column: string): string {
  const dot = column.lastIndexOf('.');
  return dot < 0 ? '' : column.slice(0, dot);
}

/**
 * The order of the per-row `$relatedQuery(name)` of the file as a modifier: `byId` and
 * `(q) => q.orderBy('id')`, when there is exactly one such call and its chain only orders.
 */
function orderModifier(root: Node, text: string, name: string): { name: string; fn: string } | undefined {
  const calls = [...descendants(root)].filter((n) => methodCall(n)?.method === '$relatedQuery' && stringValue(n.childForFieldName('arguments')?.namedChildren[0]) === name);
  if (calls.length !== 1) return undefined;
  const top = chainTop(calls[0]);
  const { links } = chainLinks(top);
  const after = links.slice(links.findIndex((l) => l.call.id === calls[0].id) + 1);
  if (after.length === 0 || after.some((l) => l.method !== 'orderBy')) return undefined;
  const column = stringValue(after[0].args[0]);
  if (column === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) return undefined;
  const modifier = `by${upperFirst(camelCase(column))}`;
  return { name: modifier, fn: `(q) => q${text.slice(calls[0].endIndex, top.endIndex)}` };
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
