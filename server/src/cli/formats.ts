// The output formats of `runlens scan`: text like a compiler's, one JSON object, and SARIF 2.1.0.

import { Finding, RULES } from '../core/findings/finding';
import { Fix } from '../core/fixes/index';
import { plural } from '../core/findings/format';
import { formatProblem } from '../core/problem';
import { ScanOutput } from './scan';

/** `path:line:col severity message (detail) [rule]` per finding, then a summary line. */
export function formatText(output: ScanOutput, options: { fixHints?: boolean } = {}): string {
  const lines = output.findings.flatMap((f) => {
    const detail = f.detail ? ` (${f.detail})` : '';
    const line = `${f.location.path}:${f.location.line}:${f.location.column} ${f.severity} ${f.message}${detail} [${f.rule}]`;
    const fix = options.fixHints ? output.fixes.get(f) : undefined;
    return fix ? [line, `    fix: ${fix.hint}`] : [line];
  });
  const bySeverity = (s: string) => output.findings.filter((f) => f.severity === s).length;
  const summary = [
    `${plural(output.nRecordings, 'recording')} read`,
    output.findings.length === 0 ? 'no findings' : `${plural(output.findings.length, 'finding')} (${plural(bySeverity('error'), 'error')}, ${plural(bySeverity('warning'), 'warning')})`,
  ];
  const nProblems = output.problems.length;
  if (nProblems) summary.push(`${plural(nProblems, 'problem')} reading recordings`);
  lines.push(summary.join(', '));
  return lines.join('\n') + '\n';
}

export function formatJson(output: ScanOutput): string {
  return (
    JSON.stringify({
      recordings: output.nRecordings,
      problems: output.problems.map((p) => ({ file: p.file, message: formatProblem({ ...p, file: '' }).replace(/^:\s*/, '') })),
      findings: output.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        path: f.location.path,
        line: f.location.line,
        count: f.count,
        recordings: f.recordings,
        related: f.related.map((r) => ({ sql: r.sql, count: r.count })),
      })),
    }) + '\n'
  );
}

/** A SARIF 2.1.0 log, so that CI systems can annotate the lines. */
export function formatSarif(output: ScanOutput): string {
  const level = (f: Finding) => (f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note');
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'runlens',
            informationUri: 'https://github.com/runlens/runlens',
            rules: RULES.map((r) => ({ id: r.id, shortDescription: { text: r.summary } })),
          },
        },
        results: output.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: RULES.findIndex((r) => r.id === f.rule),
          level: level(f),
          message: { text: f.detail ? `${f.message} (${f.detail})` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.location.path, uriBaseId: '%SRCROOT%' },
                region: {
                  startLine: f.location.line,
                  startColumn: f.location.column,
                  ...(f.location.endLine ? { endLine: f.location.endLine, endColumn: f.location.endColumn } : {}),
                },
              },
            },
          ],
          properties: { count: f.count, recordings: f.recordings },
          ...sarifFixes(output.fixes.get(f)),
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** A SARIF `fixes` entry where the change is certain (an edit), else nothing. */
function sarifFixes(fix: Fix | undefined): { fixes?: object[] } {
  if (!fix?.edit) return {};
  const { path, range, newText } = fix.edit;
  return {
    fixes: [
      {
        description: { text: fix.title },
        artifactChanges: [
          {
            artifactLocation: { uri: path, uriBaseId: '%SRCROOT%' },
            replacements: [{ deletedRegion: { startLine: range.line, startColumn: range.column, endLine: range.endLine, endColumn: range.endColumn }, insertedContent: { text: newText } }],
          },
        ],
      },
    ],
  };
}
