// Problems are data: whatever goes wrong while reading or analysing becomes a Problem that names
// the file (and the byte offset where there is one), never an exception.

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

/** `file: byte 1234: message` — the one way problems are shown to people. */
export function formatProblem(problem: Problem): string {
  const at = problem.byteOffset === undefined ? '' : ` byte ${problem.byteOffset}:`;
  return `${problem.file}:${at} ${problem.message}`;
}
