// The data of the HTML report: per request and test, its time, SQL count, SQL by shape and call
// tree (in call order and merged for the flame graph); the findings, each linked to the frames it
// is about; and, with a before, the other side's trees and the comparison of the two. Recordings
// are added one at a time and dropped (a report of a 100 MB recording holds one trace at a time);
// what is embedded is capped (REPORT_LIMITS), and the page says what was left out.

import { Comparison, EntryChange, formatChangeMs, formatMsPlain, formatPerCall } from '../baseline/compare';
import { functionKey, sqlShapeOf } from '../analysis/stats';
import { Finding } from '../findings/finding';
import { formatCount, formatMs, formatNumber, plural } from '../findings/format';
import { formatProblem, Problem } from '../problem';
import { Call, CallKind, Trace } from '../trace';
import { commonAncestors, cullTree, fullTree, mergeTree, StringTable } from './modelTree';
import { CompactTree, ComparisonFinding, ComparisonRow, ComparisonSection, ComparisonView, EntryFacts, EntryView, FindingTarget, FindingView, FixView, ReportModel, SideView, UnlistedGroup, UnlistedRest } from './pageData';
import { countWork } from '../workCounter';
import type { Fix } from '../fixes/index';
import { editDiff, sourceHref } from './markdown';
import { append } from '../arrays';

export { FrameKind } from './pageData';
export type { CompactTree, ComparisonFinding, ComparisonRow, ComparisonSection, ComparisonView, EntryFacts, EntryView, FindingTarget, FindingView, FixView, ReportModel, SideView, SqlShapeView, UnlistedGroup, UnlistedRest } from './pageData';

/** What a page embeds at most. Beyond these, entries are summarised and frames folded, and the page says so. */
export const REPORT_LIMITS = {
  /** Requests and tests listed one by one per side (slowest first); the rest are summed up per route or test. */
  listedEntries: 500,
  /** The slowest requests and tests whose call trees are embedded… */
  slowestTrees: 30,
  /** …and at most this many more, for the findings' places. */
  findingTrees: 30,
  /** Frames of one tree in call order; the smallest fold into "more" frames. */
  framesPerTree: 10_000,
  /** Frames of one merged tree (the flame graph's). */
  mergedFramesPerTree: 5_000,
  /** Frames deeper than this below their request or test fold (the flame graph library recurses). */
  maxDepth: 400,
  /** Frames of all trees of a page; past it, the trees of the fastest entries are dropped. */
  framesPerPage: 400_000,
  /** Frames a finding highlights in the tree in call order (all of them in the merged tree). */
  highlightsPerTarget: 2_000,
  /** SQL shapes listed per request or test (the most time first). */
  sqlShapesPerEntry: 100,
};
export type ReportLimits = typeof REPORT_LIMITS;

/** Labels of unlisted requests and tests summed up one by one; the rest are one line. */
export const MAX_UNLISTED_GROUPS = 100;

/** One side (the recordings after, or before) being read, one recording at a time. */
export interface SideBuilder {
  /** Adds a recording and its own findings (as findingsOf gives them, before merging). */
  addRecording(trace: Trace, findings: Finding[]): void;
  finish(): SideResult;
}

/** A side, read: its entries with their trees, and where each recording's findings are. */
export interface SideResult {
  recordings: string[];
  entries: PendingEntry[];
  unlisted: UnlistedGroup[];
  unlistedRest?: UnlistedRest;
  nEntries: number;
  strings: StringTable;
  locations: Map<string, string>;
  targets: PendingTarget[];
  notes: string[];
}

export interface SideOptions {
  limits?: Partial<ReportLimits>;
  /** Embed the trees of these entry keys only (the before side, matching the after side's). */
  treesFor?: ReadonlySet<string>;
}

