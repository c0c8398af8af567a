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

/** What `runlens compare` (and the editor's before → after) counts as a regression; see core/baseline/compare.ts. */
export interface CompareConfig {
  /** A time per call that rose by more than this percentage… */
  maxTimeIncreasePercent: number;
  /** …and by more than this many milliseconds, beyond the noise, is a regression. */
  maxTimeIncreaseMs: number;
  /** SQL queries per call that rose by more than this are a regression (SQL counts are not noisy). */
  maxSqlIncrease: number;
  /** A finding new since the baseline with this severity or worse is a regression; "never" for none. */
  failOnNewFinding: Severity | 'never';
  /** A time change within this many standard deviations of one call's time is within the noise. */
  noiseFactor: number;
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
  /** Per rule: a severity that replaces the rule's own, or "off". */
  rules: Partial<Record<RuleName, Severity | 'off'>>;
  /** Show code lenses (the server). */
  lenses: boolean;
  /** Folders (workspace-relative) searched for recordings; empty = the whole workspace. */
  recordingFolders: string[];
  /**
   * Which files are OpenTelemetry traces (OTLP JSON, core/otlp/read.ts), as globs matched against
   * the end of each path under the recording folders; AppMap's `*.appmap.json` are always read.
   */
  traces: string[];
  /** Recorded path prefixes mapped to workspace-relative folders, for recordings made elsewhere (a container's "/app" → "."). */
  pathMappings: Record<string, string>;
  compare: CompareConfig;
}

/** Rule ids (kept here so that config has no dependency on the rules). */
export const RULE_NAMES = ['n-plus-one', 'slow-call', 'slow-request', 'slow-query', 'repeated-query', 'too-many-queries'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

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
  rules: {},
  lenses: true,
  recordingFolders: [],
  // Rationale: the names the OTLP file exporters are told to write (`*.otlp.json` for one document,
  // `*.otlp.jsonl` for JSON Lines), and the folder `runlens record --otel` writes to.
  traces: ['**/*.otlp.json', '**/*.otlp.jsonl', '.runlens/traces/**'],
  pathMappings: {},
  // Rationale: time regressions must clear both a relative and an absolute bar, because a 20%
  // change of a 2 ms call is within a scheduler's time slice; SQL counts are deterministic for the
  // same test, so any increase is real; an error-level finding fails `runlens scan` by default,
  // so a new one fails a comparison too; two standard deviations keep "faster" and "slower" for
  // changes that stand out of the calls' own spread.
  compare: { maxTimeIncreasePercent: 20, maxTimeIncreaseMs: 10, maxSqlIncrease: 0, failOnNewFinding: 'error', noiseFactor: 2 },
};

/** Merges a partial config (from a file, flags or the client) over the defaults, ignoring bad values. */
export function resolveConfig(partial: unknown): RunlensConfig {
  return resolveConfigWithProblems(partial).config;
}

/** The same, also saying which values were ignored and why (the server logs them). */
export function resolveConfigWithProblems(partial: unknown): { config: RunlensConfig; ignored: string[] } {
  const ignored: string[] = [];
  const config = resolve(partial, ignored);
  return { config, ignored };
}

