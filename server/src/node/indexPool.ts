// Worker threads that read recordings and summarize them (indexWorker.ts), so that the server's
// main thread only merges summaries: a hover is never held up by a recording being read, and a
// recording that lands while a large one is read is read at once by another worker instead of
// waiting behind it. Jobs marked urgent (recordings that just changed) go before queued ones
// (the initial backlog).
//
// Summaries cross threads by structured clone: they are plain data (maps, arrays, records).
// A worker that dies fails its job with a clear error and is replaced; the server stays up.
// Without worker threads (size 0, or a worker that cannot start) jobs run on the main thread.

import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RunlensConfig } from '../core/config';
import { RecordingSummary, summarize } from '../core/index/summary';
import { SourceIndex } from '../core/sourceIndex';
import { readRecordingFile } from './readRecordingFile';

export type ToWorker =
  | { type: 'summarize'; id: number; root: string; relPath: string; config: RunlensConfig }
  | { type: 'invalidate'; relPath: string };

export type FromWorker = { id: number; summary: RecordingSummary; error?: undefined } | { id: number; error: string; summary?: undefined };

const MAX_LOSSES_IN_A_ROW = 5;

interface Job {
  id: number;
  relPath: string;
  config: RunlensConfig;
  resolve(summary: RecordingSummary): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/** One recording read and reduced to its summary: the same on a worker and on the main thread. `root` is a real path; nothing outside it is read. */
export async function readAndSummarize(root: string, relPath: string, index: SourceIndex, config: RunlensConfig): Promise<RecordingSummary> {
  const result = await readRecordingFile(path.join(root, relPath), relPath, { inside: root });
  return summarize(result.trace, result.problems, index, config);
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
  private readonly queue: Job[] = [];
  private nextId = 1;
  private disposed = false;
  /** Workers lost since a job last completed: a worker that cannot even start is not restarted forever. */
  private lossesInARow = 0;
  /** Set once a worker could not be started: jobs then run on the main thread. */
  private inThread: boolean;
  private hereJob: Job | undefined;

  constructor(
    private readonly root: string,
    size: number,
    /** The main thread's source index, used only when running without workers. */
    private readonly sourceIndex: () => SourceIndex,
    private readonly log: (message: string) => void,
  ) {
    this.inThread = size === 0;
    for (let i = 0; i < size && !this.inThread; i++) this.spawn();
  }

  get workerCount(): number {
    return this.inThread ? 0 : this.slots.length;
  }

  /** Reads and summarizes one recording (workspace-relative path). */
  summarize(relPath: string, config: RunlensConfig, urgent: boolean): Promise<RecordingSummary> {
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, relPath, config, resolve, reject };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
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
    for (const job of this.queue.splice(0)) job.reject(new Error('the server is shutting down'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private summarizeHere(relPath: string, config: RunlensConfig): Promise<RecordingSummary> {
    return readAndSummarize(this.root, relPath, this.sourceIndex(), config);
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = new Worker(path.join(__dirname, 'indexWorker.js'));
    } catch (err) {
      this.log(`warning: cannot start an indexing worker (${(err as Error).message}); recordings are read on the main thread`);
      this.fallBackToMainThread();
      return;
    }
    worker.unref();
    const slot: Slot = { worker, job: undefined };
    this.slots.push(slot);
    worker.on('message', (reply: FromWorker) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = undefined;
      this.lossesInARow = 0;
      if (reply.summary) job.resolve(reply.summary);
      else job.reject(new Error(reply.error));
      this.pump();
    });
    worker.on('error', (err) => this.lost(slot, `the indexing worker failed: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => this.lost(slot, `the indexing worker exited (code ${code})`));
  }

  /** A worker died (out of memory on a hostile file, a bug): its job fails, a new worker takes its place. */
  private lost(slot: Slot, message: string): void {
    const at = this.slots.indexOf(slot);
    if (at === -1) return;
    this.slots.splice(at, 1);
    const job = slot.job;
    slot.job = undefined;
    if (this.disposed) return;
    job?.reject(new Error(`${message} while reading ${job.relPath}`));
    if (++this.lossesInARow > MAX_LOSSES_IN_A_ROW) {
      this.log(`error: ${message}; ${MAX_LOSSES_IN_A_ROW} workers were lost in a row, so recordings are now read on the main thread`);
      for (const other of this.slots.splice(0)) {
        if (other.job) this.queue.unshift(other.job);
        void other.worker.terminate();
      }
      this.fallBackToMainThread();
      return;
    }
    this.log(`error: ${message}${job ? ` while reading ${job.relPath}` : ''}; starting another`);
    this.spawn();
    this.pump();
  }

  private fallBackToMainThread(): void {
    this.inThread = true;
    this.pump();
  }

  private pump(): void {
    if (this.inThread) {
      // One recording at a time on the main thread: reading many at once would hold many traces.
      if (this.hereJob || this.queue.length === 0) return;
      const job = this.queue.shift() as Job;
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
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      const message: ToWorker = { type: 'summarize', id: job.id, root: this.root, relPath: job.relPath, config: job.config };
      slot.worker.postMessage(message);
    }
  }
}
