// A push-based JSON parser for recordings of any size: bytes go in chunk by chunk, and a visitor
// decides, per object member or array element, whether the value is visited, built into a JS value,
// or skipped. Skipped values are validated but never decoded or stored, so memory does not grow
// with the size of parameter values, and no whole file is ever held as one string. A skipped value
// may nest to any depth (its brackets are matched on a stack of one bit per level); what is visited
// or built is bounded (maxDepth), and a value that goes deeper is cut there, never refused.
//
// Why our own parser: JSON.parse needs the whole text as one string (V8 caps strings at about
// 512 MB) and builds every value; the streaming libraries we measured (clarinet-style tokenizers)
// decode every string and call back per token, which is several times slower than JSON.parse.
// Reading recordings fast is the core of what runlens does, so this one is written for it: tight
// byte loops, strings decoded only when someone wants them, exact byte offsets in every problem.

import { formatCount } from '../findings/format';
import { countWork } from '../workCounter';

export const enum Mode {
  /** The visitor sees the container's members one by one (onKey / onElement / onClose). */
  Visit = 0,
  /** The value is built into a plain JS value and handed to onValue. */
  Build = 1,
  /** The value is checked for syntax and otherwise ignored. */
  Skip = 2,
}

export interface JsonVisitor {
  /** A member key of a visited object; returns how to treat its value. */
  onKey(key: string): Mode;
  /** The start of an element of a visited array; returns how to treat it. */
  onElement(): Mode;
  /** A built value (or a scalar in Visit mode) completed directly under a visited container. */
  onValue(value: unknown): void;
  /** A visited container opened (after onKey / onElement returned Visit). */
  onOpen(isArray: boolean): void;
  /** A visited container closed. */
  onClose(): void;
}

export interface JsonSyntaxProblem {
  /** Byte offset in the input where the problem was found. */
  byteOffset: number;
  /** The same place as an editor shows it: 1-based line and 1-based UTF-16 column (see TextPosition). */
  line: number;
  column: number;
  message: string;
}

/**
 * A place in the input as editors count it: 1-based line (after each \n) and 1-based column in
 * UTF-16 code units (what the Language Server Protocol counts by default), a byte order mark not
 * counted. Worked out while parsing, at no cost per ASCII byte: every \n of valid JSON is
 * whitespace between tokens (a raw one inside a string is an error), and every byte above 0x7f is
 * inside a string, where the string loop already stops for it.
 */
export interface TextPosition {
  line: number;
  column: number;
}

export interface StreamParserOptions {
  /** Built strings longer than this many bytes are cut to it (the rest is skipped, not stored). */
  maxStringBytes?: number;
  /**
   * Visited and built containers nested deeper than this are skipped, and counted (deepValues): a
   * built value is delivered without its deeper part, a visited container is not seen at all, and
   * the parse goes on. Skipped values have no limit.
   */
  maxDepth?: number;
  /** Members and elements built into one value (a Build value under a visited container), at most; the rest are skipped. */
  maxBuiltItems?: number;
}

export const DEFAULT_MAX_STRING_BYTES = 1 << 20;
export const DEFAULT_MAX_DEPTH = 10_000;
/** Enough for the classMap of a large application; a value built whole cannot grow without bound. */
export const DEFAULT_MAX_BUILT_ITEMS = 250_000;

/**
 * Feed bytes with `write`, then call `end`. After the first syntax problem the parser stops
 * consuming input; everything delivered before it stays valid. `problem` tells what went wrong.
 */
