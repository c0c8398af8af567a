// The `record` tool: a Node project's test command run under the recorder (cli/record.ts, as
// `runlens record -- COMMAND` runs it), then the findings of what it recorded. It runs code, so it
// is refused unless the server was started with --allow-record.

import { z } from 'zod';
import { runRecord } from '../../cli/record';
import { UsageError } from '../../cli/usage';
import { answer, boundedText, DEFAULT_ITEMS, firstOf, ToolAnswer } from '../answer';
import { findingJson, findingLine, findingSchema } from '../findingJson';
import { findingIds, McpWorkspace, problemLines, readRecordings, ToolError } from '../workspace';
import { quietIo } from './compare';
import { ToolSpec } from './spec';
import * as fs from 'node:fs';
import { findRecordings } from '../../node/recordings';
import { displayPath } from '../../node/workspaceFiles';

/** The most of the command's output kept (its end, where test runners say what failed). */
const MAX_LOG_CHARS = 8_000;

export const recordInput = {
  command: z.array(z.string().max(4096)).min(1).max(100).describe('the test command, word by word (no shell), e.g. ["npm", "test"]'),
};

export const recordOutput = {
  status: z.number().describe("runlens record's exit status: 0 recorded, 1 findings at error, 2 not recorded"),
  log: z.string().describe("the end of the command's output"),
  recordings: z.number(),
  findings: z.array(findingSchema),
  problems: z.array(z.string()),
  truncated: z.string().optional(),
};

export const recordTool: ToolSpec<typeof recordInput, typeof recordOutput> = {
  name: 'record',
  title: 'Record the tests',
  description:
    'Runs a Node project\'s test command under the AppMap recorder (appmap-node), in the root, then returns the findings of the new recordings. ' +
    'Refused unless the server was started with --allow-record, since it runs code.',
  input: recordInput,
  output: recordOutput,
  readOnly: false,
  run: runRecordTool,
};

async function runRecordTool(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof recordInput>>): Promise<ToolAnswer> {
  if (!ws.allowRecord) throw new ToolError('record is refused: it runs a command, and this server was not allowed to (start it with runlens mcp --allow-record)');
  // The end of the output is kept (test runners say what failed last), not all of it.
  let log = '';
  let dropped = 0;
  const keep = (t: string) => {
    log += t;
    if (log.length > 2 * MAX_LOG_CHARS) {
      dropped += log.length - MAX_LOG_CHARS;
      log = log.slice(-MAX_LOG_CHARS);
    }
  };
  const io = { ...quietIo(ws.root), stdout: keep, stderr: keep };
  const before = recordingTimes(ws.root);
  let status: number;
  try {
    // The command's output is kept for the answer: this process's stdout carries protocol only.
    status = await runRecord(['--root', ws.root, '--', ...args.command], io, { commandOutput: keep });
  } catch (err) {
    if (err instanceof UsageError) throw new ToolError(err.message);
    throw err;
  }
  // The recordings this run wrote (new, or rewritten): their findings are the answer.
  const written = [...recordingTimes(ws.root)].filter(([abs, mtimeMs]) => before.get(abs) !== mtimeMs).map(([abs]) => displayPath(ws.root, abs));
  if (!written.length) throw new ToolError(`runlens record exited ${status} and the command wrote no recording; its output ends:\n${log.slice(-2000)}`);
  const output = await readRecordings(ws, { paths: written, withFixes: true });
  const ids = findingIds(output.findings);
  const shown = firstOf(output.findings, DEFAULT_ITEMS, 'findings', 'the findings tool filters them');
  const findings = shown.items.map((f) => findingJson(f, ids.get(f) as string, output.fixes.get(f), ws.root, output.unplaced.has(f)));
  dropped += Math.max(0, log.length - MAX_LOG_CHARS);
  const tail = dropped ? `… (${dropped} characters before)\n${log.slice(-MAX_LOG_CHARS)}` : log;
  const problems = problemLines(output.problems);
  return answer(boundedText([`runlens record exited ${status}`, ...findings.map(findingLine), ...(shown.truncated ? [shown.truncated] : []), ...problems.map((p) => `problem: ${p}`)].join('\n')), {
    status,
    log: tail,
    recordings: output.nRecordings,
    findings,
    problems,
    ...(shown.truncated ? { truncated: shown.truncated } : {}),
  });
}

/** Each recording under the root and its modification time, to tell which ones a run wrote. */
function recordingTimes(root: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const abs of findRecordings([root])) {
    try {
      out.set(abs, fs.statSync(abs).mtimeMs);
    } catch {
      // Gone meanwhile: not one this run wrote.
    }
  }
  return out;
}
