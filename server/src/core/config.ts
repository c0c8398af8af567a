// The one configuration schema of runlens: every threshold a rule uses, with its default and the
// reason for it. Config is passed explicitly to whoever needs it; there are no module globals.

export type Severity = 'error' | 'warning' | 'info';

export interface NPlusOneConfig {
  /** A SELECT shape repeated this many times under one request or test is a warning. */
  warningCount: number;
  /** …and an error from this many. */
  errorCount: number;
  /** The repeated queries must also take at least this long together (0 = no time condition). */
  minTotalMs: number;
}

export interface RunlensConfig {
  nPlusOne: NPlusOneConfig;
  /** A call to a project function that takes this long is a `slow-call` (innermost such call only). */
  slowCallMs: number;
  /** An HTTP server request that takes this long is a `slow-request`. */
  slowRequestMs: number;
  /** One SQL query that takes this long is a `slow-query`. */
  slowQueryMs: number;
  /** The identical SQL text (same literals) run this many times in one request or test is a `repeated-query`. */
  repeatedQueryCount: number;
  /** A request or test that runs this many queries, not counting those of an N+1 finding, is `too-many-queries`. */
  tooManyQueriesCount: number;
  /** Folders (workspace-relative) where package-relative Java/Kotlin paths are looked up. */
  sourceRoots: string[];
}

/**
 * Defaults. Rationale: AppMap's scanner warns on more than 5 repeats of a query and errors at 10,
 * and has no time condition; Sentry wants 5 repeats and 50 ms. We take AppMap's counts (no
 * noisier than either, and the corpus' N+1s all reach 10) and no time condition by default.
 */
export const DEFAULT_CONFIG: RunlensConfig = {
  nPlusOne: { warningCount: 6, errorCount: 10, minTotalMs: 0 },
  slowCallMs: 1000,
  slowRequestMs: 1000,
  slowQueryMs: 250,
  repeatedQueryCount: 2,
  tooManyQueriesCount: 100,
  sourceRoots: ['src/main/java', 'src/test/java', 'src/main/kotlin', 'src/test/kotlin', 'src/main/scala', 'src', 'app', 'lib'],
};

/** Merges a partial config (from a file, flags or the client) over the defaults, ignoring bad values. */
export function resolveConfig(partial: unknown): RunlensConfig {
  const p = isObject(partial) ? partial : {};
  const n = isObject(p.nPlusOne) ? p.nPlusOne : {};
  const d = DEFAULT_CONFIG;
  return {
    nPlusOne: {
      warningCount: count(n.warningCount, d.nPlusOne.warningCount),
      errorCount: count(n.errorCount, d.nPlusOne.errorCount),
      minTotalMs: ms(n.minTotalMs, d.nPlusOne.minTotalMs),
    },
    slowCallMs: ms(p.slowCallMs, d.slowCallMs),
    slowRequestMs: ms(p.slowRequestMs, d.slowRequestMs),
    slowQueryMs: ms(p.slowQueryMs, d.slowQueryMs),
    repeatedQueryCount: count(p.repeatedQueryCount, d.repeatedQueryCount),
    tooManyQueriesCount: count(p.tooManyQueriesCount, d.tooManyQueriesCount),
    sourceRoots: Array.isArray(p.sourceRoots) && p.sourceRoots.every((r) => typeof r === 'string') ? (p.sourceRoots as string[]) : d.sourceRoots,
  };
}

function count(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : fallback;
}

function ms(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
