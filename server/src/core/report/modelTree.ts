// Compact call trees for the HTML report: one request's or test's recorded calls as parallel
// arrays in preorder (names in a string table shared by the page), small enough to embed in one
// file. A tree is built whole (`fullTree`), merged for the flame graph (`mergeTree`: sibling calls
// of the same function or SQL shape become one frame), then cut to a frame budget (`cullTree`):
// the smallest frames, and those too deep to draw, fold into one "more calls" frame per parent,
// which keeps their time, SQL and call counts. Nothing here recurses: recorded trees can be
// deeper than the JS stack.

import { functionKey, sqlShapeOf } from '../analysis/stats';
import { formatCount, formatMs } from '../findings/format';
import { Call, CallKind, Trace } from '../trace';
import { countWork } from '../workCounter';
import { CompactTree, FrameKind } from './pageData';

export { FrameKind } from './pageData';
export type { CompactTree } from './pageData';

/** Interns the strings of a report (names, SQL shapes), so that each is written once in the page. */
export class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s.length > MAX_NAME_CHARS ? `${s.slice(0, MAX_NAME_CHARS)}…` : s);
      this.ids.set(s, id);
    }
    return id;
  }
}

/** Names longer than this (SQL mostly) are cut in the page. */
export const MAX_NAME_CHARS = 4000;

/** A whole recorded subtree, and which call each node is. */
export interface FullTree extends CompactTree {
  /** The trace's call index of each node; -1 for a test's root. */
  callIndex: number[];
}

/**
 * The subtree of `roots` as a tree: one root call (a request), or, with `testName`, a node for
 * the recording above all of its root calls. Times are as recorded; unknown ones (and the test
 * node's) count as the children's sum.
 */
export function fullTree(trace: Trace, roots: Call[], strings: StringTable, testName?: string): FullTree {
  const tree: FullTree = { name: [], parent: [], kind: [], us: [], sql: [], calls: [], folded: 0, callIndex: [], startUs: [] };
  const { kind, elapsedMs, startMs, firstChild, nextSibling } = trace.calls;
  // A start may be unknown (NaN: an OTel span without a valid start): it counts as the origin.
  const origin = roots.reduce((t, r) => (Number.isFinite(startMs[r]) ? Math.min(t, startMs[r]) : t), Infinity);
  const starts = tree.startUs as number[];
  // A name's string id once per function and per SQL text, not once per call (a key and a lookup each).
  const { fn, sql } = trace.calls;
  const fnNameId = new Int32Array(trace.functions.length).fill(-1);
  const sqlNameId = new Int32Array(trace.calls.sqlTexts.length).fill(-1);
  const nameIdOf = (c: Call): number => {
    const k = kind[c];
    if (k === CallKind.Function && fn[c] !== -1) {
      const id = fnNameId[fn[c]];
      return id !== -1 ? id : (fnNameId[fn[c]] = strings.id(frameName(trace, c)));
    }
    if (k === CallKind.Sql && sql[c] !== -1) {
      const id = sqlNameId[sql[c]];
      return id !== -1 ? id : (sqlNameId[sql[c]] = strings.id(frameName(trace, c)));
    }
    return strings.id(frameName(trace, c));
  };
  /** Adds call `c` (-1: the test's node) under node `parent`; returns its node. */
  const add = (c: Call, parent: number): number => {
    const id = tree.name.length;
    tree.parent.push(parent);
    tree.calls.push(1);
    tree.callIndex.push(c);
    starts.push(c !== -1 && Number.isFinite(startMs[c]) && Number.isFinite(origin) ? Math.round((startMs[c] - origin) * 1000) : 0);
    if (c === -1) {
      tree.name.push(strings.id(testName ?? trace.recordingPath));
      tree.kind.push(FrameKind.Test);
      tree.us.push(-1);
      tree.sql.push(0);
      return id;
    }
    tree.name.push(nameIdOf(c));
    tree.kind.push(frameKindOf(kind[c]));
    // Unknown (-1 until sumUp): counted as the children's sum.
    const ms = elapsedMs[c];
    tree.us.push(Number.isFinite(ms) ? Math.max(0, Math.round(ms * 1000)) : -1);
    tree.sql.push(kind[c] === CallKind.Sql ? 1 : 0);
    return id;
  };
  // Preorder with an explicit stack of (call, parent node) pairs, as two parallel stacks.
  const stackCall: number[] = [];
  const stackParent: number[] = [];
  const pushChildren = (c: Call, parent: number) => {
    // Children in order: push the last first (the pushed range is reversed in place).
    const from = stackCall.length;
    for (let k = firstChild[c]; k !== -1; k = nextSibling[k]) {
      stackCall.push(k);
      stackParent.push(parent);
    }
    for (let i = from, j = stackCall.length - 1; i < j; i++, j--) {
      const t = stackCall[i];
      stackCall[i] = stackCall[j];
      stackCall[j] = t;
    }
  };
  if (testName !== undefined) {
    const top = add(-1, -1);
    for (let i = roots.length - 1; i >= 0; i--) {
      stackCall.push(roots[i]);
      stackParent.push(top);
    }
  } else {
    pushChildren(roots[0], add(roots[0], -1));
  }
  while (stackCall.length) {
    const call = stackCall.pop() as number;
    const parent = stackParent.pop() as number;
    countWork();
    pushChildren(call, add(call, parent));
  }
  sumUp(tree);
  return tree;
}

