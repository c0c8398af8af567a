// An OpenTelemetry trace written while the language server runs (JSON Lines, as the OTLP file
// exporters append them): the half-written line is no problem, and once the file is whole the
// server publishes the N+1s on their exact query lines. The trace is the otel-probe's, recorded by
// the real OpenTelemetry Node SDK with code.stacktrace on its database spans.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { Diagnostic } from 'vscode-languageserver-protocol';
import { startInProcess, TestClient } from '../support/lspClient';

const PROBE = path.join(__dirname, '../../../../test/workspaces/otel-probe');
const TRACE = '.runlens/traces/stacks.otlp.jsonl';

describe('an OTLP JSON Lines trace written while the server watches', function () {
  this.timeout(120_000);
  let root: string;
  let client: TestClient | undefined;

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-otlp-')));
    fs.cpSync(path.join(PROBE, 'src'), path.join(root, 'src'), { recursive: true });
    fs.mkdirSync(path.join(root, '.runlens', 'traces'), { recursive: true });
  });

  afterEach(async () => {
    try {
      await client?.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('says nothing of a half-written line, then publishes the N+1s on the per-row query lines', async () => {
    const bytes = fs.readFileSync(path.join(PROBE, TRACE));
    const recordedRoot = /"key":"process\.command","value":\{"stringValue":"([^"]+)\/record\.js"\}/.exec(bytes.toString('utf8'))?.[1];
    assert.ok(recordedRoot);
    client = await startInProcess(root, { initializationOptions: { pathMappings: { [recordedRoot]: '.' } } }, { watch: true });
    const c = client;
    const firstLine = bytes.indexOf(0x0a) + 1;
    const half = firstLine + ((bytes.length - firstLine) >> 1);
    assert.ok(bytes.indexOf(0x0a, firstLine) >= half, 'the cut is inside the second line');

    // The first line and half of the second: read, with no problem on the trace.
    const trace = path.join(root, TRACE);
    const indexed = c.waitFor('runlens/indexChanged', () => true, 60_000);
    fs.writeFileSync(trace, bytes.subarray(0, half));
    await indexed;
    assert.deepEqual(published(c).get(TRACE) ?? [], []);

    // The rest: the N+1s, each on its per-row query, as `runlens scan` places them.
    fs.appendFileSync(trace, bytes.subarray(half));
    const want = ['src/app.js:10:5 n-plus-one N+1: 12 queries from this query', 'src/app.js:19:7 n-plus-one N+1: 12 queries from this query'];
    const deadline = Date.now() + 60_000;
    while (JSON.stringify(lines(c)) !== JSON.stringify(want)) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`the diagnostics did not settle; now: ${JSON.stringify(lines(c))}`);
      await c.waitFor('runlens/indexChanged', () => true, left).catch(() => undefined);
    }
  });
});

function published(client: TestClient): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const [uri, diagnostics] of client.diagnostics) {
    if (diagnostics.length) out.set(path.relative(client.root, URI.parse(uri).fsPath).split(path.sep).join('/'), diagnostics);
  }
  return out;
}

function lines(client: TestClient): string[] {
  return [...published(client)].flatMap(([file, ds]) => ds.map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message.split('\n')[0]}`)).sort();
}
