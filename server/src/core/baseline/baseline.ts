// A baseline: what a set of recordings cost, per route, test, function and SQL shape, and the
// findings they had, in a small versioned form that can be saved, committed and compared with
// later recordings. Everything is keyed by identities that survive a re-run (routes, test names,
// function keys, SQL shapes, finding identities), never by recording files or event ids.

import { emptyStats, mergeStats, sdMs, TimingStats, TraceStats } from '../analysis/stats';
import { Severity } from '../config';
import { Finding, mergeFindings, severityRank } from '../findings/finding';
import { plural } from '../findings/format';
import { RecordingSummary } from '../index/summary';
import { Snapshot } from '../index/workspaceIndex';

export const BASELINE_FORMAT = 'runlens-baseline';
export const BASELINE_VERSION = 1;
/** Where `runlens baseline save` writes, relative to the root, and where the editor looks for it. */
export const DEFAULT_BASELINE_PATH = '.runlens/baseline.json';

/** Time of a set of calls (requests, test runs, function calls, queries), in milliseconds. */
export interface TimeStats {
  calls: number;
  /** Calls whose time is known; the time fields below are absent when none is. */
  timed: number;
  /** Inclusive time of all calls (for functions, a recursive call inside another counts once). */
  totalMs?: number;
  /** Time of one call, on average. */
  meanMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Standard deviation of one call's time; absent below two timed calls. */
  sdMs?: number;
}

export interface EntryStats extends TimeStats {
  /** SQL queries run inside the calls, all together. */
  sql: number;
}

export interface BaselineFinding {
  /** Identity across runs: rule and place by identity, not line (see findingId). */
  id: string;
  rule: string;
  severity: Severity;
  message: string;
  /** Workspace-relative POSIX path and 1-based line, as they were when the baseline was made. */
  path: string;
  line: number;
  count: number;
  /** The request or test it was seen in. */
  scope?: string;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  version: typeof BASELINE_VERSION;
  /** How many recordings it was made from. */
  recordings: number;
  /** Route (`GET /meetings/past/`) → its requests. */
  routes: Record<string, EntryStats>;
  /** Test name (the recording's metadata.name) → its runs, one per recording; time = the recording's root calls. */
  tests: Record<string, EntryStats>;
  /** Function key (`meetups.views.PastMeetingsView#get_queryset`) → its calls. */
  functions: Record<string, EntryStats>;
  /** Normalised SQL (cut when long: see sqlKey) → its queries. */
  sql: Record<string, TimeStats>;
  findings: BaselineFinding[];
}

export type EntryKind = 'route' | 'test' | 'function';

/**
 * The baseline of a snapshot or of summaries. `findings` replaces the summaries' own merged
 * findings: the CLI passes those left after `runlens: ignore` comments.
 */
export function baselineOf(source: Snapshot | Iterable<RecordingSummary>, options: { findings?: Finding[] } = {}): Baseline {
  const summaries = source instanceof Snapshot ? [...source.summaries.values()] : [...source];
  const stats: TraceStats = source instanceof Snapshot ? source.stats() : summaries.reduce((into, s) => mergeStats(into, s.stats), emptyStats());
  const findings = options.findings ?? (source instanceof Snapshot ? source.findings() : mergeFindings(summaries.flatMap((s) => s.findings)));
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    recordings: summaries.length,
    routes: record([...stats.routes].map(([route, s]) => [route, entryOfTiming(s)])),
    tests: record([...testSamples(summaries)].map(([name, samples]) => [name, entryOfSamples(samples)])),
    functions: record([...stats.functions].map(([key, s]) => [key, entryOfTiming(s)])),
    sql: record([...stats.sqlShapes].map(([shape, s]) => [sqlKey(shape), timeOf(s.nCalls, s.nTimed, s.totalMs, s.totalMs, s.minMs, s.maxMs, s.sumSqMs2)])),
    findings: baselineFindings(findings),
  };
}

