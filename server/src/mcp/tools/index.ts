// The tools, in the order a client lists them.

import { compareTool } from './compare';
import { findingsTool } from './findings';
import { saveBaselineTool } from './saveBaseline';
import { ToolSpec } from './spec';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TOOLS: ToolSpec<any, any>[] = [findingsTool, compareTool, saveBaselineTool];
