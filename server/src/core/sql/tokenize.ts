// The one SQL tokenizer that normalizeSql and sqlFacts share: a single charCodeAt pass that never
// throws and never backtracks, so any input (unterminated quotes or comments, megabytes of text)
// costs time linear in its length. Comments and whitespace produce no tokens.

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql' | 'generic';

/** Unquoted word: keyword, identifier, or `@@variable`. */
export const WORD = 1;
/** Quoted identifier: "x", `x`, or [x] (sqlite and generic). */
export const QIDENT = 2;
/** A literal or placeholder; normalisation prints it as `?`. */
export const VALUE = 3;
/** One punctuation character, or `::`. */
export const PUNCT = 4;

/**
 * The token list of the last call to tokenize. The arrays are reused from call to call because
 * the analyser tokenizes millions of queries; tokenize is synchronous and nothing keeps a
 * reference across calls, so reuse is safe.
 */
export interface Tokens {
  count: number;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** 1 where whitespace or a comment separated this token from the previous one. */
  spaced: Uint8Array;
}

const MIN_CAPACITY = 256;
/** Above this many tokens the buffers are given back after use rather than kept for the next call. */
const KEEP_CAPACITY = 1 << 16;

const buf: Tokens = {
  count: 0,
  kind: new Uint8Array(MIN_CAPACITY),
  start: new Int32Array(MIN_CAPACITY),
  end: new Int32Array(MIN_CAPACITY),
  spaced: new Uint8Array(MIN_CAPACITY),
};

/**
 * Callers usually want both the shape and the facts of each query, so the last token list is kept
 * and handed out again for the same input.
 */
let cachedSql: string | null = null;
let cachedDialect: SqlDialect = 'generic';

export function tokenize(sql: string, dialect: SqlDialect): Tokens {
  if (sql === cachedSql && dialect === cachedDialect) return buf;
  cachedSql = null;
  const n = sql.length;
  const mysql = dialect === 'mysql';
  const dollarQuotes = dialect === 'postgres' || dialect === 'generic';
  const bracketIdents = dialect === 'sqlite' || dialect === 'generic';
  const nestedComments = dialect === 'postgres';
  buf.count = 0;
  let spaced = 0;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff) {
      spaced = 1;
      i++;
      continue;
    }
    const start = i;
    const next = i + 1 < n ? sql.charCodeAt(i + 1) : -1;
    // Comments behave as whitespace.
    if ((c === 45 /* - */ && next === 45) || (c === 35 /* # */ && mysql)) {
      i = lineEnd(sql, i, n);
      spaced = 1;
      continue;
    }
    if (c === 47 /* / */ && next === 42 /* * */) {
      i = blockCommentEnd(sql, i + 2, n, nestedComments);
      spaced = 1;
      continue;
    }
    let kind = PUNCT;
    if (isWordStart(c)) {
      i = wordEnd(sql, i + 1, n);
      const q = i < n ? sql.charCodeAt(i) : -1;
      if (q === 39 /* ' */ && isStringPrefix(sql, start, i, mysql)) {
        i = quotedEnd(sql, i + 1, n, 39, mysql || isEscapePrefix(sql, start, i));
        kind = VALUE;
      } else if (q === 38 /* & */ && i - start === 1 && (c | 0x20) === 117 /* u */ && i + 1 < n && sql.charCodeAt(i + 1) === 39) {
        i = quotedEnd(sql, i + 2, n, 39, false);
        kind = VALUE;
      } else {
        kind = WORD;
      }
    } else if (c === 39 /* ' */) {
      i = quotedEnd(sql, i + 1, n, 39, mysql);
      kind = VALUE;
    } else if (c === 34 /* " */) {
      i = quotedEnd(sql, i + 1, n, 34, mysql);
      kind = mysql ? VALUE : QIDENT;
    } else if (c === 96 /* ` */) {
      i = quotedEnd(sql, i + 1, n, 96, false);
      kind = QIDENT;
    } else if (isDigit(c) || (c === 46 /* . */ && isDigit(next) && !afterOperand())) {
      i = numberEnd(sql, i, n);
      kind = VALUE;
    } else if ((c === 45 /* - */ || c === 43 /* + */) && (isDigit(next) || (next === 46 && i + 2 < n && isDigit(sql.charCodeAt(i + 2)))) && signAllowed(sql)) {
      i = numberEnd(sql, i + 1, n);
      kind = VALUE;
    } else if (c === 63 /* ? */) {
      i = digitsEnd(sql, i + 1, n);
      kind = VALUE;
    } else if (c === 36 /* $ */) {
      if (isDigit(next)) {
        i = digitsEnd(sql, i + 1, n);
        kind = VALUE;
      } else if (next === 36 && dollarQuotes) {
        i = dollarQuotedEnd(sql, i, i + 2, n);
        kind = VALUE;
      } else if (isWordStart(next)) {
        const e = wordEndNoDollar(sql, i + 1, n);
        if (dollarQuotes && e < n && sql.charCodeAt(e) === 36) {
          i = dollarQuotedEnd(sql, i, e + 1, n);
        } else {
          i = wordEnd(sql, e, n);
        }
        kind = VALUE;
      } else {
        i++;
      }
    } else if (c === 58 /* : */) {
      if (next === 58) {
        i += 2;
      } else if ((isWordStart(next) || isDigit(next)) && colonParamAllowed(sql, spaced)) {
        i = wordEnd(sql, i + 1, n);
        kind = VALUE;
      } else {
        i++;
      }
    } else if (c === 64 /* @ */) {
      if (next === 64 && i + 2 < n && isWordStart(sql.charCodeAt(i + 2))) {
        i = wordEnd(sql, i + 2, n);
        kind = WORD;
      } else if (isWordStart(next) || isDigit(next)) {
        i = wordEnd(sql, i + 1, n);
        kind = VALUE;
      } else {
        i++;
      }
    } else if (c === 37 /* % */) {
      i = pyformatEnd(sql, i, n);
      kind = i > start + 1 ? VALUE : PUNCT;
    } else if (c === 91 /* [ */ && bracketIdents && isWordStart(next)) {
      i = bracketEnd(sql, i + 1, n);
      kind = QIDENT;
    } else {
      i++;
    }
    push(kind, start, i, spaced);
    spaced = 0;
  }
  cachedSql = sql;
  cachedDialect = dialect;
  return buf;
}

