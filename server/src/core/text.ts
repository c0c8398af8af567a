// Recorded text as it may be written out. Recordings hold any string: a file name that is not
// UTF-8 (Python records `caf\udce9.py`, a lone surrogate, which no URI or URL can hold), or a route,
// class name or SQL with line breaks and terminal or CI control sequences in it. What may be
// written where is decided here, once per kind of output.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `text` is well-formed UTF-16 (no lone surrogate): only then can it become a URI, a URL
 * or a file name Node can open (encodeURIComponent throws on it; UTF-8 has no encoding for it).
 */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Characters that must not reach a terminal, a CI log or a rendered line as they are: C0 and C1
 * controls (a line break starts a new line, and GitHub Actions runs a line that starts with `::`
 * as a command: `::error`, `::add-mask::`, `::stop-commands::`; ESC starts terminal sequences),
 * the line and paragraph separators, the bidirectional overrides that reorder what is shown
 * ("Trojan source"), and lone surrogates (no UTF-8 for them).
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Recorded text in plain-text output (`scan`, `compare`, problems, lens titles, diagnostics):
 * each unprintable character as a visible escape (`\n`, `\u001b`, `\udce9`), so a route, a class
 * name, a path or SQL stays on its line and shows what was recorded. Everything else is as written.
 */
export function escapeText(text: string): string {
  return text.replace(UNPRINTABLE, escapeOne);
}

/**
 * escapeText for text kept on several lines (a query in a code block): line breaks (`\r\n` as
 * `\n`) and tabs stay; a lone `\r`, which ends a line for CommonMark and for log readers, does not.
 */
export function escapeLines(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNPRINTABLE, (c) => (c === '\n' || c === '\t' ? c : escapeOne(c)));
}

function escapeOne(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
