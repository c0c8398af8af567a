// SQL query shapes: normalizeSql turns a recorded query into the text that is the same for every
// run of the same statement (literals and placeholders become `?`), so queries can be grouped
// for N+1 detection; sqlFacts (facts.ts) says what kind of statement it is and what it touches.
//
// Why our own tokenizer: we ran the npm parsers over the 3,075 queries of the shared corpus (Node 20).
// node-sql-parser 5.4: ~620 µs/query, throws on 1,374 (Rails' `LIMIT ?`, PRAGMA, SAVEPOINT, Django's
// DECLARE … CURSOR) and overflows the stack on 2,000 nested parentheses; @appland/sql-parser 1.5 (AppMap's
// own): ~3,200 µs/query, throws on 449; sql-parser-cst 0.42: ~660 µs/query, throws on 1,800;
// pgsql-ast-parser 12 (Postgres only): ~1,300 µs/query, throws on 2,242. Shapes and facts need
// tokens, not a parse tree: this module takes ~2 µs (normalizeSql) and ~2.5 µs (sqlFacts) per
// query on the same corpus and never throws.

import { PUNCT, QIDENT, SqlDialect, Tokens, VALUE, WORD, isPunct, isWord, releaseTokens, tokenize } from './tokenize';

export type { SqlDialect } from './tokenize';
export type { SqlFacts } from './facts';
export { sqlFacts } from './facts';

/**
 * AppMap's `sql_query.database_type` to a dialect. Agents write it in many spellings ("sqlite3",
 * "postgresql", "MySQL", "HSQL Database Engine"), so matching is by substring, ignoring case.
 */
export function dialectOf(databaseType: string | undefined): SqlDialect {
  if (!databaseType) return 'generic';
  const t = databaseType.toLowerCase();
  if (t.includes('postgres') || t === 'pg' || t.includes('redshift') || t.includes('cockroach')) return 'postgres';
  if (t.includes('sqlite')) return 'sqlite';
  if (t.includes('mysql') || t.includes('mariadb')) return 'mysql';
  return 'generic';
}

/**
 * The query's shape. Literals and placeholders become `?`; a parenthesised list of only `?`s after
 * IN or VALUES becomes `(?)`, and repeated identical VALUES rows collapse to one; comments are
 * dropped. Identifiers and keywords are kept exactly as written, except the names of cursors and
 * savepoints (DECLARE x, SAVEPOINT x, RELEASE x, ROLLBACK TO x), which drivers generate per call and
 * so are really values: they become `?`.
 *
 * Canonical spacing: tokens are printed as written, with one space wherever the input had
 * whitespace or a comment between them, except never a space after `(`, before `)`, before `,` or
 * before `;`, and always exactly one space after `,` and `;`. So `IN (1,2)` and `IN ( 1 , 2 )` both
 * give `IN (?)`, and `(a,b)` gives `(a, b)`. Trailing semicolons are dropped.
 */
export function normalizeSql(sql: string, dialect: SqlDialect = 'generic'): string {
  if (typeof sql !== 'string') return '';
  const t = tokenize(sql, dialect);
  const out = shape(sql, t);
  releaseTokens();
  frames.length = 0;
  return out;
}

// ---- helpers ----

/** After these, a parenthesised list of `?`s is collapsed. */
const CTX_NONE = 0;
const CTX_IN = 1;
const CTX_ROW = 2;

/** Frame stack layout, 6 numbers per open parenthesis. */
const F_BODY = 0; // parts index just after '('
const F_OPEN = 1; // parts index of '('
const F_COMMA = 2; // parts index of the ',' before this VALUES row, or -1
const F_CTX = 3;
const F_ONLY = 4; // 1 while the body holds only `?` and `,`
const F_VALUES = 5; // number of `?` in the body
const FRAME = 6;

const frames: number[] = [];

