// Two baselines side by side: per route, test and function, time per call, SQL per call and calls
// before and after; findings new and resolved; whether each time change stands out of the noise of
// the recordings; and whether anything got worse beyond the configured thresholds (a regression).
//
// Noise. Timings of two runs differ even when nothing changed. A time change is held against the
// spread of the calls' own times: within `noiseFactor` standard deviations of one call's time (the
// larger of the two sides that have one) it is "within" the noise and claims nothing; beyond, it is
// a real change. A side with a single timed call has no spread; with one on each side nothing can
// tell noise from change, and the verdict says so ("unknown"). SQL counts and findings are the
// same on every run of the same code, so they are never noise.

import { CompareConfig } from '../config';
import { severityRank } from '../findings/finding';
import { formatCount, formatMs, formatNumber } from '../findings/format';
import { Baseline, BaselineFinding, EntryKind, EntryStats, own, roundMs } from './baseline';
import { maxOf } from '../arrays';

export type NoiseVerdict = 'beyond' | 'within' | 'unknown';

export interface TimeChange {
  /** Time of one call, on average, before and after. */
  beforeMs: number;
  afterMs: number;
  changeMs: number;
  /** after / before − 1; NaN when before is 0. */
  changeRatio: number;
  noise: NoiseVerdict;
  /** The change the noise allows: noiseFactor × the larger standard deviation (absent when unknown). */
  noiseMs?: number;
  /** Why, for people: `one timed call on each side: cannot tell noise from change`. */
  reason: string;
}

export interface CountChange {
  before: number;
  after: number;
  change: number;
}

export interface EntryChange {
  kind: EntryKind;
  /** Route, test name or function key. */
  key: string;
  /** Absent on the side where it was not recorded. */
  before?: EntryStats;
  after?: EntryStats;
  status: 'compared' | 'added' | 'removed';
  /** Time per call; absent when a side has no timed call. */
  time?: TimeChange;
  /** SQL queries per call (a mean: a whole number when every call ran as many). */
  sql?: CountChange;
  calls?: CountChange;
  /** Something to show: SQL or calls changed, time beyond (or unknown and past the thresholds), added, removed. */
  notable: boolean;
  /** Why this entry is a regression, one sentence each; empty when it is not. */
  regressions: string[];
}

export interface FindingChange {
  before: BaselineFinding;
  after: BaselineFinding;
}

export interface Comparison {
  before: { recordings: number };
  after: { recordings: number };
  routes: EntryChange[];
  tests: EntryChange[];
  functions: EntryChange[];
  findings: { new: BaselineFinding[]; resolved: BaselineFinding[]; changed: FindingChange[] };
  /** Every reason, entries first (routes, tests, functions), then new findings. */
  regressions: string[];
  regressed: boolean;
  thresholds: CompareConfig;
}

export function compare(before: Baseline, after: Baseline, thresholds: CompareConfig): Comparison {
  const section = (kind: EntryKind, b: Record<string, EntryStats>, a: Record<string, EntryStats>) =>
    [...new Set([...Object.keys(b), ...Object.keys(a)])].map((key) => compareEntry(kind, key, own(b, key), own(a, key), thresholds)).sort(byChange);
  const routes = section('route', before.routes, after.routes);
  const tests = section('test', before.tests, after.tests);
  const functions = section('function', before.functions, after.functions);
  const findings = compareFindings(before.findings, after.findings);
  const regressions = [...routes, ...tests, ...functions].flatMap((e) => e.regressions);
  const bar = thresholds.failOnNewFinding;
  if (bar !== 'never') {
    for (const f of findings.new) {
      if (severityRank(f.severity) >= severityRank(bar)) regressions.push(`new ${f.severity} ${f.rule} at ${f.path}:${f.line}: ${f.message}`);
    }
  }
  return { before: { recordings: before.recordings }, after: { recordings: after.recordings }, routes, tests, functions, findings, regressions, regressed: regressions.length > 0, thresholds };
}

