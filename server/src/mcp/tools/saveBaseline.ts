// The `save_baseline` tool: the baseline of the recordings (cli/baseline.ts baselineOfRecordings,
// as `runlens baseline save` makes it) written to .runlens/baseline.json under the root, the one
// file the MCP server ever writes, and only with --allow-write: the baseline is what CI compares
// against, and an agent that replaced it could make its own regression pass.

import { z } from 'zod';
import { DEFAULT_BASELINE_PATH, describeBaseline } from '../../core/baseline/baseline';
import { serializeBaseline } from '../../core/baseline/serialize';
import { plural } from '../../core/findings/format';
import { baselineOfRecordings } from '../../cli/baseline';
import { UsageError } from '../../cli/usage';
import { writeUnderRoot } from '../../node/baselineFile';
import { answer, ToolAnswer } from '../answer';
import { insideRoot, McpWorkspace, problemLines, ToolError } from '../workspace';
import { pathsArg, ToolSpec } from './spec';

export const saveBaselineInput = {
  recordings: pathsArg.optional().describe('recordings or folders of them (workspace-relative); all under the root when absent'),
};

export const saveBaselineOutput = {
  path: z.string().describe('the file written, workspace-relative'),
  recordings: z.number(),
  bytes: z.number(),
  summary: z.string(),
  problems: z.array(z.string()),
};

export const saveBaselineTool: ToolSpec<typeof saveBaselineInput, typeof saveBaselineOutput> = {
  name: 'save_baseline',
  title: 'Save the baseline',
  description:
    `Saves the baseline of the recordings (time and SQL per route, test and function, and the findings) to ${DEFAULT_BASELINE_PATH} under the root, for compare to measure a change against. ` +
    'Refused unless the server was started with --allow-write (it replaces the baseline CI may compare against).',
  input: saveBaselineInput,
  output: saveBaselineOutput,
  readOnly: false,
  run: runSaveBaseline,
};

async function runSaveBaseline(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof saveBaselineInput>>): Promise<ToolAnswer> {
  if (!ws.allowWrite) throw new ToolError(`save_baseline is refused: this server is read-only (start it with runlens mcp --allow-write to let it replace ${DEFAULT_BASELINE_PATH})`);
  const paths = args.recordings?.length ? args.recordings.map((p) => insideRoot(ws, p, 'recordings')) : [ws.root];
  let made;
  try {
    made = await baselineOfRecordings(ws.root, paths, ws.config);
  } catch (err) {
    if (err instanceof UsageError) throw new ToolError(err.message);
    throw err;
  }
  const text = serializeBaseline(made.baseline);
  try {
    writeUnderRoot(ws.root, DEFAULT_BASELINE_PATH, text);
  } catch (err) {
    throw new ToolError((err as Error).message);
  }
  const bytes = Buffer.byteLength(text);
  const summary = `baseline of ${plural(made.baseline.recordings, 'recording')} (${describeBaseline(made.baseline)})`;
  const problems = problemLines(made.problems);
  return answer([`${summary} written to ${DEFAULT_BASELINE_PATH}`, ...problems.map((p) => `problem: ${p}`)].join('\n'), {
    path: DEFAULT_BASELINE_PATH,
    recordings: made.baseline.recordings,
    bytes,
    summary,
    problems,
  });
}
