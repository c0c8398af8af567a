// What a query is and what it touches — statement kind, tables, columns filtered by a value, and
// whether it only reads the schema catalog — read from the token list in one pass with an explicit
// stack of parenthesis scopes (no recursion), so hostile input cannot blow the stack or run long.

import { PUNCT, QIDENT, SqlDialect, Tokens, VALUE, WORD, isPunct, isWord, isWordIn, releaseTokens, tokenize } from './tokenize';

export interface SqlFacts {
  /**
   * The statement's first keyword, ignoring case, comments and leading `(`. `WITH … SELECT` is a
   * select (the statement after the CTEs counts), and so is Django's server-side cursor
   * `DECLARE x CURSOR … FOR SELECT`. REPLACE INTO counts as insert. Everything else is 'other'.
   */
  readonly kind: 'select' | 'insert' | 'update' | 'delete' | 'other';
  /**
   * Tables named in FROM and JOIN clauses of the outermost statement, plus the target of INSERT INTO
   * and UPDATE; unquoted, without schema, deduplicated, in order of appearance. Subqueries and CTE
   * bodies are nested statements and do not contribute; a CTE's name used in FROM is listed as written.
   * Only the first statement of a `;`-separated batch is read.
   */
  readonly tables: readonly string[];
  /**
   * Columns compared (=, <>, <, LIKE, IN, BETWEEN, …) with a literal, placeholder, TRUE or FALSE in
   * the WHERE clause of the outermost statement, in either order (`col = ?`, `? = col`); unquoted,
   * "table.column" when qualified, where an alias declared in the outermost FROM/JOIN is replaced
   * by its table (`FROM pets p WHERE p.id = ?` gives "pets.id"). Deduplicated, in order.
   */
  readonly filterColumns: readonly string[];
  /**
   * True for PRAGMA, SHOW, DESCRIBE; for queries that read a catalog table at any depth:
   * sqlite_master and other sqlite_* tables, pg_* tables, anything in information_schema,
   * pg_catalog, performance_schema, mysql or sys, Oracle's user_/all_/dba_ views and DUAL; and
   * for queries that call a pg_* function (pg_advisory_lock, pg_get_expr, …).
   */
  readonly isCatalog: boolean;
}

export function sqlFacts(sql: string, dialect: SqlDialect = 'generic'): SqlFacts {
  if (typeof sql !== 'string') return { kind: 'other', tables: [], filterColumns: [], isCatalog: false };
  const t = tokenize(sql, dialect);
  const facts = readFacts(sql, t);
  releaseTokens();
  return facts;
}

// ---- helpers ----

const C_NONE = 0;
const C_FROM = 1;
const C_WHERE = 2;

const S_NORMAL = 0;
const S_TABLE = 1; // a table name comes next
const S_ALIAS = 2; // just read a table: an alias may come next
const S_AS = 3; // read AS after a table: the alias comes next

const T_STMT = 0; // a statement: top level or subquery
const T_GROUP = 1; // grouping parentheses that continue the enclosing clause
const T_CALL = 2; // a function's arguments, an IN list, a column list: not a clause

