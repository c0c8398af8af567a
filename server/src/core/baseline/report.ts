// A comparison for people and for machines: a text table per route, test and function (biggest
// changes first, the unchanged ones counted), Markdown tables to paste into a ticket or a pull
// request, and one JSON object. Pure: the CLI prints what these return.

import { formatCount, formatMs, formatNumber, plural } from '../findings/format';
import { formatProblem, Problem } from '../problem';
import { BaselineFinding } from './baseline';
import { Comparison, EntryChange, formatChangeMs, formatMsPlain, formatPerCall } from './compare';
import { append, maxOf } from '../arrays';
import { markdownCode, markdownCodeCell, markdownText } from '../markdown';
import { escapeText } from '../text';

export interface ReportOptions {
  /** Every entry, not only those that changed. */
  all?: boolean;
  /** What each side was read from, as the user named it (`.runlens/baseline.json`, `tmp/appmap`). */
  sources?: { before: string; after: string };
  /**
   * Markdown: the comparison's heading and its level (default `## runlens compare`); its sections
   * are one level below. A report that holds the comparison as one of its sections sets it.
   */
  heading?: { text: string; level: number };
}

const KINDS: { section: 'routes' | 'tests' | 'functions'; title: string; name: string; perCall: string; calls: string }[] = [
  { section: 'routes', title: 'Routes', name: 'route', perCall: 'per request', calls: 'requests' },
  { section: 'tests', title: 'Tests', name: 'test', perCall: 'per run', calls: 'runs' },
  { section: 'functions', title: 'Functions', name: 'function', perCall: 'per call', calls: 'calls' },
];

export function compareText(c: Comparison, options: ReportOptions = {}): string {
  const out: string[] = [`runlens compare: ${escapeText(sidesText(c, options))}`];
  for (const k of KINDS) {
    const entries = c[k.section];
    const shown = shownOf(entries, options);
    const hidden = entries.length - shown.length;
    out.push('');
    if (entries.length === 0) out.push(`${k.title}: none recorded`);
    else if (shown.length === 0) out.push(`${k.title}: ${plural(entries.length, k.name)}, ${entries.length === 1 ? 'unchanged' : 'all unchanged'}, within noise or under the thresholds`);
    else {
      const header = [`${k.title} (${plural(entries.length, k.name)})`, `time ${k.perCall}`, 'change', `SQL ${k.perCall}`, k.calls, 'noise'];
      append(out, table([header, ...shown.map(cells).map(([name, ...rest]) => [`  ${escapeText(name)}`, ...rest])], '  '));
      if (hidden) out.push(`  ${hidden} more unchanged, within noise or under the thresholds`);
    }
  }
  append(out, ['', ...findingsText(c)]);
  append(out, ['', ...verdictText(c), '', ...noiseText(c, options)]);
  return out.join('\n') + '\n';
}