/**
 * The flame graph's tree: below each frame, the children with the same name and kind are one
 * frame, whose time, SQL and calls are theirs together. `mergedOf[i]` is node i's merged frame.
 */
export function mergeTree(tree: CompactTree): { tree: CompactTree; mergedOf: Int32Array } {
  const merged: CompactTree = { name: [tree.name[0]], parent: [-1], kind: [tree.kind[0]], us: [tree.us[0]], sql: [tree.sql[0]], calls: [tree.calls[0]], folded: tree.folded };
  const mergedOf = new Int32Array(tree.name.length);
  const byKey = new Map<string, number>();
  for (let i = 1; i < tree.name.length; i++) {
    const parent = mergedOf[tree.parent[i]];
    const key = `${parent} ${tree.kind[i]} ${tree.name[i]}`;
    let m = byKey.get(key);
    if (m === undefined) {
      m = merged.name.length;
      byKey.set(key, m);
      merged.name.push(tree.name[i]);
      merged.parent.push(parent);
      merged.kind.push(tree.kind[i]);
      merged.us.push(0);
      merged.sql.push(0);
      merged.calls.push(0);
    }
    merged.us[m] += tree.us[i];
    merged.sql[m] += tree.sql[i];
    merged.calls[m] += tree.calls[i];
    mergedOf[i] = m;
  }
  return { tree: merged, mergedOf };
}

export interface CullOptions {
  /** At most this many frames are kept (the "more" frames come on top). */
  maxFrames: number;
  /** Frames deeper than this below the root are folded. */
  maxDepth: number;
  /** Frames kept whatever their size (a finding's), with their ancestors, unless too deep. */
  keep?: Iterable<number>;
  strings: StringTable;
}

/**
 * The tree cut to a budget: the frames with the most time are kept (ties: the earlier), with
 * their ancestors (a parent's recorded time can be less than a child's); the
 * rest of each kept frame's children become one "more" frame. `newId[i]` is the kept node i's
 * id in the result, else -1.
 */
