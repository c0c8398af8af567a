// The MCP resources: the saved baseline, and each recording's summary, by URI.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpWorkspace } from './workspace';

export function registerResources(_server: McpServer, _ws: McpWorkspace): void {}
