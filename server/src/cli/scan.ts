// `runlens scan`: reads recordings, runs the rules and prints findings like a compiler does.
// Reading and printing happen here; everything in between is the core, shared with the server.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig, RunlensConfig } from '../core/config';
import { Finding, mergeFindings, severityRank } from '../core/findings/finding';
import { findingsOf } from '../core/findings/index';
import { formatCount } from '../core/findings/format';
import { fixOf, Fix } from '../core/fixes/index';
import { withoutIgnored } from '../core/fixes/ignore';
import { RecordingSummary, summarize } from '../core/index/summary';
import { formatProblem, Problem } from '../core/problem';
import { addRecordedFiles, RecordedFiles, rootProblem, unplacedFindings } from '../core/rootCheck';
import { SourceIndex } from '../core/sourceIndex';
import { findRecordings as findRecordingFiles, NoSuchPath, readEach, RECORDING_NAMES } from '../node/recordings';
import { grammarProblems, loadParsersOrProblem } from '../node/treeSitter';
import { describeFailure, readTextSync, workspaceFiles } from '../node/workspaceFiles';
import { COLORED, PLAIN, Style } from './color';
import { formatJson, formatSarif, formatText, ScanOutput } from './formats';
import { UsageError } from './usage';
import { append } from '../core/arrays';

export interface ScanOptions {
  paths: string[];
  root: string;
  format: 'text' | 'json' | 'sarif';
  failOn: 'error' | 'warning' | 'never';
  configFile: string | undefined;
  /** Print the suggested change under each N+1 finding (text format). */
  fixHints: boolean;
  /** No recordings found is not an error (exit 0), for pipelines that may have none. */
  allowEmpty?: boolean;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (a progress bar is shown). */
  stderrIsTTY: boolean;
  cwd: string;
  /** Whether each stream gets colours (cli/color.ts: a terminal, NO_COLOR, FORCE_COLOR); none when absent. */
  color?: { stdout: boolean; stderr: boolean };
}

/** How the text written to stdout and to stderr is marked. */
export function stylesOf(io: Io): { stdout: Style; stderr: Style } {
  return { stdout: io.color?.stdout ? COLORED : PLAIN, stderr: io.color?.stderr ? COLORED : PLAIN };
}

export async function runScan(options: ScanOptions, io: Io): Promise<number> {
  const root = path.resolve(io.cwd, options.root);
  if (!isDirectory(root)) throw new UsageError(`--root ${options.root}: not a folder`);
  const config = options.configFile ? readConfigFile(path.resolve(io.cwd, options.configFile)) : resolveConfig({});
  const searched = options.paths.length ? options.paths.map((p) => path.resolve(io.cwd, p)) : [root];
  const listed: Problem[] = [];
  const recordings = findRecordings(searched, { problems: listed, root, traces: config.traces });
  if (recordings.length === 0 && !options.allowEmpty) throw noRecordings(searched, undefined, listed);
  const output = await scan(root, recordings, config, {
    listed,
    syncReads: true,
    // Fixes are worked out only for the outputs that show them.
    withFixes: options.fixHints || options.format === 'sarif',
    unplacedNote: 'Findings in files not under it are shown without a line.',
    // Redrawn in place on a terminal, and erased when done: what stays is the output.
    onProgress: (done) => {
      if (io.stderrIsTTY && recordings.length >= 20) io.stderr(done === recordings.length ? '\r\x1b[K' : `\r${progressBar(done, recordings.length)}`);
    },
  });
  if (options.format === 'json') io.stdout(formatJson(output));
  else if (options.format === 'sarif') io.stdout(formatSarif(output, { root }));
  else {
    printProblems(output.problems, io);
    io.stdout(formatText(output, { fixHints: options.fixHints, style: stylesOf(io).stdout }));
  }
  if (options.failOn === 'never') return 0;
  const bar = severityRank(options.failOn);
  return output.findings.some((f) => severityRank(f.severity) >= bar) ? 1 : 0;
}

export interface ScanRunOptions {
  /** Problems met while listing the recordings (findRecordings): they come first, after a wrong root's. */
  listed?: Problem[];
  withFixes?: boolean;
  withSummaries?: boolean;
  onProgress?: (done: number) => void;
  /** What the caller does with findings in files the root does not hold, said after a wrong root's problem. */
  unplacedNote?: string;
  /** Read the recordings with blocking calls (recordings.ts readEach): the commands do; the MCP server, which answers meanwhile, does not. */
  syncReads?: boolean;
}