/** The current entry of one route, test or function in a snapshot (what the editor compares with the baseline). */
export function entryOf(snapshot: Snapshot, kind: EntryKind, key: string): EntryStats | undefined {
  if (kind === 'route') {
    const s = snapshot.stats().routes.get(key);
    return s && entryOfTiming(s);
  }
  if (kind === 'function') {
    const s = snapshot.stats().functions.get(key);
    return s && entryOfTiming(s);
  }
  const samples = testSamples(snapshot.summaries.values()).get(key);
  return samples && entryOfSamples(samples);
}

/**
 * The identity of a finding across runs: its rule and where it sits by identity (the function,
 * model or table of its anchor, and the file), not by line, which moves with every edit. For
 * findings placed on a function, the test or the recording, the repeated SQL shapes are part of
 * it too (two N+1s under one function stay two); an N+1 placed on its query keeps its identity
 * when a fix removes some of its shapes, so a partial fix reads as a smaller count, not as a new
 * finding.
 */
export function findingId(f: Finding): string {
  const ref = f.ref;
  const scope = f.scope !== undefined && !f.recordings.includes(f.scope) ? f.scope : '';
  const shapes = () => (f.related.length ? ` sql:${hash(f.related.map((r) => r.sql).sort().join('\u0001'))}` : '');
  switch (ref.kind) {
    case 'queryset':
      return `${f.rule} ${f.location.path} queryset ${fnKeyOf(ref.fn)} ${ref.model}`;
    case 'sql-statement':
      return `${f.rule} ${f.location.path} statement ${fnKeyOf(ref.fn)} ${ref.table}`;
    case 'function':
      return `${f.rule} ${f.location.path} function ${fnKeyOf(ref.fn)}${shapes()}`;
    case 'loop':
      return `${f.rule} ${f.location.path} loop ${ref.at} ${'fn' in ref.host ? fnKeyOf(ref.host.fn) : `${ref.host.route.method} ${ref.host.route.path}`} ${ref.tables.join(',')}`;
    case 'test':
      return `${f.rule} ${f.location.path} test ${scope}${shapes()}`;
    case 'query-site':
      // The recorded line moves with edits: the file, the scope and the shapes say which query.
      return `${f.rule} ${f.location.path} query ${scope}${shapes()}`;
    default:
      // On the recording file itself, whose path changes with every run (so may the scope's).
      return `${f.rule} recording ${scope}${shapes()}`;
  }
}

/**
 * The key of a SQL shape: the shape itself, but a long one (an insert of 500 rows, a query built
 * with a long IN list of columns) is cut and ends with a hash of the whole, so that a baseline
 * stays small and two long shapes with a common start stay apart.
 */
export function sqlKey(shape: string): string {
  return shape.length <= MAX_SQL_KEY ? shape : `${shape.slice(0, MAX_SQL_KEY - 20)}… #${hash(shape)}`;
}

const MAX_SQL_KEY = 300;

/** Looks up an entry by key, own properties only (a route may be called "constructor"). */
export function own<T>(entries: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(entries, key) ? entries[key] : undefined;
}

/** Times are kept to 3 significant digits and at most to the microsecond: far finer than their noise. */
export function roundMs(ms: number): number {
  if (!Number.isFinite(ms)) return ms;
  // Beyond 2^53 µs there is no microsecond to round to, and ms × 1000 could overflow to Infinity.
  const micro = Math.abs(ms) < 2 ** 53 / 1000 ? Math.round(ms * 1000) / 1000 : ms;
  if (micro === 0) return 0;
  // Three digits of the largest doubles round up past the largest double (1.80e308).
  const rounded = Number(micro.toPrecision(3));
  return Number.isFinite(rounded) ? rounded : micro;
}

// ---- helpers ----------------------------------------------------------------------------------

function entryOfTiming(s: TimingStats): EntryStats {
  return { ...timeOf(s.nCalls, s.nTimed, s.totalMs, s.sumMs, s.minMs, s.maxMs, s.sumSqMs2), sql: s.nSql };
}

interface TestSample {
  timed: boolean;
  ms: number;
  sql: number;
}

