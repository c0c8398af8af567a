// The eager-loading fix for an Objection N+1: the relations of the query's model that the repeated
// queries load (found from each query's table and filter columns against the `join` of each
// relation mapping), added to the query as `.withGraphFetched('tasks')` right after `.query()`, or
// merged into the graph expression already there. Where the per-row `$relatedQuery('tasks')` of
// the same file orders its rows (`.orderBy('id')` and nothing else), that order goes along as a
// modifier, so the loaded rows come in the same order; the loops over the query's rows then read
// the loaded relation instead of querying it per row, where that is certain (rowReads).

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { descendants, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { Edit, callArguments, callAt, jsLanguageOf, methodCall, preferredQuote, quoted, stringValue, unwrap } from '../js/syntax';
import { RowLoop, guardedByRead, inLoopOverOtherRows, rowLoops, within } from '../js/rowLoops';
import { RowRead, RowReads, loadFix, removeEmptiedLoops, removeRowStatement } from '../js/loadFix';
import { camelCase, columnOf, filtersOn, lowerFirst, sameName, upperFirst } from '../js/names';
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
    if (unexplained.length > 0) {
      const tables = unexplained.map((r) => r.table ?? 'query').join(', ');
      return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${wanted} to the query at ${at}; the repeated queries on ${tables} match no relation of ${model.name} and need loading by hand` };
    }
    const existing = links.find((l) => l.method !== undefined && GRAPH_METHODS.has(l.method));
    let edit: Edit;
    let added: string;
    let modifier: Modifier | undefined;
    if (existing) {
      const arg = existing.args[0];
      const expression = stringValue(arg);
      if (!arg || expression === undefined) return { title: `Load eagerly (hint): ${wanted}`, hint: `add ${names.join(', ')} to the graph of ${existing.method} at ${at}; its expression is not a string written here: merge it by hand` };
      const inside = /^\s*\[(.*)\]\s*$/s.exec(expression);
      const present = (inside ? inside[1] : expression).split(',').map((s) => s.trim().replace(/\(.*$/s, ''));
      const missing = names.filter((n) => !present.includes(n));
      if (missing.length === 0) return { title: `Load eagerly (hint): ${wanted}`, hint: `${names.join(', ')} is in the graph of ${existing.method} at ${at} already; check where the rows are read` };
      const merged = inside ? `[${inside[1]}, ${missing.join(', ')}]` : `[${expression}, ${missing.join(', ')}]`;
      edit = { start: arg.startIndex, end: arg.endIndex, text: quoted(merged, quote) };
      added = `${missing.join(', ')} in ${existing.method}`;
    } else {
      modifier = names.length === 1 ? orderModifier(root, text, names[0]) : undefined;
      const call = modifier ? `.withGraphFetched(${quoted(`${names[0]}(${modifier.name})`, quote)}).modifiers({ ${modifier.name}: ${modifier.fn} })` : wanted;
      edit = { start: start.call.endIndex, end: start.call.endIndex, text: call };
      added = call;
    }
    const reads = rowReads(root, text, top, model, loaded, modifier, quote);
    return loadFix(text, top, [edit], reads, { path: location.path, at, added, perRow: true });
  });
}

/**
 * The per-row `$relatedQuery('tasks')` of the loaded relations, each rewritten to read the loaded
 * relation where that is certain: on the row of a loop over the query's rows (in the same
 * function), awaited, its chain nothing more than the order that went into the graph as a
 * modifier. `project.tasks = await project.$relatedQuery('tasks')…` goes with its line (the loaded
 * relation is there already), and a loop left empty with it; elsewhere the awaited query becomes
 * `project.tasks`. Any other remains (a chain that filters, a row handed elsewhere), and so does a
 * relation whose query is found nowhere in this file.
 */
function rowReads(root: Node, text: string, query: Node, model: ObjectionModel, loaded: ObjectionRelation[], modifier: Modifier | undefined, quote: "'" | '"'): RowReads {
  const loops = rowLoops(query);
  const edits: Edit[] = [];
  const rewritten: RowRead[] = [];
  const remaining: RowRead[] = [];
  const emptied = new Map<number, { loop: RowLoop; removed: number }>();
  const someRow = lowerFirst(model.name);
  for (const relation of loaded) {
    const name = relation.name;
    const said = `$relatedQuery(${quoted(name, quote)})`;
    let seen = 0;
    for (const node of descendants(root)) {
      const call = node.type === 'call_expression' ? methodCall(node) : undefined;
      if (call?.method !== '$relatedQuery' || stringValue(callArguments(node)[0]) !== name || callArguments(node).length !== 1) continue;
      if (inLoopOverOtherRows(node, query)) continue;
      seen++;
      const object = unwrap(call.object);
      const row = object.type === 'identifier' ? object.text : undefined;
      if (row !== undefined && guardedByRead(chainTop(node), row, name)) continue;
      const read: RowRead = { read: `${row ?? someRow}.${name}`, call: said, line: lineOf(node.startPosition) };
      const top = chainTop(node);
      const loop = row !== undefined ? loops.find((l) => l.row === row && within(node, l.body)) : undefined;
      const awaited = top.parent?.type === 'await_expression' ? top.parent : undefined;
      // Only the order the modifier carries may follow: anything else the loaded rows would lose.
      const more = top.id !== node.id && !(modifier && modifier.call.id === node.id);
      if (!loop || !awaited || more) {
        remaining.push(read);
        continue;
      }
      rewritten.push(read);
      const assignment = awaited.parent;
      const statement = assignment?.parent;
      if (assignment?.type === 'assignment_expression' && statement?.type === 'expression_statement' && unwrap(assignment.childForFieldName('left')!).text === `${row}.${name}`) {
        edits.push(removeRowStatement(text, statement, loop, emptied));
      } else edits.push({ start: awaited.startIndex, end: awaited.endIndex, text: `${row}.${name}` });
    }
    if (seen === 0) remaining.push({ read: `${someRow}.${name}`, call: said, line: 0 });
  }
  removeEmptiedLoops(text, edits, emptied);
  return { edits, rewritten, remaining };
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
interface Modifier {
  name: string;
  fn: string;
  /** The `$relatedQuery` whose order it is. */
  call: Node;
}

function orderModifier(root: Node, text: string, name: string): Modifier | undefined {
  const calls = [...descendants(root)].filter((n) => methodCall(n)?.method === '$relatedQuery' && stringValue(n.childForFieldName('arguments')?.namedChildren[0]) === name);
  if (calls.length !== 1) return undefined;
  const top = chainTop(calls[0]);
  const { links } = chainLinks(top);
  const after = links.slice(links.findIndex((l) => l.call.id === calls[0].id) + 1);
  if (after.length === 0 || after.some((l) => l.method !== 'orderBy')) return undefined;
  const column = stringValue(after[0].args[0]);
  if (column === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) return undefined;
  const modifier = `by${upperFirst(camelCase(column))}`;
  return { name: modifier, fn: `(q) => q${text.slice(calls[0].endIndex, top.endIndex)}`, call: calls[0] };
}
