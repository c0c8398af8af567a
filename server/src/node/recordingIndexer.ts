// Keeps the workspace index in step with the recordings on disk: indexes every recording at start,
// then watches with chokidar. Recordings are read and summarized by an IndexPool of worker threads,
// so requests are answered from what is indexed so far while the rest is read, and a recording
// that changes is read at once, before the initial backlog, instead of waiting behind it. New,
// changed, renamed and deleted recordings replace or remove their own share only; bursts are
// debounced; `*.part` files (written before a rename) are ignored.
//
// Every path has a version, bumped by each change seen; a summary is put in the index only if its
// path's version did not move while it was read. So whatever order reads finish in, the index
// ends up as a fresh index of what is on disk. Watcher events can be missed (chokidar does not
// see files written while it starts, and reports only the folder when a folder goes; the kernel
// drops every event past its queue, /proc/sys/fs/inotify/max_queued_events, and says so to no
// one: libuv ignores IN_Q_OVERFLOW), so after the first indexing, a re-index, any batch with a
// folder event or a file gone while read, a watcher error, and once a quarter of the kernel's
// queue of raw events came since the last listing (fewer cannot have overflowed it), the folders
// are listed again and compared with what was read (size, times and inode of each file): what
// differs is read again or dropped.
//
// A storm is tens of thousands of files: listing, comparing and starting reads are done a slice
// of files per turn of the event loop, so that requests are answered meanwhile.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FSWatcher, watch } from 'chokidar';
import { RunlensConfig } from '../core/config';
import { readRecording } from '../core/appmap/read';
import { RecordingSummary, summarize } from '../core/index/summary';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { SourceIndex } from '../core/sourceIndex';
import { defaultPoolSize, IndexPool } from './indexPool';
import { WorkspaceFiles } from '../core/workspace';
import { isRecordingName, listRecordings } from './recordings';
import { confine, isInside, SKIPPED_DIRS, workspaceFiles } from './workspaceFiles';

/** What a recording's file name ends with (node/recordings.ts; named here for the server's commands). */
export { RECORDING_SUFFIX } from './recordings';

export interface IndexerEvents {
  /** Initial indexing progress. */
  progress(done: number, total: number): void;
  /** Recordings (workspace-relative) whose share changed: added, replaced or removed. */
  changed(recordings: string[]): void;
  log(message: string): void;
}

const DEBOUNCE_MS = 100;
/** The kernel's setting of how many watcher events it queues (the only file outside the root the indexer reads). */
export const INOTIFY_QUEUE_SETTING = '/proc/sys/fs/inotify/max_queued_events';
/** Files looked at (listed, compared, reads started) per turn of the event loop: a request waits for at most this many. */
const FILES_PER_TURN = 256;

