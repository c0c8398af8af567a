// Numbers and names for people: durations, counts and function names formatted the one way
// runlens shows them everywhere.

import { FunctionInfo } from '../trace';

/** `<0.1 ms`, `0.4 ms`, `42 ms`, `420 ms`, `1.2 s`, `42 s`, `1,234 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '? ms';
  if (ms < 0.1) return '<0.1 ms';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${formatCount(Math.round(s))} s`;
}

/**
 * `1,501`: a whole number with thousands separators, the one way runlens writes a count (of
 * queries, calls, recordings, bytes…) to people. Line numbers and byte offsets are places, not
 * counts, and stay bare (`views.py:1234`, `byte 200000`), as editors and tools read them.
 * Self-contained (no helper): the HTML report's script holds a copy that a test compares with it.
 */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1,500.25`, `20`: a number as given (a threshold, a factor), its whole part written as formatCount writes it. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [whole, fraction] = String(n).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** `1 call`, `2 calls`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** `PastMeetingsView#get_queryset`, `Helpers.format`, `datacreator#(anonymous)`. */
export function functionLabel(fn: FunctionInfo): string {
  const cls = fn.definedClass.split(/::|\.|\$|\//).filter(Boolean).pop() ?? '';
  const method = /^[\w$?!=]+$/.test(fn.methodId) ? fn.methodId : '(anonymous)';
  return cls ? `${cls}${fn.isStatic ? '.' : '#'}${method}` : method;
}

/** `500 × meetups_venue, 500 × meetups_topic`: repeated queries summed per table, at most `max` tables. */
export function tableCounts(entries: { table?: string; count: number }[], max = 5): string {
  const byTable = new Map<string, number>();
  for (const e of entries) byTable.set(e.table ?? 'query', (byTable.get(e.table ?? 'query') ?? 0) + e.count);
  const parts = [...byTable].map(([table, count]) => `${formatCount(count)} × ${table}`);
  return parts.length > max ? `${parts.slice(0, max).join(', ')}, …` : parts.join(', ');
}