export function compareMarkdown(c: Comparison, options: ReportOptions = {}): string {
  const heading = options.heading ?? { text: 'runlens compare', level: 2 };
  const section = '#'.repeat(heading.level + 1);
  const out: string[] = [`${'#'.repeat(heading.level)} ${heading.text}`, '', `${markdownText(sidesText(c, options))}. ${c.regressed ? '**Regressed.**' : '**No regression.**'}`];
  if (c.regressed) append(out, ['', ...c.regressions.map((r) => `- ${markdownText(r)}`)]);
  for (const k of KINDS) {
    const entries = c[k.section];
    const shown = shownOf(entries, options);
    const hidden = entries.length - shown.length;
    out.push('', `${section} ${k.title}`, '');
    if (entries.length === 0) out.push('None recorded.');
    else if (shown.length === 0) out.push(`${plural(entries.length, k.name)}, ${entries.length === 1 ? 'unchanged' : 'all unchanged'}, within noise or under the thresholds.`);
    else {
      out.push(`| ${k.name} | time ${k.perCall} | change | SQL ${k.perCall} | ${k.calls} | noise |`, '| --- | ---: | ---: | ---: | ---: | --- |');
      for (const e of shown) {
        const [name, ...rest] = cells(e);
        // The other cells are numbers runlens wrote: only the name is recorded text.
        out.push(`| ${markdownCodeCell(name)} | ${rest.join(' | ')} |`);
      }
      if (hidden) out.push('', `${hidden} more unchanged, within noise or under the thresholds.`);
    }
  }
  out.push('', `${section} Findings`, '');
  const { new: added, resolved, changed } = c.findings;
  if (!added.length && !resolved.length && !changed.length) out.push('No change.');
  for (const f of resolved) out.push(`- **resolved**: ${findingMarkdown(f)}`);
  for (const f of added) out.push(`- **new**: ${findingMarkdown(f)}`);
  for (const { before, after } of changed) out.push(`- **${countChangeText(before, after)}**: ${findingMarkdown(after)}`);
  out.push('', `<sub>${markdownText([...thresholdsText(c), ...noiseText(c, options)].join(' '))}</sub>`);
  return out.join('\n') + '\n';
}

/** One JSON object (one line): the comparison as computed, plus the problems met reading recordings. */
export function compareJson(c: Comparison, problems: Problem[] = [], options: ReportOptions = {}): string {
  return (
    JSON.stringify({
      regressed: c.regressed,
      regressions: c.regressions,
      before: { source: options.sources?.before ?? null, ...c.before },
      after: { source: options.sources?.after ?? null, ...c.after },
      thresholds: c.thresholds,
      routes: c.routes.map(entryJson),
      tests: c.tests.map(entryJson),
      functions: c.functions.map(entryJson),
      findings: c.findings,
      problems: problems.map((p) => ({ file: p.file, message: formatProblem(p, { file: false, escape: false }) })),
    }) + '\n'
  );
}

// ---- helpers ----------------------------------------------------------------------------------

/** `before ../django-meetups (1 recording), after . (1 recording)`. */
function sidesText(c: Comparison, options: ReportOptions): string {
  const side = (name: string, source: string | undefined, n: number) => `${name}${source === undefined ? '' : ` ${source}`} (${plural(n, 'recording')})`;
  return `${side('before', options.sources?.before, c.before.recordings)}, ${side('after', options.sources?.after, c.after.recordings)}`;
}

/** name, time, change, SQL, calls, noise. */
function cells(e: EntryChange): string[] {
  const dash = '–';
  const ms = (s: EntryChange['before']) => (s?.meanMs === undefined ? dash : formatMs(s.meanMs));
  const sqlOf = (s: EntryChange['before']) => (s ? formatPerCall(s.calls ? s.sql / s.calls : 0) : dash);
  if (e.status !== 'compared') {
    return [e.key, `${ms(e.before)} → ${ms(e.after)}`, e.status === 'added' ? 'new' : 'gone', `${sqlOf(e.before)} → ${sqlOf(e.after)}`, `${e.before ? formatCount(e.before.calls) : dash} → ${e.after ? formatCount(e.after.calls) : dash}`, ''];
  }
  const t = e.time;
  const time = t ? `${formatMs(t.beforeMs)} → ${formatMs(t.afterMs)}` : `${ms(e.before)} → ${ms(e.after)}`;
  const change = !t ? '' : t.noise === 'within' ? 'within noise' : formatChangeMs(t);
  const sql = e.sql && e.sql.change !== 0 ? `${formatPerCall(e.sql.before)} → ${formatPerCall(e.sql.after)} (${e.sql.change < 0 ? '\u2212' : '+'}${formatPerCall(Math.abs(e.sql.change))})` : formatPerCall(e.sql?.after ?? 0);
  const calls = e.calls && e.calls.change !== 0 ? `${formatPerCall(e.calls.before)} → ${formatPerCall(e.calls.after)}` : formatPerCall(e.calls?.after ?? 0);
  const noise = !t ? '' : t.noise === 'unknown' ? (e.before?.timed === 1 && e.after?.timed === 1 ? '1 sample each' : 'no spread') : `±${formatMsPlain(t.noiseMs ?? 0)}`;
  return [e.key, time, change, sql, calls, noise];
}