/** One route, test or function before and after; either side may be missing. */
export function compareEntry(kind: EntryKind, key: string, before: EntryStats | undefined, after: EntryStats | undefined, thresholds: CompareConfig): EntryChange {
  if (!before || !after) {
    return { kind, key, before, after, status: before ? 'removed' : 'added', notable: true, regressions: [] };
  }
  const time = timeChange(before, after, thresholds.noiseFactor);
  const sql = countChange(before.calls ? before.sql / before.calls : 0, after.calls ? after.sql / after.calls : 0);
  const calls = countChange(before.calls, after.calls);
  const regressions: string[] = [];
  const name = `${kind} ${key}`;
  const perCall = kind === 'route' ? 'per request' : kind === 'test' ? 'per run' : 'per call';
  // A function's calls are part of what the code does: one that now runs once instead of 500
  // times may take longer per call and less in all. It regresses only when its total grew too.
  const totalGrew = (b: number | undefined, a: number | undefined) => kind !== 'function' || (a ?? 0) > (b ?? 0);
  if (time && time.noise === 'beyond' && time.changeMs > thresholds.maxTimeIncreaseMs && (!(time.beforeMs > 0) || time.changeRatio * 100 > thresholds.maxTimeIncreasePercent) && totalGrew(before.totalMs, after.totalMs)) {
    regressions.push(`${name}: time ${perCall} ${formatChangeMs(time)}, more than ${formatNumber(thresholds.maxTimeIncreasePercent)}% and ${formatNumber(thresholds.maxTimeIncreaseMs)} ms, beyond the noise (±${formatMsPlain(time.noiseMs ?? 0)})`);
  }
  if (sql.change > thresholds.maxSqlIncrease && totalGrew(before.sql, after.sql)) {
    regressions.push(`${name}: SQL ${perCall} ${formatPerCall(sql.before)} → ${formatPerCall(sql.after)} (+${formatPerCall(sql.change)}), more than ${formatNumber(thresholds.maxSqlIncrease)}`);
  }
  const notable = sql.change !== 0 || calls.change !== 0 || (time !== undefined && (time.noise === 'beyond' || (time.noise === 'unknown' && pastThresholds(time, thresholds))));
  return { kind, key, before, after, status: 'compared', time, sql, calls, notable: notable || regressions.length > 0, regressions };
}

/** The noise verdict of a change from `before` to `after` (each a set of timed calls). */
export function timeChange(before: EntryStats, after: EntryStats, noiseFactor: number): TimeChange | undefined {
  if (!before.timed || !after.timed || before.meanMs === undefined || after.meanMs === undefined) return undefined;
  const beforeMs = before.meanMs;
  const afterMs = after.meanMs;
  // Rounded as the times are: the difference of two rounded times has no more digits than they do.
  const changeMs = roundMs(Math.abs(afterMs - beforeMs)) * Math.sign(afterMs - beforeMs);
  const changeRatio = beforeMs > 0 ? Math.round((afterMs / beforeMs - 1) * 10000) / 10000 : NaN;
  const sds = [before.sdMs, after.sdMs].filter((sd): sd is number => sd !== undefined);
  if (sds.length === 0) {
    const reason = before.timed === 1 && after.timed === 1 ? 'one timed call on each side: cannot tell noise from change' : 'no spread recorded: cannot tell noise from change';
    return { beforeMs, afterMs, changeMs, changeRatio, noise: 'unknown', reason };
  }
  const noiseMs = roundMs(noiseFactor * maxOf(sds));
  const within = Math.abs(changeMs) <= noiseMs;
  const samples = `${formatCount(before.timed)} → ${formatCount(after.timed)} timed calls`;
  return {
    beforeMs,
    afterMs,
    changeMs,
    changeRatio,
    noise: within ? 'within' : 'beyond',
    noiseMs,
    reason: `${within ? 'within' : 'beyond'} the noise: ${formatNumber(noiseFactor)} × the spread of one call (±${formatMsPlain(noiseMs)}, ${samples})`,
  };
}