export function createSideBuilder(options: SideOptions = {}): SideBuilder {
  const limits = { ...REPORT_LIMITS, ...options.limits };
  const strings = new StringTable();
  const locations = new Map<string, string>();
  const entries: PendingEntry[] = [];
  const recordings: string[] = [];
  const targets: PendingTarget[] = [];
  const ordinals = new Map<string, number>();
  /** Entries holding a tree because they are among the slowest, slowest first. */
  const slowest: PendingEntry[] = [];
  let findingTrees = 0;
  let order = 0;

  return {
    addRecording(trace, findings) {
      recordings.push(trace.recordingPath);
      for (const fn of trace.functions) {
        if (fn.recordedPath !== undefined) locations.set(functionKey(fn), fn.recordedLine ? `${fn.recordedPath}:${fn.recordedLine}` : fn.recordedPath);
      }
      const found = entriesOf(trace, ordinals, () => order++, limits.sqlShapesPerEntry);
      const first = entries.length;
      // The before side keeps only what the after side can be compared with.
      for (const e of found.entries) if (!options.treesFor || options.treesFor.has(e.key)) entries.push(e);
      const wanted = new Map<PendingEntry, RawTarget[]>();
      // The same finding in many requests of a recording is one finding once merged: one place will do.
      const unique = new Map<string, Finding>();
      for (const f of findings) {
        const k = findingKey(f);
        const seen = unique.get(k);
        if (!seen || f.count > seen.count) unique.set(k, f);
      }
      const sqlIndex = sqlCallsByShape(trace, [...unique.values()]);
      const { parent } = trace.calls;
      const ancestorOf = commonAncestors((c) => parent[c], trace.calls.length);
      for (const f of unique.values()) {
        const t = rawTargetOf(trace, found, sqlIndex, ancestorOf, f);
        if (!t) continue;
        if (!t.entry.hasTree && !wanted.has(t.entry)) {
          if (findingTrees >= limits.findingTrees) continue;
          findingTrees++;
        }
        const list = wanted.get(t.entry) ?? [];
        list.push(t);
        wanted.set(t.entry, list);
        t.entry.hasTree = true;
      }
      for (let i = first; i < entries.length; i++) {
        const e = entries[i];
        const raw = wanted.get(e);
        if (options.treesFor) {
          if (raw || options.treesFor.has(e.key)) buildTree(trace, found, e, raw ?? [], strings, limits, targets);
          continue;
        }
        const isSlow = slowest.length < limits.slowestTrees || e.ms > slowest[slowest.length - 1].ms;
        if (raw || isSlow) buildTree(trace, found, e, raw ?? [], strings, limits, targets);
        if (isSlow) {
          slowest.push(e);
          slowest.sort((a, b) => b.ms - a.ms || a.order - b.order);
          if (slowest.length > limits.slowestTrees) {
            const out = slowest.pop() as PendingEntry;
            if (!out.isTarget) dropTree(out);
          }
        }
      }
      // The trace goes once this returns: nothing may hold on to its calls.
      for (const e of found.entries) delete e.root;
    },

    finish() {
      const notes: string[] = [];
      entries.sort((a, b) => b.ms - a.ms || a.order - b.order);
      const listed: PendingEntry[] = [];
      const unlisted = new Map<string, UnlistedGroup>();
      for (const e of entries) {
        if (listed.length < limits.listedEntries || e.tree) {
          listed.push(e);
          continue;
        }
        const key = `${e.kind}\u0000${e.label}`;
        const g = unlisted.get(key) ?? { kind: e.kind, label: e.label, count: 0, totalMs: 0, maxMs: 0, sql: 0 };
        g.count++;
        g.totalMs = roundMs(g.totalMs + e.ms);
        g.maxMs = Math.max(g.maxMs, e.ms);
        g.sql += e.sql;
        unlisted.set(key, g);
      }
      // The page's frame budget: the trees of the fastest entries go first, a finding's last.
      let frames = listed.reduce((n, e) => n + treeFrames(e), 0);
      const byCost = listed.filter((e) => e.tree).sort((a, b) => Number(a.isTarget) - Number(b.isTarget) || a.ms - b.ms);
      let dropped = 0;
      for (const e of byCost) {
        if (frames <= limits.framesPerPage) break;
        frames -= treeFrames(e);
        dropTree(e);
        dropped++;
      }
      for (const t of targets) if (!t.entry.tree) t.dropped = true;
      const nTrees = listed.filter((e) => e.tree).length;
      if (entries.length > listed.length) notes.push(`${plural(listed.length, 'request or test', 'requests and tests')} of ${formatCount(entries.length)} are listed (the slowest); the others are summed up per route or test at the end of the list.`);
      if (nTrees < listed.length) notes.push(`Call trees are embedded for ${plural(nTrees, 'request or test', 'requests and tests')}: the ${formatCount(limits.slowestTrees)} slowest and those with findings${dropped ? `, less ${formatCount(dropped)} dropped to keep the page under ${formatCount(limits.framesPerPage)} frames` : ''}.`);
      const folded = listed.reduce((n, e) => n + (e.tree?.folded ?? 0), 0);
      if (folded) notes.push(`${plural(folded, 'call')} of the embedded trees are folded into "… more calls" frames (the smallest, or deeper than ${formatCount(limits.maxDepth)} levels), at most ${formatCount(limits.framesPerTree)} frames per tree in call order and ${formatCount(limits.mergedFramesPerTree)} merged.`);
      const groups = [...unlisted.values()].sort((a, b) => b.totalMs - a.totalMs);
      const rest = groups.slice(MAX_UNLISTED_GROUPS);
      const unlistedRest = rest.length ? { groups: rest.length, count: sum(rest, (g) => g.count), totalMs: roundMs(sum(rest, (g) => g.totalMs)), sql: sum(rest, (g) => g.sql) } : undefined;
      return { recordings, entries: listed, unlisted: groups.slice(0, MAX_UNLISTED_GROUPS), unlistedRest, nEntries: entries.length, strings, locations, targets, notes };
    },
  };
}

