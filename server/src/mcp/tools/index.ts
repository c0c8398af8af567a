// The tools, in the order a client lists them.

import { findingsTool } from './findings';
import { ToolSpec } from './spec';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TOOLS: ToolSpec<any, any>[] = [findingsTool];