/** Words after which `(` groups rather than calls or lists. */
const GROUP_AFTER = ['WHERE', 'AND', 'OR', 'NOT', 'ON', 'FROM', 'JOIN', 'WHEN', 'HAVING', 'UNION', 'ALL', 'EXCEPT', 'INTERSECT', 'DISTINCT'];
/** Words that start a statement, so `(` before them opens a subquery. */
const STATEMENT_WORDS = ['SELECT', 'WITH', 'VALUES', 'INSERT', 'UPDATE', 'DELETE'];
/** Words that end the current clause. */
const CLAUSE_WORDS = ['SELECT', 'SET', 'ON', 'USING', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'INTERSECT', 'RETURNING', 'VALUES', 'WINDOW', 'FETCH', 'FOR', 'QUALIFY'];
/** Words that are never a table alias or a column name. */
const NOT_NAME = byLength([
  'WHERE', 'FROM', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'NATURAL', 'ON', 'USING',
  'GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'HAVING', 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS', 'WINDOW', 'FOR',
  'SET', 'VALUES', 'RETURNING', 'FETCH', 'LATERAL', 'STRAIGHT_JOIN', 'USE', 'FORCE', 'IGNORE', 'WITH',
  'TABLESAMPLE', 'SELECT', 'INTO', 'AND', 'OR', 'NOT', 'NULL', 'TRUE', 'FALSE', 'IS', 'IN', 'LIKE', 'ILIKE',
  'GLOB', 'REGEXP', 'RLIKE', 'BETWEEN', 'EXISTS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'ANY', 'ALL',
  'SOME', 'ARRAY', 'INTERVAL', 'CAST', 'AS', 'DISTINCT', 'ESCAPE', 'COLLATE', 'INDEXED', 'PARTITION',
  'LOCK', 'QUALIFY', 'DO', 'DEFAULT', 'SIMILAR', 'OVERLAPS', 'UNIQUE', 'CURRENT_DATE', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP',
]);
/** Words after which `(SELECT …)` is a branch of the outermost statement, not a subquery. */
const COMPOUND_WORDS = ['UNION', 'ALL', 'EXCEPT', 'INTERSECT', 'DISTINCT', 'MINUS'];
const CATALOG_STATEMENTS = ['PRAGMA', 'SHOW', 'DESCRIBE', 'DESC'];
/** Words that start the statement a WITH list leads to. */
const MAIN_WORDS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE'];
const QUANTIFIERS = ['ANY', 'SOME', 'ALL'];
const MATCH_WORDS = ['LIKE', 'ILIKE', 'GLOB', 'REGEXP', 'RLIKE', 'IN', 'BETWEEN'];
const CATALOG_SCHEMAS = ['information_schema', 'pg_catalog', 'performance_schema', 'mysql', 'sys'];
const CATALOG_TABLES = [
  'dual', 'sysobjects', 'syscolumns', 'sysindexes', 'systables', 'all_tables', 'all_tab_columns',
  'all_objects', 'all_constraints', 'all_indexes', 'user_tables', 'user_tab_columns', 'user_objects',
  'user_constraints', 'user_indexes', 'user_sequences', 'dba_tables', 'dba_objects',
];

