// What a real agent's recording says that does not change from run to run (its shape), to compare
// a fresh recording with a committed one: appmap-node writes queries run in parallel in the order
// they happened to run, and times, ids, ports and timestamps differ on every run. Also a bounded
// runner for the scripts that record.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { dialectOf, normalizeSql } from '../../server/src/core/sql/normalize';

export interface RecordingJson {
  metadata: { client: unknown; recorder: unknown; language: { version?: string }; source_location?: string; test_status?: string; [key: string]: unknown };
  classMap: unknown;
  events: Array<Record<string, unknown> & { path?: unknown }>;
}

export function readRecordingJson(file: string): RecordingJson {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RecordingJson;
}

/**
 * What a recording says that does not change from run to run: its metadata (but the Node
 * version), its classMap, how many events of each kind and responses of each status it has, and
 * its call tree as a multiset:
 * for each call (and the recording, above its root calls), the path of calls above it and its
 * children by kind, function and SQL shape, with how many times each; equal entries are counted.
 * Left out: times, ids, parameters and return values (they show timestamps), headers (the port),
 * and the order of events, which differs when queries run in parallel.
 * With `sqlUnder: 'request'`, a query counts under its HTTP request (or the recording) rather
 * than under the innermost open call: appmap-node 2.27 sometimes writes an async function's
 * return as soon as it returns its promise (seen with ts-node), and its queries then open under
 * the request, after the function's return, in one run of several.
 */
export function shapeOf(recording: RecordingJson, options: { sqlUnder?: 'call' | 'request' } = {}): unknown {
  const metadata = { ...recording.metadata, language: { ...recording.metadata.language, version: undefined } };
  const events: Record<string, number> = {};
  const count = (key: string) => (events[key] = (events[key] ?? 0) + 1);
  // The calls as a tree, built as runlens reads it: per thread, the parent of a call is the
  // innermost open call that can have children (a query or an outgoing request has none, so
  // queries opened together are siblings whatever order they are written in).
  interface Node { path: string; children: string[]; open: boolean; request: boolean }
  const root: Node = { path: '(recording)', children: [], open: true, request: true };
  const nodes: Node[] = [root];
  const byId = new Map<unknown, Node>();
  const scopes = new Map<unknown, Node[]>();
  for (const e of recording.events) {
    if (e.event === 'return') {
      count('return');
      const node = byId.get(e.parent_id);
      if (node) node.open = false;
      const response = e.http_server_response as { status_code?: number } | undefined;
      if (response) count(`response ${response.status_code}`);
      continue;
    }
    const stack = scopes.get(e.thread_id) ?? [];
    scopes.set(e.thread_id, stack);
    while (stack.length && !stack[stack.length - 1].open) stack.pop();
    const sql = e.sql_query as { sql: string; database_type?: string } | undefined;
    let top = stack.length - 1;
    if (sql && options.sqlUnder === 'request') while (top >= 0 && !stack[top].request) top--;
    const parent = stack[top] ?? root;
    const request = e.http_server_request as { request_method?: string; path_info?: string } | undefined;
    const kind = sql ? 'sql' : request ? 'http' : e.http_client_request ? 'http client' : 'function';
    count(kind);
    const label = sql
      ? `SQL ${normalizeSql(sql.sql, dialectOf(sql.database_type))}`
      : request
        ? `${request.request_method} ${request.path_info}`
        : `${String(e.defined_class)}.${String(e.method_id)} (${String(e.path)}:${String(e.lineno)}${e.static ? ', static' : ''})`;
    const node: Node = { path: `${parent.path} ▸ ${label}`, children: [], open: true, request: kind === 'http' };
    byId.set(e.id, node);
    parent.children.push(label);
    if (kind === 'function' || kind === 'http') {
      stack.push(node);
      nodes.push(node);
    }
  }
  const children: Record<string, number> = {};
  for (const node of nodes) {
    const counts = new Map<string, number>();
    for (const c of node.children) counts.set(c, (counts.get(c) ?? 0) + 1);
    const key = `${node.path}\n${[...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([c, n]) => `  ${n} × ${c}`).join('\n') || '  (no calls)'}`;
    children[key] = (children[key] ?? 0) + 1;
  }
  return { metadata, classMap: recording.classMap, events, children: Object.fromEntries(Object.entries(children).sort()) };
}

/** Runs a command in its own process group, killed whole if it outlives the timeout. */
export function runBounded(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