export class JsonStreamParser {
  /** The first syntax problem, if any; parsing stops there. */
  problem: JsonSyntaxProblem | undefined;
  /** Number of built strings that were cut to maxStringBytes. */
  truncatedStrings = 0;
  /** Number of wanted numbers longer than MAX_NUMBER_CHARS, read as NaN. */
  longNumbers = 0;
  /** Number of built values that had more than maxBuiltItems members and elements (the rest was skipped). */
  truncatedValues = 0;
  /** Number of values visited or built deeper than maxDepth (what was deeper was skipped), and where the first went too deep. */
  deepValues = 0;
  firstDeepValueAt: number | undefined;
  firstDeepValuePosition: TextPosition | undefined;
  /** Steps spent on positions (one per \n and per byte above 0x7f, none per ASCII byte): a test hook, as countWork. */
  positionSteps = 0;
  /** The most input bytes held at once (parts of a wanted string spanning chunks); skipped values hold none. */
  maxBufferedBytes = 0;
  /** True once the top-level value is complete (what follows may only be whitespace). */
  get complete(): boolean {
    return this.state === St.Done;
  }
  /** Total bytes consumed so far. */
  get byteOffset(): number {
    return this.base + this.pos;
  }

  /**
   * Line and column of a byte offset at or after the start of the line parsing stands on (every
   * offset the parser reports, and the byte it stopped at); undefined for an earlier line, whose
   * bytes are gone.
   */
  positionOf(byteOffset: number): TextPosition | undefined {
    if (byteOffset < this.lineStart) return undefined;
    return { line: this.newlines + 1, column: byteOffset - this.lineStart + this.lineUnitsMinusBytes + 1 };
  }

  private readonly visitor: JsonVisitor;
  private readonly maxStringBytes: number;
  private readonly maxDepth: number;
  private readonly maxBuiltItems: number;
  /** Items the Build value in progress may still take, and whether it was cut. */
  private buildBudget = 0;
  private buildCut = false;
  /** Whether the Build value in progress went deeper than maxDepth (the deeper part skipped). */
  private buildTooDeep = false;

  private state = St.Value;
  private base = 0; // bytes in chunks before the current one
  private pos = 0; // position in the current chunk (kept for byteOffset)
  private started = false;
  // Where lines start (see TextPosition): newlines passed, the offset after the last one, and the
  // UTF-16 code units minus the bytes of the current line so far (-1 per continuation byte, +1 per
  // four-byte sequence's lead: a surrogate pair; -3 for a byte order mark).
  private newlines = 0;
  private lineStart = 0;
  private lineUnitsMinusBytes = 0;
  /** The first bytes, held until there are three of them (byte order mark detection). */
  private head: Buffer | undefined;
  private ending = false;

  // The container stack: kind (0 object, 1 array) and mode per level of visited and built values.
  private depth = 0;
  private kinds = new Uint8Array(64);
  private modes = new Uint8Array(64);
  // Containers open inside a skipped value, above the stack: how many, and their kinds, one bit
  // per level (a skipped value may nest without limit: 1 GB of `[` holds 125 MB here).
  private skipDepth = 0;
  private skipKinds = new Uint8Array(8);
  /** Mode of the value about to start. */
  private nextMode: Mode = Mode.Visit;
  /** Built containers and pending keys for Build frames, parallel to the stack. */
  private built: unknown[] = [];
  private builtKeys: (string | undefined)[] = [];

  // Token in progress (may span chunks).
  private tokenStart = 0; // absolute offset of the token's first byte
  private strIsKey = false;
  private strWanted = false;
  private strHasEscape = false;
  private strEscape = 0; // 0 none, 1 after backslash, 2..5: hex digits still expected (5 = 4 left)
  private strParts: Buffer[] = [];
  private strBytes = 0;
  private strTruncated = false;
  private numState = 0;
  private numText = '';
  private numTooLong = false;
  private litExpected: Uint8Array = LIT_TRUE;
  private litIndex = 0;
  private litValue: unknown = undefined;

  constructor(visitor: JsonVisitor, options: StreamParserOptions = {}) {
    this.visitor = visitor;
    this.maxStringBytes = options.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxBuiltItems = options.maxBuiltItems ?? DEFAULT_MAX_BUILT_ITEMS;
  }