function readFacts(sql: string, t: Tokens): SqlFacts {
  let n = t.count;
  let first = 0;
  while (first < n && isPunct(sql, t, first, 59)) first++;
  for (let i = first, depth = 0; i < n; i++) {
    if (t.kind[i] !== PUNCT) continue;
    const c = sql.charCodeAt(t.start[i]);
    if (c === 40) depth++;
    else if (c === 41 && depth > 0) depth--;
    else if (c === 59 && depth === 0) {
      n = i;
      break;
    }
  }
  while (first < n && isPunct(sql, t, first, 40)) first++;
  const main = mainKeyword(sql, t, first, n);
  const kind = kindOf(sql, t, main);
  let isCatalog = isWordIn(sql, t, first, CATALOG_STATEMENTS);

  const tables: string[] = [];
  const filterColumns: string[] = [];
  let tableSet: Set<string> | null = null;
  let columnSet: Set<string> | null = null;
  let aliases: Map<string, string> | null = null;
  let lastTable = '';
  let intoTarget = false; // the expected table is INSERT's or UPDATE's: `(` after it lists columns

  const stack: number[] = [];
  let clause = C_NONE;
  let state = S_NORMAL;
  let outer = 1;
  let type = T_STMT;

  for (let i = first; i < n; i++) {
    const k = t.kind[i];
    if (k === PUNCT) {
      const c = t.end[i] - t.start[i] === 1 ? sql.charCodeAt(t.start[i]) : -1;
      if (c === 40 /* ( */) {
        const sub = isWordIn(sql, t, i + 1, STATEMENT_WORDS);
        const derived = state === S_TABLE;
        const grouping = derived || opensGroup(sql, t, i - 1, first);
        if (derived) lastTable = '';
        stack.push(clause, derived ? S_ALIAS : state === S_ALIAS || state === S_AS ? S_NORMAL : state, outer, type);
        if (sub) {
          // `(SELECT …) UNION (SELECT …)` at the top is still the outermost statement.
          if (!(outer === 1 && type === T_STMT && !derived && isWordIn(sql, t, i - 1, COMPOUND_WORDS))) outer = 0;
          clause = C_NONE;
          state = S_NORMAL;
          type = T_STMT;
        } else if (grouping) {
          state = derived ? S_TABLE : S_NORMAL;
          type = T_GROUP;
        } else {
          clause = C_NONE;
          state = S_NORMAL;
          type = T_CALL;
        }
      } else if (c === 41 /* ) */) {
        if (stack.length > 0) {
          type = stack.pop()!;
          outer = stack.pop()!;
          state = stack.pop()!;
          clause = stack.pop()!;
        }
      } else if (c === 44 /* , */ && clause === C_FROM && type !== T_CALL) {
        state = S_TABLE;
        intoTarget = false;
      } else {
        state = S_NORMAL;
      }
      continue;
    }
    if (k === VALUE) {
      state = S_NORMAL;
      if (clause === C_WHERE && outer === 1 && type !== T_CALL) {
        const j = comparisonOpEnd(sql, t, i + 1);
        if (j > i + 1) {
          const end = columnEnd(sql, t, j, n);
          if (end > j && !isPunct(sql, t, end, 40) && (t.kind[j] === QIDENT || !isNotName(sql, t, j))) columnSet = addUnique(filterColumns, columnSet, columnName(sql, t, j, end, aliases));
        }
      }
      continue;
    }
    // k is WORD or QIDENT.
    if (!isCatalog && isPunct(sql, t, i + 1, 46) && isCatalogSchema(sql, t, i)) isCatalog = true;
    if (!isCatalog && k === WORD && isPunct(sql, t, i + 1, 40) && isPgName(sql, t.start[i], t.end[i])) isCatalog = true;
    if (state === S_TABLE) {
      if (isWord(sql, t, i, 'ONLY') || isWord(sql, t, i, 'LATERAL')) continue;
      if (k === QIDENT || !isNotName(sql, t, i)) {
        const end = columnEnd(sql, t, i, n);
        const last = end - 1;
        if (isPunct(sql, t, end, 40) && !intoTarget) {
          lastTable = '';
        } else {
          const name = unquoted(sql, t, last);
          const schema = last > i ? unquoted(sql, t, last - 2) : '';
          if (isCatalogTable(schema, name)) isCatalog = true;
          if (outer === 1) {
            tableSet = addUnique(tables, tableSet, name);
            lastTable = name;
          }
        }
        state = S_ALIAS;
        i = last;
        continue;
      }
      state = S_NORMAL;
    } else if (state === S_ALIAS || state === S_AS) {
      if (state === S_ALIAS && isWord(sql, t, i, 'AS')) {
        state = S_AS;
        continue;
      }
      state = S_NORMAL;
      if (k === QIDENT || !isNotName(sql, t, i)) {
        if (outer === 1 && lastTable !== '') {
          if (aliases === null) aliases = new Map();
          aliases.set(unquoted(sql, t, i).toLowerCase(), lastTable);
        }
        continue;
      }
    }
    if (type === T_CALL) continue;
    if (k === WORD) {
      if (isWord(sql, t, i, 'FROM')) {
        if (!isWord(sql, t, i - 1, 'DISTINCT')) {
          clause = C_FROM;
          state = S_TABLE;
          intoTarget = false;
        }
        continue;
      }
      if (isWord(sql, t, i, 'JOIN') || isWord(sql, t, i, 'STRAIGHT_JOIN')) {
        clause = C_FROM;
        state = S_TABLE;
        intoTarget = false;
        continue;
      }
      if (isWord(sql, t, i, 'INTO') || (isWord(sql, t, i, 'UPDATE') && (i === first || t.kind[i - 1] !== WORD))) {
        clause = C_NONE;
        state = S_TABLE;
        intoTarget = true;
        continue;
      }
      if (isWord(sql, t, i, 'WHERE')) {
        clause = C_WHERE;
        continue;
      }
      if (isWordIn(sql, t, i, CLAUSE_WORDS)) {
        clause = C_NONE;
        continue;
      }
    }
    if (clause === C_WHERE && outer === 1 && (k === QIDENT || !isNotName(sql, t, i))) {
      const end = columnEnd(sql, t, i, n);
      if (!isPunct(sql, t, end, 40) && comparedWithValue(sql, t, end)) {
        columnSet = addUnique(filterColumns, columnSet, columnName(sql, t, i, end, aliases));
      }
      i = end - 1;
    }
  }
  // Copies sized to their contents: an array grown by push keeps room for 17 elements, and the
  // facts of every SQL call are kept while a trace is analysed (about 300 bytes per call).
  return { kind, tables: tables.slice(), filterColumns: filterColumns.slice(), isCatalog };
}

