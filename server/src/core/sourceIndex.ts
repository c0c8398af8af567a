// Where recorded functions are in the current source: resolves recorded paths, parses each
// workspace file at most once (tree-sitter, through SourceParsers), and finds a function by its
// identity so that code that moved since the recording is still found. The recorded line is the
// fallback when a file cannot be parsed or the function is no longer there.

import { RunlensConfig } from './config';
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
  private readonly texts = new Map<string, string | undefined>();
  private readonly definitions = new Map<string, Definition[] | undefined>();
  private readonly locatedByFile = new Map<string, Map<string, LocatedFunction>>();
  /** Incremented whenever anything read is forgotten: results derived from the text are stale. */
  generation = 0;

  constructor(files: WorkspaceFiles, parsers: SourceParsers | undefined, config: RunlensConfig) {
    this.files = files;
    this.parsers = parsers;
    this.config = config;
  }

  /** Forgets what was read of a file (it changed on disk or in the editor). */
  invalidate(relPath: string): void {
    this.generation++;
    // A file that was missing may exist now (opened, created): paths are resolved anew.
    this.resolved.clear();
    this.texts.delete(relPath);
    this.definitions.delete(relPath);
    this.locatedByFile.delete(relPath);
  }

  /** Forgets everything (files were added or removed). */
  invalidateAll(): void {
    this.generation++;
    this.locatedByFile.clear();
    this.resolved.clear();
    this.texts.clear();
    this.definitions.clear();
  }

  resolve(recordedPath: string): ResolvedPath {
    let r = this.resolved.get(recordedPath);
    if (r === undefined) {
      r = resolveRecordedPath(recordedPath, this.files, this.config.sourceRoots, this.config.pathMappings);
      this.resolved.set(recordedPath, r);
    }
    return r;
  }

  /** True for a recorded path that belongs to the project (not a dependency, not outside). */
  isProjectPath(recordedPath: string | undefined): boolean {
    if (!recordedPath) return false;
    return this.resolve(recordedPath).kind !== 'outside';
  }

  text(relPath: string): string | undefined {
    if (!this.texts.has(relPath)) this.texts.set(relPath, this.files.read(relPath));
    return this.texts.get(relPath);
  }

  definitionsOf(relPath: string): Definition[] | undefined {
    if (this.definitions.has(relPath)) return this.definitions.get(relPath);
    let defs: Definition[] | undefined;
    const language = languageOfPath(relPath);
    const text = language && this.parsers ? this.text(relPath) : undefined;
    if (language && text !== undefined && this.parsers) defs = findDefinitions(this.parsers, language, text);
    this.definitions.set(relPath, defs);
    return defs;
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
    let located = this.locatedByFile.get(r.relPath);
    if (!located) this.locatedByFile.set(r.relPath, (located = new Map()));
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
