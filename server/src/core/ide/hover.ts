// Hover on a recorded line: what the function's lenses say (word for word: eglot shows no lenses),
// its numbers (calls, total, self, mean, max, SQL), the queries it ran most, the recordings it came from and the slowest path to it;
// and the findings that sit on the line with the other end of their code (an N+1's per-row call or
// source query: where it is and what it says) and their repeated queries. Markdown; each query in a
// fenced code block, exactly as recorded (copied out, it means what it meant).

import { meanMs } from '../analysis/stats';
import { AlsoAt, Finding } from '../findings/finding';
import { formatCount, formatMs, plural } from '../findings/format';
import { Snapshot } from '../index/workspaceIndex';
import { fencedBlock, markdownCode } from '../markdown';
import { SourceIndex } from '../sourceIndex';
import { functionsInFile, lensTitles } from './codeLens';
import { Since, sinceMarkdown } from './since';
import { diagnosticsByFile } from './diagnostics';
import { append } from '../arrays';
import { escapeText } from '../text';

const TOP_QUERIES = 5;
/** Longer queries are cut in a hover (and say so): a hover is read on screen. */
const MAX_SQL_CHARS = 2000;
const MAX_RECORDINGS = 5;

export function hoverAt(snapshot: Snapshot, index: SourceIndex, relPath: string, line: number, since?: Since): string | undefined {
  const parts: string[] = [];
  const findings = (diagnosticsByFile(snapshot, index).get(relPath)?.findings ?? []).filter((f) => f.location.line <= line && line <= (f.location.endLine ?? f.location.line));
  for (const f of findings) parts.push(findingMarkdown(f, index));
  // The innermost recorded function whose definition starts on this line, else encloses it.
  const located = functionsInFile(snapshot, index, relPath)
    .map(([key, fn]) => ({ key, def: index.locate(fn)?.definition }))
    .filter((x) => x.def && x.def.line <= line && line <= x.def.endLine)
    .sort((a, b) => (b.def?.line ?? 0) - (a.def?.line ?? 0));
  const fn = located.find((x) => x.def?.line === line) ?? (findings.length ? undefined : located[0]);
  if (fn) parts.push(functionMarkdown(snapshot, fn.key, since));
  return parts.length ? parts.join('\n\n---\n\n') : undefined;
}

function functionMarkdown(snapshot: Snapshot, key: string, since: Since | undefined): string {
  const s = snapshot.stats().functions.get(key);
  if (!s) return '';
  const t = (ms: number) => (Number.isNaN(ms) || s.nTimed === 0 ? '–' : formatMs(ms));
  // The lenses' words first, so that an editor without lenses (eglot) says the same.
  const { routes, own } = lensTitles(snapshot, key, since);
  const lines = [`**${escapeText(key)}** · ${own ?? plural(s.nCalls, 'call')}`, ''];
  for (const { title } of routes) lines.push(`Handles ${title}`, '');
  const changes = sinceMarkdown(snapshot, since, key, routes.map((r) => r.route));
  if (changes.length) append(lines, changes).push('');
  lines.push(
    '| calls | total | self | mean | max | SQL |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${formatCount(s.nCalls)} | ${t(s.totalMs)} | ${t(s.selfMs)} | ${t(meanMs(s))} | ${t(s.maxMs)} | ${formatCount(s.nSql)} |`,
  );
  const queries = snapshot.sqlOf(key).slice(0, TOP_QUERIES);
  if (queries.length) {
    lines.push('', '**Queries it ran most**');
    for (const q of queries) append(lines, ['', ...queryMarkdown(q.count, q.sql)]);
  }
  const recordings = snapshot.recordingsOf(key);
  if (recordings.length) {
    lines.push('', `**Recorded in** ${recordings.slice(0, MAX_RECORDINGS).map((r) => `${escapeText(r.test?.name ?? r.metadata.name ?? r.recordingPath)} (${markdownCode(r.recordingPath)})`).join(', ')}${recordings.length > MAX_RECORDINGS ? `, and ${formatCount(recordings.length - MAX_RECORDINGS)} more` : ''}`);
  }
  const path = snapshot.slowestPath(key);
  if (path && path.path.length) lines.push('', `**Slowest path** (${path.elapsedMs < 0 ? 'time not recorded' : formatMs(path.elapsedMs)}): ${escapeText(path.path.join(' → '))}`);
  return lines.join('\n');
}

function findingMarkdown(f: Finding, index: SourceIndex): string {
  const lines = [`**${escapeText(f.message)}** \`${f.rule}\` (${f.severity})`];
  if (f.scope) lines.push('', `In ${escapeText(f.scope)}, seen in ${plural(f.recordings.length, 'recording')}.`);
  for (const a of f.also ?? []) lines.push('', alsoMarkdown(a, index));
  return lines.concat(relatedMarkdown(f)).join('\n');
}

/** Longer lines of code are cut in a hover's mention of the other end. */
const MAX_CODE_CHARS = 120;

/** `The per-row call: `src/routes/books.js:25` `const author = await book.getAuthor();``: the other end, and its line as it is now. */
function alsoMarkdown(a: AlsoAt, index: SourceIndex): string {
  const at = `${a.location.path}:${a.location.line}`;
  const code = index.text(a.location.path)?.split('\n')[a.location.line - 1]?.trim();
  const cut = code !== undefined && code.length > MAX_CODE_CHARS ? `${code.slice(0, /[\uD800-\uDBFF]/.test(code[MAX_CODE_CHARS - 1]) ? MAX_CODE_CHARS - 1 : MAX_CODE_CHARS)}…` : code;
  const what = a.what.charAt(0).toUpperCase() + a.what.slice(1);
  return `${escapeText(what)}: ${markdownCode(at)}${cut ? ` ${markdownCode(cut)}` : ''}`;
}

function relatedMarkdown(f: Finding): string[] {
  const lines: string[] = [];
  if (f.related.length) {
    lines.push('', '**Repeated queries**');
    for (const r of f.related.slice(0, TOP_QUERIES)) append(lines, ['', ...queryMarkdown(r.count, r.sql)]);
  }
  return lines;
}

/**
 * `500 ×` and the query in a fenced block with its exact text (backticks, quotes and line breaks
 * as recorded: the fence is longer than any backtick run in it). Only a query longer than
 * MAX_SQL_CHARS is cut, and that is said outside the block, never marked inside it.
 */
function queryMarkdown(count: number, sql: string): string[] {
  if (sql.length <= MAX_SQL_CHARS) return [`${formatCount(count)} ×`, ...fencedBlock(sql, 'sql')];
  // Not between the two halves of a surrogate pair.
  const end = /[\uDC00-\uDFFF]/.test(sql[MAX_SQL_CHARS]) ? MAX_SQL_CHARS - 1 : MAX_SQL_CHARS;
  return [`${formatCount(count)} × (its first ${formatCount(end)} of ${formatCount(sql.length)} characters)`, ...fencedBlock(sql.slice(0, end), 'sql')];
}
