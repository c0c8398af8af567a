// The `call_tree` tool: the recorded calls of a request or a test, one line per call with its time
// and the SQL below it (core/ide/callTree.ts, what the editor's command shows), bounded in lines.

import { z } from 'zod';
import { renderCallTree } from '../../core/ide/callTree';
import { answer, ToolAnswer } from '../answer';
import { McpWorkspace, problemLines, readRecordings, ToolError, withTrace } from '../workspace';
import { pathArg, ToolSpec } from './spec';
import { displayPath } from '../../node/workspaceFiles';
import { insideRoot } from '../workspace';
import { Problem } from '../../core/problem';
import { append } from '../../core/arrays';

const DEFAULT_LINES = 100;
const MAX_LINES = 500;

export const callTreeInput = {
  route: z.string().max(1000).optional().describe('a recorded route, e.g. "GET /books": its slowest recording\'s requests of it'),
  test: z.string().max(1000).optional().describe('a recorded test (its name, or part of it): its recording'),
  recording: pathArg.optional().describe('a recording (workspace-relative): the whole of it, or of route when given'),
  maxLines: z.number().int().min(1).max(MAX_LINES).optional().describe(`lines of the tree at most (default ${DEFAULT_LINES})`),
};

export const callTreeOutput = {
  recording: z.string(),
  route: z.string().optional(),
  tree: z.string().describe('one line per call: label · time · SQL below it; repeated leaf calls grouped (200 × SELECT …)'),
  problems: z.array(z.string()),
  truncated: z.string().optional(),
};

export const callTreeTool: ToolSpec<typeof callTreeInput, typeof callTreeOutput> = {
  name: 'call_tree',
  title: 'Call tree of a request or test',
  description: 'The recorded call tree of a request (route) or a test, with times and the SQL run under each call, bounded in lines (a last line counts the calls left out).',
  input: callTreeInput,
  output: callTreeOutput,
  readOnly: true,
  run: runCallTree,
};

async function runCallTree(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof callTreeInput>>): Promise<ToolAnswer> {
  const problems: Problem[] = [];
  let recording = args.recording === undefined ? undefined : displayPath(ws.root, insideRoot(ws, args.recording, 'recording'));
  if (recording === undefined) {
    if (args.route === undefined && args.test === undefined) throw new ToolError('call_tree needs route, test or recording');
    const output = await readRecordings(ws, { withSummaries: true });
    append(problems, output.problems);
    const candidates = output.summaries.filter((s) => (args.route === undefined || s.stats.routes.has(args.route)) && (args.test === undefined || (s.test?.name ?? '').includes(args.test)));
    if (!candidates.length) throw new ToolError(`no recording of ${[args.route, args.test].filter(Boolean).map((s) => JSON.stringify(s)).join(' in ')}; the hotspots tool lists the recorded routes and tests`);
    // The slowest recording of it: where a fix matters most.
    const time = (s: (typeof candidates)[number]) => (args.route !== undefined ? (s.stats.routes.get(args.route)?.totalMs ?? 0) : s.stats.roots.totalMs) || 0;
    recording = candidates.reduce((a, b) => (time(b) > time(a) ? b : a)).recordingPath;
  }
  const maxLines = args.maxLines ?? DEFAULT_LINES;
  const read = await withTrace(ws, recording, (trace) => renderCallTree(trace, { route: args.route, maxLines }));
  if (read.value === undefined) throw new ToolError(`${recording} has no request of ${JSON.stringify(args.route)}`);
  const more = /\n… ([\d,]+) more calls?$/.exec(read.value);
  const truncated = more ? `truncated: ${maxLines} lines shown, ${more[1]} more calls left out; raise maxLines (at most ${MAX_LINES}) or ask for a narrower route` : undefined;
  const lines = problemLines([...problems, ...read.problems]);
  return answer([read.value, ...(truncated ? [truncated] : []), ...lines.map((p) => `problem: ${p}`)].join('\n'), {
    recording,
    ...(args.route !== undefined ? { route: args.route } : {}),
    tree: read.value,
    problems: lines,
    ...(truncated ? { truncated } : {}),
  });
}