export interface ReportInput {
  title: string;
  after: SideResult;
  before?: SideResult;
  /** The after side's findings, merged across recordings and without those ignored by comments. */
  findings: Finding[];
  comparison?: Comparison;
  /** How each side was given, for people (`.runlens/baseline.json`, `3 recordings`). */
  sources?: { before: string; after: string };
  problems: Problem[];
  /** The findings' fixes (core/fixes fixOf), shown as the Markdown report shows them. */
  fixes?: Map<Finding, Fix>;
  /** The current text of a workspace file, for a fix's diff; undefined when unreadable. */
  sourceText?: (path: string) => string | undefined;
  /** What links to source lines start with (`--link-base`, or relative to the report's folder). */
  linkBase?: string;
}

/** The page's data: both sides in one string table, findings linked to their frames. */
export function reportModel(input: ReportInput): ReportModel {
  const strings = new StringTable();
  const locations: Record<number, string> = {};
  const after = sideView(input.after, strings, locations);
  const before = input.before && sideView(input.before, strings, locations);
  const entryIndex = new Map<PendingEntry, number>(input.after.entries.map((e, i) => [e, i]));
  const byKey = new Map<string, PendingTarget[]>();
  for (const t of input.after.targets) {
    if (t.dropped || !entryIndex.has(t.entry)) continue;
    const k = findingKey(t.finding);
    const list = byKey.get(k);
    if (list) list.push(t);
    else byKey.set(k, [t]);
  }
  const findings: FindingView[] = input.findings.map((f, fi) => {
    const found = (byKey.get(findingKey(f)) ?? []).sort((a, b) => b.finding.count - a.finding.count || a.order - b.order);
    const targets = found.map((t): FindingTarget => {
      const entry = entryIndex.get(t.entry) as number;
      // Findings are taken in order, so one already listed is the last (a search of the list cost the square of the findings in one entry).
      const listed = after.entries[entry].findings;
      if (listed[listed.length - 1] !== fi) listed.push(fi);
      return { entry, recording: t.entry.recording, focus: t.focus, frames: t.frames, mergedFocus: t.mergedFocus, mergedFrames: t.mergedFrames, nFrames: t.nFrames };
    });
    const href = input.linkBase === undefined ? undefined : sourceHref(input.linkBase, f.location.path, f.location.line);
    const fix = fixView(input.fixes?.get(f), input.sourceText, input.linkBase);
    return {
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      detail: f.detail,
      path: f.location.path,
      line: f.location.line,
      count: f.count,
      scope: f.scope,
      related: f.related.map((r) => ({ sql: r.sql, count: r.count })),
      ...(href === undefined ? {} : { href }),
      ...(fix ? { fix } : {}),
      targets,
    };
  });
  const notes = [...input.after.notes, ...(input.before?.notes ?? []).map((n) => `Before: ${n}`)];
  if (findings.some((f) => f.targets.length === 0)) notes.push('Findings without a link have no embedded call tree (see the limits above) or are about a recording as a whole.');
  return {
    title: input.title,
    strings: strings.strings,
    locations,
    after,
    before,
    comparison: input.comparison && comparisonView(input.comparison, input.sources),
    findings,
    problems: input.problems.slice(0, 200).map(formatProblem),
    notes,
  };
}