export function cullTree(tree: CompactTree, options: CullOptions): { tree: CompactTree; newId: Int32Array } {
  const n = tree.name.length;
  const depth = new Int32Array(n);
  // Per node, itself if it is shallow enough to draw, else its ancestor at the deepest depth drawn
  // (parents come before children), so a kept frame too deep finds the frame that stands for it
  // in one lookup; walking up from each took the queries × their depth below maxDepth.
  const drawnAt = new Int32Array(n);
  for (let i = 1; i < n; i++) {
    depth[i] = depth[tree.parent[i]] + 1;
    drawnAt[i] = depth[i] <= options.maxDepth ? i : drawnAt[tree.parent[i]];
  }
  countWork(n);
  const kept = new Uint8Array(n);
  const fits = (i: number) => depth[i] <= options.maxDepth;
  if (n <= options.maxFrames) {
    for (let i = 0; i < n; i++) if (fits(i)) kept[i] = 1;
  } else {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => tree.us[b] - tree.us[a] || a - b);
    for (let k = 0, taken = 0; k < n && taken < options.maxFrames; k++) {
      if (!fits(order[k])) continue;
      kept[order[k]] = 1;
      taken++;
    }
  }
  kept[0] = 1;
  // A child can have more time than its parent (recorded times overlap): its ancestors are kept too.
  for (let i = n - 1; i > 0; i--) if (kept[i]) kept[tree.parent[i]] = 1;
  for (const i of options.keep ?? []) {
    // Up to the first kept ancestor: each node is marked once, however many frames lie below it.
    for (let a = drawnAt[i]; a !== -1 && !kept[a]; a = tree.parent[a]) {
      countWork();
      kept[a] = 1;
    }
  }

  // Children lists (in order) and the calls of each subtree, for the folded counts.
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) children[tree.parent[i]].push(i);
  const subtreeCalls = Float64Array.from(tree.calls);
  for (let i = n - 1; i > 0; i--) subtreeCalls[tree.parent[i]] += subtreeCalls[i];

  const starts = tree.startUs;
  const out: CompactTree = { name: [], parent: [], kind: [], us: [], sql: [], calls: [], folded: tree.folded, ...(starts ? { startUs: [] } : {}) };
  const newId = new Int32Array(n).fill(-1);
  // Preorder: a node's kept children, then its "more" frame; `~i` stands for node i's "more" frame.
  const stack: { node: number; parent: number }[] = [{ node: 0, parent: -1 }];
  while (stack.length) {
    const { node, parent } = stack.pop() as { node: number; parent: number };
    if (node < 0) {
      const of = ~node;
      let us = 0, sql = 0, calls = 0, nFolded = 0, start = Infinity;
      for (const c of children[of]) {
        if (kept[c]) continue;
        if (starts && starts[c] < start) start = starts[c];
        us += tree.us[c];
        sql += tree.sql[c];
        calls += subtreeCalls[c];
        nFolded++;
      }
      const deeper = depth[of] >= options.maxDepth;
      const name = deeper ? `… ${formatCount(calls)} deeper ${calls === 1 ? 'call' : 'calls'} not shown` : `… ${formatCount(calls)} more ${calls === 1 ? 'call' : 'calls'} (${formatCount(nFolded)} ${nFolded === 1 ? 'frame' : 'frames'} of ${formatMs(maxUs(tree, children[of], kept) / 1000)} or less)`;
      pushNode(out, options.strings.id(name), parent, FrameKind.More, us, sql, calls);
      if (out.startUs) out.startUs.push(start === Infinity ? 0 : start);
      out.folded += calls;
      continue;
    }
    const id = pushNode(out, tree.name[node], parent, tree.kind[node], tree.us[node], tree.sql[node], tree.calls[node]);
    if (out.startUs && starts) out.startUs.push(starts[node]);
    newId[node] = id;
    const kids = children[node];
    if (kids.some((c) => !kept[c])) stack.push({ node: ~node, parent: id });
    for (let k = kids.length - 1; k >= 0; k--) if (kept[kids[k]]) stack.push({ node: kids[k], parent: id });
  }
  return { tree: out, newId };
}

/**
 * The deepest common ancestor of `nodes` (a node counts as its own ancestor), following
 * `parentOf` (-1 above a root; nodes below `size`); -1 when they have none (different roots).
 * Asked for many sets of nodes of one tree (every finding of a recording): each node's depth is
 * worked out once and remembered, and the nodes climb only to where they meet, so findings deep
 * under one long chain cost their distance apart, not the chain's length each (a walk to the
 * root per finding was quadratic: thousands of findings 8,000 calls deep took 380 million steps).
 */