  write(chunk: Buffer): void {
    if (this.state === St.Error) return;
    let i = 0;
    if (!this.started) {
      // The first three bytes are looked at together, whatever the chunking, for a byte order mark.
      // (A first chunk of three bytes or more is used as it is: copying it would double a whole-file read.)
      if (this.head || chunk.length < 3) {
        this.head = this.head ? Buffer.concat([this.head, chunk]) : Buffer.from(chunk);
        if (this.head.length < 3 && !this.ending) return;
        chunk = this.head;
        this.head = undefined;
      }
      this.started = true;
      // A UTF-8 byte order mark is tolerated at the very start; UTF-16 is reported clearly.
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        i = 3;
        this.lineUnitsMinusBytes = -3;
      }
      else if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        this.fail(0, 'the file is UTF-16 encoded; recordings must be UTF-8 JSON');
        return;
      }
    }
    const n = chunk.length;
    // Every byte is looked at once: the byte loops below always move forward.
    countWork(n - i);
    this.pos = i;
    for (;;) {
      switch (this.state) {
        case St.String:
          i = this.continueString(chunk, i, n);
          break;
        case St.Number:
          i = this.continueNumber(chunk, i, n);
          break;
        case St.Literal:
          i = this.continueLiteral(chunk, i, n);
          break;
        default:
          i = this.structural(chunk, i, n);
      }
      if (i >= n || this.failed()) break;
    }
    this.base += n;
    this.pos = 0;
  }

  /** Signals the end of input; reports a problem if the document is incomplete. */
  end(): void {
    if (this.head) {
      this.ending = true;
      this.write(Buffer.alloc(0));
    }
    if (this.state === St.Error) return;
    if (this.state === St.Number && this.depth === 0 && this.skipDepth === 0) {
      // A top-level number ends at end of input.
      this.finishNumber(this.byteOffset);
      if (this.failed()) return;
    }
    if (this.state === St.Done) return;
    const at = this.byteOffset;
    if (!this.started || (this.state === St.Value && this.depth === 0 && this.skipDepth === 0)) {
      this.fail(at, 'the file is empty: no JSON value');
    } else {
      this.fail(at, `unexpected end of file ${this.describeContext()}: the file is truncated`);
    }
  }

  // ---- structural characters -------------------------------------------------------------

  private structural(b: Buffer, i: number, n: number): number {
    while (i < n) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        if (c === 0x0a) {
          this.newlines++;
          this.lineStart = this.base + i + 1;
          this.lineUnitsMinusBytes = 0;
          this.positionSteps++;
        }
        i++;
        continue;
      }
      switch (this.state) {
        case St.Value:
        case St.ValueOrEnd:
          if (c === 0x5d /* ] */ && this.state === St.ValueOrEnd) {
            i = this.closeContainer(b, i, 1);
            if (this.failed()) return n;
            continue;
          }
          i = this.startValue(b, i, n, c);
          if (this.state >= St.String) return i; // a token runs past this chunk, or an error
          continue;
        case St.KeyOrEnd:
        case St.Key:
          if (c === 0x22) {
            this.startString(i, true);
            i = this.continueString(b, i + 1, n);
            if (this.state >= St.String) return i;
            continue;
          }
          if (c === 0x7d /* } */ && this.state === St.KeyOrEnd) {
            i = this.closeContainer(b, i, 0);
            if (this.failed()) return n;
            continue;
          }
          this.failAt(i, b, this.state === St.KeyOrEnd ? 'expected a member name or "}"' : 'expected a member name after ","');
          return n;
        case St.Colon:
          if (c === 0x3a) {
            this.state = St.Value;
            i++;
            continue;
          }
          this.failAt(i, b, 'expected ":" after a member name');
          return n;
        case St.CommaOrEnd: {
          const kind = this.innerKind();
          if (c === 0x2c) {
            i++;
            if (kind === 0) {
              this.state = St.Key;
            } else {
              this.state = St.Value;
              this.beginElement();
            }
            continue;
          }
          if ((kind === 0 && c === 0x7d) || (kind === 1 && c === 0x5d)) {
            i = this.closeContainer(b, i, kind);
            if (this.failed()) return n;
            continue;
          }
          this.failAt(i, b, kind === 0 ? 'expected "," or "}" after an object member' : 'expected "," or "]" after an array element');
          return n;
        }
        case St.Done:
          this.failAt(i, b, 'unexpected content after the end of the JSON value');
          return n;
        default:
          return n;
      }
    }
    return i;
  }

  private startValue(b: Buffer, i: number, n: number, c: number): number {
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const isArray = c === 0x5b;
      const mode = this.nextMode;
      const startsBuild = mode === Mode.Build && (this.depth === 0 || this.modes[this.depth - 1] !== Mode.Build);
      if (mode === Mode.Skip || this.depth >= this.maxDepth) {
        // Skipped (or too deep to visit or build, and so skipped): matched on the bit stack, never refused.
        if (mode !== Mode.Skip) this.tooDeep(this.base + i, mode === Mode.Visit || startsBuild);
        this.openSkipped(isArray);
        this.state = isArray ? St.ValueOrEnd : St.KeyOrEnd;
        this.nextMode = Mode.Skip;
        return i + 1;
      }
      if (this.depth === this.kinds.length) this.growStack();
      if (startsBuild) {
        this.buildBudget = this.maxBuiltItems;
        this.buildCut = false;
        this.buildTooDeep = false;
      }
      this.kinds[this.depth] = isArray ? 1 : 0;
      this.modes[this.depth] = mode;
      if (mode === Mode.Build) {
        this.built[this.depth] = isArray ? [] : {};
        this.builtKeys[this.depth] = undefined;
      }
      this.depth++;
      if (mode === Mode.Visit) this.visitor.onOpen(isArray);
      if (isArray) {
        this.state = St.ValueOrEnd;
        this.beginElement();
      } else {
        this.state = St.KeyOrEnd;
        this.nextMode = mode === Mode.Visit ? Mode.Visit : mode;
      }
      return i + 1;
    }
    if (c === 0x22) {
      this.startString(i, false);
      return this.continueString(b, i + 1, n);
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.tokenStart = this.base + i;
      this.numState = 0;
      this.numText = '';
      this.numTooLong = false;
      this.state = St.Number;
      return this.continueNumber(b, i, n);
    }
    if (c === 0x74 /* t */ || c === 0x66 /* f */ || c === 0x6e /* n */) {
      this.tokenStart = this.base + i;
      this.litExpected = c === 0x74 ? LIT_TRUE : c === 0x66 ? LIT_FALSE : LIT_NULL;
      this.litValue = c === 0x74 ? true : c === 0x66 ? false : null;
      this.litIndex = 0;
      this.state = St.Literal;
      return this.continueLiteral(b, i, n);
    }
    this.failAt(i, b, this.state === St.ValueOrEnd ? 'expected a value or "]"' : 'expected a value');
    return n;
  }

  /** Decides the mode of the next array element. */
  private beginElement(): void {
    const mode = this.innerMode();
    this.nextMode = mode === Mode.Visit ? this.visitor.onElement() : mode === Mode.Build ? this.builtItem() : mode;
  }

  /** The mode of the next member or element of a built value: Build while its budget lasts, then Skip. */
  private builtItem(): Mode {
    if (this.buildBudget > 0) {
      this.buildBudget--;
      return Mode.Build;
    }
    this.buildCut = true;
    return Mode.Skip;
  }

  private closeContainer(b: Buffer, i: number, kind: number): number {
    // byteOffset, for a visitor that reads it on close (a reader that stops there says where).
    this.pos = i;
    if (this.innerKind() !== kind) {
      this.failAt(i, b, 'mismatched bracket');
      return i;
    }
    if (this.skipDepth > 0) {
      this.skipDepth--;
      this.afterValue();
      return i + 1;
    }
    this.depth--;
    const mode = this.modes[this.depth];
    if (mode === Mode.Visit) {
      this.visitor.onClose();
    } else if (mode === Mode.Build) {
      const value = this.built[this.depth];
      this.built[this.depth] = undefined;
      if (this.depth === 0 || this.modes[this.depth - 1] !== Mode.Build) {
        if (this.buildCut) this.truncatedValues++;
        if (this.buildTooDeep) this.deepValues++;
        this.buildCut = false;
        this.buildTooDeep = false;
      }
      this.deliver(value);
    }
    this.afterValue();
    return i + 1;
  }

  /** Sets the state after a complete value. */
  private afterValue(): void {
    if (this.depth === 0 && this.skipDepth === 0) {
      this.state = St.Done;
      return;
    }
    this.state = St.CommaOrEnd;
  }

  /** Hands a completed built value to its container or to the visitor. */
  private deliver(value: unknown): void {
    if (this.depth === 0) {
      this.visitor.onValue(value);
      return;
    }
    const d = this.depth - 1;
    const parentMode = this.modes[d];
    if (parentMode === Mode.Build) {
      const container = this.built[d];
      if (this.kinds[d] === 1) (container as unknown[]).push(value);
      else {
        const key = this.builtKeys[d] as string;
        // Own property even for "__proto__", so hostile keys cannot reach the prototype. Only that
        // key needs defineProperty; plain stores keep the built objects in fast mode (measured).
        if (key === '__proto__') Object.defineProperty(container, key, { value, writable: true, enumerable: true, configurable: true });
        else (container as Record<string, unknown>)[key] = value;
      }
    } else if (parentMode === Mode.Visit) {
      this.visitor.onValue(value);
    }
  }

  // ---- strings ----------------------------------------------------------------------------

  private startString(i: number, isKey: boolean): void {
    this.tokenStart = this.base + i;
    this.strIsKey = isKey;
    const mode = isKey ? this.innerMode() : this.nextMode;
    this.strWanted = mode !== Mode.Skip;
    this.strHasEscape = false;
    this.strEscape = 0;
    this.strBytes = 0;
    this.strTruncated = false;
    if (this.strParts.length) this.strParts = [];
    this.state = St.String;
  }

  private continueString(b: Buffer, i: number, n: number): number {
    const start = i;
    let esc = this.strEscape;
    // The hot loop: bytes that need no attention are passed over by a table lookup. (A four-bytes-
    // at-a-time bit trick was measured here and lost: most strings in recordings are short.)
    while (i < n) {
      if (esc === 0) {
        const c = b[i];
        if (STRING_PLAIN[c] === 1) {
          i++;
          continue;
        }
        if (c === 0x22) {
          this.strEscape = 0;
          this.endString(b, start, i);
          return i + 1;
        }
        if (c === 0x5c) {
          esc = 1;
          this.strHasEscape = true;
          i++;
          continue;
        }
        if (c >= 0x80) {
          // UTF-8 past ASCII: a line's column counts UTF-16 code units, not bytes.
          this.lineUnitsMinusBytes += (c & 0xc0) === 0x80 ? -1 : c >= 0xf0 ? 1 : 0;
          this.positionSteps++;
          i++;
          continue;
        }
        // A raw control character.
        this.strEscape = 0;
        this.failAt(i, b, 'control character inside a string (must be escaped)');
        return n;
      }
      const c = b[i];
      if (esc === 1) {
        if (c === 0x75 /* u */) esc = 5;
        else if (ESCAPABLE[c] === 1) esc = 0;
        else {
          this.failAt(i, b, 'invalid escape sequence in a string');
          return n;
        }
      } else {
        if (HEX[c] === 255) {
          this.failAt(i, b, 'invalid \\u escape in a string (expected 4 hex digits)');
          return n;
        }
        esc = esc === 2 ? 0 : esc - 1;
      }
      i++;
    }
    // The chunk ended inside the string.
    this.strEscape = esc;
    if (this.strWanted) this.keepStringPart(b, start, n);
    return n;
  }

  private keepStringPart(b: Buffer, from: number, to: number): void {
    if (this.strTruncated) return;
    const room = this.maxStringBytes - this.strBytes;
    if (to - from > room) {
      to = from + Math.max(0, room);
      this.strTruncated = true;
    }
    if (to > from) {
      // Copied: the caller may reuse its chunk buffers.
      this.strParts.push(Buffer.from(b.subarray(from, to)));
      this.strBytes += to - from;
      if (this.strBytes > this.maxBufferedBytes) this.maxBufferedBytes = this.strBytes;
    }
  }

  private endString(b: Buffer, from: number, to: number): void {
    if (!this.strWanted) {
      if (this.strIsKey) {
        this.state = St.Colon;
        this.nextMode = Mode.Skip;
      } else {
        this.afterValue();
      }
      return;
    }
    let text: string;
    if (this.strParts.length === 0) {
      if (to - from > this.maxStringBytes) {
        to = from + this.maxStringBytes;
        this.strTruncated = true;
      }
      // Keys and short values (class, method and path names) repeat: interned, not decoded.
      text = !this.strHasEscape && to - from <= 32 ? internKey(b, from, to) : decode(b, from, to, this.strHasEscape);
    } else {
      this.keepStringPart(b, from, to);
      const all = Buffer.concat(this.strParts);
      this.strParts = [];
      text = decode(all, 0, all.length, this.strHasEscape);
    }
    if (this.strTruncated) this.truncatedStrings++;
    if (this.strIsKey) {
      this.state = St.Colon;
      const d = this.depth - 1;
      const mode = this.modes[d];
      if (mode === Mode.Visit) this.nextMode = this.visitor.onKey(text);
      else {
        this.builtKeys[d] = text;
        this.nextMode = this.builtItem();
      }
      return;
    }
    this.deliverScalar(text);
  }

  private deliverScalar(value: unknown): void {
    if (this.nextMode !== Mode.Skip) this.deliver(value);
    this.afterValue();
  }

  // ---- numbers and literals ---------------------------------------------------------------

  private continueNumber(b: Buffer, i: number, n: number): number {
    const start = i;
    let s = this.numState;
    // JSON number grammar as a small automaton:
    // 0 start, 1 after '-', 2 after leading 0, 3 int digits, 4 after '.', 5 frac digits,
    // 6 after e/E, 7 after exponent sign, 8 exponent digits.
    for (; i < n; i++) {
      const c = b[i];
      const digit = c >= 0x30 && c <= 0x39;
      let next = -1;
      switch (s) {
        case 0: next = c === 0x2d ? 1 : c === 0x30 ? 2 : digit ? 3 : -1; break;
        case 1: next = c === 0x30 ? 2 : digit ? 3 : -1; break;
        case 2: next = c === 0x2e ? 4 : c === 0x65 || c === 0x45 ? 6 : -2; break;
        case 3: next = digit ? 3 : c === 0x2e ? 4 : c === 0x65 || c === 0x45 ? 6 : -2; break;
        case 4: next = digit ? 5 : -1; break;
        case 5: next = digit ? 5 : c === 0x65 || c === 0x45 ? 6 : -2; break;
        case 6: next = c === 0x2b || c === 0x2d ? 7 : digit ? 8 : -1; break;
        case 7: next = digit ? 8 : -1; break;
        case 8: next = digit ? 8 : -2; break;
      }
      if (next === -1) {
        this.failAt(i, b, 'malformed number');
        return n;
      }
      if (next === -2) {
        // The number ended before this byte.
        if (this.nextMode !== Mode.Skip) {
          if (s === 3 && this.numText === '' && i - start <= 15) {
            // Integers (ids, line numbers) are most numbers: no text, no Number().
            let v = 0;
            let k = start;
            const negative = b[k] === 0x2d;
            if (negative) k++;
            for (; k < i; k++) v = v * 10 + (b[k] - 0x30);
            this.numState = s;
            this.deliverScalar(negative ? -v : v);
            return i;
          }
          if (s === 5 && this.numText === '' && i - start <= 17) {
            // Decimals without exponent (elapsed seconds): with at most 15 digits, digits / 10^k
            // divides two exact doubles, which IEEE rounds correctly: the same value as Number().
            let v = 0;
            let k = start;
            const negative = b[k] === 0x2d;
            if (negative) k++;
            let fractionDigits = -1;
            let digits = 0;
            for (; k < i; k++) {
              const c = b[k];
              if (c === 0x2e) fractionDigits = 0;
              else {
                v = v * 10 + (c - 0x30);
                digits++;
                if (fractionDigits !== -1) fractionDigits++;
              }
            }
            if (digits <= 15) {
              v /= POW10[fractionDigits];
              this.numState = s;
              this.deliverScalar(negative ? -v : v);
              return i;
            }
          }
          this.appendNumberText(b, start, i);
        }
        this.numState = s;
        this.finishNumber(this.base + i);
        return i;
      }
      s = next;
    }
    this.numState = s;
    if (this.nextMode !== Mode.Skip) {
      this.appendNumberText(b, start, n);
    }
    return n;
  }

  /**
   * Keeps the text of a wanted number, up to MAX_NUMBER_CHARS: a longer one (valid JSON, but no
   * recording has one) is read as NaN and counted, the same wherever chunks happen to end.
   */
  private appendNumberText(b: Buffer, from: number, to: number): void {
    if (this.numTooLong) return;
    if (this.numText.length + (to - from) > MAX_NUMBER_CHARS) {
      this.numTooLong = true;
      this.numText = '';
      return;
    }
    this.numText += b.latin1Slice(from, to);
  }

  private finishNumber(at: number): void {
    const s = this.numState;
    if (s !== 2 && s !== 3 && s !== 5 && s !== 8) {
      this.fail(at, 'malformed number');
      return;
    }
    let value = this.nextMode === Mode.Skip ? 0 : Number(this.numText);
    if (this.numTooLong) {
      value = NaN;
      this.longNumbers++;
      this.numTooLong = false;
    }
    this.numText = '';
    this.deliverScalar(value);
  }

  private continueLiteral(b: Buffer, i: number, n: number): number {
    const expected = this.litExpected;
    let k = this.litIndex;
    while (i < n && k < expected.length) {
      if (b[i] !== expected[k]) {
        this.failAt(i, b, `invalid literal (expected "${Buffer.from(expected).toString('latin1')}")`);
        return n;
      }
      i++;
      k++;
    }
    this.litIndex = k;
    if (k === expected.length) this.deliverScalar(this.litValue);
    return i;
  }

  // ---- problems and bookkeeping -----------------------------------------------------------

  private failed(): boolean {
    return this.state === St.Error;
  }

  private failAt(i: number, b: Buffer, message: string): void {
    const c = b[i];
    const shown = c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    this.fail(this.base + i, `${message}, found ${shown}`);
  }

  private fail(byteOffset: number, message: string): void {
    if (this.state === St.Error) return;
    const at = this.positionOf(byteOffset) ?? { line: this.newlines + 1, column: 1 };
    this.problem = { byteOffset, line: at.line, column: at.column, message };
    this.state = St.Error;
    this.strParts = [];
    this.built = [];
  }

  private describeContext(): string {
    switch (this.state) {
      case St.String: return `inside a string that starts at byte ${this.tokenStart}`;
      case St.Number: case St.Literal: return `inside a value that starts at byte ${this.tokenStart}`;
      default: {
        const open = this.depth + this.skipDepth;
        return `with ${formatCount(open)} container${open === 1 ? '' : 's'} still open`;
      }
    }
  }

  /** The mode of the innermost open container: Skip inside a skipped value. */
  private innerMode(): Mode {
    return this.skipDepth > 0 ? Mode.Skip : (this.modes[this.depth - 1] as Mode);
  }

  /** The kind (0 object, 1 array) of the innermost open container. */
  private innerKind(): number {
    if (this.skipDepth === 0) return this.kinds[this.depth - 1];
    const d = this.skipDepth - 1;
    return (this.skipKinds[d >> 3] >> (d & 7)) & 1;
  }

  private openSkipped(isArray: boolean): void {
    const d = this.skipDepth;
    if (d >> 3 === this.skipKinds.length) {
      const kinds = new Uint8Array(this.skipKinds.length * 2);
      kinds.set(this.skipKinds);
      this.skipKinds = kinds;
    }
    if (isArray) this.skipKinds[d >> 3] |= 1 << (d & 7);
    else this.skipKinds[d >> 3] &= ~(1 << (d & 7));
    this.skipDepth++;
  }

  /**
   * A container to visit or build at maxDepth: skipped. Inside a built value, the value counts as
   * cut when it closes; a value to visit, or to build, that starts that deep is not delivered at
   * all, and counts now.
   */
  private tooDeep(at: number, whole: boolean): void {
    if (this.firstDeepValueAt === undefined) {
      this.firstDeepValueAt = at;
      this.firstDeepValuePosition = this.positionOf(at);
    }
    if (whole) this.deepValues++;
    else this.buildTooDeep = true;
  }

  private growStack(): void {
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const modes = new Uint8Array(this.modes.length * 2);
    modes.set(this.modes);
    this.modes = modes;
  }
}

