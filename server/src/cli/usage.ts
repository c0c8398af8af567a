// How the commands are called: their usage texts, the error for a wrong call (one line, exit
// code 2, with the nearest known name for a misspelt one) and the one way arguments are walked
// (`--flag value` and `--flag=value` alike).

/** A mistake in how the command was called: reported in one line, exit code 2. */
export class UsageError extends Error {
  /** Whether `Run "runlens --help" for usage.` follows the message (not when it names a better pointer itself). */
  readonly pointsToHelp: boolean;

  constructor(message: string, options: { pointsToHelp?: boolean } = {}) {
    super(message);
    this.pointsToHelp = options.pointsToHelp ?? true;
  }
}

export const SCAN_USAGE = `  runlens scan [PATH…] [--root DIR] [--format text|json|sarif] [--fail-on error|warning|never] [--config FILE] [--fix-hints]
               [--allow-empty]

  PATH        recording files (*.appmap.json) or folders to search for them
              (default: every *.appmap.json under the root, skipping node_modules and .git)
  --root DIR  the workspace that recorded paths are mapped to (default: the current folder)
  --format    text (default), json (one object) or sarif (SARIF 2.1.0)
  --fail-on   exit 1 when a finding has this severity or worse (default: error)
  --config    a JSON file with thresholds (server/docs/configuration.md)
  --fix-hints print the suggested change under each N+1 finding
  --allow-empty  no recordings found is not an error (exit 0): for pipelines that may have none
`;

export const BASELINE_USAGE = `  runlens baseline save [PATH…] [--root DIR] [-o FILE] [--config FILE]

  PATH        recordings or folders of them (default: every *.appmap.json under the root)
  -o FILE     where to write it (default: .runlens/baseline.json under the root; - for stdout)
`;

export const RECORD_USAGE = `  runlens record [--root DIR] [--otel] -- COMMAND…

  COMMAND     the project's tests or app (e.g. npm test); a Node project's runs under appmap-node,
              then the recordings it wrote are scanned as by runlens scan. For Python, Ruby and
              Java projects it prints how to record with their agent instead (exit 2).
  --otel      record a Node project with the OpenTelemetry Node SDK instead: OTLP JSON Lines in
              .runlens/traces/, each query and outgoing call with the line of code that made it
  --root DIR  the project (default: the current folder)
`;

export const COMPARE_USAGE = `  runlens compare BEFORE AFTER [--root DIR] [--format text|markdown|json] [--config FILE] [--all]
                  [--max-time-increase N%|Nms] [--max-sql-increase N] [--fail-on-new SEVERITY] [--noise-factor K]
  runlens compare --baseline FILE [AFTER…] […]

  BEFORE, AFTER  each a folder of recordings, a recording, or a saved baseline (a .json file);
                 --before PATH and --after PATH (repeatable) give several of each
  --baseline     a saved baseline as BEFORE; AFTER is then the recordings under the root by default
  --format       text (default), markdown (tables for a ticket or pull request) or json (one object)
  --all          list every route, test and function, not only those that changed
  --max-time-increase  a time per call up more than N% and N ms beyond the noise regresses
                 (give both, e.g. --max-time-increase 20% --max-time-increase 10ms; default 20% and 10 ms)
  --max-sql-increase   SQL per call up more than N regresses (default 0)
  --fail-on-new  a new finding of this severity or worse regresses: error (default), warning, info, never
  --noise-factor a time change within K × the spread of one call's time is noise (default 2)
`;

export const REPORT_USAGE = `  runlens report [PATH…] [--root DIR] [--baseline FILE | --before PATH…] [--format markdown|html] [-o FILE]
                 [--link-base URL] [--title TEXT] [--config FILE] [--allow-empty]

  PATH        recordings or folders of them (default: every *.appmap.json under the root)
  --baseline  a saved baseline (runlens baseline save): the report shows before and after
  --before    recordings (or folders) of the earlier run, instead of a baseline; repeatable
  --format    markdown (default: for a ticket, pull request or CI job summary) or html (one page)
  -o FILE     where to write it, creating folders (default, or -: stdout)
  --link-base what links to source lines start with, e.g. https://github.com/ORG/REPO/blob/SHA/
              (default: relative to where the report is written; the root for stdout)
  --title     the report's heading (default: runlens report: <root folder name>)
  --allow-empty  no recordings found is not an error: the report says so (exit 0)
`;

export const MCP_USAGE = `  runlens mcp [--root DIR] [--config FILE] [--allow-write] [--allow-record]

  the MCP server for coding agents (Claude Code, VS Code, Cursor, Codex…), over stdin and stdout
  --root DIR       the project (default: the current folder); nothing outside it is read or written
  --allow-write    save_baseline may replace .runlens/baseline.json (read-only without it)
  --allow-record   the record tool may run a test command under the recorder
`;

/** `value` when it is one of `choices`; else the usage error naming them: `--format must be text, json or sarif, not "x"`. */
export function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  const named = choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices[0];
  throw new UsageError(`${flag} must be ${named}, not "${value}"`);
}

/** The usage error for an option that `usage` does not name: `unknown option "--rot": did you mean --root?`. */
export function unknownOption(flag: string, usage: string, prefix = ''): UsageError {
  return new UsageError(`${prefix}unknown option "${flag}"${didYouMean(flag, [...optionsIn(usage), '--help'])}`);
}

/**
 * `: did you mean --root?` when one of `known` is within a few edits of `given` (a third of its
 * length, at least one; case and leading dashes aside), the nearest and first of equals; else `''`.
 */
export function didYouMean(given: string, known: readonly string[]): string {
  const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(bare(given), bare(name));
    if (distance <= Math.max(1, Math.floor(bare(name).length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best ? `: did you mean ${best.name}?` : '';
}

/**
 * The optimal string alignment distance: how many insertions, deletions, substitutions and swaps
 * of two neighbouring characters make `a` into `b` (`scna` → `scan` is one swap). Quadratic in the
 * lengths, which are those of words typed on a command line.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length];
}

/**
 * Walks `args`, splitting `--flag=value`; `value()` takes the flag's value (the inline one or the
 * next argument) and is a usage error when there is none.
 */
export function eachArg(args: string[], onArg: (flag: string, value: () => string, arg: string) => void): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    onArg(flag, () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    }, arg);
  }
}

/** True for an argument that is an option, not a path (`-` alone is a path: stdin or stdout). */
export function isOption(flag: string): boolean {
  return flag.startsWith('-') && flag !== '-';
}

// ---- helpers ----------------------------------------------------------------------------------

/** The options a usage text names (`--root`, `-o`, …), in order, once each: a flag in the help is a flag the command takes. */
function optionsIn(usage: string): string[] {
  return [...new Set(usage.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? [])];
}