/** A fix for the page: the diff of its edit (the Markdown report's), else its new code, else its hint. */
function fixView(fix: Fix | undefined, sourceText: ReportInput['sourceText'], linkBase: string | undefined): FixView | undefined {
  if (!fix) return undefined;
  if (!fix.edit) return fix.hint ? { hint: fix.hint } : undefined;
  const { path, range, newText } = fix.edit;
  const diff = editDiff(fix.edit, sourceText?.(path));
  const href = linkBase === undefined ? undefined : sourceHref(linkBase, path, range.line);
  return { path, line: range.line, endLine: range.endLine, ...(href === undefined ? {} : { href }), ...(diff ? { diff } : { code: newText }) };
}

// ---- building ---------------------------------------------------------------------------------

/** An entry while its side is read; its tree's names are in the side's own string table. */
export interface PendingEntry extends EntryFacts {
  sqlShapes: { shape: string; count: number; totalMs: number; maxMs: number }[];
  moreSqlShapes: { shapes: number; count: number };
  /** Order of discovery, for stable sorting. */
  order: number;
  tree?: CompactTree;
  merged?: CompactTree;
  /** A tree is built (or about to be) for this entry. */
  hasTree: boolean;
  /** A finding points into this entry: its tree is kept. */
  isTarget: boolean;
  /** While its recording is read: the root call (request), or undefined (test). */
  root?: Call;
}

/** Where one recording's finding is, in its entry's embedded trees. */
export interface PendingTarget {
  finding: Finding;
  entry: PendingEntry;
  focus: number;
  frames: number[];
  mergedFocus: number;
  mergedFrames: number[];
  nFrames: number;
  order: number;
  dropped?: boolean;
}

/** A finding's place by trace call indices, before the entry's tree exists. */
interface RawTarget {
  finding: Finding;
  entry: PendingEntry;
  /** Call index, or -1 for a test's root. */
  focus: number;
  frames: number[];
}

interface RecordingEntries {
  entries: PendingEntry[];
  /** The request entry each call is in (innermost), or -1. */
  requestOf: Int32Array;
  test: PendingEntry | undefined;
  roots: Call[];
}

