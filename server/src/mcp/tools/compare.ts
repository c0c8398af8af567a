// The `compare` tool: before and after, as `runlens compare --format json` gives them (the same
// modules: cli/compare.ts readSide, core/baseline compare and compareJson), each side recordings
// under the root or the saved baseline; the lists of routes, tests and functions bounded.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BASELINE_PATH } from '../../core/baseline/baseline';
import { compare } from '../../core/baseline/compare';
import { compareJson, compareText } from '../../core/baseline/report';
import { CompareConfig } from '../../core/config';
import { readSide } from '../../cli/compare';
import { Io } from '../../cli/scan';
import { UsageError } from '../../cli/usage';
import { answer, DEFAULT_ITEMS, firstOf, MAX_ITEMS, ToolAnswer } from '../answer';
import { insideRoot, McpWorkspace, ToolError } from '../workspace';
import { pathsArg, ToolSpec } from './spec';
import { displayPath } from '../../node/workspaceFiles';

export const compareInput = {
  before: pathsArg.optional().describe('recordings or folders of them, or one saved baseline (.json), workspace-relative; the saved baseline (.runlens/baseline.json) when absent'),
  after: pathsArg.optional().describe('recordings or folders of them, workspace-relative; all recordings under the root when absent'),
  limit: z.number().int().min(1).max(MAX_ITEMS).optional().describe(`at most this many routes, tests and functions each (default ${DEFAULT_ITEMS}), those that changed most first`),
};

const entry = z.record(z.string(), z.unknown());
export const compareOutput = {
  regressed: z.boolean().describe('the verdict: true when something regressed beyond the thresholds'),
  regressions: z.array(z.string()),
  before: z.object({ source: z.string().nullable(), recordings: z.number() }).passthrough(),
  after: z.object({ source: z.string().nullable(), recordings: z.number() }).passthrough(),
  thresholds: entry,
  routes: z.array(entry),
  tests: z.array(entry),
  functions: z.array(entry),
  findings: z.object({ new: z.array(entry), resolved: z.array(entry), changed: z.array(entry) }),
  problems: z.array(z.object({ file: z.string(), message: z.string() })),
  truncated: z.string().optional(),
};

export const compareTool: ToolSpec<typeof compareInput, typeof compareOutput> = {
  name: 'compare',
  title: 'Compare before and after',
  description:
    'Before and after a change: time and SQL per route, test and function, the findings new and resolved, and the verdict (regressed or not), as `runlens compare --format json` gives them. ' +
    'Each side is recordings under the root or a saved baseline; by default the saved baseline against the current recordings.',
  input: compareInput,
  output: compareOutput,
  readOnly: true,
  run: runCompareTool,
};

async function runCompareTool(ws: McpWorkspace, args: z.infer<z.ZodObject<typeof compareInput>>): Promise<ToolAnswer> {
  const io = quietIo(ws.root);
  const beforeGiven = args.before?.length ? args.before : [DEFAULT_BASELINE_PATH];
  if (!args.before?.length && !fs.existsSync(path.join(ws.root, DEFAULT_BASELINE_PATH))) {
    throw new ToolError(`no saved baseline (${DEFAULT_BASELINE_PATH}) to compare with: give before (the earlier recordings), or save one first (save_baseline, or runlens baseline save)`);
  }
  const afterGiven = args.after?.length ? args.after : ['.'];
  // Confined here: the CLI reads a baseline named outside the root, the MCP server reads nothing there.
  const sideOf = (given: string[], name: string) => given.map((p) => displayPath(ws.root, insideRoot(ws, p, name)) || '.');
  const before = await side('BEFORE', sideOf(beforeGiven, 'before'), ws, io);
  const after = await side('AFTER', sideOf(afterGiven, 'after'), ws, io);
  const thresholds: CompareConfig = ws.config.compare;
  const comparison = compare(before.baseline, after.baseline, thresholds);
  const sources = { before: beforeGiven.join(', '), after: afterGiven.join(', ') };
  const json = JSON.parse(compareJson(comparison, [...before.problems, ...after.problems], { sources })) as Record<string, unknown> & { routes: unknown[]; tests: unknown[]; functions: unknown[] };
  const limit = args.limit ?? DEFAULT_ITEMS;
  const notes: string[] = [];
  for (const key of ['routes', 'tests', 'functions'] as const) {
    const shown = firstOf(json[key], limit, key, 'raise limit to see more');
    json[key] = shown.items;
    if (shown.truncated) notes.push(shown.truncated);
  }
  const structured = { ...json, ...(notes.length ? { truncated: notes.join('; ') } : {}) };
  const text = compareText(comparison, { sources }) + (notes.length ? `${notes.join('\n')}\n` : '');
  return answer(text, structured);
}

async function side(name: string, given: string[], ws: McpWorkspace, io: Io): ReturnType<typeof readSide> {
  try {
    return await readSide(name, given, ws.root, ws.config, io);
  } catch (err) {
    if (err instanceof UsageError) throw new ToolError(err.message);
    throw err;
  }
}

/** The CLI's modules take an Io for the folder paths are relative to; nothing is printed. */
export function quietIo(cwd: string): Io {
  return { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false, cwd };
}
