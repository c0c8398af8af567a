// The literal-free key of a recorded SQL text, so that shape and facts are computed once per
// distinct statement and not once per call: an N+1 of 450,000 queries holds a handful of keys.
// The key is the text with its number and string literals taken out; what was taken out is
// hashed, so that two calls can still be told to have run the same text (the repeated-query
// rule). The recorded text is kept once per key (the first one seen), never per call.
//
// Invariant (test/unit/sqlKey.test.ts, over every SQL text of the corpus and the bundled
// examples): two texts with the same key have the same shape and the same facts. The key only
// ever takes out a region the tokenizer (tokenize.ts) reads as exactly one literal token: a
// single-quoted string without backslashes, or digits with a `.digits` part, between characters
// that end a token on both sides. Whatever it is not sure of (a backslash, dollar quoting, `#`,
// bracketed names, a nested or unterminated comment or quote) makes the whole text the key: correct, only
// not shared.

import type { SqlText } from '../trace';
import { countWork } from '../workCounter';

/** Replaces a string literal in a key. */
const STRING_MARK = '\u0001';
/** Replaces a number literal in a key. */
const NUMBER_MARK = '\u0002';
/** Starts a key that is the whole text. */
const WHOLE_MARK = '\u0003';

const PLACEHOLDER = /\?|\$\d+|%s|:\w+\b|@p\d+/;

/**
 * Whether recorded SQL text carries its values (literals, no placeholder outside a quoted string):
 * only then do two equal texts ask the same thing. appmap-node and appmap-python write the values
 * into the text; appmap-ruby writes placeholders (`= ?`) and records no parameters.
 */
export function carriesValues(sql: string): boolean {
  return !PLACEHOLDER.test(sql.replace(/'(?:[^']|'')*'/g, "''"));
}

/** The hash of the literals of the last text given to `literalFreeKey` (52 bits; 0 for a whole-text key). */
let valuesHash = 0;

// Two independent 32-bit hashes (FNV-1a and a multiplicative one) of the literals, each literal
// followed by a separator that says its kind, combined into 52 bits: equal for equal literals, and
// with 450,000 distinct values the chance that two share a hash is about 1 in 20,000,000.
let h1 = 0;
let h2 = 0;

function hashLiteral(text: string, from: number, to: number, separator: number): void {
  for (let k = from; k < to; k++) {
    const d = text.charCodeAt(k);
    h1 = Math.imul(h1 ^ d, 0x01000193);
    h2 = Math.imul(h2 + d, 0x5bd1e995) ^ (h2 >>> 15);
  }
  h1 = Math.imul(h1 ^ separator, 0x01000193);
  h2 = Math.imul(h2 + separator, 0x5bd1e995) ^ (h2 >>> 15);
}

/**
 * The key of `text`: the text with its literals replaced by marks, or the whole text behind a
 * mark of its own. Sets the hash of what was taken out (`lastValuesHash`). One pass, linear.
 */
