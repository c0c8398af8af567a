// `runlens baseline save`: reads recordings (through scan, as `runlens scan` does) and writes their
// baseline, by default to .runlens/baseline.json under the root. Without -o it never writes
// outside the root: a .runlens that is a symlink or a file is refused, and the file is replaced by
// a rename, which replaces a symlink rather than writing through it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, baselineOf, DEFAULT_BASELINE_PATH, describeBaseline } from '../core/baseline/baseline';
import { parseBaseline, serializeBaseline } from '../core/baseline/serialize';
import { resolveConfig, RunlensConfig } from '../core/config';
import { formatCount, plural } from '../core/findings/format';
import { formatProblem, Problem } from '../core/problem';
import { findRecordings, Io, isDirectory, noRecordings, printProblems, readConfigFile, scan } from './scan';
import { MAX_BASELINE_BYTES, writeUnderRoot } from '../node/baselineFile';
import { BASELINE_USAGE, didYouMean, eachArg, isOption, unknownOption, UsageError } from './usage';
import { describeFailure, displayPath, isInside, readTextSync, realRoot } from '../node/workspaceFiles';

export interface BaselineSaveOptions {
  paths: string[];
  root: string;
  /** The file to write; `-` for stdout; undefined for .runlens/baseline.json under the root. */
  output: string | undefined;
  configFile: string | undefined;
}

export async function runBaseline(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'save') throw new UsageError(sub === undefined ? 'baseline needs a subcommand: save' : `unknown baseline subcommand "${sub}"${didYouMean(sub, ['save']) || ' (there is: save)'}`);
  return runBaselineSave(parseBaselineSaveArgs(rest), io);
}

export function parseBaselineSaveArgs(args: string[]): BaselineSaveOptions {
  const options: BaselineSaveOptions = { paths: [], root: '.', output: undefined, configFile: undefined };
  eachArg(args, (flag, value, arg) => {
    if (flag === '--root') options.root = value();
    else if (flag === '-o' || flag === '--output') options.output = value();
    else if (flag === '--config') options.configFile = value();
    else if (isOption(flag)) throw unknownOption(flag, BASELINE_USAGE);
    else options.paths.push(arg);
  });
  return options;
}

export async function runBaselineSave(options: BaselineSaveOptions, io: Io): Promise<number> {
  const root = rootOf(options.root, io);
  const config = options.configFile ? readConfigFile(path.resolve(io.cwd, options.configFile)) : resolveConfig({});
  const paths = options.paths.length ? options.paths.map((p) => path.resolve(io.cwd, p)) : [root];
  const { baseline, problems } = await baselineOfRecordings(root, paths, config, undefined, { syncReads: true });
  printProblems(problems, io);
  const text = serializeBaseline(baseline);
  const summary = `baseline of ${plural(baseline.recordings, 'recording')} (${describeBaseline(baseline)}; ${formatCount(Buffer.byteLength(text))} bytes)`;
  if (options.output === '-') {
    io.stdout(text);
    io.stderr(`${summary}\n`);
    return 0;
  }
  const written = options.output === undefined ? writeInRoot(root, DEFAULT_BASELINE_PATH, text) : writeExplicit(path.resolve(io.cwd, options.output), text);
  io.stdout(`${summary} written to ${displayPath(io.cwd, written)}\n`);
  return 0;
}

/**
 * A saved baseline named by `flag` (`--baseline`, `BEFORE`); one that cannot be read, or is not a
 * runlens baseline, is a usage error (a saved file is the user's input, not a recording). The
 * problems are those of entries left out of a baseline that was read.
 *
 * Read as the server reads .runlens/baseline.json (node/workspaceFiles.ts): a regular file of at
 * most 64 MiB, never a FIFO or a device. A path named inside the root must stay inside it through
 * links too: a branch can ship .runlens/baseline.json as a link to a secret, and CI runs
 * `compare --baseline .runlens/baseline.json` on it. A path named outside the root is the user's
 * own choice of a place, and is read wherever it leads.
 */
export function readSavedBaseline(flag: string, given: string, root: string, io: Io): { baseline: Baseline; problems: Problem[] } {
  const file = path.resolve(io.cwd, given);
  let text: string;
  try {
    text = readTextSync(file, { maxBytes: MAX_BASELINE_BYTES, ...(isInside(root, file) ? { inside: realRoot(root) } : {}) });
  } catch (err) {
    throw new UsageError(`${flag} ${given}: cannot read the baseline (${describeFailure(err)})`);
  }
  const { baseline, problems } = parseBaseline(text, given);
  if (!baseline) throw new UsageError(problems.map(formatProblem).join('\n'));
  return { baseline, problems };
}

/**
 * Reads recordings through scan and makes their baseline; a usage error when there are none (an
 * empty baseline, or a comparison with nothing, would pass a gate by measuring nothing). `side`
 * names the input in that error (`BEFORE`).
 */
export async function baselineOfRecordings(root: string, paths: string[], config: RunlensConfig, side?: string, options: { syncReads?: boolean } = {}): Promise<{ baseline: Baseline; problems: Problem[]; wrongRoot?: Problem }> {
  const listed: Problem[] = [];
  const recordings = findRecordings(paths, { problems: listed, root, traces: config.traces });
  if (recordings.length === 0) throw noRecordings(paths, side, listed);
  const output = await scan(root, recordings, config, { withSummaries: true, listed, syncReads: options.syncReads });
  return { baseline: baselineOf(output.summaries, { findings: output.findings }), problems: output.problems, wrongRoot: output.wrongRoot };
}

export function rootOf(root: string, io: Io): string {
  const abs = path.resolve(io.cwd, root);
  if (!isDirectory(abs)) throw new UsageError(`--root ${root}: not a folder`);
  return abs;
}


// ---- helpers ----------------------------------------------------------------------------------

/** Writes `rel` under the root and nowhere else (node/baselineFile.ts); its refusals are usage errors. */
function writeInRoot(root: string, rel: string, text: string): string {
  try {
    return writeUnderRoot(root, rel, text);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; give -o FILE to choose where`);
  }
}

function writeExplicit(file: string, text: string): string {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
  }
  return file;
}

