// One recording's share of the workspace index: what the server needs from a recording once the
// trace itself is dropped. Statistics, findings, the recorded call edges between project
// functions and routes (for the call hierarchy), SQL shapes per function, the slowest path to each
// function, route handlers and the recorded test. Built once per recording, replaced as a whole.

import { RunlensConfig } from '../config';
import { sqlShapeOf, traceStats, TraceStats, functionKey } from '../analysis/stats';
import { anchorTest } from '../placement/index';
import { Finding } from '../findings/finding';
import { findingsOf } from '../findings/index';
import { functionLabel } from '../findings/format';
import { Problem } from '../problem';
import { FunctionIdentity, SourceIndex, SourceLocation } from '../sourceIndex';
import { Call, CallKind, RecordingMetadata, Trace } from '../trace';
import { countWork } from '../workCounter';

/** A node of the recorded call graph: a project function (its function key) or a route (`route:GET /x`). */
export type NodeKey = string;

export interface EdgeStats {
  caller: NodeKey;
  callee: NodeKey;
  nCalls: number;
  /** Time of the callee's calls from this caller; unknown times count 0. */
  totalMs: number;
}

export interface SlowestPath {
  elapsedMs: number;
  /**
   * Labels from the root (request or test) down to the function, e.g. ["GET /meetings/past/",
   * "PastMeetingsView#get"]; a path of more than MAX_PATH_LABELS is the root, "…" and the labels
   * nearest the function.
   */
  path: string[];
}

/** Labels kept of a slowest path: a recording can nest project calls thousands deep, once per function. */
export const MAX_PATH_LABELS = 20;

export interface RecordingSummary {
  recordingPath: string;
  metadata: RecordingMetadata;
  problems: Problem[];
  findings: Finding[];
  stats: TraceStats;
  /** Function key → its identity, for every recorded project function. */
  functions: Map<string, FunctionIdentity>;
  /** `${caller}\u0000${callee}` → edge. */
  edges: Map<string, EdgeStats>;
  /** Function key (or route node) → SQL shape → queries run by it or the non-project code it called. */
  sqlByNode: Map<NodeKey, Map<string, number>>;
  slowestPaths: Map<string, SlowestPath>;
  /** Route → the function key of its handler (the first project function under the request). */
  routes: Map<string, string | undefined>;
  /** The recorded test, when the recording is one. */
  test: { name: string; location: SourceLocation | undefined } | undefined;
}

export function routeNode(route: string): NodeKey {
  return `route:${route}`;
}

