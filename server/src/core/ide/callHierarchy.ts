// The call hierarchy as recorded: who called a function and what it called, over all recordings,
// from the snapshot's merged call edges between project functions and routes. Items sit on the
// functions' current definitions; a route (`GET /x`) sits on its handler function, the first
// project function its requests ran, because a route has no source of its own that we could find.

import { FunctionInfo } from '../trace';
import { TimingStats } from '../analysis/stats';
import { formatMs, functionLabel, plural } from '../findings/format';
import { EdgeStats, NodeKey } from '../index/summary';
import { Snapshot } from '../index/workspaceIndex';
import { FunctionIdentity, SourceIndex, SourceLocation } from '../sourceIndex';
import { functionsInFile } from './codeLens';

export type CallItemKind = 'function' | 'method' | 'route';

export interface CallItem {
  node: NodeKey;
  /** `PastMeetingsView#get_queryset`, or the route: `GET /meetings/past/`. */
  name: string;
  kind: CallItemKind;
  /** The whole current definition; only its start when the file cannot be parsed (templates). */
  range: SourceLocation;
  /** The function's name in its definition, else the start of the definition; inside `range`. */
  selection: SourceLocation;
  /** `3 calls · 1.2 s`: every recorded call of the node, or, for a caller or callee, of that edge. */
  detail: string;
}

/** The other end of a recorded edge; its item's detail is the edge's calls and time. */
export interface CallEdge {
  item: CallItem;
  nCalls: number;
  /** Time of the callee's calls on this edge; unknown times count 0. */
  totalMs: number;
}

const ROUTE_PREFIX = 'route:';

/**
 * The recorded function whose current definition contains `line` (1-based) of `relPath`, the
 * innermost when they nest. A function whose file cannot be parsed has no known extent, so only
 * its own line counts.
 */
export function prepareCallItem(snapshot: Snapshot, index: SourceIndex, relPath: string, line: number): CallItem | undefined {
  let best: { key: string; start: number; end: number } | undefined;
  for (const [key, fn] of functionsInFile(snapshot, index, relPath)) {
    const located = index.locate(fn);
    if (!located) continue;
    const start = located.definition?.line ?? located.location.line;
    const end = located.definition?.endLine ?? located.location.line;
    if (line < start || line > end) continue;
    if (!best || start > best.start || (start === best.start && (end < best.end || (end === best.end && key < best.key)))) best = { key, start, end };
  }
  return best && callItem(snapshot, index, best.key);
}

/** The item of a node with the totals of all its recorded calls, or undefined when it cannot be located. */
export function callItem(snapshot: Snapshot, index: SourceIndex, node: NodeKey): CallItem | undefined {
  const stats = snapshot.stats();
  const s = node.startsWith(ROUTE_PREFIX) ? stats.routes.get(node.slice(ROUTE_PREFIX.length)) : stats.functions.get(node);
  return itemOf(snapshot, index, node, s ? totalsDetail(s) : '');
}

/** Who called `node`, most time first. Callers that cannot be located are left out. */
export function incomingCalls(snapshot: Snapshot, index: SourceIndex, node: NodeKey): CallEdge[] {
  return edgesOf(snapshot, index, edgesByNode(snapshot).incoming.get(node) ?? [], (e) => e.caller);
}

/** What `node` called, most time first. Callees that cannot be located are left out. */
export function outgoingCalls(snapshot: Snapshot, index: SourceIndex, node: NodeKey): CallEdge[] {
  return edgesOf(snapshot, index, edgesByNode(snapshot).outgoing.get(node) ?? [], (e) => e.callee);
}

/** A function's label from its identity (the same as everywhere else: `PastMeetingsView#get_queryset`). */
export function identityLabel(fn: FunctionIdentity): string {
  const info: FunctionInfo = { index: -1, labels: [], ...fn };
  return functionLabel(info);
}

/** Where a recorded function is now: its whole definition and its name, and whether it is a method. */
export function functionRanges(index: SourceIndex, fn: FunctionIdentity): { range: SourceLocation; selection: SourceLocation; kind: 'function' | 'method' } | undefined {
  const located = index.locate(fn);
  if (!located) return undefined;
  const { location, definition } = located;
  if (!definition) return { range: location, selection: location, kind: 'function' };
  const text = index.text(location.path) ?? '';
  const endText = lineText(text, definition.endLine);
  const range = { ...location, endLine: definition.endLine, endColumn: endText.length + 1 };
  // The name is searched after the definition's start, so `def get(self)` selects `get`, not `def`.
  const at = lineText(text, definition.line).indexOf(definition.name, definition.column - 1);
  const selection = at < 0 ? location : { path: location.path, line: definition.line, column: at + 1, endLine: definition.line, endColumn: at + 1 + definition.name.length };
  return { range, selection, kind: definition.kind === 'method' ? 'method' : 'function' };
}

function itemOf(snapshot: Snapshot, index: SourceIndex, node: NodeKey, detail: string): CallItem | undefined {
  if (node.startsWith(ROUTE_PREFIX)) {
    const route = node.slice(ROUTE_PREFIX.length);
    const handler = snapshot.routes().get(route);
    const fn = handler === undefined ? undefined : snapshot.functions().get(handler);
    const where = fn && functionRanges(index, fn);
    return where && { node, name: route, kind: 'route', range: where.range, selection: where.selection, detail };
  }
  const fn = snapshot.functions().get(node);
  const where = fn && functionRanges(index, fn);
  return fn && where && { node, name: identityLabel(fn), kind: where.kind, range: where.range, selection: where.selection, detail };
}

function edgesOf(snapshot: Snapshot, index: SourceIndex, edges: EdgeStats[], other: (e: EdgeStats) => NodeKey): CallEdge[] {
  const out: CallEdge[] = [];
  for (const e of edges) {
    const item = itemOf(snapshot, index, other(e), `${plural(e.nCalls, 'call')} · ${formatMs(e.totalMs)}`);
    if (item) out.push({ item, nCalls: e.nCalls, totalMs: e.totalMs });
  }
  return out.sort((a, b) => b.totalMs - a.totalMs || b.nCalls - a.nCalls || compare(a.item.name, b.item.name) || compare(a.item.node, b.item.node));
}

interface EdgeIndex {
  incoming: Map<NodeKey, EdgeStats[]>;
  outgoing: Map<NodeKey, EdgeStats[]>;
}

// A snapshot's merged edges never change, so their index by node is derived from the snapshot
// alone (computed once, dropped with it): without it every request would scan every edge.
function edgesByNode(snapshot: Snapshot): EdgeIndex {
  return snapshot.memo('callHierarchy.edgesByNode', 0, () => {
    const idx: EdgeIndex = { incoming: new Map(), outgoing: new Map() };
    for (const e of snapshot.edges()) {
      push(idx.incoming, e.callee, e);
      push(idx.outgoing, e.caller, e);
    }
    return idx;
  });
}

function push(map: Map<NodeKey, EdgeStats[]>, key: NodeKey, e: EdgeStats): void {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}

/** `1 call · 0.4 ms`; the time is left out when no call has one. */
function totalsDetail(s: TimingStats): string {
  return s.nTimed > 0 ? `${plural(s.nCalls, 'call')} · ${formatMs(s.totalMs)}` : plural(s.nCalls, 'call');
}

/** The text of a 1-based line, without its line break. */
function lineText(text: string, line: number): string {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
