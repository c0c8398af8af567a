// Where recorded functions are in the current source: resolves recorded paths, parses each
// workspace file at most once while its text stays the same (tree-sitter, through SourceParsers),
// and finds a function by its identity so that code that moved since the recording is still
// found. The recorded line is the fallback when a file cannot be parsed or the function is no
// longer there. Files can change behind the index's back (a git pull, a formatter): each file's
// stamp is compared again, once per `revalidate()` (the server calls it per request, a worker per
// recording), and a file whose stamp moved is read again. A file's text, its parse and the
// functions located in it are derived values (core/derived.ts) whose input is the file's stamp.

import { RunlensConfig } from './config';
import { Derived } from './derived';
import { Definition, findDefinitions, languageOfPath, locateFunction, SourceParsers } from './source/definitions';
import { FunctionInfo } from './trace';
import { ResolvedPath, resolveRecordedPath, WorkspaceFiles } from './workspace';

/** A place in the workspace: workspace-relative POSIX path, 1-based line and column (UTF-16). */
export interface SourceLocation {
  path: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** What identifies a recorded function across recordings and edits. */
export type FunctionIdentity = Pick<FunctionInfo, 'definedClass' | 'methodId' | 'isStatic' | 'recordedPath' | 'recordedLine'>;

export interface LocatedFunction {
  location: SourceLocation;
  /** The function's current definition, when the source was parsed and it was found. */
  definition: Definition | undefined;
}

export class SourceIndex {
  readonly files: WorkspaceFiles;
  readonly parsers: SourceParsers | undefined;
  private readonly config: RunlensConfig;
  private readonly resolved = new Map<string, ResolvedPath>();
  // Derived from each file's stamp (stampOf: compared once per revalidation), and forgotten
  // with the file when an event says it changed: its text, its parse, the functions found in it.
  private readonly texts = new Derived<string, string | undefined>('source.text', {
    inputs: (rel) => [this.stampOf(rel)],
    compute: (rel) => this.files.read(rel),
  });
  private readonly definitions = new Derived<string, Definition[] | undefined>('source.parse', {
    inputs: (rel) => [this.stampOf(rel)],
    compute: (rel) => {
      const language = languageOfPath(rel);
      const text = language && this.parsers ? this.text(rel) : undefined;
      return language && text !== undefined && this.parsers ? findDefinitions(this.parsers, language, text) : undefined;
    },
  });
  private readonly locatedByFile = new Derived<string, Map<string, LocatedFunction>>('source.located', {
    inputs: (rel) => [this.stampOf(rel)],
    compute: () => new Map(),
  });
  /** Incremented whenever anything read is forgotten: results derived from the text are stale. */
  generation = 0;
  /** Per file read: its stamp when it was read, and the revalidation it was last compared in. */
  private readonly stamps = new Map<string, { stamp: string | undefined; checked: number }>();
  /** Bumped by revalidate(): every stamp is compared again on the file's next use. */
  private epoch = 0;
  /** How many revalidations there have been: what was derived since the last one need not compare stamps again. */
  get revalidations(): number {
    return this.epoch;
  }
  /** Values derived from the workspace's text as a whole (an ORM's models), by name: computed again when the generation moves. */
  private readonly wholeWorkspace = new Map<string, Derived<0, unknown>>();
  /** Values derived from one file's text each (an ORM's declarations in it), by name. */
  private readonly perTextTables = new Map<string, Derived<string, unknown>>();
  /** Recorded paths resolved as missing: resolved again after a revalidation (the file may have come). */
  private readonly missing = new Set<string>();
  /** Told when a file's stamp is found to have moved (what was derived from it elsewhere is stale too). */
  onStale: ((relPath: string) => void) | undefined;

  constructor(files: WorkspaceFiles, parsers: SourceParsers | undefined, config: RunlensConfig) {
    this.files = files;
    this.parsers = parsers;
    this.config = config;
  }

  /**
   * Files may have changed since they were read: each one's stamp is compared again on its next
   * use (once, until the next revalidation), and paths that were missing are resolved again.
   */
  revalidate(): void {
    this.epoch++;
    for (const recorded of this.missing) this.resolved.delete(recorded);
    this.missing.clear();
  }

  /**
   * Compares the file's stamp with the one it was read with, now, and forgets what was read of
   * it if it moved. Says whether it did. What is about to be derived from the file (an edit)
   * must call this first: a revalidated index compares a stamp only once until the next one.
   */
  refresh(relPath: string): boolean {
    const seen = this.stamps.get(relPath);
    if (!seen || !this.files.stamp) return false;
    seen.checked = this.epoch;
    const now = this.files.stamp(relPath);
    if (now === seen.stamp) return false;
    this.invalidate(relPath);
    this.onStale?.(relPath);
    return true;
  }

