// The MCP server as an agent runs it: the built binary (`runlens mcp`) as a child process, spoken
// to by the official SDK's own Client over stdio; every call and answer kept, for the transcript.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from './cli';

export interface McpTestClient {
  client: Client;
  root: string;
  /** A tool's answer (an error answer too: isError), kept in the transcript. */
  call(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  transcript: { name: string; args: Record<string, unknown>; result: ToolResult }[];
  stderr(): string;
  close(): Promise<void>;
}

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

export async function startMcp(root: string, flags: string[] = []): Promise<McpTestClient> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--root', root, ...flags], cwd: root, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'runlens-test', version: '1.0.0' });
  await client.connect(transport);
  const transcript: McpTestClient['transcript'] = [];
  return {
    client,
    root,
    transcript,
    async call(name, args) {
      const result = (await client.callTool({ name, arguments: args })) as ToolResult;
      transcript.push({ name, args, result });
      return result;
    },
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** A copy of an example project (its dependencies left out) in a fresh folder, by its real path. */
export function copyProject(from: string): string {
  const to = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-mcp-')));
  fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
  return to;
}

/** The text of an answer (its text contents joined). */
export function textOf(result: ToolResult): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}