/** Gives back oversized buffers (and the huge query they came from) once it has been dealt with. */
export function releaseTokens(): void {
  if (buf.kind.length > KEEP_CAPACITY) {
    buf.kind = new Uint8Array(MIN_CAPACITY);
    buf.start = new Int32Array(MIN_CAPACITY);
    buf.end = new Int32Array(MIN_CAPACITY);
    buf.spaced = new Uint8Array(MIN_CAPACITY);
    buf.count = 0;
    cachedSql = null;
  }
}

/** True if token t is a WORD equal to `upper` (given in upper case), ignoring case. */
export function isWord(sql: string, t: Tokens, i: number, upper: string): boolean {
  if (i >= t.count || t.kind[i] !== WORD) return false;
  const s = t.start[i];
  const len = upper.length;
  if (t.end[i] - s !== len) return false;
  for (let k = 0; k < len; k++) {
    let c = sql.charCodeAt(s + k);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== upper.charCodeAt(k)) return false;
  }
  return true;
}

/** True if token t is a WORD equal (ignoring case) to one of `uppers`. */
export function isWordIn(sql: string, t: Tokens, i: number, uppers: readonly string[]): boolean {
  if (i >= t.count || t.kind[i] !== WORD) return false;
  const len = t.end[i] - t.start[i];
  for (const u of uppers) {
    if (u.length === len && isWord(sql, t, i, u)) return true;
  }
  return false;
}

export function isPunct(sql: string, t: Tokens, i: number, code: number): boolean {
  return i < t.count && t.kind[i] === PUNCT && t.end[i] - t.start[i] === 1 && sql.charCodeAt(t.start[i]) === code;
}

// ---- helpers ----

/** Keywords after which `-5` is a negative number rather than a subtraction. */
const SIGN_AFTER = ['SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'LIMIT', 'OFFSET', 'BETWEEN', 'LIKE', 'IN', 'CASE', 'RETURN', 'HAVING', 'ON', 'DEFAULT', 'VALUES', 'IS'];

function push(kind: number, start: number, end: number, spaced: number): void {
  let i = buf.count;
  if (i === buf.kind.length) grow();
  buf.kind[i] = kind;
  buf.start[i] = start;
  buf.end[i] = end;
  buf.spaced[i] = spaced;
  buf.count = ++i;
}

function grow(): void {
  const cap = buf.kind.length * 2;
  const kind = new Uint8Array(cap);
  kind.set(buf.kind);
  const start = new Int32Array(cap);
  start.set(buf.start);
  const end = new Int32Array(cap);
  end.set(buf.end);
  const spaced = new Uint8Array(cap);
  spaced.set(buf.spaced);
  buf.kind = kind;
  buf.start = start;
  buf.end = end;
  buf.spaced = spaced;
}

/** The previous token is something a binary operator could follow (identifier, value, `)`). */
function afterOperand(): boolean {
  const p = buf.count - 1;
  if (p < 0) return false;
  const k = buf.kind[p];
  return k === WORD || k === QIDENT || k === VALUE;
}

/** A sign directly before a digit belongs to the number unless it follows an operand. */
function signAllowed(sql: string): boolean {
  const p = buf.count - 1;
  if (p < 0) return true;
  const k = buf.kind[p];
  if (k === PUNCT) {
    const c = sql.charCodeAt(buf.start[p]);
    return c !== 41 /* ) */ && c !== 93 /* ] */;
  }
  if (k === WORD) return isWordIn(sql, buf, p, SIGN_AFTER);
  return false;
}

/** `:name` is a placeholder unless it is a slice bound or label (`arr[1:2]`, `a:b`). */
function colonParamAllowed(sql: string, spaced: number): boolean {
  const p = buf.count - 1;
  if (p < 0) return true;
  const k = buf.kind[p];
  if (k === PUNCT) {
    const c = sql.charCodeAt(buf.start[p]);
    return c !== 41 /* ) */ && c !== 93 /* ] */;
  }
  if (k === VALUE) return false;
  return spaced === 1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 0x80 && c !== 0xa0 && c !== 0xfeff);
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 36 /* $ */;
}