/** The token that decides the kind: after a WITH list, or after DECLARE … FOR. */
function mainKeyword(sql: string, t: Tokens, first: number, n: number): number {
  const isWith = isWord(sql, t, first, 'WITH');
  const isDeclare = !isWith && isWord(sql, t, first, 'DECLARE');
  if (!isWith && !isDeclare) return first;
  for (let i = first + 1, depth = 0; i < n; i++) {
    if (isPunct(sql, t, i, 40)) depth++;
    else if (isPunct(sql, t, i, 41)) depth--;
    else if (depth !== 0) continue;
    else if (isWith && isWordIn(sql, t, i, MAIN_WORDS)) return i;
    else if (isDeclare && isWord(sql, t, i, 'FOR')) {
      let j = i + 1;
      while (isPunct(sql, t, j, 40)) j++;
      return j;
    }
  }
  return -1;
}

function kindOf(sql: string, t: Tokens, i: number): SqlFacts['kind'] {
  if (i < 0 || i >= t.count || t.kind[i] !== WORD) return 'other';
  if (isWord(sql, t, i, 'SELECT')) return 'select';
  if (isWord(sql, t, i, 'INSERT') || isWord(sql, t, i, 'REPLACE')) return 'insert';
  if (isWord(sql, t, i, 'UPDATE')) return 'update';
  if (isWord(sql, t, i, 'DELETE')) return 'delete';
  return 'other';
}

/** Whether `(` after token p groups (continues the clause) rather than calls or lists. */
function opensGroup(sql: string, t: Tokens, p: number, first: number): boolean {
  if (p < first) return true;
  const k = t.kind[p];
  if (k === PUNCT) {
    const c = sql.charCodeAt(t.start[p]);
    return c !== 41 && c !== 93;
  }
  return k === WORD && isWordIn(sql, t, p, GROUP_AFTER);
}

/** Index after a dotted name chain starting at i (`a`, `"s"."t"`, `s.t.c`). */
function columnEnd(sql: string, t: Tokens, i: number, n: number): number {
  if (i >= n || (t.kind[i] !== WORD && t.kind[i] !== QIDENT)) return i;
  let j = i + 1;
  while (j + 1 < n && isPunct(sql, t, j, 46) && (t.kind[j + 1] === WORD || t.kind[j + 1] === QIDENT)) j += 2;
  return j;
}

/** "table.column" from the last two parts of the chain [i, end), with aliases resolved. */
function columnName(sql: string, t: Tokens, i: number, end: number, aliases: Map<string, string> | null): string {
  const column = unquoted(sql, t, end - 1);
  if (end - 1 === i) return column;
  const qualifier = unquoted(sql, t, end - 3);
  const table = aliases === null ? undefined : aliases.get(qualifier.toLowerCase());
  return `${table ?? qualifier}.${column}`;
}

/** After a column ending before token j: is it compared with a value? */
function comparedWithValue(sql: string, t: Tokens, j: number): boolean {
  const afterOp = comparisonOpEnd(sql, t, j);
  if (afterOp > j) return valueAt(sql, t, afterOp);
  if (isWord(sql, t, j, 'NOT')) j++;
  if (!isWordIn(sql, t, j, MATCH_WORDS)) return false;
  return valueAt(sql, t, j + 1);
}

