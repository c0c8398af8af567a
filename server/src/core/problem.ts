// Problems are data: whatever goes wrong while reading or analysing becomes a Problem that names
// the file (and the byte offset where there is one), never an exception. `formatProblem` is the one
// way a problem is shown to people: stderr, usage errors, JSON, SARIF, reports and the server's log.

import { escapeText } from './text';

export interface Problem {
  /** The file the problem is about, as given to the reader (workspace-relative where possible). */
  file: string;
  /** Byte offset in the file, for problems found while reading. */
  byteOffset?: number;
  /**
   * The same place as an editor counts it, worked out by the reader as it read (so that nothing
   * reads the file again to show it): 1-based line and 1-based column in UTF-16 code units.
   * Absent where there is no byte offset, or the reader could not know it.
   */
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
}

/** How a problem is written where it is shown; each output passes only what differs from the plain line. */
export interface ProblemFormat {
  /** With the file first (`file: …`), the default; false where the file is said beside it (a JSON field, a SARIF location, a log that names the root). */
  file?: boolean;
  /** With the severity after the place (`file: byte 17: error: message`), as on stderr. */
  severity?: boolean;
  /**
   * Recorded text escaped (core/text.ts escapeText), the default: a file name or message with a
   * line break or a terminal escape stays on its line. False only where a JSON string carries the
   * text as it is (JSON, SARIF), to be escaped by whoever shows it.
   */
  escape?: boolean;
  /** How the file and severity are marked (a terminal's colours, cli/color.ts); unmarked by default. */
  style?: { path(text: string): string; severity(severity: Problem['severity'], text: string): string };
}

/**
 * `file: byte 1234: message` (`file: message` without an offset): the one way problems are shown
 * to people. `format` leaves out the file, adds the severity or colours, for the output at hand.
 */
export function formatProblem(problem: Problem): string;
export function formatProblem(problem: Problem, format: ProblemFormat): string;
export function formatProblem(problem: Problem, given?: ProblemFormat): string {
  // Handed to map() as it is (`problems.map(formatProblem)`), it is given an index: the plain line.
  const format = typeof given === 'object' ? given : {};
  const text = format.escape === false ? (t: string) => t : escapeText;
  const parts: string[] = [];
  if (format.file !== false) parts.push(format.style ? format.style.path(`${text(problem.file)}:`) : `${text(problem.file)}:`);
  if (problem.byteOffset !== undefined) parts.push(`byte ${problem.byteOffset}:`);
  if (format.severity) parts.push(`${format.style ? format.style.severity(problem.severity, problem.severity) : problem.severity}:`);
  parts.push(text(problem.message));
  return parts.join(' ');
}
