// The output formats of `runlens scan`: text like a compiler's, one JSON object, and SARIF 2.1.0
// (valid against the SARIF 2.1.0 JSON schema: test/system/sarif.test.ts holds it to the schema).

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findingId } from '../core/baseline/baseline';
import { Finding } from '../core/findings/finding';
import { Fix } from '../core/fixes/index';
import { plural } from '../core/findings/format';
import { formatProblem, Problem } from '../core/problem';
import { RULE_HELP, markdownToText } from '../core/report/ruleHelp';
import { packageVersion } from '../node/packageInfo';
import { PLAIN, Style } from './color';
import { escapeText, isWellFormed } from '../core/text';
import { RecordingSummary } from '../core/index/summary';

/** What a scan gives (cli/scan.ts), and what each format prints. */
export interface ScanOutput {
  nRecordings: number;
  problems: Problem[];
  findings: Finding[];
  /** The fix of each N+1 (eager loading) and repeated-query finding (keeping the result), when asked for (withFixes). */
  fixes: Map<Finding, Fix>;
  /** Each recording's summary (statistics, test, findings), when asked for (withSummaries): what a baseline is made of. */
  summaries: RecordingSummary[];
  /** The findings in a file the root does not hold (core/rootCheck.ts): shown without a line. */
  unplaced: Set<Finding>;
  /** The warning that the root holds few of the recorded files (core/rootCheck.ts), first of `problems`: not a problem reading recordings. */
  wrongRoot?: Problem;
}

/**
 * `path:line:col severity message (detail) [rule]` per finding (`path: …` for a file the root does
 * not hold: its line would be one of some other file), then a summary line (the problems reading
 * recordings counted, a wrong root said apart). Recorded text is
 * escaped (core/text.ts): a route, name or path with a line break stays on its line, so it cannot
 * start a line of its own that a CI reads as a command (`::error …`).
 */
export function formatText(output: ScanOutput, options: { fixHints?: boolean; style?: Style } = {}): string {
  const style = options.style ?? PLAIN;
  const lines = output.findings.flatMap((f) => {
    const detail = f.detail ? ` (${f.detail})` : '';
    const at = escapeText(output.unplaced.has(f) ? `${f.location.path}:` : `${f.location.path}:${f.location.line}:${f.location.column}`);
    const line = `${style.path(at)} ${style.severity(f.severity, f.severity)} ${escapeText(`${f.message}${detail}`)} ${style.dim(`[${f.rule}]`)}`;
    const fix = options.fixHints ? output.fixes.get(f) : undefined;
    return fix ? [line, `    fix: ${escapeText(fix.hint)}`] : [line];
  });
  const bySeverity = (s: string) => output.findings.filter((f) => f.severity === s).length;
  const summary = [
    `${plural(output.nRecordings, 'recording')} read`,
    output.findings.length === 0 ? 'no findings' : `${plural(output.findings.length, 'finding')} (${plural(bySeverity('error'), 'error')}, ${plural(bySeverity('warning'), 'warning')})`,
  ];
  const nProblems = output.problems.length - (output.wrongRoot ? 1 : 0);
  if (nProblems) summary.push(`${plural(nProblems, 'problem')} reading recordings`);
  if (output.wrongRoot) summary.push('--root may be the wrong folder');
  lines.push(summary.join(', '));
  return lines.join('\n') + '\n';
}

export function formatJson(output: ScanOutput): string {
  return (
    JSON.stringify({
      recordings: output.nRecordings,
      problems: output.problems.map((p) => ({ file: p.file, message: formatProblem(p, { file: false, escape: false }) })),
      findings: output.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        path: f.location.path,
        // null for a file the root does not hold.
        line: output.unplaced.has(f) ? null : f.location.line,
        count: f.count,
        recordings: f.recordings,
        related: f.related.map((r) => ({ sql: r.sql, count: r.count })),
        // The other places of the code (the per-row call of an N+1 on its query), when known.
        ...(f.also?.length ? { also: f.also.map((a) => ({ what: a.what, path: a.location.path, line: a.location.line })) } : {}),
      })),
    }) + '\n'
  );
}

/** Where runlens is published: the SARIF driver's informationUri. */
export const INFORMATION_URI = 'https://github.com/runlens/runlens';

/** The key of a result's partialFingerprints: the finding's identity across runs (core/baseline findingId). */
export const FINGERPRINT_KEY = 'runlensFindingId/v1';

export interface SarifOptions {
  /** The workspace root (absolute): `%SRCROOT%`, which every workspace-relative `uri` is relative to. */
  root?: string;
  /** The tool version written to the log (default: the package's). */
  version?: string;
}

/**
 * A SARIF 2.1.0 log, so that CI systems (GitHub code scanning, GitLab, Azure DevOps) can annotate
 * the lines: the rules with their documentation, one result per finding with a fingerprint that
 * survives re-recording and edits, the eager-loading edit as a `fix` where it is certain, and the
 * problems met reading recordings as tool execution notifications.
 */
