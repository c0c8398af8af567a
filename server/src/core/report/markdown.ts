// The Markdown report of a set of recordings (`runlens report --format markdown`), short enough to
// paste into a ticket, a pull request comment or a CI job summary: a summary line, the findings
// with links to their lines, the before/after comparison when there is one (core/baseline/report),
// and the routes and functions that took the most time. The long parts (each N+1's repeated
// queries and fix, the rest of a list) are folded in <details>. Pure: the CLI writes what it returns.

import { Baseline, EntryStats } from '../baseline/baseline';
import { Comparison, formatPerCall } from '../baseline/compare';
import { compareMarkdown } from '../baseline/report';
import { Finding, severityRank } from '../findings/finding';
import { formatCount, formatMs, plural } from '../findings/format';
import { fencedBlock, htmlText, markdownCode, markdownCodeCell, markdownText } from '../markdown';
import type { Fix } from '../fixes/index';
import { SourceLocation } from '../sourceIndex';
import { append } from '../arrays';
import { isWellFormed } from '../text';

export interface MarkdownReportInput {
  /** The report's heading, e.g. `runlens report: bookshop`. */
  title: string;
  /** How many recordings were read. */
  nRecordings: number;
  /** How many problems reading them were met (their text goes elsewhere: stderr). */
  nProblems: number;
  /** The root holds few of the recorded files (core/rootCheck.ts): said apart, it is no problem reading recordings. */
  wrongRoot?: boolean;
  findings: Finding[];
  /** The eager-loading change of N+1 findings, where one is known. */
  fixes: Map<Finding, Fix>;
  /** What the recordings cost, per route and function (their baseline). */
  current: Baseline;
  /** Function key → where the function is defined now (for links); functions outside the project have none. */
  functionLocations: Map<string, SourceLocation>;
  /** The current text of a workspace file, to show a fix as the lines it changes; undefined when unreadable. */
  sourceText?: (path: string) => string | undefined;
  /** Before and after, when the report is asked for one. */
  comparison?: { comparison: Comparison; sources: { before: string; after: string } };
}

export interface MarkdownReportOptions {
  /**
   * What every link to a source line starts with: `path#Lline` is appended. `""` for links relative
   * to the workspace root, `"../"` for a report one folder down, or a URL such as
   * `https://github.com/org/repo/blob/SHA/`.
   */
  linkBase: string;
  /** Rows of each list shown before the rest is folded (default 10; findings: twice that). */
  top?: number;
  /**
   * Routes or functions listed at most, folded ones included (default 100): a GitHub pull request
   * comment holds 65,536 characters. Findings are all listed.
   */
  maxListed?: number;
}

/** SQL longer than this is cut in the report (the JSON and SARIF outputs have it whole). */
const MAX_SQL_CHARS = 400;

