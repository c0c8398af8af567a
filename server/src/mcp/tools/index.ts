// The tools, in the order a client lists them.

import { callTreeTool } from './callTree';
import { compareTool } from './compare';
import { explainFindingTool } from './explainFinding';
import { findingsTool } from './findings';
import { hotspotsTool } from './hotspots';
import { recordTool } from './record';
import { saveBaselineTool } from './saveBaseline';
import { ToolSpec } from './spec';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TOOLS: ToolSpec<any, any>[] = [findingsTool, explainFindingTool, hotspotsTool, callTreeTool, compareTool, saveBaselineTool, recordTool];
