// The one door to recordings on disk: which files are recordings (`*.appmap.json`, and the
// OpenTelemetry traces the `traces` globs name, given or under the folders given, dependency and
// VCS folders skipped, links never followed), and reading them (core/readRecording.ts tells the
// format)
// one at a time with their problems collected one way. Every command (scan, baseline, compare,
// report, record) and the server's indexer find and read recordings here: the commands with
// blocking reads, the servers without.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReadResult } from '../core/appmap/read';
import { append } from '../core/arrays';
import { DEFAULT_CONFIG, RunlensConfig } from '../core/config';
import { globMatcher } from '../core/glob';
import { RecordingSummary, summarize } from '../core/index/summary';
import { Problem } from '../core/problem';
import { SourceIndex } from '../core/sourceIndex';
import { readRecordingFile, readRecordingFileSync } from './readRecordingFile';
import { describeFailure, displayPath, errorCode, kindOf, SKIPPED_DIRS, walk } from './workspaceFiles';

/** What a recording's file name ends with. */
export const RECORDING_SUFFIX = '.appmap.json';

/** What recordings' names are, said to people (the `traces` setting may name others). */
export const RECORDING_NAMES = `*${RECORDING_SUFFIX}, *.otlp.json, *.otlp.jsonl`;

/**
 * Whether a path names a recording: `*.appmap.json`, or a trace the `traces` globs name (the
 * defaults when not given); never `*.part`, a file written before a rename.
 */
export function isRecordingName(p: string, traces: readonly string[] = DEFAULT_CONFIG.traces): boolean {
  if (p.endsWith(RECORDING_SUFFIX)) return true;
  if (p.endsWith('.part')) return false;
  let matcher = matchers.get(traces);
  if (!matcher) {
    matcher = globMatcher(traces);
    matchers.set(traces, matcher);
  }
  return matcher(p);
}

/** One matcher per list of globs (configs are long-lived; a WeakMap lets a replaced one go). */
const matchers = new WeakMap<readonly string[], (p: string) => boolean>();

/** A path given that does not exist (ENOENT, ENOTDIR): the caller's usage error. */
export class NoSuchPath extends Error {
  constructor(readonly path: string) {
    super(`${path}: no such file or folder`);
  }
}

export interface FindOptions {
  /** Where what is not read is said (named relative to `root` where inside it); unsaid when absent. */
  problems?: Problem[];
  root?: string;
  /**
   * `checked` (the commands): a path that does not exist throws NoSuchPath, one that is neither a
   * file nor a folder (a FIFO, a device) is a problem and is never opened. `read` (the HTML report
   * handed paths by a caller): whatever is not a folder is kept, and reading it says what is wrong.
   */
  given?: 'checked' | 'read';
  /** The `traces` globs (the defaults when not given). */
  traces?: readonly string[];
}

/**
 * Recording files under the given files and folders (absolute), sorted; skips node_modules and
 * .git. Whatever else is given or met and not read is a problem in `options.problems`, never
 * silence: a FIFO, a device or a socket given (never opened), a folder that cannot be listed
 * (permission denied, a path longer than the system allows), an entry named like a recording that
 * is not a regular file, and, when others hold recordings, a folder that holds none.
 */
export function findRecordings(paths: string[], options: FindOptions = {}): string[] {
  const out = new Set<string>();
  const empty: string[] = [];
  const problem = (abs: string, severity: Problem['severity'], message: string) =>
    options.problems?.push({ file: options.root === undefined ? abs : displayPath(options.root, abs), severity, message });
  for (const p of paths) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch (err) {
      if (options.given !== 'read') {
        const code = errorCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') throw new NoSuchPath(p);
        problem(p, 'error', `cannot read (${describeFailure(err)})`);
        continue;
      }
    }
    if (st?.isDirectory()) {
      const found = recordingsUnder(p, (rel, why) => problem(path.join(p, rel), rel === '.' ? 'error' : 'warning', why), options.traces);
      for (const rel of found) out.add(path.join(p, rel));
      if (found.length === 0) empty.push(p);
    } else if (options.given === 'read' || st?.isFile()) out.add(p);
    else if (st) problem(p, 'error', `${kindOf(st)}, not a regular file: not read`);
  }
  // With nothing found at all, the "no recordings" usage error (or --allow-empty's choice) says it.
  if (out.size > 0) for (const p of empty) problem(p, 'warning', `a folder with no recordings (${RECORDING_NAMES}) under it`);
  return [...out].sort();
}

/**
 * The recordings under a folder, relative to it, sorted (workspaceFiles' walk: links not
 * followed, dependency folders skipped); `skipped` hears of what the walk passes over.
 */
export function recordingsUnder(dir: string, skipped?: (relPath: string, why: string) => void, traces?: readonly string[]): string[] {
  // The globs see the folder's own path too: `.runlens/traces/**` matches in `.runlens/traces` given.
  return walk(dir, (rel) => isRecordingName(path.join(dir, rel), traces), skipped);
}

/**
 * The same, read a folder at a time without blocking the thread (the server's indexer lists tens
 * of thousands while it answers requests); unsorted, and a folder that cannot be listed is passed over.
 */
export async function listRecordings(dir: string, traces?: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const stack: string[] = [''];
  while (stack.length) {
    const rel = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) stack.push(child);
      } else if (e.isFile() && isRecordingName(path.join(dir, child), traces)) out.push(child);
    }
  }
  return out;
}

export interface ReadEachOptions {
  /** What `each` does, for the problem when it throws: `internal error while <analysing> (please report)`. */
  analysing: string;
  /** Called after each recording, read or not. */
  onProgress?: (done: number) => void;
  /**
   * Read with blocking calls (readRecordingFileSync), chunk by chunk as the other way: for a command
   * that does nothing else meanwhile (the CLI, where waiting on the event loop between chunks was
   * idle time). The servers, which answer requests between chunks, leave it unset.
   */
  sync?: boolean;
}

/**
 * Reads each recording in turn (one trace in memory at a time), named relative to `root`: its
 * problems go into `problems`, then `each` makes what the caller keeps of it. Reading never
 * throws (problems are data); an exception of `each` is a problem on that recording, and the
 * others are still read.
 */
export async function readEach(root: string, files: string[], problems: Problem[], each: (result: ReadResult, display: string) => void, options: ReadEachOptions): Promise<void> {
  let done = 0;
  for (const abs of files) {
    const display = displayPath(root, abs);
    const result = options.sync ? readRecordingFileSync(abs, display) : await readRecordingFile(abs, display);
    append(problems, result.problems);
    try {
      each(result, display);
    } catch (err) {
      problems.push({ file: display, severity: 'error', message: `internal error while ${options.analysing} (please report): ${(err as Error).stack ?? err}` });
    }
    options.onProgress?.(++done);
  }
}

/**
 * One recording of the workspace read and reduced to its summary (the server's share of it, its
 * problems inside): the same on a worker and on the main thread. `root` is a real path; nothing
 * outside it is read.
 */
export async function readAndSummarize(root: string, relPath: string, index: SourceIndex, config: RunlensConfig): Promise<RecordingSummary> {
  // The server reads a trace again when it changes: a JSON Lines file's last line may be one being written.
  const result = await readRecordingFile(path.join(root, relPath), relPath, { inside: root, mayGrow: true });
  return summarize(result.trace, result.problems, index, config);
}
