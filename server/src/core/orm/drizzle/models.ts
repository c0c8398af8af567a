// Drizzle's schema: tables declared with `sqliteTable('users', { id: integer('id').primaryKey(),
// userId: integer('user_id') })` (and pgTable, mysqlTable), named in code by the variable that holds
// them, and their `relations(messages, ({ one, many }) => ({ user: one(users, { fields:
// [messages.userId], references: [users.id] }), … }))`, which relational queries load with `with:`.

import type { Node } from 'web-tree-sitter';
import { descendants, isField, lineOf, SourceParsers, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { JS_SUFFIXES, callArguments, calleeName, jsLanguageOf, lastName, objectEntries, objectEntry, stringValue, unwrap } from '../js/syntax';
import { scanWorkspace } from '../js/workspace';

export interface DrizzleTable {
  /** The variable holding the table: what `from(…)`, `relations(…)` and `db.query.<name>` use. */
  name: string;
  table: string;
  /** Property → column name. */
  columns: Record<string, string>;
  /** The primary key's column. */
  primaryKey: string;
  relations: DrizzleRelation[];
  path: string;
  line: number;
}

export interface DrizzleRelation {
  /** The key in `relations(…)`: what `with: { user: true }` names. */
  name: string;
  kind: 'one' | 'many';
  /** The target table's variable. */
  target: string;
  /** `one(…, { references: [users.id] })`: the target's properties it is read by. */
  references: string[];
  /** `one(…, { fields: [messages.userId] })`: this table's properties that hold them. */
  fields: string[];
}

const TABLE_FUNCTIONS = new Set(['sqliteTable', 'pgTable', 'mysqlTable', 'singlestoreTable']);

/** The Drizzle tables of the workspace with their relations, read once per file text. */
export function drizzleTables(index: SourceIndex): DrizzleTable[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  return scanWorkspace(index, 'drizzle', JS_SUFFIXES, /(?:sqlite|pg|mysql|singlestore)Table\s*\(|\brelations\s*\(/, (path, text) => readSchema(parsers, path, text), combine);
}

interface FileSchema {
  tables: DrizzleTable[];
  relations: Array<{ source: string; relation: DrizzleRelation }>;
}

function readSchema(parsers: SourceParsers, path: string, text: string): FileSchema | undefined {
  const language = jsLanguageOf(path);
  if (!language) return undefined;
  return withTree(parsers, language, text, (root) => {
    const found: FileSchema = { tables: [], relations: [] };
    for (const node of descendants(root)) {
      if (node.type !== 'call_expression') continue;
      const callee = calleeName(node);
      if (callee && TABLE_FUNCTIONS.has(callee)) {
        const table = readTable(node, path);
        if (table) found.tables.push(table);
      } else if (callee === 'relations') {
        const args = callArguments(node);
        const source = lastName(args[0]);
        const fn = args[1] && unwrap(args[1]);
        let body = fn?.type === 'arrow_function' ? fn.childForFieldName('body') : undefined;
        if (body) body = unwrap(body);
        if (!source || body?.type !== 'object') continue;
        for (const entry of objectEntries(body)) {
          const value = unwrap(entry.value);
          const kind = value.type === 'call_expression' ? calleeName(value) : undefined;
          if (kind !== 'one' && kind !== 'many') continue;
          const [targetNode, config] = callArguments(value);
          const target = lastName(targetNode);
          if (!target) continue;
          const options = config && unwrap(config);
          const list = (key: string) => {
            const value = options?.type === 'object' ? objectEntry(options, key)?.value : undefined;
            const array = value && unwrap(value);
            return array?.type === 'array' ? array.namedChildren.map((c) => lastName(c)).filter((s): s is string => s !== undefined) : [];
          };
          found.relations.push({ source, relation: { name: entry.key, kind, target, references: list('references'), fields: list('fields') } });
        }
      }
    }
    return found.tables.length + found.relations.length ? found : undefined;
  });
}

/** `const users = sqliteTable('users', { id: integer('id').primaryKey(), … })`. */
function readTable(node: Node, path: string): DrizzleTable | undefined {
  const [nameNode, columnsNode] = callArguments(node);
  const table = stringValue(nameNode);
  const declarator = node.parent;
  if (table === undefined || declarator?.type !== 'variable_declarator' || !isField(declarator, 'value', node)) return undefined;
  const name = declarator.childForFieldName('name');
  if (name?.type !== 'identifier') return undefined;
  const columns: Record<string, string> = {};
  let primaryKey = 'id';
  const object = columnsNode && unwrap(columnsNode);
  for (const entry of object?.type === 'object' ? objectEntries(object) : []) {
    // integer('user_id').notNull()…: the innermost call names the column; without a name, the key.
    let call = unwrap(entry.value);
    let isPrimary = false;
    while (call.type === 'call_expression' && call.childForFieldName('function')?.type === 'member_expression') {
      if (lastName(call.childForFieldName('function')) === 'primaryKey') isPrimary = true;
      call = unwrap(call.childForFieldName('function')!.childForFieldName('object')!);
    }
    const column = call.type === 'call_expression' ? stringValue(callArguments(call)[0]) ?? entry.key : entry.key;
    columns[entry.key] = column;
    if (isPrimary) primaryKey = column;
  }
  return { name: name.text, table, columns, primaryKey, relations: [], path, line: lineOf(node.startPosition) };
}

function combine(found: Array<{ path: string; value: FileSchema }>): DrizzleTable[] {
  const tables = found.flatMap((f) => f.value.tables);
  for (const { value } of found) {
    for (const { source, relation } of value.relations) {
      const table = tables.find((t) => t.name === source);
      if (table && !table.relations.some((r) => r.name === relation.name)) table.relations.push(relation);
    }
  }
  return tables;
}