/** The requests of a recording, and the test when something ran outside requests. */
function entriesOf(trace: Trace, ordinals: Map<string, number>, nextOrder: () => number, maxShapes: number): RecordingEntries {
  const calls = trace.calls;
  const { parent, kind, elapsedMs } = calls;
  const n = calls.length;
  const sqlBelow = new Int32Array(n);
  const callsBelow = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    callsBelow[i]++;
    if (kind[i] === CallKind.Sql) sqlBelow[i]++;
    const p = parent[i];
    if (p !== -1) {
      sqlBelow[p] += sqlBelow[i];
      callsBelow[p] += callsBelow[i];
    }
  }
  const roots: Call[] = [];
  for (let c = 0; c < n; c++) if (parent[c] === -1) roots.push(c);
  const testName = trace.metadata.name;
  const entries: PendingEntry[] = [];
  const nextKey = (base: string) => {
    const k = ordinals.get(base) ?? 0;
    ordinals.set(base, k + 1);
    return `${base}\u0000${k}`;
  };
  const requestOf = new Int32Array(n).fill(-1);
  for (let c = 0; c < n; c++) {
    if (parent[c] !== -1) requestOf[c] = requestOf[parent[c]];
    if (kind[c] !== CallKind.HttpServer) continue;
    const http = calls.http.get(c);
    const route = http?.route ?? 'HTTP request';
    const status = http?.status;
    const path = http && http.path !== route.replace(/^\S+\s+/, '') ? http.path : undefined;
    requestOf[c] = entries.length;
    entries.push(pending(nextOrder(), {
      kind: 'request',
      label: route,
      detail: [path, status === undefined ? undefined : `status ${status}`, testName, trace.recordingPath].filter((s) => s !== undefined).join(' · '),
      key: nextKey(`request\u0000${route}\u0000${testName ?? ''}`),
      recording: trace.recordingPath,
      ms: roundMs(msOf(elapsedMs[c])),
      sql: sqlBelow[c],
      calls: callsBelow[c],
      root: c,
    }));
  }
  let test: PendingEntry | undefined;
  if (roots.some((r) => kind[r] !== CallKind.HttpServer)) {
    const label = testName ?? trace.recordingPath;
    test = pending(nextOrder(), {
      kind: 'test',
      label,
      detail: [plural(roots.length, 'root call'), trace.recordingPath].join(' · '),
      key: nextKey(`test\u0000${label}`),
      recording: trace.recordingPath,
      ms: roundMs(roots.reduce((t, r) => t + msOf(elapsedMs[r]), 0)),
      sql: roots.reduce((t, r) => t + sqlBelow[r], 0),
      calls: n,
    });
    entries.push(test);
  }
  // SQL by shape, per entry: a query counts in its innermost request and in the test.
  const shapes = entries.map(() => new Map<string, { shape: string; count: number; totalMs: number; maxMs: number }>());
  const testIndex = test ? entries.length - 1 : -1;
  const addTo = (e: number, shape: string, ms: number) => {
    const g = shapes[e].get(shape);
    if (g) {
      g.count++;
      g.totalMs += ms;
      g.maxMs = Math.max(g.maxMs, ms);
    } else {
      shapes[e].set(shape, { shape, count: 1, totalMs: ms, maxMs: Math.max(0, ms) });
    }
  };
  for (let c = 0; c < n; c++) {
    if (kind[c] !== CallKind.Sql) continue;
    const shape = sqlShapeOf(trace, c);
    const ms = msOf(elapsedMs[c]);
    if (requestOf[c] !== -1) addTo(requestOf[c], shape, ms);
    if (testIndex !== -1) addTo(testIndex, shape, ms);
  }
  entries.forEach((e, i) => {
    const all = [...shapes[i].values()].sort((a, b) => b.totalMs - a.totalMs || b.count - a.count);
    const rest = all.slice(maxShapes);
    e.sqlShapes = all.slice(0, maxShapes).map((g) => ({ ...g, totalMs: roundMs(g.totalMs), maxMs: roundMs(g.maxMs) }));
    e.moreSqlShapes = { shapes: rest.length, count: rest.reduce((t, g) => t + g.count, 0) };
  });
  return { entries, requestOf, test, roots };
}

function pending(order: number, e: Omit<PendingEntry, 'order' | 'hasTree' | 'isTarget' | 'sqlShapes' | 'moreSqlShapes'>): PendingEntry {
  return { ...e, order, hasTree: false, isTarget: false, sqlShapes: [], moreSqlShapes: { shapes: 0, count: 0 } };
}

/**
 * Where a finding is in its recording: among the entries of its scope (the request's route or the
 * test), the one with most of the finding's SQL shapes (then the slowest); there, those queries,
 * and as the frame to zoom to the finding's function when it encloses them (an N+1's queryset or
 * function), else their common parent. Findings about one call (slow call, slow request) point at
 * that call.
 */