export function commonAncestors(parentOf: (node: number) => number, size: number): (nodes: number[]) => number {
  const depth = new Int32Array(size).fill(-1);
  const walked: number[] = [];
  const depthOf = (node: number): number => {
    walked.length = 0;
    let at = node;
    while (at !== -1 && depth[at] === -1) {
      countWork();
      walked.push(at);
      at = parentOf(at);
    }
    let d = at === -1 ? -1 : depth[at];
    for (let k = walked.length - 1; k >= 0; k--) depth[walked[k]] = ++d;
    return depth[node];
  };
  // Nodes known, in the current set, to lie at or below its common ancestor so far: that only
  // moves up, so they stay below it, and a node that climbs onto one needs to climb no further
  // (a query at every level of one chain would otherwise climb the chain once per query).
  const below = new Int32Array(size);
  let set = 0;
  return (nodes) => {
    if (!nodes.length) return -1;
    set++;
    let a = nodes[0];
    below[a] = set;
    for (let k = 1; k < nodes.length && a !== -1; k++) {
      let b = nodes[k];
      const climbed: number[] = [];
      let da = depthOf(a);
      let db = depthOf(b);
      let under = false;
      while (db > da) {
        countWork();
        if (below[b] === set) {
          under = true;
          break;
        }
        climbed.push(b);
        b = parentOf(b);
        db--;
      }
      if (!under) {
        while (da > db) {
          countWork();
          climbed.push(a);
          a = parentOf(a);
          da--;
        }
        while (a !== b && a !== -1 && b !== -1) {
          countWork();
          climbed.push(a, b);
          a = parentOf(a);
          b = parentOf(b);
        }
        if (a !== b) return -1;
      }
      for (const c of climbed) below[c] = set;
      below[a] = set;
    }
    return a;
  };
}

/** How a call is named in the report: function key, SQL shape, `GET /route`, `GET url`. */
export function frameName(trace: Trace, c: Call): string {
  const calls = trace.calls;
  switch (calls.kind[c] as CallKind) {
    case CallKind.Sql:
      return sqlShapeOf(trace, c);
    case CallKind.HttpServer: {
      const http = calls.http.get(c);
      return http ? http.route : 'HTTP request';
    }
    case CallKind.HttpClient: {
      const client = calls.client.get(c);
      return client ? `${client.method} ${client.url}` : 'HTTP client request';
    }
    default: {
      const fn = calls.fn[c];
      return fn === -1 ? (calls.spanName.get(c) ?? '(unknown function)') : functionKey(trace.functions[fn]);
    }
  }
}

// ---- helpers ----------------------------------------------------------------------------------

function frameKindOf(kind: number): FrameKind {
  switch (kind as CallKind) {
    case CallKind.Sql: return FrameKind.Sql;
    case CallKind.HttpServer: return FrameKind.HttpServer;
    case CallKind.HttpClient: return FrameKind.HttpClient;
    default: return FrameKind.Function;
  }
}

/**
 * Bottom-up: SQL below each node, and an unknown time (-1: none recorded, or a test's root) as its
 * children's sum (children come after parents). A recorded time stays as recorded, even when its
 * children add up to more (they overlapped, or clocks disagree): the page marks such frames.
 */
function sumUp(tree: CompactTree): void {
  const n = tree.name.length;
  const childUs = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (tree.us[i] < 0) tree.us[i] = childUs[i];
    const p = tree.parent[i];
    if (p === -1) continue;
    childUs[p] += tree.us[i];
    tree.sql[p] += tree.sql[i];
  }
}

function pushNode(tree: CompactTree, name: number, parent: number, kind: FrameKind, us: number, sql: number, calls: number): number {
  tree.name.push(name);
  tree.parent.push(parent);
  tree.kind.push(kind);
  tree.us.push(us);
  tree.sql.push(sql);
  tree.calls.push(calls);
  return tree.name.length - 1;
}

function maxUs(tree: CompactTree, nodes: number[], kept: Uint8Array): number {
  let max = 0;
  for (const c of nodes) if (!kept[c] && tree.us[c] > max) max = tree.us[c];
  return max;
}