export function summarize(trace: Trace, problems: Problem[], index: SourceIndex, config: RunlensConfig): RecordingSummary {
  const summary: RecordingSummary = {
    recordingPath: trace.recordingPath,
    metadata: trace.metadata,
    problems,
    findings: findingsOf(trace, index, config),
    stats: traceStats(trace),
    functions: new Map(),
    edges: new Map(),
    sqlByNode: new Map(),
    slowestPaths: new Map(),
    routes: new Map(),
    test: testOf(trace, index),
  };
  const { length, kind, parent, fn: fnOf, elapsedMs, http } = trace.calls;
  // The node each call is attributed to: itself when it is a node, else its parent's node.
  const nodeOf: (NodeKey | undefined)[] = new Array(length);
  const labelOf: (string | undefined)[] = new Array(length);
  // Per call, the nearest labelled call at or above it, the topmost one and how many there are:
  // a slowest path is then made in MAX_PATH_LABELS steps, however deep the call (paths of every
  // call of a 20,000-deep chain, each walked to the root, took 18 s and 2 GB).
  const labelledAt = new Int32Array(length);
  const topLabelled = new Int32Array(length);
  const nLabels = new Int32Array(length);
  // Per function (by index), whether it is the project's, its key and its label: worked out once, not once per call.
  const isProjectFn = new Int8Array(trace.functions.length).fill(-1);
  const isProject = (f: number): boolean => {
    if (isProjectFn[f] === -1) isProjectFn[f] = index.isProjectPath(trace.functions[f].recordedPath) ? 1 : 0;
    return isProjectFn[f] === 1;
  };
  const keyOfFn: (NodeKey | undefined)[] = new Array(trace.functions.length);
  const labelOfFn: (string | undefined)[] = new Array(trace.functions.length);
  const edges = new Map<NodeKey, Map<NodeKey, EdgeStats>>();
  for (let c = 0; c < length; c++) {
    countWork();
    // Parents come before children, so their node is known.
    const above = parent[c];
    const parentNode = above === -1 ? undefined : nodeOf[above];
    let node: NodeKey | undefined;
    const request = kind[c] === CallKind.HttpServer ? http.get(c) : undefined;
    const f = fnOf[c];
    if (request) {
      node = routeNode(request.route);
      labelOf[c] = request.route;
      if (!summary.routes.has(request.route)) summary.routes.set(request.route, undefined);
    } else if (kind[c] === CallKind.Function && f !== -1 && isProject(f)) {
      const fn = trace.functions[f];
      node = keyOfFn[f] ??= functionKey(fn);
      labelOf[c] = labelOfFn[f] ??= functionLabel(fn);
      if (!summary.functions.has(node)) summary.functions.set(node, fn);
      // The handler of a route is the first project function called under its request.
      const route = parentNode?.startsWith('route:') ? parentNode.slice(6) : undefined;
      if (route !== undefined && summary.routes.get(route) === undefined) summary.routes.set(route, node);
      const time = Number.isNaN(elapsedMs[c]) ? -1 : elapsedMs[c];
      const seen = summary.slowestPaths.get(node);
      if (!seen || time > seen.elapsedMs) summary.slowestPaths.set(node, { elapsedMs: time, path: pathTo(trace, c, labelOf, labelledAt, topLabelled, nLabels) });
    }
    const labelled = labelOf[c] !== undefined;
    labelledAt[c] = labelled ? c : above === -1 ? -1 : labelledAt[above];
    topLabelled[c] = above !== -1 && topLabelled[above] !== -1 ? topLabelled[above] : labelled ? c : -1;
    nLabels[c] = (above === -1 ? 0 : nLabels[above]) + (labelled ? 1 : 0);
    if (node !== undefined) {
      if (parentNode !== undefined) addEdge(summary.edges, edges, parentNode, node, elapsedMs[c]);
      nodeOf[c] = node;
    } else nodeOf[c] = parentNode;
    if (kind[c] === CallKind.Sql && parentNode !== undefined) {
      let shapes = summary.sqlByNode.get(parentNode);
      if (!shapes) summary.sqlByNode.set(parentNode, (shapes = new Map()));
      const shape = sqlShapeOf(trace, c);
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
  }
  return summary;
}

/** Counts a call of `callee` from `caller`; `byCaller` finds the edge without making its key again. */
function addEdge(edges: Map<string, EdgeStats>, byCaller: Map<NodeKey, Map<NodeKey, EdgeStats>>, caller: NodeKey, callee: NodeKey, elapsedMs: number): void {
  let ofCaller = byCaller.get(caller);
  if (!ofCaller) byCaller.set(caller, (ofCaller = new Map()));
  let edge = ofCaller.get(callee);
  if (!edge) {
    const key = `${caller}\u0000${callee}`;
    edge = edges.get(key);
    if (!edge) edges.set(key, (edge = { caller, callee, nCalls: 0, totalMs: 0 }));
    ofCaller.set(callee, edge);
  }
  edge.nCalls++;
  if (!Number.isNaN(elapsedMs)) edge.totalMs += elapsedMs;
}

/**
 * Labels of the node calls from the root down to `call` (itself labelled), at most MAX_PATH_LABELS:
 * the root, "…" and the nearest ones. The arrays are filled for the calls above `call`.
 */
function pathTo(trace: Trace, call: Call, labelOf: (string | undefined)[], labelledAt: Int32Array, topLabelled: Int32Array, nLabels: Int32Array): string[] {
  const { parent } = trace.calls;
  const total = (parent[call] === -1 ? 0 : nLabels[parent[call]]) + 1;
  const near = total <= MAX_PATH_LABELS ? total : MAX_PATH_LABELS - 2;
  const path: string[] = [];
  for (let at = call; at !== -1 && path.length < near; ) {
    countWork();
    path.push(labelOf[at] as string);
    const up = parent[at];
    at = up === -1 ? -1 : labelledAt[up];
  }
  if (total > MAX_PATH_LABELS) path.push('…', labelOf[topLabelled[parent[call]]] as string);
  return path.reverse();
}

function testOf(trace: Trace, index: SourceIndex): RecordingSummary['test'] {
  if (trace.metadata.recorderType !== 'tests' && !trace.metadata.sourceLocation) return undefined;
  const anchor = anchorTest(trace, index);
  return { name: trace.metadata.name ?? trace.recordingPath, location: anchor.ref.kind === 'test' ? anchor.location : undefined };
}