function rawTargetOf(trace: Trace, found: RecordingEntries, sqlIndex: Map<string, number[]>, ancestorOf: (nodes: number[]) => number, f: Finding): RawTarget | undefined {
  const inScope = new Set(found.entries.filter((e) => f.scope === undefined || e.label === f.scope));
  if (!inScope.size) return undefined;
  const refKey = 'fn' in f.ref ? functionKey({ ...f.ref.fn, index: -1, labels: [] }) : undefined;
  const entryOf = (c: number): PendingEntry | undefined => {
    const r = found.requestOf[c];
    const e = r === -1 ? found.test : found.entries[r];
    return e && inScope.has(e) ? e : found.test && inScope.has(found.test) ? found.test : undefined;
  };
  const { parent, kind, fn, elapsedMs } = trace.calls;
  const within = (e: PendingEntry, c: number) => e.kind === 'test' || isUnder(trace, c, e.root as Call);
  if (f.related.length) {
    const byEntry = new Map<PendingEntry, number[]>();
    for (const r of f.related) {
      for (const c of sqlIndex.get(r.sql) ?? []) {
        const e = entryOf(c);
        if (!e) continue;
        const list = byEntry.get(e);
        if (list) list.push(c);
        else byEntry.set(e, [c]);
      }
    }
    let best: { entry: PendingEntry; frames: number[] } | undefined;
    for (const [entry, frames] of byEntry) {
      if (!best || frames.length > best.frames.length || (frames.length === best.frames.length && entry.ms > best.entry.ms)) best = { entry, frames };
    }
    if (!best) return undefined;
    const { entry, frames } = best;
    frames.sort((a, b) => a - b);
    let focus = ancestorOf(frames);
    if (focus !== -1 && kind[focus] === CallKind.Sql) focus = parent[focus];
    // The finding's own function, when it encloses the queries.
    for (let a = focus; refKey !== undefined && a !== -1 && within(entry, a); a = parent[a]) {
      countWork();
      if (kind[a] === CallKind.Function && fn[a] !== -1 && functionKey(trace.functions[fn[a]]) === refKey) {
        focus = a;
        break;
      }
    }
    if (entry.kind === 'request' && (focus === -1 || !within(entry, focus))) focus = entry.root as Call;
    return { finding: f, entry, focus, frames };
  }
  if (f.rule === 'slow-call' && refKey !== undefined) {
    // The slowest call of the finding's function.
    let slowest = -1;
    for (let c = 0; c < trace.calls.length; c++) {
      if (kind[c] === CallKind.Function && fn[c] !== -1 && entryOf(c) && functionKey(trace.functions[fn[c]]) === refKey && (slowest === -1 || elapsedMs[c] > elapsedMs[slowest])) slowest = c;
    }
    const entry = slowest === -1 ? undefined : entryOf(slowest);
    return entry && { finding: f, entry, focus: slowest, frames: [slowest] };
  }
  // A request or test as a whole: the slowest of the scope.
  const entry = [...inScope].sort((a, b) => b.ms - a.ms)[0];
  const focus = entry.root ?? -1;
  return { finding: f, entry, focus, frames: focus === -1 ? [] : [focus] };
}

/** The SQL calls of each shape that the findings name. */
function sqlCallsByShape(trace: Trace, findings: Finding[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const f of findings) for (const r of f.related) index.set(r.sql, []);
  if (!index.size) return index;
  const { kind } = trace.calls;
  for (let c = 0; c < trace.calls.length; c++) if (kind[c] === CallKind.Sql) index.get(sqlShapeOf(trace, c))?.push(c);
  return index;
}

/** Builds an entry's trees, keeping its findings' frames, and records where those frames are. */
function buildTree(trace: Trace, found: RecordingEntries, e: PendingEntry, raws: RawTarget[], strings: StringTable, limits: ReportLimits, targets: PendingTarget[]): void {
  const full = e.kind === 'test' ? fullTree(trace, found.roots, strings, e.label) : fullTree(trace, [e.root as Call], strings);
  const fullId = new Map<number, number>();
  if (raws.length) full.callIndex.forEach((c, i) => fullId.set(c, i));
  const toFull = (c: number) => (c === -1 ? 0 : fullId.get(c) ?? 0);
  const keep: number[] = [];
  const rawFull = raws.map((t) => {
    const focus = toFull(t.focus);
    const frames = t.frames.map(toFull);
    keep.push(focus);
    append(keep, frames.slice(0, limits.highlightsPerTarget));
    return { focus, frames };
  });
  const culled = cullTree(full, { maxFrames: limits.framesPerTree, maxDepth: limits.maxDepth, keep, strings });
  const { tree: mergedFull, mergedOf } = mergeTree(full);
  const mergedCulled = cullTree(mergedFull, { maxFrames: limits.mergedFramesPerTree, maxDepth: limits.maxDepth, keep: keep.map((i) => mergedOf[i]), strings });
  e.tree = culled.tree;
  e.merged = mergedCulled.tree;
  e.hasTree = true;
  const keptInTree = keptAncestors(full, culled.newId);
  const keptInMerged = keptAncestors(mergedFull, mergedCulled.newId);
  raws.forEach((t, k) => {
    const { focus, frames } = rawFull[k];
    const mergedFrames = [...new Set(frames.map((i) => mergedCulled.newId[mergedOf[i]]).filter((i) => i >= 0))];
    e.isTarget = true;
    targets.push({
      finding: t.finding,
      entry: e,
      focus: keptInTree(focus),
      frames: frames.map((i) => culled.newId[i]).filter((i) => i >= 0),
      mergedFocus: keptInMerged(mergedOf[focus]),
      mergedFrames,
      nFrames: frames.length,
      order: targets.length,
    });
  });
  delete e.root;
}

