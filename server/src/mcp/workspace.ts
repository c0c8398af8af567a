// What every MCP tool stands on: the root (a real path, the only place read or written), the
// configuration, and the recordings found and read through the CLI's doors (node/recordings.ts via
// cli/scan.ts), paths given by a client confined through node/workspaceFiles.ts `confine`.

import * as path from 'node:path';
import { RunlensConfig } from '../core/config';
import { Finding } from '../core/findings/finding';
import { findingId } from '../core/baseline/baseline';
import { formatProblem, Problem } from '../core/problem';
import { scan } from '../cli/scan';
import { ScanOutput } from '../cli/formats';
import { findRecordings, NoSuchPath, readEach, RECORDING_SUFFIX } from '../node/recordings';
import { Trace } from '../core/trace';
import { confine, displayPath } from '../node/workspaceFiles';
import { createHash } from 'node:crypto';

export interface McpWorkspace {
  /** The root, links resolved: nothing outside it is read or written. */
  root: string;
  config: RunlensConfig;
  /** `--allow-record`: the `record` tool may run a command. */
  allowRecord: boolean;
  /** `--allow-write`: `save_baseline` may replace .runlens/baseline.json. */
  allowWrite: boolean;
}

/** A refusal or a wrong argument, said to the client as the tool's error (isError), never a crash. */
export class ToolError extends Error {}

/**
 * A path a client gave (relative to the root, or absolute) as an absolute path inside the root;
 * a path that leads outside it (by `..`, an absolute path or a link) or does not exist is a ToolError.
 */
export function insideRoot(ws: McpWorkspace, given: string, what = 'path'): string {
  if (given.includes('\0')) throw new ToolError(`${what} ${JSON.stringify(given)}: not a path`);
  const abs = path.resolve(ws.root, given);
  const confined = confine(ws.root, abs);
  if (confined.kind === 'outside') throw new ToolError(`${what} ${JSON.stringify(given)} is outside the root ${ws.root}: runlens reads nothing there`);
  if (confined.kind === 'missing') throw new ToolError(`${what} ${JSON.stringify(given)}: no such file or folder under the root ${ws.root}`);
  return confined.real;
}

/**
 * A workspace-relative path a client gave as a filter (it need not exist: a file of findings),
 * normalised (POSIX, no `./`, no trailing slash; '' for the root); one that names a place outside
 * the root is a ToolError, as for a path that is read.
 */
export function relativeInRoot(ws: McpWorkspace, given: string, what = 'path'): string {
  if (given.includes('\0')) throw new ToolError(`${what} ${JSON.stringify(given)}: not a path`);
  const rel = path.relative(ws.root, path.resolve(ws.root, given));
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) throw new ToolError(`${what} ${JSON.stringify(given)} is outside the root ${ws.root}: runlens has nothing there`);
  return rel.split(path.sep).join('/');
}

export interface ReadOptions {
  /** Recordings or folders of them, relative to the root; the whole root when absent or empty. */
  paths?: string[];
  withFixes?: boolean;
  withSummaries?: boolean;
}

/** The recordings under the given paths (inside the root), read and analysed as `runlens scan` reads them. */
export async function readRecordings(ws: McpWorkspace, options: ReadOptions = {}): Promise<ScanOutput> {
  const searched = options.paths?.length ? options.paths.map((p) => insideRoot(ws, p, 'recordings')) : [ws.root];
  const listed: Problem[] = [];
  let recordings: string[];
  try {
    recordings = findRecordings(searched, { problems: listed, root: ws.root });
  } catch (err) {
    if (err instanceof NoSuchPath) throw new ToolError(err.message);
    throw err;
  }
  if (recordings.length === 0) {
    const where = searched.map((p) => displayPath(ws.root, p) || '.').join(', ');
    const why = listed.length ? `: ${listed.map((p) => formatProblem(p)).join('; ')}` : ': record the tests first (runlens record -- <test command>, or the record tool when allowed)';
    throw new ToolError(`no recordings (*${RECORDING_SUFFIX}) under ${where}${why}`);
  }
  return scan(ws.root, recordings, ws.config, { listed, withFixes: options.withFixes, withSummaries: options.withSummaries, unplacedNote: 'Findings in files not under it have no line.' });
}

/**
 * Each finding's id for a client: short, and the same across runs and edits (a hash of
 * core/baseline `findingId`); two findings sharing one identity get `.2`, `.3`, … in their order.
 */
export function findingIds(findings: Finding[]): Map<Finding, string> {
  const seen = new Map<string, number>();
  const out = new Map<Finding, string>();
  for (const f of findings) {
    const id = `${f.rule}-${createHash('sha256').update(findingId(f)).digest('hex').slice(0, 10)}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    out.set(f, n === 1 ? id : `${id}.${n}`);
  }
  return out;
}

/** Problems as lines for a client (core/problem.ts formatProblem, the one way they are shown). */
export function problemLines(problems: Problem[]): string[] {
  return problems.map((p) => formatProblem(p, { severity: true }));
}

/**
 * One recording (workspace-relative, inside the root) read through the door (node/recordings.ts
 * readEach) and handed to `use` while its trace is in memory; its problems come back with what
 * `use` made. A recording that cannot be read at all is a ToolError that says why.
 */
export async function withTrace<T>(ws: McpWorkspace, recording: string, use: (trace: Trace) => T): Promise<{ value: T; problems: Problem[] }> {
  const abs = insideRoot(ws, recording, 'recording');
  const problems: Problem[] = [];
  let value: { v: T } | undefined;
  await readEach(ws.root, [abs], problems, (result) => (value = { v: use(result.trace) }), { analysing: 'reading the call tree' });
  if (!value) throw new ToolError(`${recording}: ${problems.map((p) => formatProblem(p, { file: false })).join('; ') || 'could not be read'}`);
  return { value: value.v, problems };
}
