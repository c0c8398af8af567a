// Knex has no models: a table is "known" when the workspace queries it through a Knex instance
// (`knex('tasks')…`, `db('users')`, `trx.from('x')`, `this.knex('y')`) in a workspace that requires
// knex. Each such chain is read once per file text, with what the batch hint needs: the instance
// as written, its single `where` column and the row property it is compared with
// (`.where({ project_id: p.id })` → project_id, p.id), and the links around it.

import type { Node } from 'web-tree-sitter';
import { descendants, lineOf, SourceParsers, SourceRange, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { JS_SUFFIXES, callArguments, jsLanguageOf, lastName, methodCall, objectEntries, rangeOfNode, stringValue, unwrap } from '../js/syntax';
import { scanWorkspace } from '../js/workspace';
import { ChainLink, chainLinks, chainTop } from '../js/chain';

/** The names a Knex instance goes by (`knex`, `db`, `trx`, `database`; `this.knex`, `app.db`). */
const INSTANCE_NAMES = new Set(['knex', 'db', 'trx', 'database']);
const WRITES = new Set(['insert', 'update', 'del', 'delete', 'truncate', 'upsert', 'increment', 'decrement']);

export interface KnexChain {
  table: string;
  path: string;
  line: number;
  /** The instance as written (`knex`, `this.db`). */
  instance: string;
  /** The whole chain. */
  range: SourceRange;
  /** `.where({ col: x.prop })` / `.where('col', x.prop)`: the one filter, when that is all it filters. */
  where?: { column: string; property: string };
  /** The links after the where, as written, `.first()` and `.limit(…)` left out; select's columns when they are strings. */
  after: Array<{ method: string; text: string; columns?: string[] }>;
  /** It ends with `.first()`: one row each. */
  first: boolean;
}

interface FileKnex {
  requiresKnex: boolean;
  chains: KnexChain[];
}

/** The Knex query chains of the workspace (none unless some file requires knex), read once per file text. */
export function knexChains(index: SourceIndex): KnexChain[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(
    index,
    'knex',
    JS_SUFFIXES,
    /\bknex\b|\b(?:db|trx|database)\s*[(.]/,
    (path, text) => readFile(parsers, path, text),
    (found) => (found.some((f) => f.value.requiresKnex) ? found.flatMap((f) => f.value.chains) : []),
  );
}

function readFile(parsers: SourceParsers, path: string, text: string): FileKnex | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  const requiresKnex = /require\(\s*['"]knex['"]\s*\)|from\s+['"]knex['"]/.test(text);
  const chains = withTree(parsers, language, text, (root) => {
    const found: KnexChain[] = [];
    for (const node of descendants(root)) {
      const start = chainStart(node);
      if (!start) continue;
      const top = chainTop(node);
      const { links } = chainLinks(top);
      const from = links.findIndex((l) => l.call.id === node.id);
      const rest = links.slice(from + 1);
      if (rest.some((l) => l.method !== undefined && WRITES.has(l.method))) continue;
      found.push({ table: start.table, path, line: lineOf(node.startPosition), instance: start.instance, range: rangeOfNode(top), ...whereOf(rest), after: afterWhere(rest), first: rest.some((l) => l.method === 'first') });
    }
    return found;
  });
  return requiresKnex || (chains && chains.length) ? { requiresKnex, chains: chains ?? [] } : undefined;
}

/** `knex('t')`, `db('t')`, `this.knex('t')`, `knex.from('t')`, `knex.table('t')`, `knex.select(…).from('t')`. */
export function chainStart(node: Node): { table: string; instance: string } | undefined {
  if (node.type !== 'call_expression') return undefined;
  const args = callArguments(node);
  const table = args.length === 1 ? stringValue(args[0]) : undefined;
  if (table === undefined || !/^[A-Za-z_][\w.]*$/.test(table)) return undefined;
  const callee = unwrap(node.childForFieldName('function')!);
  if (isInstance(callee)) return { table, instance: callee.text };
  const call = methodCall(node);
  if (call && (call.method === 'from' || call.method === 'table' || call.method === 'into')) {
    let object = unwrap(call.object);
    // knex.select('a').from('t'): the instance is at the chain's root.
    while (object.type === 'call_expression' && object.childForFieldName('function')?.type === 'member_expression') object = unwrap(object.childForFieldName('function')!.childForFieldName('object')!);
    if (isInstance(object)) return { table, instance: object.text };
  }
  return undefined;
}

function isInstance(node: Node): boolean {
  if (node.type === 'identifier') return INSTANCE_NAMES.has(node.text);
  if (node.type === 'member_expression') return INSTANCE_NAMES.has(lastName(node) ?? '');
  return false;
}

/** The one where of the chain, comparing a column with a row's property. */
function whereOf(links: ChainLink[]): { where?: { column: string; property: string } } {
  const wheres = links.filter((l) => l.method === 'where' || l.method === 'andWhere');
  if (wheres.length !== 1) return {};
  const args = wheres[0].args.map(unwrap);
  let column: string | undefined;
  let value: Node | undefined;
  if (args.length === 1 && args[0].type === 'object') {
    const entries = objectEntries(args[0]);
    if (entries.length !== 1) return {};
    column = entries[0].key;
    value = unwrap(entries[0].value);
  } else if (args.length === 2) {
    column = stringValue(args[0]);
    value = args[1];
  }
  if (column === undefined || value?.type !== 'member_expression') return {};
  const property = lastName(value);
  return property ? { where: { column: column.slice(column.lastIndexOf('.') + 1), property } } : {};
}

function afterWhere(links: ChainLink[]): KnexChain['after'] {
  const at = links.findIndex((l) => l.method === 'where' || l.method === 'andWhere');
  return links
    .slice(at + 1)
    .filter((l) => l.method !== undefined && l.method !== 'first' && l.method !== 'limit')
    .map((l) => {
      const columns = l.method === 'select' ? l.args.map((a) => stringValue(a)) : undefined;
      const text = `.${l.method}(${l.args.map((a) => a.text).join(', ')})`;
      return columns && columns.every((c): c is string => c !== undefined) ? { method: l.method!, text, columns } : { method: l.method!, text };
    });
}