function dropTree(e: PendingEntry): void {
  delete e.tree;
  delete e.merged;
  e.hasTree = false;
}

// ---- views ------------------------------------------------------------------------------------

function sideView(side: SideResult, strings: StringTable, locations: Record<number, string>): SideView {
  const remap = (tree: CompactTree | undefined): CompactTree | undefined => {
    if (!tree) return undefined;
    const name = tree.name.map((i) => {
      const s = side.strings.strings[i];
      const id = strings.id(s);
      const loc = side.locations.get(s);
      if (loc !== undefined && !(id in locations)) locations[id] = loc;
      return id;
    });
    const { startUs, ...rest } = tree;
    return startUs ? { ...rest, name, startStepUs: startUs.map((t, i) => (i ? t - startUs[i - 1] : t)) } : { ...rest, name };
  };
  const entries = side.entries.map((e, id): EntryView => ({
    id,
    kind: e.kind,
    label: e.label,
    detail: e.detail,
    key: e.key,
    recording: e.recording,
    ms: e.ms,
    sql: e.sql,
    calls: e.calls,
    tree: remap(e.tree),
    merged: remap(e.merged),
    sqlShapes: e.sqlShapes.map((g) => ({ shape: strings.id(g.shape), count: g.count, totalMs: g.totalMs, maxMs: g.maxMs })),
    moreSqlShapes: e.moreSqlShapes,
    findings: [],
  }));
  return { recordings: side.recordings, entries, unlisted: side.unlisted, unlistedRest: side.unlistedRest, nEntries: side.nEntries };
}

/** The comparison's tables as text cells, the way `runlens compare` words them. */
function comparisonView(c: Comparison, sources: { before: string; after: string } | undefined): ComparisonView {
  const MAX_ROWS = 200;
  const sections: ComparisonSection[] = [
    { title: 'Routes', perCall: 'per request', calls: 'requests', entries: c.routes },
    { title: 'Tests', perCall: 'per run', calls: 'runs', entries: c.tests },
    { title: 'Functions', perCall: 'per call', calls: 'calls', entries: c.functions },
  ].map(({ entries, ...s }) => {
    const shown = entries.filter((e) => e.notable).slice(0, MAX_ROWS);
    return { ...s, rows: shown.map(comparisonRow), hidden: entries.length - shown.length };
  });
  const line = (f: { path: string; line: number; severity: string; message: string; rule: string }) => `${f.path}:${f.line} ${f.severity} ${f.message} [${f.rule}]`;
  const changed = (status: ComparisonFinding['status'], f: { message: string; scope?: string }, text: string): ComparisonFinding => ({ status, text, name: shortName(f.message), ...(f.scope === undefined ? {} : { scope: f.scope }) });
  return {
    sources: sources ?? { before: 'before', after: 'after' },
    recordings: { before: c.before.recordings, after: c.after.recordings },
    regressed: c.regressed,
    regressions: c.regressions,
    sections,
    findings: [
      ...c.findings.resolved.map((f) => changed('resolved', f, line(f))),
      ...c.findings.new.map((f) => changed('new', f, line(f))),
      ...c.findings.changed.map(({ before, after }) => changed('changed', after, `${line(after)} (${formatCount(before.count)} → ${formatCount(after.count)})`)),
    ],
    notes: [
      `Noise: a time change within ${formatNumber(c.thresholds.noiseFactor)} × the spread of one call's time (± in the noise column) claims nothing.`,
      '"1 sample each": one timed call on each side, so noise cannot be told from change.',
      'SQL counts and findings are not noisy.',
    ],
  };
}

