// The frames of one embedded call tree (core/report/pageData.ts CompactTree): their kinds, the
// children lists, self times and subtree calls computed once per tree, and the line that
// describes a frame (the flame graph's label, the call tree's tooltip). Loops, never recursion:
// recorded trees can be deeper than the JS stack.

import { CompactTree, FrameKind } from '../core/report/pageData';
import { data, S } from './data';
import { fmtMsFine, pct, plural } from './format';

/** What a frame is, for people (and the `data-kind` attributes): one name per FrameKind, or the build fails. */
export const KIND_NAMES: Readonly<Record<FrameKind, string>> = {
  [FrameKind.Function]: 'function',
  [FrameKind.Sql]: 'SQL query',
  [FrameKind.HttpServer]: 'HTTP request',
  [FrameKind.HttpClient]: 'HTTP client request',
  [FrameKind.More]: 'folded calls',
  [FrameKind.Test]: 'test',
};

export interface Prepared {
  n: number;
  kids: number[][];
  /** Self time of each frame, in ms. */
  self: Float64Array;
  /** Calls in each frame's subtree. */
  subCalls: Float64Array;
  /** A recording without times: widths are numbers of calls instead. */
  byCalls: boolean;
  /** By how much (µs) the children's times add up to more than the frame's own: they overlapped (concurrency, clock skew); 0 mostly. */
  overUs: Float64Array;
  /** The width each frame is drawn with (ms): its time, times the scale of the frames above it that were drawn narrower than their children's sum. */
  shownMs: Float64Array;
  /** Frames with overlapping children. */
  nOver: number;
}

const prepared = new WeakMap<CompactTree, Prepared>();

/** Children lists, self times and subtree calls of a tree, computed once. */
export function prep(tree: CompactTree): Prepared {
  const known = prepared.get(tree);
  if (known) return known;
  const n = tree.name.length, kids: number[][] = new Array(n), self = new Float64Array(n), subCalls = new Float64Array(n);
  const overUs = new Float64Array(n), shownMs = new Float64Array(n), scale = new Float64Array(n);
  let i: number, nOver = 0;
  for (i = 0; i < n; i++) kids[i] = [];
  for (i = 1; i < n; i++) kids[tree.parent[i]].push(i);
  for (i = 0; i < n; i++) {
    let s = tree.us[i];
    for (let k = 0; k < kids[i].length; k++) s -= tree.us[kids[i][k]];
    self[i] = Math.max(0, s) / 1000;
    if (s < 0) { overUs[i] = -s; nOver++; }
  }
  // Parents before children: a frame is drawn as wide as its time, scaled by the frames above it
  // whose children overlapped (their children share the parent's width in proportion).
  for (i = 0; i < n; i++) {
    const above = i === 0 ? 1 : scale[tree.parent[i]];
    shownMs[i] = tree.us[i] * above / 1000;
    scale[i] = overUs[i] > 0 ? above * tree.us[i] / (tree.us[i] + overUs[i]) : above;
  }
  for (i = n - 1; i >= 0; i--) {
    subCalls[i] += tree.calls[i];
    if (i > 0) subCalls[tree.parent[i]] += subCalls[i];
  }
  const p: Prepared = { n, kids, self, subCalls, byCalls: tree.us[0] === 0, overUs, shownMs, nOver };
  prepared.set(tree, p);
  return p;
}

/** Frame i for people: name, kind, time and share, self time, calls, SQL, where it is. */
export function describe(tree: CompactTree, i: number): string {
  const p = prep(tree);
  const kind = tree.kind[i];
  const parts = [S[tree.name[i]]];
  if (kind !== FrameKind.Function) parts.push(KIND_NAMES[kind]);
  parts.push(fmtMsFine(tree.us[i] / 1000) + (i > 0 ? ' (' + pct(tree.us[i], tree.us[0]) + ')' : ''));
  parts.push('self ' + fmtMsFine(p.self[i]));
  parts.push(plural(tree.calls[i], 'call'));
  parts.push(plural(tree.sql[i], 'SQL query', 'SQL queries') + (kind === FrameKind.Sql ? '' : ' under it'));
  const loc = data.locations[tree.name[i]];
  if (loc && kind === FrameKind.Function) parts.push(loc);
  if (p.overUs[i] > 0) parts.push('its calls add up to ' + fmtMsFine((tree.us[i] + p.overUs[i]) / 1000) + ', ' + fmtMsFine(p.overUs[i] / 1000) + ' more than its own time (they overlapped: concurrent calls, or clocks that disagree); drawn to its own time, its calls scaled to fit');
  if (p.byCalls) parts.push('no times recorded: widths are numbers of calls');
  return parts.join(' · ');
}
