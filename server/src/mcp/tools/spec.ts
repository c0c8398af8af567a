// What a tool is, apart from the SDK: its name, words, zod input and output shapes, and what it
// does with the workspace. server.ts registers each; the tests and the docs read the list.

import { z } from 'zod';
import { ToolAnswer } from '../answer';
import { McpWorkspace } from '../workspace';

/** The longest path a client may give (Linux's PATH_MAX). */
export const MAX_PATH_CHARS = 4096;
/** The most paths one argument may list. */
export const MAX_PATHS = 1000;

export const pathArg = z.string().min(1).max(MAX_PATH_CHARS);
export const pathsArg = z.array(pathArg).max(MAX_PATHS);

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  /** Reads only (MCP's readOnlyHint); false for save_baseline and record. */
  readOnly: boolean;
  run: (ws: McpWorkspace, args: z.infer<z.ZodObject<I>>) => Promise<ToolAnswer>;
}