  /**
   * The version of a file, what is derived from it depends on: its stamp, compared with the disk
   * (or the open document) once per revalidation; taken before a read. Undefined where the
   * workspace has no stamps (what was read stays until `invalidate`).
   */
  private stampOf(relPath: string): string | undefined {
    if (!this.files.stamp) return undefined;
    let seen = this.stamps.get(relPath);
    if (seen !== undefined && seen.checked !== this.epoch) {
      this.refresh(relPath);
      seen = this.stamps.get(relPath);
    }
    if (seen === undefined) this.stamps.set(relPath, (seen = { stamp: this.files.stamp(relPath), checked: this.epoch }));
    return seen.stamp;
  }

  /**
   * A value derived from what was read of the workspace (any file: the ORM's models, the routes),
   * computed on first use and again once the generation moved (a file read changed, or came).
   * Recomputations are counted under `name` (core/derived.ts).
   */
  derive<T>(name: string, compute: () => T): T {
    let table = this.wholeWorkspace.get(name);
    if (!table) this.wholeWorkspace.set(name, (table = new Derived(name)));
    return table.getWith(0, [this.generation], compute) as T;
  }

  /**
   * The table, named `name`, of what `compute` derives from each file's text (the models declared
   * in it): computed again for a file only when its text is another string, so that an edit parses
   * one file again, not the workspace. The first declaration under a name holds. Undefined for a
   * file that cannot be read.
   */
  perText<T>(name: string, compute: (relPath: string, text: string) => T): Derived<string, T | undefined> {
    let table = this.perTextTables.get(name) as Derived<string, T | undefined> | undefined;
    if (!table) {
      table = new Derived<string, T | undefined>(name, {
        inputs: (rel) => [this.text(rel)],
        compute: (rel) => {
          const text = this.text(rel);
          return text === undefined ? undefined : compute(rel, text);
        },
      });
      this.perTextTables.set(name, table as Derived<string, unknown>);
    }
    return table;
  }

  /** Whether anything of the file was read (and would be stale if it changed). */
  hasRead(relPath: string): boolean {
    return this.stamps.has(relPath) || this.texts.has(relPath);
  }

  /** Forgets what was read of a file (it changed on disk or in the editor). */
  invalidate(relPath: string): void {
    this.generation++;
    this.stamps.delete(relPath);
    // A file that was missing may exist now (opened, created): paths are resolved anew.
    this.resolved.clear();
    this.texts.forget(relPath);
    this.definitions.forget(relPath);
    this.locatedByFile.forget(relPath);
  }

  /** Forgets everything (files were added or removed). */
  invalidateAll(): void {
    this.generation++;
    this.stamps.clear();
    this.missing.clear();
    this.locatedByFile.clear();
    this.resolved.clear();
    this.texts.clear();
    this.definitions.clear();
    for (const table of this.perTextTables.values()) table.clear();
  }

  resolve(recordedPath: string): ResolvedPath {
    let r = this.resolved.get(recordedPath);
    if (r === undefined) {
      r = resolveRecordedPath(recordedPath, this.files, this.config.sourceRoots, this.config.pathMappings);
      this.resolved.set(recordedPath, r);
      if (r.kind === 'missing') this.missing.add(recordedPath);
    }
    return r;
  }

  /** True for a recorded path that belongs to the project (not a dependency, not outside). */
  isProjectPath(recordedPath: string | undefined): boolean {
    if (!recordedPath) return false;
    return this.resolve(recordedPath).kind !== 'outside';
  }

  text(relPath: string): string | undefined {
    return this.texts.get(relPath);
  }

  definitionsOf(relPath: string): Definition[] | undefined {
    return this.definitions.get(relPath);
  }

  /** The current location of a recorded function, or undefined for code outside the project. */
  locate(fn: FunctionIdentity): LocatedFunction | undefined {
    if (!fn.recordedPath) return undefined;
    const r = this.resolve(fn.recordedPath);
    if (r.kind === 'outside') return undefined;
    const recordedLine = fn.recordedLine ?? 1;
    if (r.kind === 'missing') return { location: { path: r.relPath, line: recordedLine, column: 1 }, definition: undefined };
    // Kept per file until its text changes: a file with hundreds of recorded functions would
    // otherwise scan all its definitions once per function, on every lens and hover request.
    const located = this.locatedByFile.get(r.relPath);
    const key = `${fn.definedClass}\u0000${fn.methodId}\u0000${fn.isStatic}\u0000${fn.recordedLine ?? ''}`;
    let result = located.get(key);
    if (!result) {
      const defs = this.definitionsOf(r.relPath);
      const def = defs && locateFunction(defs, { definedClass: fn.definedClass, methodId: fn.methodId, isStatic: fn.isStatic, lineno: fn.recordedLine });
      result = def
        ? { location: { path: r.relPath, line: def.line, column: def.column }, definition: def }
        : { location: { path: r.relPath, line: recordedLine, column: 1 }, definition: undefined };
      located.set(key, result);
    }
    return result;
  }
}
