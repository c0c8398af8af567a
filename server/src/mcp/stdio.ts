// `runlens mcp`: the MCP server over stdin and stdout. Parses its flags, then from here on stdout
// carries protocol only (logs go to stderr). The process ends when the client closes stdin.

import * as path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { resolveConfig } from '../core/config';
import { readConfigFile, isDirectory } from '../cli/scan';
import { eachArg, isOption, MCP_USAGE, unknownOption, UsageError } from '../cli/usage';
import { realRoot } from '../node/workspaceFiles';
import { createMcpServer } from './server';
import { McpWorkspace } from './workspace';

export function parseMcpArgs(args: string[], cwd: string): McpWorkspace {
  let rootArg = '.';
  let configFile: string | undefined;
  let allowRecord = false;
  let allowWrite = false;
  eachArg(args, (flag, value, arg) => {
    if (flag === '--root') rootArg = value();
    else if (flag === '--config') configFile = value();
    else if (flag === '--allow-record') allowRecord = true;
    else if (flag === '--allow-write') allowWrite = true;
    else if (isOption(flag)) throw unknownOption(flag, MCP_USAGE);
    else throw new UsageError(`mcp takes no paths ("${arg}"): give the project's folder with --root`);
  });
  const abs = path.resolve(cwd, rootArg);
  if (!isDirectory(abs)) throw new UsageError(`--root ${rootArg}: not a folder`);
  const config = configFile ? readConfigFile(path.resolve(cwd, configFile)) : resolveConfig({});
  return { root: realRoot(abs), config, allowRecord, allowWrite };
}

export async function serveMcp(args: string[], cwd: string): Promise<number> {
  const ws = parseMcpArgs(args, cwd);
  const server = createMcpServer(ws);
  const transport = new StdioServerTransport();
  const closed = new Promise<number>((resolve) => {
    transport.onclose = () => resolve(0);
    process.stdin.on('end', () => resolve(0));
  });
  await server.connect(transport);
  process.stderr.write(`runlens mcp: serving ${ws.root}${ws.allowWrite ? ', --allow-write' : ''}${ws.allowRecord ? ', --allow-record' : ''}\n`);
  return closed;
}
