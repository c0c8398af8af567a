// The MCP server: every tool of tools/ registered with its input and output schemas, the
// resources and the prompts, on one McpServer of the official SDK. Only `runlens mcp` loads this
// (cli/main.ts imports it lazily), so the other commands never load the SDK.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { packageVersion } from '../node/packageInfo';
import { McpWorkspace, ToolError } from './workspace';
import { TOOLS } from './tools/index';
import { registerResources } from './resources';
import { registerPrompts } from './prompts';

/** The most values (array elements and object members) one tool call's arguments may hold. */
const MAX_ARGUMENT_ELEMENTS = 10_000;

export function createMcpServer(ws: McpWorkspace): McpServer {
  const server = new McpServer(
    { name: 'runlens', version: packageVersion() },
    {
      instructions:
        'runlens reads performance recordings (AppMap) of this project and puts N+1 queries and slow calls on the line that caused them. ' +
        'Typical loop: findings → apply the fix edit → re-record the tests → compare (a baseline or the old recordings against the new) → resolved.',
      maxToolInputElements: MAX_ARGUMENT_ELEMENTS,
    },
  );
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, readOnlyHint: tool.readOnly, destructiveHint: false, openWorldHint: false },
      },
      // A ToolError is a refusal said to the client; anything else is said too (the SDK makes it the
      // tool's error), with what it was, so that a defect is reported and the server stays up.
      async (args: unknown) => {
        try {
          return await tool.run(ws, args as never);
        } catch (err) {
          if (err instanceof ToolError) throw err;
          throw new Error(`internal error in ${tool.name} (please report): ${(err as Error).stack ?? err}`);
        }
      },
    );
  }
  registerResources(server, ws);
  registerPrompts(server);
  return server;
}