export class RecordingIndexer {
  private watcher: FSWatcher | undefined;
  private pending = new Map<string, 'update' | 'remove'>();
  private timer: NodeJS.Timeout | undefined;
  /** Reads under way (tests wait for them in idle()). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Per recording: bumped by every change, so a read that a later change overtook is dropped. */
  private readonly versions = new Map<string, number>();
  /** Recordings read (or being read), with the fingerprint of the file each read started from. */
  private readonly read = new Map<string, string>();
  /** A folder came or went, or a file went while read: list the folders after the batch. */
  private listAfterBatch = false;
  /** The first indexing; a re-index waits for it. */
  private started: Promise<void> = Promise.resolve();
  private readonly pool: IndexPool;
  /** For `leavesRoot`: whether a path's real path (through links) leaves the root. */
  private readonly files: WorkspaceFiles;
  private disposed = false;
  /** Whether the recording folders are watched (start's option); kept for re-indexing. */
  private watching = false;
  /** Raw watcher events since the folders were last listed (see overflowSuspect). */
  private rawSinceListing = 0;
  /** So many raw events since the last listing may have overflowed the kernel's queue: list again. */
  private readonly overflowSuspect = Math.max(1, Math.floor(maxQueuedEvents() / 4));
  /** Batches are dispatched in order (a deletion must not overtake the write that came after it); their reads overlap. */
  private dispatching: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly config: () => RunlensConfig,
    private readonly sourceIndex: () => SourceIndex,
    readonly index: WorkspaceIndex,
    private readonly events: IndexerEvents,
    options: { workers?: number } = {},
  ) {
    this.pool = new IndexPool(root, options.workers ?? defaultPoolSize(), sourceIndex, events.log);
    this.files = workspaceFiles(root);
  }

  /** Threads reading recordings besides the main one (0: all on the main thread). */
  get workerCount(): number {
    return this.pool.workerCount;
  }

  /** Indexes every recording now on disk; resolves when done. Watching starts before, so nothing written meanwhile is missed. */
  start(options: { watch: boolean }): Promise<void> {
    this.started = this.firstIndexing(options);
    return this.started;
  }

  private async firstIndexing(options: { watch: boolean }): Promise<void> {
    this.watching = options.watch;
    this.recordingFolders({ report: true });
    // The watcher must be ready before files are listed: a recording written in between is then
    // seen by one or the other (or both: indexing twice is harmless), never by neither.
    if (options.watch) await this.startWatching();
    const files = await this.discover();
    this.events.progress(0, files.length);
    let done = 0;
    await this.updateAll(files, false, () => {
      if (!this.disposed) this.events.progress(++done, files.length);
    });
    const missed = await this.reconcile();
    if (!this.disposed) this.events.changed([...new Set([...files, ...missed])]);
  }

  /** The recordings being read right now. */
  reading(): string[] {
    return this.pool.reading();
  }

  /** A source file changed on disk or in the editor: workers drop what they parsed of it. */
  textChanged(relPath: string): void {
    this.pool.invalidate(relPath);
  }

  /**
   * The configured recording folders that are inside the root, through links too (a folder
   * linked out is not indexed), as absolute paths. With `report`, says which are not, and when
   * none is (nothing is indexed then until the setting is corrected).
   */
  private recordingFolders(options: { report: boolean }): string[] {
    const configured = this.config().recordingFolders;
    const folders = configured.length ? configured : ['.'];
    const inside: string[] = [];
    for (const folder of folders) {
      const abs = path.resolve(this.root, folder);
      // Not there (yet, `missing`): walking and watching it find nothing, and nothing outside.
      const why = !isInside(this.root, abs) ? 'is outside the workspace' : confine(this.root, abs).kind === 'outside' ? 'leads outside the workspace' : undefined;
      if (why === undefined) inside.push(abs);
      else if (options.report) this.events.log(`warning: the recording folder ${folder} ${why}; it is not indexed`);
    }
    if (options.report && inside.length === 0) {
      this.events.log(`error: no recording folder is inside the workspace ${this.root} (recordingFolders: ${JSON.stringify(configured)}): no recording is indexed until the setting names a folder of the workspace`);
    }
    return inside;
  }

  /** Recording files under the configured folders, workspace-relative. */
  async discover(): Promise<string[]> {
    const out = new Set<string>();
    for (const abs of this.recordingFolders({ report: false })) {
      for (const rel of await listRecordings(abs, this.config().traces)) out.add(toRel(this.root, path.join(abs, rel)));
    }
    return [...out].sort();
  }

  /** Starts reading each of `rels`, a slice per turn of the event loop; resolves when all are read. */
  private async updateAll(rels: Iterable<string>, urgent: boolean, each?: () => void): Promise<void> {
    const reads: Promise<void>[] = [];
    let n = 0;
    let folders = new Map<string, boolean>();
    for (const rel of rels) {
      if (++n % FILES_PER_TURN === 0) {
        await nextTurn();
        folders = new Map();
      }
      if (this.disposed) break;
      const read = this.update(rel, urgent, folders);
      reads.push(each ? read.then(each) : read);
    }
    await Promise.all(reads);
  }

  /** Re-reads everything (the configuration changed), watching the configured folders anew. */
  async reindexAll(): Promise<void> {
    // Not while the first indexing starts its watcher: closing it then would leave that waiting.
    await this.started;
    if (this.disposed) return;
    this.recordingFolders({ report: true });
    if (this.watching) {
      // There may be no watcher: the folders of the previous setting were all outside.
      await this.watcher?.close();
      await this.startWatching();
    }
    const files = new Set(await this.discover());
    const gone = [...this.read.keys()].filter((r) => !files.has(r));
    for (const r of gone) this.remove(r);
    await this.updateAll(files, false);
    const missed = await this.reconcile();
    this.events.changed([...new Set([...files, ...gone, ...missed])]);
  }

  /**
   * Lists the recording folders again and makes the index agree: files not read as they are now
   * are read, and files read that are no longer there are dropped. Returns the paths it changed,
   * once their reads are done.
   */
  private async reconcile(): Promise<string[]> {
    if (this.disposed) return [];
    this.listAfterBatch = false;
    this.rawSinceListing = 0;
    const onDisk = new Set(await this.discover());
    const stale: string[] = [];
    let n = 0;
    for (const rel of onDisk) {
      if (++n % FILES_PER_TURN === 0) await nextTurn();
      if (this.read.get(rel) !== fingerprint(path.join(this.root, rel))) stale.push(rel);
    }
    const gone: string[] = [];
    for (const rel of [...this.read.keys()]) {
      // Not listed, and not there now either: the listing took turns, and a file written
      // meanwhile (whose event came) is not in it.
      if (onDisk.has(rel) || fingerprint(path.join(this.root, rel)) !== undefined) continue;
      gone.push(rel);
      this.remove(rel);
    }
    await this.updateAll(stale, true);
    return [...stale, ...gone];
  }

  /** Waits until queued changes are processed (tests). */
  async idle(): Promise<void> {
    while (this.timer || this.pending.size || this.inFlight.size) {
      if (this.inFlight.size) await Promise.all([...this.inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    await this.pool.dispose();
  }

  /** Reads `rel` and puts its summary in the index, unless a later change overtook the read. */
  private update(rel: string, urgent: boolean, folders?: Map<string, boolean>): Promise<void> {
    const abs = path.join(this.root, rel);
    const stamp = fingerprint(abs);
    // Only regular files whose real path is inside the root, as the first listing takes: not a
    // pipe or a device (whose read would never end), and not a link (chokidar reports links to
    // files even when told not to follow links). Anything else leaves the index.
    if (stamp === undefined || this.folderLeavesRoot(rel, folders)) {
      this.remove(rel);
      return Promise.resolve();
    }
    const version = this.bump(rel);
    this.read.set(rel, stamp);
    const read = this.pool
      .summarize(rel, this.config(), urgent)
      .catch((err: Error) => {
        this.events.log(`error: reading ${rel} failed (please report): ${err.message}`);
        return this.unreadable(rel, err.message);
      })
      .then((summary) => {
        if (this.disposed || this.versions.get(rel) !== version) return;
        // Deleted while it was read: the deletion's event may be the one chokidar missed, and
        // its folder may have gone with it.
        if (fingerprint(abs) === undefined) {
          this.remove(rel);
          this.listAfterBatch = true;
        }
        else this.index.set(summary);
      })
      .finally(() => this.inFlight.delete(read));
    this.inFlight.add(read);
    return read;
  }

  /**
   * Whether the folder of a regular file (not a link: its fingerprint says so) leads out of the
   * root, so the file does too. `folders` keeps the answers for one turn of the event loop: a
   * storm's thousands of files in one folder cost one real path, not thousands.
   */
  private folderLeavesRoot(rel: string, folders: Map<string, boolean> | undefined): boolean {
    const folder = path.posix.dirname(rel);
    if (folder === '.') return false;
    let leaves = folders?.get(folder);
    if (leaves === undefined) {
      leaves = this.files.leavesRoot(folder);
      folders?.set(folder, leaves);
    }
    return leaves;
  }

  private remove(rel: string): void {
    this.bump(rel);
    this.read.delete(rel);
    this.index.delete(rel);
  }

  private bump(rel: string): number {
    const version = (this.versions.get(rel) ?? 0) + 1;
    this.versions.set(rel, version);
    return version;
  }

  /** The share of a recording that could not be read at all: no data, one problem saying why. */
  private unreadable(rel: string, why: string): RecordingSummary {
    const { trace } = readRecording(rel, '{}');
    return summarize(trace, [{ file: rel, severity: 'error', message: `the recording could not be read: ${why.split('\n')[0]}` }], this.sourceIndex(), this.config());
  }

  private startWatching(): Promise<void> {
    const targets = this.recordingFolders({ report: false });
    // Nothing to watch: chokidar given no path is never ready, and waiting for it never ended.
    if (targets.length === 0) {
      this.watcher = undefined;
      return Promise.resolve();
    }
    this.watcher = watch(targets, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string) => p.split(path.sep).some((s) => SKIPPED_DIRS.has(s)),
    });
    const later = () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    };
    const on = (kind: 'update' | 'remove') => (abs: string) => {
      if (!isRecordingName(abs, this.config().traces)) return; // including *.appmap.json.part
      this.pending.set(toRel(this.root, abs), kind);
      later();
    };
    this.watcher.on('add', on('update')).on('change', on('update')).on('unlink', on('remove'));
    // A folder that comes or goes may hold recordings chokidar reports no event for: the listing after the batch finds them.
    const listAfterBatch = () => {
      this.listAfterBatch = true;
      later();
    };
    this.watcher.on('addDir', listAfterBatch).on('unlinkDir', listAfterBatch);
    // Found by the attack of issue 15: a burst of 20,000 recordings overflowed the kernel's queue
    // and 28% of them were never indexed. An overflow is reported nowhere; it cannot happen
    // without that many raw events, which are counted.
    this.watcher.on('raw', () => {
      if (++this.rawSinceListing === this.overflowSuspect) listAfterBatch();
    });
    this.watcher.on('error', (err) => {
      this.events.log(`error: watching recordings: ${err}; the folders are listed again`);
      listAfterBatch();
    });
    const watcher = this.watcher;
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    const dispatched = this.dispatching.then(async () => {
      const reads: Promise<void>[] = [];
      let n = 0;
      let folders = new Map<string, boolean>();
      for (const [rel, kind] of batch) {
        if (++n % FILES_PER_TURN === 0) {
          await nextTurn();
          folders = new Map();
        }
        // The disk decides, not the event: under a storm chokidar reports files gone that are
        // there (and a file may have come back since its event).
        if (kind === 'remove' && fingerprint(path.join(this.root, rel)) === undefined) this.remove(rel);
        else reads.push(this.update(rel, true, folders));
      }
      return reads;
    });
    this.dispatching = dispatched.then(
      () => undefined,
      () => undefined,
    );
    // Each batch reports when its own reads are done; it does not wait for earlier batches. The
    // folders are listed again only after a folder event, a read of a file that had gone, a
    // watcher error or as many raw events as could have overflowed the kernel's queue: a listing
    // looks at every recording, too much for every batch of a big tree.
    const list = this.listAfterBatch;
    this.listAfterBatch = false;
    const done = dispatched
      .then((reads) => Promise.all(reads))
      .then(() => (list || this.listAfterBatch ? this.reconcile() : []))
      .then((missed) => {
        const changed = [...new Set([...batch.keys(), ...missed])];
        if (!this.disposed && changed.length) this.events.changed(changed);
      })
      .catch((err: Error) => this.events.log(`error: taking in changed recordings failed (please report): ${err.stack ?? err.message}`));
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}

let queuedEventsLimit: number | undefined;

/** What the kernel's inotify queue holds before it drops events (Linux; elsewhere, Linux's default), read once per process. */
function maxQueuedEvents(): number {
  if (queuedEventsLimit === undefined) {
    queuedEventsLimit = 16_384;
    try {
      const n = Number(fs.readFileSync(INOTIFY_QUEUE_SETTING, 'utf8').trim());
      if (Number.isInteger(n) && n > 0) queuedEventsLimit = n;
    } catch {
      // Not Linux, or no procfs.
    }
  }
  return queuedEventsLimit;
}

/** Lets the event loop take what is waiting (requests, watcher events) before going on. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Size, times and inode of a regular file (a rewrite changes one of them), or undefined if it is not one (gone, a folder, a link, a pipe). */
function fingerprint(abs: string): string | undefined {
  try {
    const st = fs.lstatSync(abs);
    return st.isFile() ? `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