export function literalFreeKey(text: string): string {
  const n = text.length;
  countWork(1 + (n >> 10));
  let out = '';
  let from = 0;
  h1 = 0x811c9dc5;
  h2 = 0x2545f491;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 39 /* ' */) {
      let j = i + 1;
      for (;;) {
        if (j >= n) return whole(text);
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) return whole(text);
        if (d === 39) {
          if (j + 1 < n && text.charCodeAt(j + 1) === 39) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      hashLiteral(text, i + 1, j, 0xfffe);
      out += text.slice(from, i) + STRING_MARK;
      from = j + 1;
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      if (j + 1 < n && text.charCodeAt(j) === 46 /* . */ && isDigit(text.charCodeAt(j + 1))) {
        j += 2;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
      }
      if ((i === 0 || endsBefore(text.charCodeAt(i - 1))) && (j === n || endsAfter(text.charCodeAt(j)))) {
        hashLiteral(text, i, j, 0xffff);
        out += text.slice(from, i) + NUMBER_MARK;
        from = j;
      }
      // Else part of a word or of a number the tokenizer may read otherwise: kept as written.
      i = j - 1;
    } else if (c === 34 /* " */ || c === 96 /* ` */) {
      // A quoted name is kept as written, quotes and digits inside it too.
      const j = text.indexOf(c === 34 ? '"' : '`', i + 1);
      if (j === -1) return whole(text);
      const inner = text.slice(i + 1, j);
      if (inner.includes('\\')) return whole(text);
      i = j;
    } else if (c === 45 /* - */ && i + 1 < n && text.charCodeAt(i + 1) === 45) {
      const j = text.indexOf('\n', i);
      if (j === -1) {
        i = n;
      } else i = j;
    } else if (c === 47 /* / */ && i + 1 < n && text.charCodeAt(i + 1) === 42 /* * */) {
      const j = text.indexOf('*/', i + 2);
      if (j === -1 || text.slice(i + 2, j).includes('/*')) return whole(text);
      i = j + 1;
    } else if (c === 92 /* \ */ || c === 35 /* # */ || (c === 91 /* [ */ && i + 1 < n && isWordStart(text.charCodeAt(i + 1))) || (c === 36 /* $ */ && !(i + 1 < n && isDigit(text.charCodeAt(i + 1))))) {
      // An escape, a MySQL comment, a bracketed name (sqlite, SQL Server) or dollar quoting.
      return whole(text);
    }
  }
  valuesHash = (h1 >>> 0) * 0x100000 + ((h2 >>> 0) >>> 12);
  return from === 0 ? out + text : out + text.slice(from);
}

/** The hash of the literals taken out of the last text given to `literalFreeKey`. */
export function lastValuesHash(): number {
  return valuesHash;
}

function whole(text: string): string {
  valuesHash = 0;
  return WHOLE_MARK + text;
}

/** As tokenize.ts: a letter, `_` or any non-ASCII character but the two spaces it skips. */
function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 0x80 && c !== 0xa0 && c !== 0xfeff);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A character after which a number starts a token of its own (see tokenize.ts). */
function endsBefore(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 40 || c === 41 || c === 44 || c === 61 || c === 60 || c === 62 || c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 124 || c === 59 || c === 33 || c === 126 || c === 94 || c === 38 || c === 63 || c === 58 || c === 64;
}

/** A character before which a number token ends (not a word character, `.`, `_` or `e`). */
function endsAfter(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 40 || c === 41 || c === 44 || c === 61 || c === 60 || c === 62 || c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 124 || c === 59 || c === 33 || c === 126 || c === 94 || c === 38 || c === 58;
}

/**
 * The SQL texts of one recording, one entry per key (dialect, cut or not, literal-free text). The
 * reader adds each call's text and keeps, per call, the entry's index and the hash of its literals.
 */
export class SqlTextTable {
  /** Per database type and cut or not, the entries by key (no key string is made per call). */
  private byKind = new Map<string, Map<string, number>>();
  private lastKind = '';
  private lastKeys: Map<string, number> | undefined;

  /** Whether the key of the entry added last is its text itself (a text without literals: no second string kept). */
  lastKeyIsText = false;

  /** `texts`: where the entries go (the trace's `calls.sqlTexts`). */
  constructor(readonly texts: SqlText[]) {}

  /** The index of `text`'s entry, added if new; its literals' hash is `lastValuesHash()` after. */
  add(text: string, databaseType: string | undefined, cut: boolean): number {
    const kind = cut ? `\u0000${databaseType ?? ''}` : databaseType ?? '';
    let keys = this.lastKeys;
    if (keys === undefined || kind !== this.lastKind) {
      keys = this.byKind.get(kind);
      if (keys === undefined) this.byKind.set(kind, (keys = new Map()));
      this.lastKind = kind;
      this.lastKeys = keys;
    }
    const key = literalFreeKey(text);
    const known = keys.get(key);
    if (known !== undefined) return known;
    this.lastKeyIsText = key === text;
    const index = this.texts.length;
    this.texts.push({ text, databaseType, ...(cut ? { cut: true } : {}), carriesValues: carriesValues(text) });
    keys.set(key, index);
    return index;
  }

  /** Reading is over: the keys are not needed any more. */
  finish(): void {
    this.byKind = new Map();
    this.lastKeys = undefined;
  }
}