// Node's Buffer has had these fast, unchecked slicing methods since v0.x; @types/node omits them.
declare global {
  interface Buffer {
    utf8Slice(start: number, end: number): string;
    latin1Slice(start: number, end: number): string;
  }
}

const enum St {
  Value,
  ValueOrEnd,
  KeyOrEnd,
  Key,
  Colon,
  CommaOrEnd,
  Done,
  String,
  Number,
  Literal,
  Error,
}

const MAX_NUMBER_CHARS = 4096;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const LIT_TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
const LIT_FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);
const LIT_NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);

/** 1 for ASCII bytes that can stand in a string as they are (bytes above 0x7f can too, but are counted for columns). */
const STRING_PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) STRING_PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;
/** 1 for bytes allowed after a backslash (other than u). */
const ESCAPABLE = new Uint8Array(256);
for (const ch of '"\\/bfnrt') ESCAPABLE[ch.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256).fill(255);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

/**
 * Decodes UTF-8 bytes of a string body (without quotes), resolving escapes. A body with escapes
 * has already been validated byte by byte, so V8's JSON.parse of it, quoted, gives exactly the
 * JSON string value, natively and as one flat string (profiled: the former hand-written decoder was
 * the reader's largest cost on SQL-heavy recordings, whose queries quote every identifier). A body
 * cut short by maxStringBytes can end inside an escape; that escape is dropped.
 */
