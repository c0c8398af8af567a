// Whether the root is the project that was recorded: of the source files the recordings name (the
// project's; dependencies and paths outside are not counted), how many are under the root. Few or
// none means a wrong --root or workspace folder, which the CLI and the server say once, as a problem.

import { Finding } from './findings/finding';
import { formatCount } from './findings/format';
import { RecordingSummary } from './index/summary';
import { Problem } from './problem';
import { SourceIndex } from './sourceIndex';
import { WorkspaceFiles } from './workspace';

/** The project files recordings name, workspace-relative: true when the file is under the root. */
export type RecordedFiles = Map<string, boolean>;

/** Adds the files of `recordedPaths` (as recorded: absolute, relative, package-relative) that belong to the project. */
export function addRecordedFiles(into: RecordedFiles, recordedPaths: Iterable<string | undefined>, index: SourceIndex): void {
  for (const recorded of recordedPaths) {
    if (!recorded) continue;
    const r = index.resolve(recorded);
    if (r.kind !== 'outside') into.set(r.relPath, r.kind === 'workspace');
  }
}

/** The recorded project files of the server's index: the functions each recording's summary kept. */
export function recordedFilesOf(summaries: Iterable<RecordingSummary>, index: SourceIndex): RecordedFiles {
  const files: RecordedFiles = new Map();
  for (const s of summaries) addRecordedFiles(files, [...s.functions.values()].map((fn) => fn.recordedPath), index);
  return files;
}

/**
 * The problem when fewer than half of the recorded project files are under the root: `0 of 14
 * recorded source files exist under --root /x: is it the project folder?`, then `then` (what it
 * means for the output). Half or more is a project whose files moved or were deleted since, which
 * the findings show; nothing recorded in the project says nothing of the root.
 */
export function rootProblem(files: RecordedFiles, where: string, then?: string): Problem | undefined {
  let present = 0;
  for (const isThere of files.values()) if (isThere) present++;
  if (files.size === 0 || 2 * present >= files.size) return undefined;
  const exist = files.size === 1 ? 'file exists' : 'files exist';
  return {
    file: '(runlens)',
    severity: 'warning',
    message: `${formatCount(present)} of ${formatCount(files.size)} recorded source ${exist} under ${where}: is it the project folder?${then ? ` ${then}` : ''}`,
  };
}

/**
 * The findings that sit in a file the root does not hold (recorded there, not found now): their
 * line is no line of the root, and in a wrong root it would read as one of some other file. A
 * finding on a recording is always placed (the recording was read).
 */
export function unplacedFindings(findings: readonly Finding[], files: WorkspaceFiles): Set<Finding> {
  return new Set(findings.filter((f) => f.ref.kind !== 'recording' && !files.exists(f.location.path)));
}
