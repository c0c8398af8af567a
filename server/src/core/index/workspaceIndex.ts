// The workspace index: the input state is one summary per recording, replaced or removed as a
// whole when its file changes; queries run on an immutable Snapshot whose merged views (findings,
// statistics, call edges) are computed on first use and then kept.

import { emptyStats, mergeStats, TraceStats } from '../analysis/stats';
import { Finding, mergeFindings } from '../findings/finding';
import { Problem } from '../problem';
import { FunctionIdentity } from '../sourceIndex';
import { EdgeStats, NodeKey, RecordingSummary, SlowestPath } from './summary';

export class WorkspaceIndex {
  private readonly summaries = new Map<string, RecordingSummary>();
  private current: Snapshot | undefined;
  /** The paths in order as of the last snapshot (some may have gone since), and those added after it. */
  private sorted: string[] = [];
  private added: string[] = [];

  /** Adds or replaces the share of one recording. */
  set(summary: RecordingSummary): void {
    if (!this.summaries.has(summary.recordingPath)) this.added.push(summary.recordingPath);
    this.summaries.set(summary.recordingPath, summary);
    this.current = undefined;
  }

  /** Removes the share of a recording that is gone; returns whether it was there. */
  delete(recordingPath: string): boolean {
    const had = this.summaries.delete(recordingPath);
    if (had) this.current = undefined;
    return had;
  }

  has(recordingPath: string): boolean {
    return this.summaries.has(recordingPath);
  }

  snapshot(): Snapshot {
    // In path order, not the order reads finished in (worker threads finish in any order): where
    // recordings disagree (a function's location, a route's handler) the first one wins, and the
    // same files must give the same answers whatever the order they were read in. The order is
    // kept between snapshots and only what was added is sorted and merged in: while a storm
    // changes the index, every request takes a new snapshot, and sorting tens of thousands of
    // paths each time held requests up.
    if (!this.current) {
      this.sorted = mergeSorted(this.sorted, this.added.sort(byPath), (p) => this.summaries.has(p));
      this.added = [];
      this.current = new Snapshot(new Map(this.sorted.map((p) => [p, this.summaries.get(p) as RecordingSummary])));
    }
    return this.current;
  }
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two sorted lists as one, without duplicates, keeping only what `keep` takes. */
function mergeSorted(a: string[], b: string[], keep: (p: string) => boolean): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (keep(next) && out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

export class Snapshot {
  readonly summaries: ReadonlyMap<string, RecordingSummary>;
  private mergedFindings: Finding[] | undefined;
  private mergedStats: TraceStats | undefined;
  private mergedEdges: EdgeStats[] | undefined;
  private mergedFunctions: Map<string, FunctionIdentity> | undefined;
  private mergedRoutes: Map<string, string | undefined> | undefined;
  private readonly memos = new Map<string, { generation: number; value: unknown }>();

  constructor(summaries: ReadonlyMap<string, RecordingSummary>) {
    this.summaries = summaries;
  }

  get nRecordings(): number {
    return this.summaries.size;
  }

  findings(): Finding[] {
    this.mergedFindings ??= mergeFindings([...this.summaries.values()].flatMap((s) => s.findings));
    return this.mergedFindings;
  }

  problems(): Problem[] {
    return [...this.summaries.values()].flatMap((s) => s.problems);
  }

  stats(): TraceStats {
    this.mergedStats ??= [...this.summaries.values()].reduce((into, s) => mergeStats(into, s.stats), emptyStats());
    return this.mergedStats;
  }

  /** Every recorded project function, by function key. */
  functions(): Map<string, FunctionIdentity> {
    if (!this.mergedFunctions) {
      this.mergedFunctions = new Map();
      for (const s of this.summaries.values()) for (const [k, fn] of s.functions) if (!this.mergedFunctions.has(k)) this.mergedFunctions.set(k, fn);
    }
    return this.mergedFunctions;
  }

  edges(): EdgeStats[] {
    if (!this.mergedEdges) {
      const byKey = new Map<string, EdgeStats>();
      for (const s of this.summaries.values()) {
        for (const [k, e] of s.edges) {
          const t = byKey.get(k);
          if (!t) byKey.set(k, { ...e });
          else {
            t.nCalls += e.nCalls;
            t.totalMs += e.totalMs;
          }
        }
      }
      this.mergedEdges = [...byKey.values()];
    }
    return this.mergedEdges;
  }

  /** SQL shapes run by a node (or the non-project code it called), most frequent first. */
  sqlOf(node: NodeKey): { sql: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const s of this.summaries.values()) for (const [sql, n] of s.sqlByNode.get(node) ?? []) counts.set(sql, (counts.get(sql) ?? 0) + n);
    return [...counts].map(([sql, count]) => ({ sql, count })).sort((a, b) => b.count - a.count || (a.sql < b.sql ? -1 : 1));
  }

  /** The slowest recorded path to a function, over all recordings. */
  slowestPath(fnKey: string): SlowestPath | undefined {
    let best: SlowestPath | undefined;
    for (const s of this.summaries.values()) {
      const p = s.slowestPaths.get(fnKey);
      if (p && (!best || p.elapsedMs > best.elapsedMs)) best = p;
    }
    return best;
  }

  /** Recordings (tests or requests) in which a function was recorded. */
  recordingsOf(fnKey: string): RecordingSummary[] {
    return [...this.summaries.values()].filter((s) => s.functions.has(fnKey)).sort((a, b) => (a.recordingPath < b.recordingPath ? -1 : 1));
  }

  /** The recording with the slowest request of a route (where its call tree is worth a look). */
  slowestRecordingOf(route: string): string | undefined {
    let best: { path: string; maxMs: number } | undefined;
    for (const s of this.summaries.values()) {
      const r = s.stats.routes.get(route);
      if (r && (!best || r.maxMs > best.maxMs || (r.maxMs === best.maxMs && s.recordingPath < best.path))) best = { path: s.recordingPath, maxMs: r.maxMs };
    }
    return best?.path;
  }

  /** Route → handler function key, over all recordings. */
  routes(): Map<string, string | undefined> {
    if (!this.mergedRoutes) {
      this.mergedRoutes = new Map();
      for (const s of this.summaries.values()) for (const [r, h] of s.routes) if (this.mergedRoutes.get(r) === undefined) this.mergedRoutes.set(r, h);
    }
    return this.mergedRoutes;
  }

  /**
   * A value derived from this snapshot and the source text of `generation`, computed once: what
   * the editor features need per request (diagnostics by file, functions by file) is the same
   * until the recordings or the text change.
   */
  memo<T>(name: string, generation: number, compute: () => T): T {
    const hit = this.memos.get(name);
    if (hit && hit.generation === generation) return hit.value as T;
    const value = compute();
    this.memos.set(name, { generation, value });
    return value;
  }
}