/** Each test recording is one run of its test: its time is the total of the recording's root calls. */
function testSamples(summaries: Iterable<RecordingSummary>): Map<string, TestSample[]> {
  const byName = new Map<string, TestSample[]>();
  for (const s of summaries) {
    // A test without a recorded name has no identity across runs (the fallback is the file's path).
    const name = s.test && s.metadata.name;
    if (!name) continue;
    const sample = { timed: s.stats.roots.nTimed > 0, ms: s.stats.roots.totalMs, sql: s.stats.nSql };
    const list = byName.get(name);
    if (list) list.push(sample);
    else byName.set(name, [sample]);
  }
  return byName;
}

function entryOfSamples(samples: TestSample[]): EntryStats {
  const timed = samples.filter((s) => s.timed);
  const sum = timed.reduce((t, s) => t + s.ms, 0);
  return {
    ...timeOf(
      samples.length,
      timed.length,
      sum,
      sum,
      timed.reduce((m, s) => Math.min(m, s.ms), Infinity),
      timed.reduce((m, s) => Math.max(m, s.ms), 0),
      timed.reduce((t, s) => t + s.ms * s.ms, 0),
    ),
    sql: samples.reduce((t, s) => t + s.sql, 0),
  };
}

function timeOf(calls: number, timed: number, totalMs: number, sumMs: number, minMs: number, maxMs: number, sumSqMs2: number): TimeStats {
  if (timed === 0) return { calls, timed };
  // Absurd recorded times (1e305 s) can sum past the largest double: JSON has no Infinity, and a
  // baseline holds only what reads back, so such times count as unknown.
  if (![totalMs, sumMs, minMs, maxMs].every(Number.isFinite)) return { calls, timed: 0 };
  const out: TimeStats = { calls, timed, totalMs: roundMs(totalMs), meanMs: roundMs(sumMs / timed), minMs: roundMs(minMs), maxMs: roundMs(maxMs) };
  const sd = sdMs({ sumMs, sumSqMs2, nTimed: timed });
  if (Number.isFinite(sd)) out.sdMs = roundMs(sd);
  return out;
}

/** One entry per identity: the largest count seen, the worst severity, the place of the first. */
function baselineFindings(findings: Finding[]): BaselineFinding[] {
  const byId = new Map<string, BaselineFinding>();
  for (const f of findings) {
    const id = findingId(f);
    const seen = byId.get(id);
    if (!seen) {
      const entry: BaselineFinding = { id, rule: f.rule, severity: f.severity, message: f.message, path: f.location.path, line: f.location.line, count: f.count };
      if (f.scope !== undefined && !f.recordings.includes(f.scope)) entry.scope = f.scope;
      byId.set(id, entry);
      continue;
    }
    if (f.count > seen.count) Object.assign(seen, { count: f.count, message: f.message });
    if (severityRank(f.severity) > severityRank(seen.severity)) seen.severity = f.severity;
  }
  return [...byId.values()].sort(compareBaselineFindings);
}

export function compareBaselineFindings(a: BaselineFinding, b: BaselineFinding): number {
  return compareStrings(a.path, b.path) || a.line - b.line || compareStrings(a.rule, b.rule) || compareStrings(a.id, b.id);
}

function record<T>(entries: [string, T][]): Record<string, T> {
  // fromEntries defines own properties, so a key such as "__proto__" is data, not a prototype.
  return Object.fromEntries(entries.sort(([a], [b]) => compareStrings(a, b)));
}

function fnKeyOf(fn: { definedClass: string; methodId: string; isStatic: boolean }): string {
  return `${fn.definedClass}${fn.isStatic ? '.' : '#'}${fn.methodId}`;
}

/** cyrb53: a 53-bit string hash, as 14 hex digits; enough to tell a handful of shape sets apart. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `1 route, 1 test, 2 functions, 4 SQL shapes, 1 finding`. */
export function describeBaseline(b: Baseline): string {
  const n = (o: object) => Object.keys(o).length;
  return [plural(n(b.routes), 'route'), plural(n(b.tests), 'test'), plural(n(b.functions), 'function'), plural(n(b.sql), 'SQL shape'), plural(b.findings.length, 'finding')].join(', ');
}