/**
 * Reads each recording in turn (one trace in memory at a time) and merges the findings. When few
 * of the source files recorded are under the root, a problem says so (core/rootCheck.ts).
 */
export async function scan(root: string, recordings: string[], config: RunlensConfig, options: ScanRunOptions = {}): Promise<ScanOutput> {
  const files = workspaceFiles(root);
  const problems: Problem[] = [...(options.listed ?? [])];
  const parsers = await loadParsersOrProblem(problems);
  const index = new SourceIndex(files, parsers, config);
  const findings: Finding[] = [];
  const summaries: RecordingSummary[] = [];
  const recordedFiles: RecordedFiles = new Map();
  await readEach(
    root,
    recordings,
    problems,
    (result) => {
      addRecordedFiles(recordedFiles, result.trace.functions.map((fn) => fn.recordedPath), index);
      if (options.withSummaries) {
        // The summary holds the recording's findings: they are worked out once.
        const summary = summarize(result.trace, result.problems, index, config);
        summaries.push(summary);
        append(findings, summary.findings);
      } else append(findings, findingsOf(result.trace, index, config));
    },
    { analysing: 'analysing', onProgress: options.onProgress, sync: options.syncReads },
  );
  // A grammar is loaded when a file of its language is first parsed: one that failed is said here.
  append(problems, grammarProblems());
  // `# runlens: ignore <rule>` comments, on the finding's line or the one above, silence it.
  const kept = withoutIgnored(mergeFindings(findings), (p) => index.text(p));
  const fixes = new Map<Finding, Fix>();
  for (const f of options.withFixes ? kept : []) {
    const fix = fixOf(f, index);
    if (fix) fixes.set(f, fix);
  }
  const wrongRoot = rootProblem(recordedFiles, `--root ${root}`, options.unplacedNote);
  if (wrongRoot) problems.unshift(wrongRoot);
  return { nRecordings: recordings.length, problems, findings: kept, fixes, summaries, unplaced: unplacedFindings(kept, files), wrongRoot };
}

/**
 * The recordings under the given files and folders (node/recordings.ts, where whatever is not read
 * becomes a problem), for a command: a path that does not exist is a usage error.
 */
export function findRecordings(paths: string[], options: { problems?: Problem[]; root?: string; traces?: readonly string[] } = {}): string[] {
  try {
    return findRecordingFiles(paths, options);
  } catch (err) {
    if (err instanceof NoSuchPath) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * The error for a command that found no recording where it looked (exit 2, as ESLint exits for a
 * pattern that matches nothing): `no recordings (*.appmap.json) under /abs/dir: record your tests
 * first (see runlens record --help)`; `side` names which of several inputs it is (`BEFORE`). When
 * listing met problems (a FIFO given, a folder that cannot be listed), they are the reason given.
 */
export function noRecordings(searched: string[], side?: string, problems: Problem[] = []): UsageError {
  const where = `${side ? `${side}: ` : ''}no recordings (${RECORDING_NAMES}) under ${searched.join(', ')}`;
  if (problems.length) return new UsageError(`${where}:\n${problems.map((p) => `  ${formatProblem(p, { severity: true })}`).join('\n')}`, { pointsToHelp: false });
  return new UsageError(`${where}: record your tests first (see runlens record --help)`, { pointsToHelp: false });
}

/** The problems on stderr, one line each (`file: byte 17: error: message`), the file and severity marked on a terminal. */
export function printProblems(problems: Problem[], io: Io): void {
  const style = stylesOf(io).stderr;
  for (const p of problems) io.stderr(`${formatProblem(p, { severity: true, style })}\n`);
}

/** The largest configuration file read: runlens's settings take a few hundred bytes. */
const MAX_CONFIG_BYTES = 1 << 20;

export function readConfigFile(file: string): RunlensConfig {
  let text: string;
  try {
    text = readTextSync(file, { maxBytes: MAX_CONFIG_BYTES });
  } catch (err) {
    throw new UsageError(`--config ${file}: cannot read the file (${describeFailure(err)})`);
  }
  try {
    return resolveConfig(JSON.parse(text));
  } catch (err) {
    throw new UsageError(`--config ${file}: not valid JSON (${(err as Error).message})`);
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${formatCount(done)}/${formatCount(total)} recordings`;
}
