// The state of one server: the workspace root, the configuration, the open documents (their
// current text wins over the disk), the source index and the recording index. Handlers read it;
// only lifecycle.ts, documents.ts and configuration.ts change it.

import { TextDocument } from 'vscode-languageserver-textdocument';
import { Baseline } from '../core/baseline/baseline';
import { RunlensConfig } from '../core/config';
import { DerivedValue } from '../core/derived';
import { Problem } from '../core/problem';
import { Since } from '../core/ide/since';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { SourceParsers } from '../core/source/definitions';
import { SourceIndex } from '../core/sourceIndex';
import { WorkspaceFiles } from '../core/workspace';
import { realRoot, workspaceFiles } from '../node/workspaceFiles';

export class Session {
  readonly root: string;
  config: RunlensConfig;
  /** The configuration's version: its JSON, so settings sent again unchanged change nothing. */
  private configKey: string;
  /** The source index is derived from the configuration (source roots, path mappings): a new one when it changes. */
  private readonly sources = new DerivedValue('session.sourceIndex', () => [this.configKey], () => this.newSourceIndex());
  readonly index = new WorkspaceIndex();
  /** Open documents by workspace-relative path. */
  readonly open = new Map<string, TextDocument>();
  readonly parsers: SourceParsers | undefined;
  indexing = false;
  /** Initial indexing: recordings read of those found. */
  indexed = { done: 0, total: 0 };
  /** The workspace's saved baseline (.runlens/baseline.json), when it has a readable one. */
  baseline: Baseline | undefined;
  /** What was wrong with the baseline file, if anything (shown on the file, where its parser placed it). */
  baselineProblems: Problem[] = [];
  /** Told of every source file read from disk (the server watches its folder). */
  onDiskRead: ((relPath: string) => void) | undefined;
  /** Told when a request finds that a file read changed on disk (before the watcher said so, if it does). */
  onStaleFile: ((relPath: string) => void) | undefined;
  private readonly disk: WorkspaceFiles;

  constructor(root: string, config: RunlensConfig, parsers: SourceParsers | undefined) {
    this.root = realRoot(root);
    this.config = config;
    this.configKey = JSON.stringify(config);
    this.parsers = parsers;
    this.disk = workspaceFiles(this.root);
  }

  /** Where recorded functions are in the current text (open documents over the disk), for the configuration in use. */
  get sourceIndex(): SourceIndex {
    return this.sources.get();
  }

  /** Takes a new config (positions and paths are then worked out anew); says whether it differs from the one in use (only then is anything redone). */
  setConfig(config: RunlensConfig): boolean {
    const key = JSON.stringify(config);
    if (key === this.configKey) return false;
    this.config = config;
    this.configKey = key;
    return true;
  }

  /** What lenses, hovers and diagnostics compare with: the baseline and the config's thresholds. */
  since(): Since | undefined {
    return this.baseline && { baseline: this.baseline, thresholds: this.config.compare };
  }

  /** A file's text changed (in the editor or on disk). */
  textChanged(relPath: string): void {
    this.sourceIndex.invalidate(relPath);
  }

  private newSourceIndex(): SourceIndex {
    const disk = this.disk;
    const open = this.open;
    // Unsaved text of open documents comes before the disk, except where the path leads out
    // through a symlink: a document opened through a link out is not the workspace's.
    const readDisk = (rel: string) => {
      this.onDiskRead?.(rel);
      return disk.read(rel);
    };
    const files: WorkspaceFiles = {
      rootPath: disk.rootPath,
      exists: (rel) => (open.has(rel) && !disk.leavesRoot(rel)) || disk.exists(rel),
      read: (rel) => (disk.leavesRoot(rel) ? undefined : open.get(rel)?.getText() ?? readDisk(rel)),
      leavesRoot: (rel) => disk.leavesRoot(rel),
      list: (suffixes) => disk.list(suffixes),
      // An open document's version; the disk's stamp once it is closed.
      stamp: (rel) => {
        const document = open.get(rel);
        return document ? `open:${document.version}` : disk.stamp?.(rel);
      },
    };
    const index = new SourceIndex(files, this.parsers, this.config);
    index.onStale = (rel) => this.onStaleFile?.(rel);
    return index;
  }
}
