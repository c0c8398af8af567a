// Worker threads that read recordings and summarize them (indexWorker.ts), so that the server's
// main thread only merges summaries: a hover is never held up by a recording being read, and a
// recording that lands while a large one is read is read at once by another worker instead of
// waiting behind it. Jobs marked urgent (recordings that just changed) go before queued ones
// (the initial backlog).
//
// Summaries cross threads by structured clone: they are plain data (maps, arrays, records).
// A worker that dies (out of heap, a bug) fails its job, which becomes a problem on that
// recording, and is replaced; the server stays up. Reading never falls back to the main thread,
// whose heap holds the index and answers the editor: a file that killed a worker would kill the
// server there. If workers cannot even start, recordings are not read (each says why) until one
// can. Only a pool of size 0 (RUNLENS_INDEX_WORKERS=0: tests that watch this process's file
// accesses) reads on the main thread.

import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RunlensConfig } from '../core/config';
import { RecordingSummary } from '../core/index/summary';
import { SourceIndex } from '../core/sourceIndex';
import { readAndSummarize } from './recordings';
import { reapplyHeapFlags } from './heapFlags';

export type ToWorker =
  | { type: 'summarize'; id: number; root: string; relPath: string; config: RunlensConfig }
  | { type: 'invalidate'; relPath: string };

/** `ready` once the worker has loaded (jobs are sent only then: a worker that dies before it did not start, and no recording is blamed). */
export type FromWorker = { type: 'ready' } | { type: 'done'; id: number; summary: RecordingSummary; error?: undefined } | { type: 'done'; id: number; error: string; summary?: undefined };

/**
 * Each worker's young generation (V8's new space: two semi-spaces and the young large objects,
 * `resourceLimits.maxYoungGenerationSizeMb`): 12 MB, semi-spaces of 4 MB. Unbounded, V8 grows it
 * to 48 MB (semi-spaces of 16 MB) while a worker reads, and keeps it: with the bench's 1,000
 * recordings (test/bench/server.ts) each worker held 32 MB of new space for nothing; bounded, the
 * server's peak RSS fell by about 30 MB with two workers and indexing took as long. The old
 * generation is not bounded here: its limit (Node's default, or --max-old-space-size) is what
 * memoryBudget.ts shares out to the recording being read.
 */
export const WORKER_YOUNG_GENERATION_MB = 12;

/** Workers in a row that die before finishing a job, without one (they did not start): then no more are started until a new job comes. */
const MAX_START_FAILURES = 5;

interface Job {
  id: number;
  relPath: string;
  config: RunlensConfig;
  resolve(summary: RecordingSummary): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
}

/** Workers to start when none is asked for: two at least (one may be busy with a huge file), at most four. */
export function defaultPoolSize(): number {
  const fromEnv = process.env.RUNLENS_INDEX_WORKERS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(2, Math.min(4, cpus - 1));
}

export class IndexPool {
  private readonly slots: Slot[] = [];
  /** Jobs waiting: urgent ones (recordings that just changed) first. Not an array unshifted and shifted: a storm queues tens of thousands. */
  private readonly queue = new JobQueue();
  private nextId = 1;
  private disposed = false;
  /** Workers that died since a job last completed, holding no job: a worker that cannot start is not restarted forever. */
  private startFailures = 0;
  /** Why workers cannot start, once MAX_START_FAILURES did not: jobs fail with it. */
  private cannotStart: string | undefined;
  /** Size 0: jobs run on the main thread (only when asked for). */
  private readonly inThread: boolean;
  private hereJob: Job | undefined;
  private readonly workerScript: string;

