// How a tool answers: structured content (checked against the tool's output schema by the SDK)
// and a short text for people, both bounded in size, with a clear "truncated" note when cut.

/** The most items of one list a tool returns (findings, entries of a comparison, hotspots). */
export const MAX_ITEMS = 100;
/** The items returned when the client does not say. */
export const DEFAULT_ITEMS = 20;
/** The longest text a tool returns (characters); longer is cut with a note. */
export const MAX_TEXT_CHARS = 20_000;
/** The longest SQL text kept in an answer; repeated queries can be kilobytes each. */
export const MAX_SQL_CHARS = 2_000;

export interface ToolAnswer {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent: Record<string, unknown>;
}

export function answer(text: string, structured: Record<string, unknown>): ToolAnswer {
  return { content: [{ type: 'text', text: boundedText(text) }], structuredContent: structured };
}

/** The first `limit` items, and the note that says what was left out (undefined when nothing was). */
export function firstOf<T>(items: T[], limit: number, what: string, how: string): { items: T[]; truncated?: string } {
  if (items.length <= limit) return { items };
  return { items: items.slice(0, limit), truncated: `truncated: ${limit} of ${items.length} ${what} shown; ${how}` };
}

/** Text cut at MAX_TEXT_CHARS, with a last line saying so. */
export function boundedText(text: string, max = MAX_TEXT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… truncated: ${text.length - max} more characters`;
}

/** SQL cut at MAX_SQL_CHARS (a marker says so). */
export function boundedSql(sql: string): string {
  return sql.length <= MAX_SQL_CHARS ? sql : `${sql.slice(0, MAX_SQL_CHARS)} … (truncated, ${sql.length} characters)`;
}
