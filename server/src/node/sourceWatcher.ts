// Watches the folders of the source files the server has read from disk, so that a file changed
// behind the editor's back (a git pull, a formatter, a branch switch) is read again and what is
// shown on it moves without waiting for a request. One watch per folder (chokidar, depth 0), not
// per file; changes are batched and reported by workspace-relative path. Requests do not depend
// on it: SourceIndex compares each file's stamp again per request, and an edit is worked out on
// the file as it is on disk at that moment.

import * as path from 'node:path';
import { FSWatcher, watch } from 'chokidar';

const BATCH_MS = 50;

export class SourceWatcher {
  private readonly watcher: FSWatcher;
  private readonly folders = new Set<string>();
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly root: string,
    /** Files (workspace-relative) that changed, came or went; called once per batch. */
    private readonly changed: (relPaths: string[]) => void,
    private readonly log: (message: string) => void,
  ) {
    this.watcher = watch([], { ignoreInitial: true, followSymlinks: false, depth: 0 });
    const on = (abs: string) => this.seen(abs);
    this.watcher.on('add', on).on('change', on).on('unlink', on);
    this.watcher.on('error', (err) => this.log(`error: watching source files: ${err}`));
  }

  /** A file was read from disk: its folder is watched from now on. */
  watch(relPath: string): void {
    if (this.disposed) return;
    const folder = path.dirname(path.join(this.root, relPath));
    if (this.folders.has(folder)) return;
    this.folders.add(folder);
    this.watcher.add(folder);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher.close();
  }

  private seen(abs: string): void {
    const rel = path.relative(this.root, abs).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) return;
    this.pending.add(rel);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const batch = [...this.pending];
      this.pending = new Set();
      if (!this.disposed) this.changed(batch);
    }, BATCH_MS);
  }
}