  constructor(
    private readonly root: string,
    size: number,
    /** The main thread's source index, used only by a pool of size 0. */
    private readonly sourceIndex: () => SourceIndex,
    private readonly log: (message: string) => void,
    options: { workerScript?: string } = {},
  ) {
    this.inThread = size === 0;
    this.workerScript = options.workerScript ?? path.join(__dirname, 'indexWorker.js');
    for (let i = 0; i < size; i++) this.spawn();
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** Reads and summarizes one recording (workspace-relative path). */
  summarize(relPath: string, config: RunlensConfig, urgent: boolean): Promise<RecordingSummary> {
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, relPath, config, resolve, reject };
      this.queue.add(job, urgent);
      // Workers could not start: each new job tries once more (it fails at once if none does).
      if (this.cannotStart !== undefined && this.slots.length === 0) {
        this.cannotStart = undefined;
        this.startFailures = MAX_START_FAILURES - 1;
        this.spawn();
      }
      this.pump();
    });
  }

  /** The recordings being read right now (not those waiting in the queue). */
  reading(): string[] {
    return this.inThread ? (this.hereJob ? [this.hereJob.relPath] : []) : this.slots.flatMap((s) => (s.job ? [s.job.relPath] : []));
  }

  /** A source file changed: workers drop what they parsed of it. */
  invalidate(relPath: string): void {
    for (const slot of this.slots) slot.worker.postMessage({ type: 'invalidate', relPath } satisfies ToWorker);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.queue.takeAll()) job.reject(new Error('the server is shutting down'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private summarizeHere(relPath: string, config: RunlensConfig): Promise<RecordingSummary> {
    return readAndSummarize(this.root, relPath, this.sourceIndex(), config);
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = new Worker(this.workerScript, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    } catch (err) {
      this.startFailed(`cannot start an indexing worker: ${(err as Error).message}`);
      return;
    }
    worker.unref();
    worker.once('online', reapplyHeapFlags);
    const slot: Slot = { worker, ready: false, job: undefined };
    this.slots.push(slot);
    worker.on('message', (reply: FromWorker) => {
      if (reply.type === 'ready') {
        slot.ready = true;
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = undefined;
      this.startFailures = 0;
      if (reply.summary) job.resolve(reply.summary);
      else job.reject(new Error(reply.error));
      this.pump();
    });
    worker.on('error', (err) => this.lost(slot, `the indexing worker failed: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => this.lost(slot, `the indexing worker exited (code ${code})`));
  }

  /**
   * A worker died. Holding a job (out of heap on a hostile file, a bug), the job fails (a problem
   * on that recording, never read again until it changes) and a new worker takes its place: each
   * such loss costs a job, so this ends. Before it said it was ready, it did not start: after
   * MAX_START_FAILURES in a row, no more are started until a new job comes.
   */
  private lost(slot: Slot, message: string): void {
    const at = this.slots.indexOf(slot);
    if (at === -1) return;
    this.slots.splice(at, 1);
    const job = slot.job;
    slot.job = undefined;
    if (this.disposed) return;
    if (job) {
      job.reject(new Error(`${message} while reading ${job.relPath}`));
      this.log(`error: ${message} while reading ${job.relPath}; starting another`);
      this.spawn();
    } else this.startFailed(message);
    this.pump();
  }

  private startFailed(message: string): void {
    if (++this.startFailures < MAX_START_FAILURES) {
      this.log(`error: ${message}; starting another`);
      this.spawn();
      return;
    }
    if (this.slots.length > 0) return; // the others read on
    this.cannotStart = message;
    this.log(`error: ${message}; ${MAX_START_FAILURES} indexing workers in a row failed to start: recordings are not read until one starts (a change to a recording tries again)`);
    for (const job of this.queue.takeAll()) job.reject(new Error(`no indexing worker could be started (${message})`));
  }

  private pump(): void {
    if (this.cannotStart !== undefined) {
      for (const job of this.queue.takeAll()) job.reject(new Error(`no indexing worker could be started (${this.cannotStart})`));
      return;
    }
    if (this.inThread) {
      // One recording at a time on the main thread: reading many at once would hold many traces.
      if (this.hereJob || this.queue.length === 0) return;
      const job = this.queue.take() as Job;
      this.hereJob = job;
      this.summarizeHere(job.relPath, job.config)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.hereJob = undefined;
          this.pump();
        });
      return;
    }
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || this.queue.length === 0) continue;
      const job = this.queue.take() as Job;
      slot.job = job;
      const message: ToWorker = { type: 'summarize', id: job.id, root: this.root, relPath: job.relPath, config: job.config };
      slot.worker.postMessage(message);
    }
  }
}

/** Jobs waiting, urgent ones first, each kind first in, first out. */
class JobQueue {
  private readonly urgent = new Fifo<Job>();
  private readonly rest = new Fifo<Job>();

  get length(): number {
    return this.urgent.length + this.rest.length;
  }

  add(job: Job, urgent: boolean): void {
    (urgent ? this.urgent : this.rest).push(job);
  }

  take(): Job | undefined {
    return this.urgent.shift() ?? this.rest.shift();
  }

  takeAll(): Job[] {
    const all: Job[] = [];
    for (let job = this.take(); job; job = this.take()) all.push(job);
    return all;
  }
}

/** A first-in first-out queue whose shift costs the same whatever its length (Array#shift moves every element). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // The taken part is dropped once it is half the array, so memory follows what waits.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && 2 * this.head >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
