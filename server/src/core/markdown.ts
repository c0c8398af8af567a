// Recorded text in Markdown (reports, comparisons, hovers), one function per place it can stand:
// prose, a code span, a table cell, a code block, an HTML summary. Each shows the text as written
// (what a reader copies out means what it meant) and lets no recorded character end the line, the
// cell or the block it is in: a line break becomes `\n` (core/text.ts), a `|` cannot end a cell,
// and a code block's fence is longer than any backtick run inside (SQL quotes MySQL identifiers
// with backticks, which a fence of three would end).

import { maxOf } from './arrays';
import { escapeLines, escapeText } from './text';

/** Text in prose or a cell: Markdown's special characters and unprintable ones escaped, so it shows as written. */
export function markdownText(text: string): string {
  return escapeText(text).replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/**
 * A code span that holds any text on one line: unprintable characters as escapes (a line break
 * as `\n`), its backticks a fence longer than any run of them inside.
 */
export function markdownCode(text: string): string {
  const flat = escapeText(text);
  const longest = maxOf((flat.match(/`+/g) ?? []).map((r) => r.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || longest > 0 ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A code span in a table cell: a `|` would end the cell even inside the span (GFM reads `\|` as
 * `|` there). Text in a cell is markdownText, which escapes `|` already.
 */
export function markdownCodeCell(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|');
}

/** Text in an HTML element (a <details> summary, which shows as written): `&`, `<`, `>` escaped, and unprintable characters. */
export function htmlText(text: string): string {
  return escapeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A fenced code block of `text`, one line each: the fence is longer than any run of backticks in
 * the text (at least three), so nothing inside ends it; nothing is escaped or replaced but what
 * cannot be shown (escapeLines: controls other than line breaks and tabs).
 */
export function fencedBlock(text: string, language: string): string[] {
  const shown = escapeLines(text);
  const longest = maxOf((shown.match(/`+/g) ?? []).map((run) => run.length), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...shown.split('\n'), fence];
}
