// The MCP resources: the saved baseline (`runlens://baseline`, .runlens/baseline.json read through
// node/baselineFile.ts) and each recording's summary (`runlens://recording/<path>`: its test,
// routes, time, SQL, findings and problems), listed from the recordings under the root.

import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { DEFAULT_BASELINE_PATH, describeBaseline } from '../core/baseline/baseline';
import { serializeBaseline } from '../core/baseline/serialize';
import { formatProblem } from '../core/problem';
import { readBaselineFile } from '../node/baselineFile';
import { findRecordings, isRecordingName } from '../node/recordings';
import { displayPath } from '../node/workspaceFiles';
import { boundedSql, MAX_ITEMS } from './answer';
import { findingJson } from './findingJson';
import { findingIds, insideRoot, McpWorkspace, problemLines, readRecordings, ToolError } from './workspace';

export const BASELINE_URI = 'runlens://baseline';
export const RECORDING_URI_PREFIX = 'runlens://recording/';

/** The largest resource text (characters): a baseline of tens of thousands of functions is cut to its summary. */
const MAX_RESOURCE_CHARS = 1 << 20;
/** Recordings listed at most (a client reads the others by URI). */
const MAX_LISTED = 1000;

export function registerResources(server: McpServer, ws: McpWorkspace): void {
  server.registerResource(
    'baseline',
    BASELINE_URI,
    { title: 'The saved baseline', description: `${DEFAULT_BASELINE_PATH}: time and SQL per route, test and function, and the findings, as compare measures against`, mimeType: 'application/json' },
    async (uri) => {
      const { baseline, problems } = await readBaselineFile(ws.root);
      if (!baseline) throw new ToolError(`no saved baseline: ${problems.map((p) => formatProblem(p)).join('; ') || `${DEFAULT_BASELINE_PATH} is absent`}`);
      let text = serializeBaseline(baseline);
      if (text.length > MAX_RESOURCE_CHARS) {
        text = JSON.stringify({ truncated: `the baseline is ${text.length} characters; its summary only: ${describeBaseline(baseline)}; the compare tool measures against all of it`, recordings: baseline.recordings, findings: baseline.findings.slice(0, MAX_ITEMS) }, null, 2);
      }
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    },
  );

  server.registerResource(
    'recording',
    new ResourceTemplate(`${RECORDING_URI_PREFIX}{+path}`, {
      list: async () => {
        const files = findRecordings([ws.root], { root: ws.root }).slice(0, MAX_LISTED);
        return {
          resources: files.map((abs) => {
            const rel = displayPath(ws.root, abs);
            return { uri: recordingUri(rel), name: rel, mimeType: 'application/json', description: 'the recording\'s summary: test, routes, time, SQL, findings, problems' };
          }),
        };
      },
    }),
    { title: 'A recording\'s summary', description: 'A recording under the root: its test, routes, time, SQL, findings and problems', mimeType: 'application/json' },
    async (uri, variables) => {
      const given = decodePath(String(variables.path ?? ''));
      const abs = insideRoot(ws, given, 'recording');
      if (!isRecordingName(abs)) throw new ToolError(`recording ${JSON.stringify(given)}: not a recording (*.appmap.json)`);
      const output = await readRecordings(ws, { paths: [displayPath(ws.root, abs)], withSummaries: true, withFixes: true });
      const summary = output.summaries[0];
      const ids = findingIds(output.findings);
      const json = {
        recording: displayPath(ws.root, abs),
        name: summary?.metadata.name ?? null,
        agent: summary?.metadata.agentName ?? null,
        test: summary?.test ? { name: summary.test.name, status: summary.metadata.testStatus ?? null } : null,
        totalMs: summary ? summary.stats.roots.totalMs : null,
        sql: summary ? summary.stats.nSql : 0,
        requests: summary ? summary.stats.nRequests : 0,
        routes: summary ? [...summary.stats.routes.values()].slice(0, MAX_ITEMS).map((r) => ({ route: r.route, calls: r.nCalls, totalMs: r.totalMs, sql: r.nSql })) : [],
        slowestQueries: summary ? [...summary.stats.sqlShapes.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, 10).map((q) => ({ sql: boundedSql(q.shape), calls: q.nCalls, totalMs: q.totalMs })) : [],
        findings: output.findings.slice(0, MAX_ITEMS).map((f) => findingJson(f, ids.get(f) as string, output.fixes.get(f), ws.root, output.unplaced.has(f))),
        problems: problemLines(output.problems),
      };
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(json, null, 2) }] };
    },
  );
}

/** `runlens://recording/tmp/appmap/a%20b.appmap.json`: each segment percent-encoded. */
export function recordingUri(rel: string): string {
  return RECORDING_URI_PREFIX + rel.split('/').map(encodeURIComponent).join('/');
}

function decodePath(p: string): string {
  try {
    return p.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new ToolError(`recording ${JSON.stringify(p)}: not a well-formed URI path`);
  }
}