function decode(b: Buffer, from: number, to: number, hasEscape: boolean): string {
  if (!hasEscape) return b.utf8Slice(from, to);
  // A cut can only leave a partial escape at the end: a backslash and up to five more bytes.
  for (let k = Math.max(from, to - 6); k < to; k++) {
    if (b[k] !== 0x5c) continue;
    let run = 1;
    while (k - run >= from && b[k - run] === 0x5c) run++;
    if (run % 2 === 0) continue; // this backslash is itself escaped
    if (k + 1 >= to || (b[k + 1] === 0x75 && k + 6 > to)) {
      to = k;
      break;
    }
    k++; // the escaped byte
  }
  return JSON.parse(`"${b.utf8Slice(from, to)}"`) as string;
}

/**
 * Member names repeat millions of times in a recording; a small cache keyed by a hash of the
 * bytes returns the same string without allocating.
 */
const KEY_CACHE_SIZE = 1024;
const keyCacheText: (string | undefined)[] = new Array(KEY_CACHE_SIZE);
const keyCacheBytes: (Uint8Array | undefined)[] = new Array(KEY_CACHE_SIZE);

function internKey(b: Buffer, from: number, to: number): string {
  const len = to - from;
  if (len > 32) return b.utf8Slice(from, to);
  let h = len;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + b[i]) | 0;
  const slot = (h >>> 0) & (KEY_CACHE_SIZE - 1);
  const cached = keyCacheBytes[slot];
  if (cached !== undefined && cached.length === len) {
    let same = true;
    for (let k = 0; k < len; k++) {
      if (cached[k] !== b[from + k]) {
        same = false;
        break;
      }
    }
    if (same) return keyCacheText[slot] as string;
  }
  const text = b.utf8Slice(from, to);
  keyCacheBytes[slot] = Uint8Array.prototype.slice.call(b, from, to);
  keyCacheText[slot] = text;
  return text;
}