/** Index after a run of comparison punctuation (=, <>, !=, <=, …) starting at j, or j if none. */
function comparisonOpEnd(sql: string, t: Tokens, j: number): number {
  let e = j;
  while (e < t.count && e - j < 3 && t.kind[e] === PUNCT) {
    const c = sql.charCodeAt(t.start[e]);
    if (c !== 61 && c !== 60 && c !== 62 && c !== 33) break;
    e++;
  }
  return e;
}

/** A literal, placeholder, TRUE/FALSE, `(value…`, or ANY/SOME/ALL (value or ARRAY[value…]. */
function valueAt(sql: string, t: Tokens, j: number): boolean {
  if (isWordIn(sql, t, j, QUANTIFIERS)) {
    j++;
    if (!isPunct(sql, t, j, 40)) return false;
  }
  if (isPunct(sql, t, j, 40)) j++;
  if (isWord(sql, t, j, 'ARRAY') && isPunct(sql, t, j + 1, 91)) j += 2;
  if (j >= t.count) return false;
  return t.kind[j] === VALUE || isWord(sql, t, j, 'TRUE') || isWord(sql, t, j, 'FALSE');
}

function isNotName(sql: string, t: Tokens, i: number): boolean {
  const len = t.end[i] - t.start[i];
  const words = len < NOT_NAME.length ? NOT_NAME[len] : undefined;
  return words !== undefined && words.length > 0 && isWordIn(sql, t, i, words);
}

/** Compares without allocating: this runs on every qualified name. */
function isCatalogSchema(sql: string, t: Tokens, i: number): boolean {
  let s = t.start[i];
  let e = t.end[i];
  if (t.kind[i] === QIDENT) {
    s++;
    e--;
  } else if (t.kind[i] !== WORD) {
    return false;
  }
  for (const schema of CATALOG_SCHEMAS) {
    if (schema.length !== e - s) continue;
    let k = 0;
    while (k < schema.length && lower(sql.charCodeAt(s + k)) === schema.charCodeAt(k)) k++;
    if (k === schema.length) return true;
  }
  return false;
}

function isCatalogTable(schema: string, name: string): boolean {
  if (schema !== '' && CATALOG_SCHEMAS.includes(schema.toLowerCase())) return true;
  const lower = name.toLowerCase();
  return lower.startsWith('sqlite_') || lower.startsWith('pg_') || CATALOG_TABLES.includes(lower);
}

/** pg_* system functions (pg_advisory_lock, pg_get_expr, …). */
function isPgName(sql: string, s: number, e: number): boolean {
  return e - s > 3 && lower(sql.charCodeAt(s)) === 112 && lower(sql.charCodeAt(s + 1)) === 103 && sql.charCodeAt(s + 2) === 95;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** The identifier's text without quotes; doubled quote characters inside become single. */
function unquoted(sql: string, t: Tokens, i: number): string {
  const s = t.start[i];
  const e = t.end[i];
  if (t.kind[i] !== QIDENT) return sql.slice(s, e);
  const open = sql.charCodeAt(s);
  const close = open === 91 ? 93 : open;
  const inner = e - s >= 2 && sql.charCodeAt(e - 1) === close ? sql.slice(s + 1, e - 1) : sql.slice(s + 1, e);
  const q = String.fromCharCode(close);
  return inner.includes(q + q) ? inner.split(q + q).join(q) : inner;
}

/** Appends if new; switches to a Set once the list is long enough for linear search to matter. */
function addUnique(list: string[], set: Set<string> | null, value: string): Set<string> | null {
  if (set !== null) {
    if (!set.has(value)) {
      set.add(value);
      list.push(value);
    }
    return set;
  }
  if (list.includes(value)) return null;
  list.push(value);
  return list.length > 32 ? new Set(list) : null;
}

function byLength(words: string[]): string[][] {
  const out: string[][] = [];
  for (const w of words) {
    while (out.length <= w.length) out.push([]);
    out[w.length].push(w);
  }
  return out;
}
