// A baseline as a file: written as stable, diff-friendly JSON (fixed section order, sorted keys,
// one entry per line) and read back without ever throwing: a broken, truncated, foreign or newer
// file is a problem that says so, and bad entries are skipped one by one, each named.

import { Severity } from '../config';
import { DEFAULT_MAX_BUILT_ITEMS, JsonStreamParser, JsonSyntaxProblem, Mode } from '../json/streamParser';
import { formatCount } from '../findings/format';
import { Problem } from '../problem';
import { Baseline, BASELINE_FORMAT, BASELINE_VERSION, BaselineFinding, EntryStats, TimeStats } from './baseline';

const SECTIONS = ['routes', 'tests', 'functions', 'sql'] as const;
const FINDING_KEYS: (keyof BaselineFinding)[] = ['count', 'id', 'line', 'message', 'path', 'rule', 'scope', 'severity'];

/**
 * The file's text: the same baseline always gives the same bytes. Sections come in a fixed
 * order (format and version first, so that a reader sees them at once), their entries sorted by
 * key, each entry on one line with its fields sorted: a re-recorded route changes one line.
 */
export function serializeBaseline(b: Baseline): string {
  const lines = ['{', `  "format": ${JSON.stringify(b.format)},`, `  "version": ${b.version},`, `  "recordings": ${b.recordings},`];
  for (const section of SECTIONS) {
    const entries = Object.keys(b[section])
      .sort(compareStrings)
      .map((key) => `    ${JSON.stringify(key)}: ${JSON.stringify(sortedEntry(b[section][key] as TimeStats & { sql?: number }))}`);
    lines.push(entries.length ? `  "${section}": {\n${entries.join(',\n')}\n  },` : `  "${section}": {},`);
  }
  const findings = b.findings.map((f) => `    ${JSON.stringify(sortedFields(f as unknown as Record<string, unknown>, FINDING_KEYS))}`);
  lines.push(findings.length ? `  "findings": [\n${findings.join(',\n')}\n  ]` : '  "findings": []', '}');
  return lines.join('\n') + '\n';
}

/** Reads a baseline file's text. Never throws; `baseline` is absent when the file is not one at all. */
export function parseBaseline(text: string, file = 'baseline'): { baseline?: Baseline; problems: Problem[] } {
  const problems: Problem[] = [];
  // At a syntax error, its byte offset with its line and column (the parser counts them as it reads).
  const problem = (message: string, at?: { byteOffset: number; line: number; column: number }) =>
    problems.push({ file, severity: 'error', message, ...(at === undefined ? {} : { byteOffset: at.byteOffset, line: at.line, column: at.column }) });
  if (text.trim() === '') {
    problem('the file is empty, not a baseline');
    return { problems };
  }
  const top = readTopLevel(text);
  if (top.problem) {
    const truncated = /end of (the )?(file|input)/i.test(top.problem.message);
    problem(`not valid JSON: ${top.problem.message}${truncated && !/truncated/.test(top.problem.message) ? ': the file is truncated' : ''}`, top.problem);
    return { problems };
  }
  const o = top.value;
  if (!o) {
    problem('not a runlens baseline: the file holds no JSON object');
    return { problems };
  }
  if (o.format !== BASELINE_FORMAT) {
    if (top.keys.includes('events') || top.keys.includes('classMap')) problem('this is an AppMap recording, not a baseline; compare recordings directly, or save a baseline of them with `runlens baseline save`');
    else problem(`not a runlens baseline: "format" is ${o.format === undefined ? 'missing' : JSON.stringify(o.format)}, expected "${BASELINE_FORMAT}"`);
    return { problems };
  }
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1) {
    problem(`"version" is ${o.version === undefined ? 'missing' : JSON.stringify(o.version)}, expected ${BASELINE_VERSION}`);
    return { problems };
  }
  if (o.version > BASELINE_VERSION) {
    problem(`baseline format version ${o.version} is newer than this runlens reads (${BASELINE_VERSION}): update runlens, or save the baseline again with this one`);
    return { problems };
  }
  const baseline: Baseline = {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    recordings: wholeNumber(o.recordings) ? o.recordings : (problem(`"recordings" is ${describe(o.recordings)}, expected a whole number`), 0),
    routes: {},
    tests: {},
    functions: {},
    sql: {},
    findings: [],
  };
  const skipped: string[] = [];
  for (const section of SECTIONS) {
    const v = o[section];
    if (v === undefined) continue;
    if (!isObject(v)) {
      problem(`"${section}" is ${describe(v)}, expected an object of entries; left out`);
      continue;
    }
    const entries: [string, TimeStats][] = [];
    for (const [key, entry] of Object.entries(v)) {
      const why = entryProblem(entry, section !== 'sql');
      if (why) skipped.push(`${section} ${JSON.stringify(key)}: ${why}`);
      else entries.push([key, entry as TimeStats]);
    }
    (baseline as unknown as Record<string, Record<string, TimeStats>>)[section] = Object.fromEntries(entries);
  }
  if (o.findings !== undefined) {
    if (!Array.isArray(o.findings)) problem(`"findings" is ${describe(o.findings)}, expected a list; left out`);
    else
      o.findings.forEach((f, i) => {
        const why = findingProblem(f);
        if (why) skipped.push(`findings[${i}]: ${why}`);
        else baseline.findings.push(f as BaselineFinding);
      });
  }
  // Each bad entry is named, up to a few: a file damaged throughout is one problem, not thousands.
  const SHOWN = 5;
  for (const s of skipped.slice(0, SHOWN)) problem(`${s}; left out`);
  if (skipped.length > SHOWN) problem(`${formatCount(skipped.length - SHOWN)} more bad entries left out`);
  return { baseline, problems };
}