function findingsText(c: Comparison): string[] {
  const { new: added, resolved, changed } = c.findings;
  const out = [`Findings: ${formatCount(resolved.length)} resolved, ${formatCount(added.length)} new${changed.length ? `, ${formatCount(changed.length)} changed` : ''}`];
  const line = (f: BaselineFinding) => escapeText(`${f.path}:${f.line} ${f.severity} ${f.message} [${f.rule}]`);
  for (const f of resolved) out.push(`  resolved  ${line(f)}`);
  for (const f of added) out.push(`  new       ${line(f)}`);
  for (const { before, after } of changed) out.push(`  changed   ${line(after)} (${countChangeText(before, after)})`);
  return out;
}

function verdictText(c: Comparison): string[] {
  if (!c.regressed) return ['No regression.', ...thresholdsText(c)];
  return [`Regressed (${plural(c.regressions.length, 'reason')}):`, ...c.regressions.map((r) => `  ${escapeText(r)}`), ...thresholdsText(c)];
}

function thresholdsText(c: Comparison): string[] {
  const t = c.thresholds;
  const findings = t.failOnNewFinding === 'never' ? '' : `, or a new ${t.failOnNewFinding === 'info' ? '' : t.failOnNewFinding === 'warning' ? 'warning or error ' : 'error '}finding`;
  return [`A regression is: time per call up more than ${formatNumber(t.maxTimeIncreasePercent)}% and ${formatNumber(t.maxTimeIncreaseMs)} ms beyond the noise, SQL per call up more than ${formatNumber(t.maxSqlIncrease)}${findings}.`];
}

function shownOf(entries: EntryChange[], options: ReportOptions): EntryChange[] {
  return options.all ? entries : entries.filter((e) => e.notable);
}

/** What the noise column means, said once. */
function noiseText(c: Comparison, options: ReportOptions): string[] {
  const entries = [c.routes, c.tests, c.functions].flatMap((e) => shownOf(e, options));
  const out = [`Noise: a time change within ${formatNumber(c.thresholds.noiseFactor)} × the spread of one call's time (± in the noise column) claims nothing.`];
  if (entries.some((e) => e.time?.noise === 'unknown')) out.push('"1 sample each": one timed call on each side, so noise cannot be told from change; record more runs for a verdict.');
  out.push('SQL counts and findings are not noisy.');
  return out;
}

function countChangeText(before: BaselineFinding, after: BaselineFinding): string {
  const parts: string[] = [];
  if (before.count !== after.count) parts.push(`${formatPerCall(before.count)} → ${formatPerCall(after.count)}`);
  if (before.severity !== after.severity) parts.push(`${before.severity} → ${after.severity}`);
  return parts.join(', ');
}

function findingMarkdown(f: BaselineFinding): string {
  return `${markdownCode(`${f.path}:${f.line}`)} ${f.severity} ${markdownText(f.message)} (\`${f.rule}\`)`;
}

function entryJson(e: EntryChange): object {
  return { key: e.key, status: e.status, before: e.before ?? null, after: e.after ?? null, time: e.time ?? null, sql: e.sql ?? null, calls: e.calls ?? null, notable: e.notable, regressions: e.regressions };
}

/** Rows padded to aligned columns (the last one unpadded), joined by `gap`. */
function table(rows: string[][], gap: string): string[] {
  const widths = rows[0].map((_, i) => maxOf(rows.map((r) => [...r[i]].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - [...cell].length)))
      .join(gap)
      .trimEnd(),
  );
}