function wordEnd(sql: string, i: number, n: number): number {
  while (i < n && isWordChar(sql.charCodeAt(i))) i++;
  return i;
}

function wordEndNoDollar(sql: string, i: number, n: number): number {
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (!(isWordStart(c) || isDigit(c))) break;
    i++;
  }
  return i;
}

function digitsEnd(sql: string, i: number, n: number): number {
  while (i < n && isDigit(sql.charCodeAt(i))) i++;
  return i;
}

/** Ints, decimals, exponents, 0x hex, and `_` digit separators. */
function numberEnd(sql: string, i: number, n: number): number {
  if (sql.charCodeAt(i) === 48 && i + 1 < n && (sql.charCodeAt(i + 1) | 0x20) === 120 /* x */) {
    i += 2;
    while (i < n) {
      const c = sql.charCodeAt(i) | 0x20;
      if (!(isDigit(c) || (c >= 97 && c <= 102))) break;
      i++;
    }
    return i;
  }
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (!(isDigit(c) || c === 95)) break;
    i++;
  }
  if (i < n && sql.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && isDigit(sql.charCodeAt(i))) i++;
  }
  if (i < n && (sql.charCodeAt(i) | 0x20) === 101 /* e */) {
    let j = i + 1;
    if (j < n && (sql.charCodeAt(j) === 43 || sql.charCodeAt(j) === 45)) j++;
    if (j < n && isDigit(sql.charCodeAt(j))) i = digitsEnd(sql, j, n);
  }
  return i;
}

function lineEnd(sql: string, i: number, n: number): number {
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    i++;
  }
  return n;
}

/** Index after the closing `*\/`, or n when the comment never closes. */
function blockCommentEnd(sql: string, i: number, n: number, nested: boolean): number {
  let depth = 1;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 42 && i + 1 < n && sql.charCodeAt(i + 1) === 47) {
      i += 2;
      if (--depth === 0) return i;
    } else if (nested && c === 47 && i + 1 < n && sql.charCodeAt(i + 1) === 42) {
      i += 2;
      depth++;
    } else {
      i++;
    }
  }
  return n;
}

/** Index after the closing quote; a doubled quote is an escaped quote. Unterminated: n. */
function quotedEnd(sql: string, i: number, n: number, quote: number, backslash: boolean): number {
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === quote) {
      if (i + 1 < n && sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += backslash && c === 92 ? 2 : 1;
  }
  return n;
}

function bracketEnd(sql: string, i: number, n: number): number {
  return quotedEnd(sql, i, n, 93, false);
}

/** `tagStart` is the first `$`, `bodyStart` just after the opening `$tag$`. */
function dollarQuotedEnd(sql: string, tagStart: number, bodyStart: number, n: number): number {
  const tag = sql.slice(tagStart, bodyStart);
  const close = sql.indexOf(tag, bodyStart);
  return close < 0 ? n : close + tag.length;
}

/** E'', X'', B'', N'' prefixes; in MySQL also _charset'' introducers. */
function isStringPrefix(sql: string, start: number, end: number, mysql: boolean): boolean {
  const c = sql.charCodeAt(start) | 0x20;
  if (end - start === 1) return c === 101 || c === 120 || c === 98 || c === 110;
  return mysql && sql.charCodeAt(start) === 95;
}

function isEscapePrefix(sql: string, start: number, end: number): boolean {
  return end - start === 1 && (sql.charCodeAt(start) | 0x20) === 101;
}

/** `%s` and `%(name)s` (Python DB-API pyformat); returns start + 1 for a plain `%`. */
function pyformatEnd(sql: string, i: number, n: number): number {
  const next = i + 1 < n ? sql.charCodeAt(i + 1) : -1;
  if (next === 115 /* s */ && (i + 2 >= n || !isWordChar(sql.charCodeAt(i + 2)))) return i + 2;
  if (next === 40 /* ( */) {
    const e = wordEnd(sql, i + 2, n);
    if (e > i + 2 && e + 1 < n && sql.charCodeAt(e) === 41 && sql.charCodeAt(e + 1) === 115) return e + 2;
  }
  return i + 1;
}