export function reportMarkdown(input: MarkdownReportInput, options: MarkdownReportOptions): string {
  const top = options.top ?? 10;
  const maxListed = options.maxListed ?? 100;
  // A link in a table cell escapes `|` in its path; one in prose shows the path as written.
  const link: Link = (path, line, endLine) => sourceLink(options.linkBase, path, line, endLine, markdownCodeCell);
  const proseLink: Link = (path, line, endLine) => sourceLink(options.linkBase, path, line, endLine, markdownCode);
  const out: string[] = [`## ${markdownText(input.title)}`, '', summaryLine(input)];

  out.push('', '### Findings', '');
  if (input.findings.length === 0) out.push('No findings.');
  else {
    const findings = [...input.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    const shown = findings.slice(0, top * 2);
    append(out, findingsTable(shown, link));
    if (findings.length > shown.length) append(out, ['', ...folded(`${plural(findings.length - shown.length, 'more finding')}`, findingsTable(findings.slice(shown.length), link))]);
    for (const f of findings) {
      const details = findingDetails(f, input.fixes.get(f), proseLink, input.sourceText);
      if (details.length) append(out, ['', ...folded(`${displayPlace(f.location)}: ${detailsTitle(f, input.fixes.get(f))}`, details)]);
    }
  }

  if (input.comparison) {
    const { comparison, sources } = input.comparison;
    out.push('', compareMarkdown(comparison, { sources, heading: { text: 'Before and after', level: 3 } }).trimEnd());
  }

  const routes = byTotalTime(input.current.routes);
  out.push('', '### Routes by time', '');
  if (routes.length === 0) out.push('No HTTP requests recorded.');
  else append(out, listed(routes, top, maxListed, 'route', (rows) => routesTable(rows)));

  const functions = byTotalTime(input.current.functions);
  out.push('', '### Functions by time', '');
  if (functions.length === 0) out.push('No functions recorded.');
  else append(out, listed(functions, top, maxListed, 'function', (rows) => functionsTable(rows, input.functionLocations, link)));

  return out.join('\n') + '\n';
}

// ---- helpers ----------------------------------------------------------------------------------

/** `2 recordings, 1 finding (1 error).` and, with a comparison, its verdict. */
function summaryLine(input: MarkdownReportInput): string {
  const parts = [plural(input.nRecordings, 'recording')];
  if (input.findings.length === 0) parts.push('no findings');
  else {
    const bySeverity = (['error', 'warning', 'info'] as const)
      .map((s) => [s, input.findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => (s === 'info' ? `${n} info` : plural(n, s)));
    parts.push(`${plural(input.findings.length, 'finding')} (${bySeverity.join(', ')})`);
  }
  if (input.nProblems) parts.push(plural(input.nProblems, 'problem') + ' reading recordings');
  if (input.wrongRoot) parts.push('--root may be the wrong folder');
  let line = `${parts.join(', ')}.`;
  const c = input.comparison?.comparison;
  if (c) {
    const { new: added, resolved } = c.findings;
    line += ` Since before: ${c.regressed ? '**regressed**' : '**no regression**'}, ${plural(resolved.length, 'finding')} resolved, ${formatCount(added.length)} new.`;
  }
  return line;
}

type Link = (path: string, line: number, endLine?: number) => string;

function findingsTable(findings: Finding[], link: Link): string[] {
  const rows = findings.map((f) => {
    const message = markdownText(f.detail ? `${f.message} (${f.detail})` : f.message);
    const where = f.scope ?? plural(f.recordings.length, 'recording');
    return `| ${f.severity} | ${link(f.location.path, f.location.line)} | ${message} | \`${f.rule}\` | ${markdownText(where)} |`;
  });
  return ['| severity | where | finding | rule | in |', '| --- | --- | --- | --- | --- |', ...rows];
}

/** What a finding's folded block holds: the fix, then the repeated queries; nothing for others. */
function findingDetails(f: Finding, fix: Fix | undefined, link: Link, sourceText: MarkdownReportInput['sourceText']): string[] {
  const out: string[] = [];
  if (fix?.edit) {
    const { path, range, newText } = fix.edit;
    const diff = editDiff(fix.edit, sourceText?.(path));
    append(out, [`**Fix** at ${link(path, range.line, range.endLine)}:`, '', ...(diff ? fencedBlock(diff.join('\n'), 'diff') : fencedBlock(newText, languageOf(path)))]);
  } else if (fix) out.push(`**Fix (hint):** ${markdownText(fix.hint)}.`);
  if (f.related.length) {
    if (out.length) out.push('');
    append(out, ['| queries | SQL |', '| ---: | --- |', ...f.related.map((r) => `| ${formatPerCall(r.count)} | ${markdownCodeCell(cut(r.sql, MAX_SQL_CHARS))} |`)]);
  }
  return out;
}

/**
 * The lines an edit changes, as a unified diff without its header (`-` the lines now, `+` the same
 * lines edited); undefined when the text is unknown or no longer holds the edit's range.
 */
export function editDiff(edit: NonNullable<Fix['edit']>, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const { line, column, endLine, endColumn } = edit.range;
  if (line < 1 || endLine < line || endLine > lines.length) return undefined;
  const before = lines.slice(line - 1, endLine);
  const after = (lines[line - 1].slice(0, column - 1) + edit.newText + lines[endLine - 1].slice(endColumn - 1)).split('\n');
  return [...before.map((l) => `-${l}`), ...after.map((l) => `+${l}`)];
}

function detailsTitle(f: Finding, fix: Fix | undefined): string {
  const n = f.related.length;
  const queries = n === 0 ? '' : n === 1 ? 'the repeated query' : `the ${n} repeated queries`;
  const fixed = fix ? (fix.edit ? 'the fix' : 'how to fix it') : '';
  return [queries, fixed].filter(Boolean).join(' and ');
}

function routesTable(rows: [string, EntryStats][]): string[] {
  return [
    '| route | requests | time per request | total time | SQL per request |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(([route, s]) => `| ${markdownCodeCell(route)} | ${formatPerCall(s.calls)} | ${ms(s.meanMs)} | ${ms(s.totalMs)} | ${formatPerCall(s.calls ? s.sql / s.calls : 0)} |`),
  ];
}

function functionsTable(rows: [string, EntryStats][], locations: Map<string, SourceLocation>, link: Link): string[] {
  return [
    '| function | where | calls | time per call | total time | SQL |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map(([key, s]) => {
      const at = locations.get(key);
      return `| ${markdownCodeCell(key)} | ${at ? link(at.path, at.line) : '–'} | ${formatPerCall(s.calls)} | ${ms(s.meanMs)} | ${ms(s.totalMs)} | ${formatPerCall(s.sql)} |`;
    }),
  ];
}