function shape(sql: string, t: Tokens): string {
  const n = t.count;
  const parts: string[] = [];
  frames.length = 0;
  let emitted = false;
  let lastOpen = false; // the last thing printed is '('
  let forceSpace = false; // the last thing printed is ',' or ';'
  let renameAt = -1;
  // Tokens printed as they stand in the input, with the input's spacing, are copied as one slice:
  // most of a query is one run, so the output is a handful of parts, not one per token.
  let runStart = -1;
  let runEnd = -1;
  // VALUES list state at depth valuesDepth: 0 none, 1 after VALUES, 2 after a row, 3 after a row and ','
  let valuesState = 0;
  let valuesDepth = -1;
  let lastRow = '';
  let commaIdx = -1;
  for (let i = 0; i < n; i++) {
    const kind = t.kind[i];
    const s = t.start[i];
    const e = t.end[i];
    const single = kind === PUNCT && e - s === 1 ? sql.charCodeAt(s) : -1;
    if (i === 0 || isPunct(sql, t, i - 1, 59 /* ; */)) renameAt = generatedNameAt(sql, t, i);
    const depth = frames.length / FRAME;
    const top = frames.length - FRAME;
    if (valuesState !== 0 && depth === valuesDepth) {
      const ok = (single === 40 && (valuesState === 1 || valuesState === 3)) || (single === 44 && valuesState === 2);
      if (!ok) valuesState = 0;
    }
    const space = emitted && !lastOpen && single !== 44 && single !== 41 && single !== 59 && (forceSpace || t.spaced[i] === 1);
    emitted = true;
    // A part of its own (not part of a run) when later steps must find or replace it.
    let own: string | null = null;
    if (single === 40 /* ( */) {
      if (depth > 0) frames[top + F_ONLY] = 0;
      let ctx = CTX_NONE;
      if (valuesState !== 0 && depth === valuesDepth) ctx = CTX_ROW;
      else if (isWord(sql, t, i - 1, 'IN')) ctx = CTX_IN;
      if (ctx === CTX_NONE) {
        frames.push(-1, -1, -1, CTX_NONE, 0, 0);
      } else {
        if (runStart >= 0) parts.push(sql.slice(runStart, runEnd));
        runStart = -1;
        if (space) parts.push(' ');
        frames.push(parts.length + 1, parts.length, ctx === CTX_ROW && valuesState === 3 ? commaIdx : -1, ctx, 1, 0);
        parts.push('(');
        lastOpen = true;
        forceSpace = false;
        continue;
      }
    } else if (single === 41 /* ) */ && depth > 0) {
      const ctx = frames[top + F_CTX];
      if (ctx !== CTX_NONE) {
        if (runStart >= 0) parts.push(sql.slice(runStart, runEnd));
        runStart = -1;
        if (frames[top + F_ONLY] === 1 && frames[top + F_VALUES] > 0) {
          parts.length = frames[top + F_BODY];
          parts.push('?');
        }
        parts.push(')');
        if (ctx === CTX_ROW) {
          const open = frames[top + F_OPEN];
          const comma = frames[top + F_COMMA];
          const row = rowText(parts, open);
          if (comma >= 0 && comma < open && row === lastRow) parts.length = comma;
          else lastRow = row;
          valuesState = 2;
        }
        frames.length = top;
        lastOpen = false;
        forceSpace = false;
        continue;
      }
      frames.length = top;
    } else {
      if (depth > 0) {
        if (kind === VALUE) frames[top + F_VALUES]++;
        else if (single !== 44) frames[top + F_ONLY] = 0;
      }
      if (kind === VALUE || i === renameAt) {
        own = '?';
      } else if (single === 44 && valuesState === 2 && depth === valuesDepth) {
        valuesState = 3;
        own = ',';
      } else if (kind === WORD && isWord(sql, t, i, 'VALUES')) {
        valuesState = 1;
        valuesDepth = depth;
      }
    }
    lastOpen = single === 40;
    forceSpace = single === 44 || single === 59;
    if (own !== null) {
      if (runStart >= 0) parts.push(sql.slice(runStart, runEnd));
      runStart = -1;
      if (space) parts.push(' ');
      if (own === ',') commaIdx = parts.length;
      parts.push(own);
    } else if (runStart >= 0 && (space ? s - runEnd === 1 && sql.charCodeAt(runEnd) === 32 : s === runEnd)) {
      runEnd = e;
    } else {
      if (runStart >= 0) parts.push(sql.slice(runStart, runEnd));
      if (space) parts.push(' ');
      runStart = s;
      runEnd = e;
    }
  }
  if (runStart >= 0) parts.push(sql.slice(runStart, runEnd));
  const out = parts.length === 1 ? parts[0] : parts.join('');
  return trimSemicolons(out);
}

/** Drops trailing `;` (and the spaces between them): a statement means the same without. */
function trimSemicolons(out: string): string {
  let end = out.length;
  while (end > 0 && out.charCodeAt(end - 1) === 59) {
    end--;
    if (end > 0 && out.charCodeAt(end - 1) === 32) end--;
  }
  return end === out.length ? out : out.slice(0, end);
}

/** A row's text from its '(' on, without the space printed before it, for comparing rows. */
function rowText(parts: string[], open: number): string {
  let s = '';
  for (let k = open; k < parts.length; k++) s += parts[k];
  return s.charCodeAt(0) === 32 ? s.slice(1) : s;
}

/** Index of the cursor or savepoint name in a statement starting at token i, or -1. */
function generatedNameAt(sql: string, t: Tokens, i: number): number {
  let j = -1;
  if (isWord(sql, t, i, 'DECLARE') || isWord(sql, t, i, 'SAVEPOINT')) {
    j = i + 1;
  } else if (isWord(sql, t, i, 'RELEASE')) {
    j = isWord(sql, t, i + 1, 'SAVEPOINT') ? i + 2 : i + 1;
  } else if (isWord(sql, t, i, 'ROLLBACK')) {
    j = i + 1;
    if (isWord(sql, t, j, 'WORK') || isWord(sql, t, j, 'TRANSACTION')) j++;
    if (!isWord(sql, t, j, 'TO')) return -1;
    j++;
    if (isWord(sql, t, j, 'SAVEPOINT')) j++;
  }
  if (j < 0 || j >= t.count) return -1;
  return t.kind[j] === WORD || t.kind[j] === QIDENT ? j : -1;
}
