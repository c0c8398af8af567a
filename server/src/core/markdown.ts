// Markdown that holds any text exactly: what a reader copies out of a code block is what was
// recorded (SQL quotes MySQL identifiers with backticks, which a fence of three would end).

import { maxOf } from './arrays';

/**
 * A fenced code block of `text`, one line each: the fence is longer than any run of backticks in
 * the text (at least three), so nothing inside ends it and nothing is escaped or replaced.
 */
export function fencedBlock(text: string, language: string): string[] {
  const longest = maxOf((text.match(/`+/g) ?? []).map((run) => run.length), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...text.split('\n'), fence];
}