/** Findings matched by identity: new (after only), resolved (before only), changed (count or severity). */
export function compareFindings(before: BaselineFinding[], after: BaselineFinding[]): Comparison['findings'] {
  const beforeById = new Map(before.map((f) => [f.id, f]));
  const afterById = new Map(after.map((f) => [f.id, f]));
  const changed: FindingChange[] = [];
  for (const a of after) {
    const b = beforeById.get(a.id);
    if (b && (b.count !== a.count || b.severity !== a.severity)) changed.push({ before: b, after: a });
  }
  return { new: after.filter((f) => !beforeById.has(f.id)), resolved: before.filter((f) => !afterById.has(f.id)), changed };
}

// ---- numbers for people -------------------------------------------------------------------------

/** `−531 ms (−83%)`, `+2.5 ms (+4.2%)`; the minus sign is U+2212. */
export function formatChangeMs(time: TimeChange): string {
  const pct = formatPercent(time.changeRatio);
  return `${sign(time.changeMs)}${formatMsPlain(Math.abs(time.changeMs))}${pct ? ` (${pct})` : ''}`;
}

/** `−83%`, `+4.2%`, `0%`; empty when there is no ratio (from 0). */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '';
  const pct = Math.abs(ratio * 100);
  if (pct === 0) return '0%';
  const text = pct < 10 ? String(Math.round(pct * 10) / 10) : formatCount(pct);
  return `${ratio < 0 ? '\u2212' : '+'}${text}%`;
}

/** SQL per call: `1,501`, `1.5`, `2.0` (a whole number as a count; else one decimal). */
export function formatPerCall(n: number): string {
  if (Number.isInteger(n)) return formatCount(n);
  const [whole, fraction] = (Math.round(Math.abs(n) * 10) / 10).toFixed(1).split('.');
  return `${n < 0 ? '-' : ''}${formatCount(Number(whole))}.${fraction}`;
}

// ---- helpers ----------------------------------------------------------------------------------

function countChange(before: number, after: number): CountChange {
  return { before, after, change: after - before };
}

function pastThresholds(time: TimeChange, t: CompareConfig): boolean {
  return Math.abs(time.changeMs) > t.maxTimeIncreaseMs && (!(time.beforeMs > 0) || Math.abs(time.changeRatio) * 100 > t.maxTimeIncreasePercent);
}

/**
 * Biggest changes first: regressions, then notable entries by their largest relative change (time
 * within the noise counts as none), then added and removed; ties by key.
 */
function byChange(a: EntryChange, b: EntryChange): number {
  const rank = (e: EntryChange) => (e.regressions.length ? 0 : e.status !== 'compared' ? 2 : e.notable ? 1 : 3);
  return rank(a) - rank(b) || size(b) - size(a) || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function size(e: EntryChange): number {
  const timeSize = e.time && e.time.noise !== 'within' ? Math.abs(relative(e.time.beforeMs, e.time.afterMs)) : 0;
  const sqlSize = e.sql ? Math.abs(relative(e.sql.before, e.sql.after)) : 0;
  return Math.max(timeSize, sqlSize);
}

/** A symmetric relative change, so that 10× slower and 10× faster weigh the same. */
function relative(before: number, after: number): number {
  if (before === after) return 0;
  return (after - before) / Math.max(Math.abs(before), Math.abs(after));
}

function sign(n: number): string {
  return n < 0 ? '\u2212' : '+';
}

/** formatMs, but below 0.1 ms one significant digit rather than `<0.1 ms`, which reads badly after a sign. */
export function formatMsPlain(ms: number): string {
  if (ms >= 0.1) return formatMs(ms);
  return `${ms === 0 ? 0 : Number(ms.toPrecision(1))} ms`;
}