export function formatSarif(output: ScanOutput, options: SarifOptions = {}): string {
  const version = options.version ?? packageVersion();
  const ruleIndex = new Map(RULE_HELP.map((r, i) => [r.id as string, i]));
  const fingerprints = uniqueFingerprints(output.findings);
  // A finding in a file whose recorded path no URI can hold (not well-formed Unicode) has no place
  // in SARIF: it is left out, and a notification says so (one such path cost the whole log).
  const results = output.findings.filter((f) => isWellFormed(f.location.path));
  const notifications = output.problems.map(sarifNotification);
  for (const f of output.findings) {
    if (!isWellFormed(f.location.path)) notifications.push({ level: 'warning', message: { text: `a finding is left out: its file's recorded path ${JSON.stringify(f.location.path)} is not valid Unicode, and no URI can name it (${f.message} [${f.rule}])` } });
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'runlens',
            version,
            semanticVersion: version,
            informationUri: INFORMATION_URI,
            rules: RULE_HELP.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.summary },
              fullDescription: { text: r.fullDescription },
              help: { text: markdownToText(r.helpMarkdown), markdown: r.helpMarkdown },
              defaultConfiguration: { level: sarifLevel(r.defaultSeverity) },
              properties: { tags: r.tags, precision: r.precision },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        ...(options.root ? { originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(options.root) } } } : {}),
        results: results.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule) ?? -1,
          level: sarifLevel(f.severity),
          message: { text: f.detail ? `${f.message} (${f.detail})` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(f.location.path),
                // No region in a file the root does not hold: the whole file, which is not there.
                ...(output.unplaced.has(f)
                  ? {}
                  : {
                      region: {
                        startLine: f.location.line,
                        startColumn: f.location.column,
                        ...(f.location.endLine ? { endLine: f.location.endLine, endColumn: f.location.endColumn } : {}),
                      },
                    }),
              },
            },
          ],
          ...(f.also?.length
            ? {
                relatedLocations: f.also.map((a, i) => ({
                  id: i + 1,
                  physicalLocation: { artifactLocation: artifactLocation(a.location.path), region: { startLine: a.location.line, startColumn: a.location.column } },
                  message: { text: a.what },
                })),
              }
            : {}),
          partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.get(f) },
          properties: {
            count: f.count,
            ...(f.scope !== undefined ? { scope: f.scope } : {}),
            recordings: f.recordings,
            ...(f.related.length ? { repeatedQueries: f.related.map((r) => ({ sql: r.sql, count: r.count })) } : {}),
          },
          ...sarifFixes(output.fixes.get(f)),
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

// ---- helpers ----------------------------------------------------------------------------------

const SRCROOT = '%SRCROOT%';

function sarifLevel(severity: Finding['severity']): 'error' | 'warning' | 'note' {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/**
 * Each finding's identity (findingId), which survives re-recording and edits. Two findings of one
 * run can share it (one queryset whose repeats differ between recordings); the later ones get
 * `:2`, `:3`, … in their order (by path and line), as CodeQL numbers equal line hashes, so that
 * code scanning keeps them apart.
 */
function uniqueFingerprints(findings: Finding[]): Map<Finding, string> {
  const seen = new Map<string, number>();
  const out = new Map<Finding, string>();
  for (const f of findings) {
    const id = findingId(f);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    out.set(f, n === 1 ? id : `${id}:${n}`);
  }
  return out;
}

/**
 * A workspace-relative POSIX path as a URI reference relative to `%SRCROOT%` (each segment
 * percent-encoded: a space or `#` in a file name stays part of the path); a path outside the
 * workspace (a recording elsewhere) as an absolute `file:` URI.
 */
function artifactLocation(p: string): { uri: string; uriBaseId?: string } {
  if (path.isAbsolute(p)) return { uri: pathToFileURL(p).href };
  return { uri: p.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** `file:///…/root/`: a base URI must end with a slash, or the last segment would be replaced. */
function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** A problem reading a recording, on that recording where it names a file. */
function sarifNotification(p: Problem): object {
  const located = p.file && !p.file.startsWith('(') && isWellFormed(p.file);
  return {
    level: p.severity === 'error' ? 'error' : 'warning',
    message: { text: formatProblem(p, { file: false, escape: false }) },
    ...(located ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(p.file) } }] } : {}),
  };
}

/** A SARIF `fixes` entry where the change is certain (an edit), else nothing. */
function sarifFixes(fix: Fix | undefined): { fixes?: object[] } {
  if (!fix?.edit) return {};
  const { path: file, range, newText } = fix.edit;
  return {
    fixes: [
      {
        description: { text: fix.title },
        artifactChanges: [
          {
            artifactLocation: artifactLocation(file),
            replacements: [{ deletedRegion: { startLine: range.line, startColumn: range.column, endLine: range.endLine, endColumn: range.endColumn }, insertedContent: { text: newText } }],
          },
        ],
      },
    ],
  };
}
