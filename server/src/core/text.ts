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
