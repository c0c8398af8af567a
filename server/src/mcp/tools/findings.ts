// The `findings` tool: the findings of the recordings under the root (or under the paths given),
// filtered by rule, file, severity and request or test, each with its fix (the edit when certain).

import { z } from 'zod';
import { RULE_NAMES, Severity } from '../../core/config';
import { severityRank } from '../../core/findings/finding';
import { plural } from '../../core/findings/format';
import { answer, DEFAULT_ITEMS, firstOf, MAX_ITEMS, ToolAnswer } from '../answer';
import { findingJson, findingLine, findingSchema } from '../findingJson';
import { findingIds, McpWorkspace, problemLines, readRecordings, relativeInRoot } from '../workspace';
import { pathArg, pathsArg, ToolSpec } from './spec';

export const findingsInput = {
  rule: z.enum(RULE_NAMES).optional().describe('only this rule'),
  path: pathArg.optional().describe('only findings in this file, or under this folder (workspace-relative)'),
  severity: z.enum(['error', 'warning', 'info']).optional().describe('only findings of at least this severity'),
  scope: z.string().max(1000).optional().describe('only findings of requests or tests whose name contains this (e.g. "GET /books")'),
  recordings: pathsArg.optional().describe('recordings or folders of them (workspace-relative); all under the root when absent'),
  limit: z.number().int().min(1).max(MAX_ITEMS).optional().describe(`at most this many findings (default ${DEFAULT_ITEMS})`),
};

export const findingsOutput = {
  recordings: z.number().describe('recordings read'),
  total: z.number().describe('findings matching the filters, before the limit'),
  findings: z.array(findingSchema),
  problems: z.array(z.string()).describe('what could not be read, and where'),
  truncated: z.string().optional(),
};

export const findingsTool: ToolSpec<typeof findingsInput, typeof findingsOutput> = {
  name: 'findings',
  title: 'Findings with their fixes',
  description:
    'The performance findings of the recorded runs (N+1 queries, repeated queries, slow calls, requests and queries, too many queries), each on the line of code that caused it, ' +
    'with its counts, the repeated SQL, and the fix: a workspace edit (path, 1-based range, oldText, newText) when it is certain, else a hint.',
  input: findingsInput,
  output: findingsOutput,
  readOnly: true,
  run: runFindings,
};

async function runFindings(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof findingsInput>>): Promise<ToolAnswer> {
  const output = await readRecordings(ws, { paths: args.recordings, withFixes: true });
  const ids = findingIds(output.findings);
  const under = args.path === undefined ? undefined : relativeInRoot(ws, args.path, 'path');
  const matching = output.findings.filter(
    (f) =>
      (args.rule === undefined || f.rule === args.rule) &&
      (under === undefined || under === '' || f.location.path === under || f.location.path.startsWith(`${under}/`)) &&
      (args.severity === undefined || severityRank(f.severity) >= severityRank(args.severity as Severity)) &&
      (args.scope === undefined || (f.scope ?? '').includes(args.scope)),
  );
  const shown = firstOf(matching, args.limit ?? DEFAULT_ITEMS, 'findings', 'narrow with rule, path, severity or scope, or raise limit');
  const findings = shown.items.map((f) => findingJson(f, ids.get(f) as string, output.fixes.get(f), ws.root, output.unplaced.has(f)));
  const problems = problemLines(output.problems);
  const lines = findings.flatMap((f) => [findingLine(f), ...(f.fix ? [`    fix: ${f.fix.edit ? `${f.fix.title}: ` : ''}${f.fix.hint}`] : [])]);
  if (shown.truncated) lines.push(shown.truncated);
  lines.push(`${plural(output.nRecordings, 'recording')} read, ${matching.length === 0 ? 'no findings' : plural(matching.length, 'finding')}${problems.length ? `, ${plural(problems.length, 'problem')} reading recordings` : ''}`);
  for (const p of problems) lines.push(`problem: ${p}`);
  return answer(lines.join('\n'), { recordings: output.nRecordings, total: matching.length, findings, problems, ...(shown.truncated ? { truncated: shown.truncated } : {}) });
}
