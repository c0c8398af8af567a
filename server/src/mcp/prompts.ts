// The MCP prompts: "fix the N+1 at …" and "verify my performance fix".

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export function registerPrompts(_server: McpServer): void {}