/** The first `top` rows as a table, the rest (up to `maxListed` in all) folded below it. */
function listed(rows: [string, EntryStats][], top: number, maxListed: number, name: string, table: (rows: [string, EntryStats][]) => string[]): string[] {
  const out = table(rows.slice(0, top));
  const rest = rows.slice(top, Math.max(top, maxListed));
  if (rest.length) {
    const unlisted = rows.length - top - rest.length;
    const tail = unlisted ? ['', `${plural(unlisted, `more ${name}`)} not listed.`] : [];
    append(out, ['', ...folded(plural(rows.length - top, `more ${name}`), [...table(rest), ...tail])]);
  }
  return out;
}

/** Entries by total time, longest first; those without a recorded time last; then by name. */
function byTotalTime(entries: Record<string, EntryStats>): [string, EntryStats][] {
  return Object.entries(entries).sort(([ka, a], [kb, b]) => (b.totalMs ?? -1) - (a.totalMs ?? -1) || (ka < kb ? -1 : ka > kb ? 1 : 0));
}

/**
 * A <details> block. GitHub and GitLab render Markdown inside it only after a blank line (an HTML
 * block ends there), and show the summary as written: it is HTML, so it is escaped as HTML.
 */
function folded(summary: string, body: string[]): string[] {
  return [`<details><summary>${htmlText(summary)}</summary>`, '', ...body, '', '</details>'];
}

/**
 * `[`src/routes/books.js:21`](BASE/src/routes/books.js#L21)`: a path outside the workspace (a
 * recording elsewhere), or one no URL can hold, has no link, only its name. A range's link opens
 * its first line: GitHub and GitLab write line ranges differently (`#L21-L23`, `#L21-23`), and
 * both open `#L21`.
 */
function sourceLink(base: string, path: string, line: number, endLine: number | undefined, code: (text: string) => string): string {
  const range = endLine !== undefined && endLine !== line ? `${line}-${endLine}` : `${line}`;
  const text = code(`${path}:${range}`);
  const href = sourceHref(base, path, line);
  return href === undefined ? text : `[${text}](${href})`;
}

/**
 * The link to a source line (`base` + the path, each segment percent-encoded, + `#Lline`), or
 * undefined for a path that can be no link: absolute, or not well-formed Unicode (a file name in
 * another encoding). The Markdown and HTML reports link the same way.
 */
export function sourceHref(base: string, path: string, line: number): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || !isWellFormed(path)) return undefined;
  return `${base}${encodePath(path)}#L${line}`;
}

function displayPlace(l: SourceLocation): string {
  return `${l.path}:${l.line}`;
}

/** Each segment percent-encoded, parentheses too (they would end a Markdown link). */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/');
}

function languageOf(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1] ?? '';
  const known: Record<string, string> = { js: 'js', mjs: 'js', cjs: 'js', jsx: 'jsx', ts: 'ts', tsx: 'tsx', py: 'python', rb: 'ruby', erb: 'erb', java: 'java', kt: 'kotlin' };
  return Object.prototype.hasOwnProperty.call(known, ext) ? known[ext] : '';
}

function ms(value: number | undefined): string {
  return value === undefined ? '–' : formatMs(value);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}


