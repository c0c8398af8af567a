// The workspace index: the input state is one summary per recording, replaced or removed as a
// whole when its file changes; queries run on an immutable Snapshot whose merged views (findings,
// statistics, call edges) are computed on first use and then kept. The snapshot is derived from
// the index's generation, its views from the snapshot's (core/derived.ts).

import { emptyStats, mergeStats, TraceStats } from '../analysis/stats';
import { Derived, DerivedValue } from '../derived';
import { Finding, mergeFindings } from '../findings/finding';
import { Problem } from '../problem';
import { FunctionIdentity } from '../sourceIndex';
import { EdgeStats, NodeKey, RecordingSummary, SlowestPath } from './summary';

export class WorkspaceIndex {
  private readonly summaries = new Map<string, RecordingSummary>();
  /** Moved by every change of a summary: the version the snapshot is derived from. */
  private generation = 0;
  private readonly current = new DerivedValue('index.snapshot', () => [this.generation], () => this.takeSnapshot());
  /** The paths in order as of the last snapshot (some may have gone since), and those added after it. */
  private sorted: string[] = [];
  private added: string[] = [];

  /** Adds or replaces the share of one recording. */
  set(summary: RecordingSummary): void {
    if (!this.summaries.has(summary.recordingPath)) this.added.push(summary.recordingPath);
    this.summaries.set(summary.recordingPath, summary);
    this.generation++;
  }

  /** Removes the share of a recording that is gone; returns whether it was there. */
  delete(recordingPath: string): boolean {
    const had = this.summaries.delete(recordingPath);
    if (had) this.generation++;
    return had;
  }

  has(recordingPath: string): boolean {
    return this.summaries.has(recordingPath);
  }

  snapshot(): Snapshot {
    return this.current.get();
  }

  private takeSnapshot(): Snapshot {
    // In path order, not the order reads finished in (worker threads finish in any order): where
    // recordings disagree (a function's location, a route's handler) the first one wins, and the
    // same files must give the same answers whatever the order they were read in. The order is
    // kept between snapshots and only what was added is sorted and merged in: while a storm
    // changes the index, every request takes a new snapshot, and sorting tens of thousands of
    // paths each time held requests up.
    this.sorted = mergeSorted(this.sorted, this.added.sort(byPath), (p) => this.summaries.has(p));
    this.added = [];
    return new Snapshot(new Map(this.sorted.map((p) => [p, this.summaries.get(p) as RecordingSummary])), this.generation);
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
  /** The index's generation it was taken at: the version its merged views are derived from. */
  readonly generation: number;
  // Merged views, each derived from the snapshot (which never changes: each is computed once).
  private readonly mergedFindings = new DerivedValue('snapshot.findings', () => [this.generation], () => mergeFindings([...this.summaries.values()].flatMap((s) => s.findings)));
  private readonly mergedStats = new DerivedValue('snapshot.stats', () => [this.generation], () =>
    [...this.summaries.values()].reduce((into, s) => mergeStats(into, s.stats), emptyStats()),
  );
  private readonly mergedEdges = new DerivedValue('snapshot.edges', () => [this.generation], () => this.mergeEdges());
  private readonly mergedFunctions = new DerivedValue('snapshot.functions', () => [this.generation], () => this.mergeFunctions());
  private readonly mergedRoutes = new DerivedValue('snapshot.routes', () => [this.generation], () => this.mergeRoutes());
  /** What the editor features derive from the snapshot and the source text, by name (see memo). */
  private readonly memos = new Derived<string, unknown>('snapshot.memo');

  constructor(summaries: ReadonlyMap<string, RecordingSummary>, generation = 0) {
    this.summaries = summaries;
    this.generation = generation;
  }

  get nRecordings(): number {
    return this.summaries.size;
  }

  findings(): Finding[] {
    return this.mergedFindings.get();
  }

  problems(): Problem[] {
    return [...this.summaries.values()].flatMap((s) => s.problems);
  }

  stats(): TraceStats {
    return this.mergedStats.get();
  }

  /** Every recorded project function, by function key. */
  functions(): Map<string, FunctionIdentity> {
    return this.mergedFunctions.get();
  }

  private mergeFunctions(): Map<string, FunctionIdentity> {
    const merged = new Map<string, FunctionIdentity>();
    for (const s of this.summaries.values()) for (const [k, fn] of s.functions) if (!merged.has(k)) merged.set(k, fn);
    return merged;
  }

  edges(): EdgeStats[] {
    return this.mergedEdges.get();
  }

  private mergeEdges(): EdgeStats[] {
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
    return [...byKey.values()];
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
    return this.mergedRoutes.get();
  }

  private mergeRoutes(): Map<string, string | undefined> {
    const merged = new Map<string, string | undefined>();
    for (const s of this.summaries.values()) for (const [r, h] of s.routes) if (merged.get(r) === undefined) merged.set(r, h);
    return merged;
  }

  /**
   * A value derived from this snapshot and the source text of `generation`, computed once: what
   * the editor features need per request (diagnostics by file, functions by file) is the same
   * until the recordings or the text change.
   */
  memo<T>(name: string, generation: number, compute: () => T): T {
    return this.memos.getWith(name, [generation], compute) as T;
  }
}