/** name, time, change, SQL, calls, noise: the cells of `runlens compare`'s tables (core/baseline/report.ts). */
function comparisonRow(e: EntryChange): ComparisonRow {
  const dash = '–';
  const ms = (s: EntryChange['before']) => (s?.meanMs === undefined ? dash : formatMs(s.meanMs));
  const sqlOf = (s: EntryChange['before']) => (s ? formatPerCall(s.calls ? s.sql / s.calls : 0) : dash);
  const regression = e.regressions.length > 0;
  if (e.status !== 'compared') {
    return { key: e.key, time: `${ms(e.before)} → ${ms(e.after)}`, change: e.status === 'added' ? 'new' : 'gone', sql: `${sqlOf(e.before)} → ${sqlOf(e.after)}`, calls: `${e.before ? formatCount(e.before.calls) : dash} → ${e.after ? formatCount(e.after.calls) : dash}`, noise: '', regression };
  }
  const t = e.time;
  return {
    key: e.key,
    time: t ? `${formatMs(t.beforeMs)} → ${formatMs(t.afterMs)}` : `${ms(e.before)} → ${ms(e.after)}`,
    change: !t ? '' : t.noise === 'within' ? 'within noise' : formatChangeMs(t),
    sql: e.sql && e.sql.change !== 0 ? `${formatPerCall(e.sql.before)} → ${formatPerCall(e.sql.after)} (${e.sql.change < 0 ? '\u2212' : '+'}${formatPerCall(Math.abs(e.sql.change))})` : formatPerCall(e.sql?.after ?? 0),
    calls: e.calls && e.calls.change !== 0 ? `${formatPerCall(e.calls.before)} → ${formatPerCall(e.calls.after)}` : formatPerCall(e.calls?.after ?? 0),
    noise: !t ? '' : t.noise === 'unknown' ? (e.before?.timed === 1 && e.after?.timed === 1 ? '1 sample each' : 'no spread') : `±${formatMsPlain(t.noiseMs ?? 0)}`,
    regression,
  };
}

// ---- helpers ----------------------------------------------------------------------------------

/** A finding's kind for a headline: its message up to the colon (`N+1: 600 queries…` → `N+1`). */
function shortName(message: string): string {
  const colon = message.indexOf(':');
  return colon > 0 && colon <= 40 ? message.slice(0, colon) : message;
}

/** The identity mergeFindings gives a finding: rule, place and repeated shapes. */
function findingKey(f: Finding): string {
  const shapes = f.related.map((r) => r.sql).sort().join('\u0001');
  return `${f.rule}\u0000${f.location.path}\u0000${f.location.line}\u0000${f.location.column}\u0000${shapes}`;
}

function isUnder(trace: Trace, c: Call, root: Call): boolean {
  const { parent, threadId } = trace.calls;
  if (threadId[c] !== threadId[root] || c < root) return false;
  for (let a: number = c; a !== -1; a = parent[a]) {
    countWork();
    if (a === root) return true;
  }
  return false;
}

/**
 * The nearest node at or above a node that the culled tree kept (its new id; 0, the root, when
 * none), for every target of an entry: what each walk finds is remembered for the nodes it
 * passed, so targets deep under one chain do not each walk it again.
 */
function keptAncestors(tree: CompactTree, newId: Int32Array): (node: number) => number {
  const kept = new Int32Array(tree.parent.length).fill(-1);
  const walked: number[] = [];
  return (node) => {
    walked.length = 0;
    let found = 0;
    for (let a = node; a !== -1; a = tree.parent[a]) {
      countWork();
      if (newId[a] >= 0) {
        found = newId[a];
        break;
      }
      if (kept[a] !== -1) {
        found = kept[a];
        break;
      }
      walked.push(a);
    }
    for (const w of walked) kept[w] = found;
    return found;
  };
}

function sum<T>(items: T[], of: (item: T) => number): number {
  return items.reduce((t, x) => t + of(x), 0);
}

function treeFrames(e: PendingEntry): number {
  return (e.tree?.name.length ?? 0) + (e.merged?.name.length ?? 0);
}

function msOf(elapsedMs: number): number {
  return Number.isFinite(elapsedMs) ? elapsedMs : 0;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