function resolve(partial: unknown, ignored: string[]): RunlensConfig {
  const p = isObject(partial) ? partial : {};
  const n = isObject(p.nPlusOne) ? p.nPlusOne : {};
  const c = isObject(p.compare) ? p.compare : {};
  const d = DEFAULT_CONFIG;
  return {
    nPlusOne: {
      warningCount: count(n.warningCount, d.nPlusOne.warningCount, 'nPlusOne.warningCount'),
      errorCount: count(n.errorCount, d.nPlusOne.errorCount, 'nPlusOne.errorCount'),
      minTotalMs: ms(n.minTotalMs, d.nPlusOne.minTotalMs, 'nPlusOne.minTotalMs'),
    },
    slowCallMs: ms(p.slowCallMs, d.slowCallMs, 'slowCallMs'),
    slowRequestMs: ms(p.slowRequestMs, d.slowRequestMs, 'slowRequestMs'),
    slowQueryMs: ms(p.slowQueryMs, d.slowQueryMs, 'slowQueryMs'),
    repeatedQueryCount: count(p.repeatedQueryCount, d.repeatedQueryCount, 'repeatedQueryCount'),
    tooManyQueriesCount: count(p.tooManyQueriesCount, d.tooManyQueriesCount, 'tooManyQueriesCount'),
    sourceRoots: strings(p.sourceRoots, d.sourceRoots, 'sourceRoots'),
    rules: rules(p.rules),
    lenses: typeof p.lenses === 'boolean' ? p.lenses : (p.lenses !== undefined && bad('lenses', 'true or false'), d.lenses),
    recordingFolders: strings(p.recordingFolders, d.recordingFolders, 'recordingFolders'),
    traces: strings(p.traces, d.traces, 'traces'),
    pathMappings: mappings(p.pathMappings),
    compare: {
      maxTimeIncreasePercent: ms(c.maxTimeIncreasePercent, d.compare.maxTimeIncreasePercent, 'compare.maxTimeIncreasePercent', 'a percentage, a number of at least 0'),
      maxTimeIncreaseMs: ms(c.maxTimeIncreaseMs, d.compare.maxTimeIncreaseMs, 'compare.maxTimeIncreaseMs'),
      maxSqlIncrease: wholeFromZero(c.maxSqlIncrease, d.compare.maxSqlIncrease, 'compare.maxSqlIncrease'),
      failOnNewFinding: oneOf(c.failOnNewFinding, ['error', 'warning', 'info', 'never'] as const, d.compare.failOnNewFinding, 'compare.failOnNewFinding'),
      noiseFactor: ms(c.noiseFactor, d.compare.noiseFactor, 'compare.noiseFactor', 'a number of at least 0'),
    },
  };

  function bad(key: string, expected: string): void {
    ignored.push(`${key}: expected ${expected}; the default is used`);
  }
  function count(v: unknown, fallback: number, key = ''): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
    if (v !== undefined) bad(key, 'a whole number of at least 1');
    return fallback;
  }
  function ms(v: unknown, fallback: number, key = '', expected = 'milliseconds, a number of at least 0'): number {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    if (v !== undefined) bad(key, expected);
    return fallback;
  }
  function wholeFromZero(v: unknown, fallback: number, key: string): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    if (v !== undefined) bad(key, 'a whole number of at least 0');
    return fallback;
  }
  function oneOf<T extends string>(v: unknown, values: readonly T[], fallback: T, key: string): T {
    if ((values as readonly unknown[]).includes(v)) return v as T;
    if (v !== undefined) bad(key, values.join(', '));
    return fallback;
  }
  function strings(v: unknown, fallback: string[], key: string): string[] {
    if (Array.isArray(v) && v.every((r) => typeof r === 'string')) return v as string[];
    if (v !== undefined) bad(key, 'a list of strings');
    return fallback;
  }
  function rules(v: unknown): RunlensConfig['rules'] {
    if (v === undefined) return {};
    if (!isObject(v)) return bad('rules', 'an object of rule: severity'), {};
    const out: RunlensConfig['rules'] = {};
    for (const [rule, severity] of Object.entries(v)) {
      if (!(RULE_NAMES as readonly string[]).includes(rule)) bad(`rules.${rule}`, `one of ${RULE_NAMES.join(', ')}`);
      else if (severity !== 'error' && severity !== 'warning' && severity !== 'info' && severity !== 'off') bad(`rules.${rule}`, 'error, warning, info or off');
      else out[rule as RuleName] = severity;
    }
    return out;
  }
  function mappings(v: unknown): Record<string, string> {
    if (v === undefined) return {};
    if (!isObject(v) || !Object.values(v).every((t) => typeof t === 'string')) return bad('pathMappings', 'an object of "recorded prefix": "workspace folder"'), {};
    return v as Record<string, string>;
  }
}

/**
 * Settings from two places, `over` winning key by key (objects merge, anything else replaces):
 * the client's pulled `runlens` section over its initializationOptions, so that a section that
 * leaves a key out (lsp-mode answers `{}`) does not undo what initialization set.
 */
export function mergeSettings(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined || over === null ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeSettings(base[key], value);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