// ---- helpers ----------------------------------------------------------------------------------

interface TopLevel {
  value?: Record<string, unknown>;
  keys: string[];
  problem?: JsonSyntaxProblem;
}

/**
 * The top-level object, through the recordings' streaming parser (exact byte offsets, never
 * throws). Only the members a baseline has are built: a recording passed by mistake, however
 * large, is skipped through, not decoded.
 */
function readTopLevel(text: string): TopLevel {
  const wanted = new Set<string>(['format', 'version', 'recordings', ...SECTIONS, 'findings']);
  const keys: string[] = [];
  let value: Record<string, unknown> | undefined;
  let key: string | undefined;
  let depth = 0;
  const parser = new JsonStreamParser(
    {
      onKey: (k) => {
        keys.push(k);
        key = k;
        return wanted.has(k) ? Mode.Build : Mode.Skip;
      },
      onElement: () => Mode.Skip,
      onValue: (v) => {
        // Built members, and a scalar at the top level (no container open), which is not an object.
        if (value && key !== undefined) Object.defineProperty(value, key, { value: v, enumerable: true, writable: true, configurable: true });
      },
      onOpen: (isArray) => {
        if (depth++ === 0 && !isArray) value = {};
      },
      onClose: () => void depth--,
    },
    // The text is already held whole, and every item of a baseline is wanted: the cap on items
    // built (for recordings, whose values are mostly skipped) is the text's length here, so a
    // large baseline reads back whole and a hostile one costs no more than its text allows.
    { maxStringBytes: 1 << 26, maxBuiltItems: Math.max(DEFAULT_MAX_BUILT_ITEMS, text.length) },
  );
  parser.write(Buffer.from(text, 'utf8'));
  parser.end();
  return parser.problem ? { keys, problem: parser.problem } : { value, keys };
}

function entryProblem(v: unknown, withSql: boolean): string | undefined {
  if (!isObject(v)) return `${describe(v)}, expected an object`;
  if (!wholeNumber(v.calls)) return `"calls" is ${describe(v.calls)}`;
  const timed = v.timed === undefined ? v.calls : v.timed;
  if (!wholeNumber(timed) || timed > v.calls) return `"timed" is ${describe(v.timed)}`;
  if (withSql && !wholeNumber(v.sql)) return `"sql" is ${describe(v.sql)}`;
  const times = ['totalMs', 'meanMs', 'minMs', 'maxMs'] as const;
  for (const k of times) {
    if (timed > 0 && !milliseconds(v[k])) return `"${k}" is ${describe(v[k])}`;
    if (timed === 0 && v[k] !== undefined) return `"${k}" given for calls with no time`;
  }
  if (v.sdMs !== undefined && !milliseconds(v.sdMs)) return `"sdMs" is ${describe(v.sdMs)}`;
  // Written without "timed" when every call is timed.
  v.timed = timed;
  return undefined;
}

function findingProblem(v: unknown): string | undefined {
  if (!isObject(v)) return `${describe(v)}, expected an object`;
  for (const k of ['id', 'rule', 'message', 'path'] as const) if (typeof v[k] !== 'string') return `"${k}" is ${describe(v[k])}`;
  if (!SEVERITIES.includes(v.severity as Severity)) return `"severity" is ${describe(v.severity)}`;
  if (!wholeNumber(v.line) || v.line < 1) return `"line" is ${describe(v.line)}`;
  if (!wholeNumber(v.count)) return `"count" is ${describe(v.count)}`;
  if (v.scope !== undefined && typeof v.scope !== 'string') return `"scope" is ${describe(v.scope)}`;
  return undefined;
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

function sortedEntry(e: TimeStats & { sql?: number }): Record<string, unknown> {
  // "timed" is left out when every call is timed, which is nearly always.
  const { timed, ...rest } = e as EntryStats;
  const fields: Record<string, unknown> = timed === e.calls ? rest : { ...rest, timed };
  return sortedFields(fields, Object.keys(fields).sort(compareStrings));
}

function sortedFields<K extends string>(o: Record<string, unknown>, keys: K[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function wholeNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function milliseconds(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
