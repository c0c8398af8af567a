// Keeps the workspace index in step with the recordings on disk: indexes every recording at start
// (yielding to the event loop between files, so requests are answered from what is indexed so
// far), then watches with chokidar. New, changed, renamed and deleted recordings replace or remove
// their own share only; bursts are debounced; `*.part` files (written before a rename) are ignored.

import * as path from 'node:path';
import { FSWatcher, watch } from 'chokidar';
import { RunlensConfig } from '../core/config';
import { summarize } from '../core/index/summary';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { SourceIndex } from '../core/sourceIndex';
import { readRecordingFile } from './readRecordingFile';
import { SKIPPED_DIRS, walk } from './workspaceFiles';

export interface IndexerEvents {
  /** Initial indexing progress. */
  progress(done: number, total: number): void;
  /** Recordings (workspace-relative) whose share changed: added, replaced or removed. */
  changed(recordings: string[]): void;
  log(message: string): void;
}

export const RECORDING_SUFFIX = '.appmap.json';
const DEBOUNCE_MS = 100;

export class RecordingIndexer {
  private watcher: FSWatcher | undefined;
  private pending = new Map<string, 'update' | 'remove'>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly root: string,
    private readonly config: () => RunlensConfig,
    private readonly sourceIndex: () => SourceIndex,
    readonly index: WorkspaceIndex,
    private readonly events: IndexerEvents,
  ) {}

  /** Indexes every recording now on disk; resolves when done. Watching starts before, so nothing written meanwhile is missed. */
  async start(options: { watch: boolean }): Promise<void> {
    // The watcher must be ready before files are listed: a recording written in between is then
    // seen by one or the other (or both: indexing twice is harmless), never by neither.
    if (options.watch) await this.startWatching();
    const files = this.discover();
    this.events.progress(0, files.length);
    let done = 0;
    for (const rel of files) {
      if (this.disposed) return;
      await this.indexOne(rel);
      this.events.progress(++done, files.length);
      // Let requests in between files.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.events.changed(files);
  }

  /** Recording files under the configured folders, workspace-relative. */
  discover(): string[] {
    const folders = this.config().recordingFolders;
    const roots = folders.length ? folders : ['.'];
    const out = new Set<string>();
    for (const folder of roots) {
      const abs = path.resolve(this.root, folder);
      if (!isInside(this.root, abs)) continue;
      for (const rel of walk(abs, (f) => f.endsWith(RECORDING_SUFFIX))) out.add(toRel(this.root, path.join(abs, rel)));
    }
    return [...out].sort();
  }

  /** Re-reads everything (the configuration changed), watching the configured folders anew. */
  async reindexAll(): Promise<void> {
    if (this.watcher) {
      await this.watcher.close();
      await this.startWatching();
    }
    const files = new Set(this.discover());
    const gone = [...this.index.snapshot().summaries.keys()].filter((r) => !files.has(r));
    for (const r of gone) this.index.delete(r);
    for (const rel of files) await this.indexOne(rel);
    this.events.changed([...files, ...gone]);
  }

  /** Waits until queued changes are processed (tests). */
  async idle(): Promise<void> {
    while (this.timer || this.pending.size) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.running;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
  }

  private async indexOne(rel: string): Promise<void> {
    const result = await readRecordingFile(path.join(this.root, rel), rel);
    try {
      this.index.set(summarize(result.trace, result.problems, this.sourceIndex(), this.config()));
    } catch (err) {
      this.events.log(`error: analysing ${rel} failed (please report): ${(err as Error).stack ?? err}`);
    }
  }

  private startWatching(): Promise<void> {
    const folders = this.config().recordingFolders;
    const targets = (folders.length ? folders : ['.']).map((f) => path.resolve(this.root, f)).filter((abs) => isInside(this.root, abs));
    this.watcher = watch(targets, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string) => p.split(path.sep).some((s) => SKIPPED_DIRS.has(s)),
    });
    const on = (kind: 'update' | 'remove') => (abs: string) => {
      if (!abs.endsWith(RECORDING_SUFFIX)) return; // including *.appmap.json.part
      this.pending.set(toRel(this.root, abs), kind);
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    };
    this.watcher.on('add', on('update')).on('change', on('update')).on('unlink', on('remove'));
    this.watcher.on('error', (err) => this.events.log(`error: watching recordings: ${err}`));
    const watcher = this.watcher;
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.running = this.running.then(async () => {
      for (const [rel, kind] of batch) {
        if (kind === 'remove') this.index.delete(rel);
        else await this.indexOne(rel);
      }
      this.events.changed([...batch.keys()]);
    });
  }
}

function isInside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
