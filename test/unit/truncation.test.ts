// Half-written recordings: every recording of ../shared/corpus/appmaps cut short at many points
// (every byte of the small ones, evenly spaced and seeded random points of the large ones) reads
// without a throw, with one error at the byte where it ends, and with the calls it holds being the
// first calls of the complete recording. A recording completed later reads as if it had never been
// cut, by the reader and through the language server watching a workspace.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Diagnostic } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { createRecordingReader, readRecording, ReadResult } from '../../server/src/core/appmap/read';
import { Call, CallKind, CallView, callView, Trace } from '../../server/src/core/trace';
import { walk } from '../../server/src/node/workspaceFiles';
import { BOOKS_RECORDING, BOOKSHOP } from '../support/bookshop';
import { startInProcess, TestClient } from '../support/lspClient';
import { seededRandom, seedOf } from '../support/random';
import { CORPUS } from '../support/corpus';

/** Recordings up to this size are cut at every byte. */
const EVERY_BYTE_MAX = 6 << 10;
/** Larger ones at this many points, half evenly spaced and half random… */
const MAX_CUTS = 200;
/** …fewer where the file is large: the prefixes read for one file stay within this many bytes. */
const BYTES_READ_PER_FILE = 12 << 20;
const MIN_CUTS = 16;
/** Failures listed in full; the rest are counted. */
const SHOWN = 20;

/** The metadata of a recording that has none. */
const NO_METADATA = JSON.stringify(readRecording('none.appmap.json', '{}').trace.metadata);

const TRUNCATED = /^not valid JSON: (unexpected end of file .*: the file is truncated|the file is empty: no JSON value); read what came before it$/;

describe('truncated recordings', function () {
  this.timeout(300_000);

  it('reads every cut of every corpus recording without a throw, with one truncation error and a prefix of the calls', () => {
    const dir = path.join(CORPUS, 'appmaps');
    const files = walk(dir, (f) => f.endsWith('.appmap.json')).sort();
    const wrong: string[] = [];
    let nCuts = 0;
    let nCrashes = 0;
    const fail = (message: string) => {
      if (wrong.length < SHOWN) wrong.push(message);
      else if (wrong.length === SHOWN) wrong.push('… and more');
    };
    for (const rel of files) {
      const bytes = fs.readFileSync(path.join(dir, rel));
      const full = readRecording(rel, bytes);
      const errors = full.problems.filter((p) => p.severity === 'error');
      if (errors.length) {
        fail(`${rel}: the complete recording has errors: ${errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const end = valueEnd(bytes);
      let previous: Trace | undefined;
      for (const cut of cutPoints(rel, end)) {
        nCuts++;
        let result: ReadResult;
        try {
          result = readRecording(rel, bytes.subarray(0, cut));
        } catch (err) {
          nCrashes++;
          fail(`${rel} cut at ${cut}: threw ${err instanceof Error ? err.stack : err}`);
          continue;
        }
        const why = checkCut(rel, cut, result, full.trace, previous);
        if (why) fail(`${rel} cut at ${cut}: ${why}`);
        previous = result.trace;
      }
      // Trailing white space is not part of the value: cut after the value, the file is complete.
      if (!sameRead(readRecording(rel, bytes.subarray(0, end)), full)) fail(`${rel}: cut after its value (byte ${end}), it reads differently from the whole file`);
      // Half written, then the rest arrives: the reader that waited gives the complete read…
      const reader = createRecordingReader(rel);
      reader.write(bytes.subarray(0, bytes.length >> 1));
      reader.write(bytes.subarray(bytes.length >> 1));
      if (!sameRead(reader.end(), full)) fail(`${rel}: written in two halves, it reads differently from the whole file`);
      // …and reading the complete file again after all those halves gives it too (nothing is kept
      // from one read to the next).
      if (!sameRead(readRecording(rel, bytes), full)) fail(`${rel}: read again after its cuts, it reads differently`);
    }
    console.log(`truncation: ${files.length} files, ${nCuts} cut points tried, ${nCrashes} crashes`);
    assert.equal(files.length, 53);
    assert.deepEqual(wrong, []);
    assert.equal(nCrashes, 0);
  });
});

describe('a recording written in two halves, in a watched workspace', function () {
  let root: string;
  let client: TestClient;

  beforeEach(async () => {
    // The bookshop example as committed, without its node_modules (never read for recordings).
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-truncation-')));
    fs.cpSync(BOOKSHOP, root, { recursive: true, filter: (from) => !from.includes(`${path.sep}node_modules`) });
    client = await startInProcess(root, { capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } } }, { watch: true });
  });

  afterEach(async () => {
    try {
      await client.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('shows the truncation on the half-written file, then exactly the diagnostics and lenses of the complete recording', async () => {
    const complete = publishedDiagnostics(client);
    const completeLenses = await lenses(client, 'src/routes/books.js');
    assert.ok(complete.get('src/routes/books.js')?.some((d) => d.code === 'n-plus-one'), `no N+1 on the complete recording: ${JSON.stringify([...complete])}`);
    const recording = path.join(root, BOOKS_RECORDING);
    const bytes = fs.readFileSync(recording);
    const half = bytes.length >> 1;

    // The agent has written half of the file: the diagnostic is the reader's problem, on the recording.
    const [truncation] = readRecording(BOOKS_RECORDING, bytes.subarray(0, half)).problems;
    assert.match(truncation.message, TRUNCATED);
    fs.writeFileSync(recording, bytes.subarray(0, half));
    const onRecording = (d: Map<string, Diagnostic[]>) => (d.get(BOOKS_RECORDING) ?? []).map((x) => `${x.severity} ${x.message}`);
    await settled(client, (d) => JSON.stringify(onRecording(d)) === JSON.stringify([`1 byte ${half}: ${truncation.message}`]), onRecording);

    // Then the rest: everything is as it was with the complete recording.
    fs.appendFileSync(recording, bytes.subarray(half));
    await settled(client, (d) => sameDiagnostics(d, complete), (d) => [...d]);
    assert.deepEqual(await lenses(client, 'src/routes/books.js'), completeLenses);
  });
});

// ---- helpers ----------------------------------------------------------------------------------

/** Where to cut a recording whose value ends at `end`: every byte, or a bounded, seeded sample; ascending. */
function cutPoints(rel: string, end: number): number[] {
  if (end <= EVERY_BYTE_MAX) return Array.from({ length: end }, (_, k) => k);
  // Reading a prefix costs its length; on average half the file.
  const n = Math.max(MIN_CUTS, Math.min(MAX_CUTS, Math.floor(BYTES_READ_PER_FILE / (end / 2))));
  const random = seededRandom(seedOf(rel));
  const cuts = new Set<number>([0, 1, end - 1]);
  for (let k = 0; k < n / 2; k++) cuts.add(Math.floor((end * k) / (n / 2)));
  while (cuts.size < n) cuts.add(Math.floor(random() * end));
  return [...cuts].sort((a, b) => a - b);
}

/** The offset just after the last byte that is not white space. */
function valueEnd(bytes: Buffer): number {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09)) end--;
  return end;
}

/**
 * What must hold of a recording cut at `cut`: one error, the truncation at `cut`; the calls a prefix
 * of the complete read's, each the same call in the same place of the tree; no fewer calls than at
 * the previous (shorter) cut. Returns what is wrong, or undefined.
 */
function checkCut(rel: string, cut: number, cutRead: ReadResult, full: Trace, previous: Trace | undefined): string | undefined {
  const errors = cutRead.problems.filter((p) => p.severity === 'error');
  if (errors.length !== 1 || errors[0].byteOffset !== cut || !TRUNCATED.test(errors[0].message)) return `expected one truncation error at byte ${cut}, got ${JSON.stringify(errors)}`;
  if (!cutRead.problems.every((p) => p.file === rel)) return `a problem does not name the file: ${JSON.stringify(cutRead.problems)}`;
  const trace = cutRead.trace;
  if (trace.calls.length > full.calls.length) return `${trace.calls.length} calls, more than the complete recording's ${full.calls.length}`;
  if (previous && trace.calls.length < previous.calls.length) return `${trace.calls.length} calls, fewer than ${previous.calls.length} at a shorter cut`;
  if (trace.nEvents > full.nEvents) return `${trace.nEvents} events, more than the complete recording's ${full.nEvents}`;
  for (let k = 0; k < trace.functions.length; k++) {
    if (functionKey(trace, k) !== functionKey(full, k)) return `function ${k} is ${functionKey(trace, k)}, in the complete recording ${functionKey(full, k)}`;
  }
  // The two recordings with eventUpdates (appmap-node) replace returns at the end of the file; only
  // there may the time and status of a returned call still change.
  const returnsFinal = full.nEventUpdates === 0;
  for (let c = 0; c < trace.calls.length; c++) {
    const call = callView(trace, c);
    const whole = callView(full, c);
    const got = callKey(trace, c);
    const want = callKey(full, c);
    if (got !== want) return `call ${call.index} is ${got}, in the complete recording ${want}`;
    if (call.returned && !whole.returned) return `call ${call.index} returned, but not in the complete recording`;
    if (call.returned && returnsFinal && returnKey(call) !== returnKey(whole)) return `call ${call.index} returned with ${returnKey(call)}, in the complete recording ${returnKey(whole)}`;
  }
  // Metadata and version are read whole or not at all.
  if (trace.version !== full.version && trace.version !== undefined) return `version ${trace.version}, complete ${full.version}`;
  const metadata = JSON.stringify(trace.metadata);
  if (metadata !== JSON.stringify(full.metadata) && metadata !== NO_METADATA) return `metadata ${metadata} is neither the complete one nor none`;
  return undefined;
}

/**
 * A call as the tree sees it when it is made: thread, place in the tree, and what was called. A
 * query is its key's first text (the same in a prefix: it came first) and the hash of its literals.
 */
function callKey(trace: Trace, call: Call): string {
  const c = callView(trace, call);
  let what: string;
  if (c.kind === CallKind.Sql) what = `sql ${c.sql?.databaseType} ${c.sql?.text} ${trace.calls.sqlValues[call]}`;
  else if (c.kind === CallKind.HttpServer) what = `http ${c.http?.method} ${c.http?.path} ${c.http?.route}`;
  else if (c.kind === CallKind.HttpClient) what = `client ${c.client?.method} ${c.client?.url}`;
  else what = c.fn === -1 ? 'unknown' : functionKey(trace, c.fn);
  return `t${c.threadId} parent ${c.parent} depth ${c.depth} ${what}`;
}

/** What a return says of its call. */
function returnKey(c: CallView): string {
  return JSON.stringify([c.elapsedMs, c.http?.status, c.client?.status, c.exception]);
}

/** A function's identity, without the labels (the classMap that holds them is often after the events). */
function functionKey(trace: Trace, index: number): string {
  const f = trace.functions[index];
  return f ? `${f.definedClass}${f.isStatic ? '.' : '#'}${f.methodId} ${f.recordedPath ?? ''}:${f.recordedLine ?? ''}` : 'none';
}

function sameRead(a: ReadResult, b: ReadResult): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** The diagnostics the client holds, by workspace-relative path, files without any left out. */
function publishedDiagnostics(client: TestClient): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const [uri, diagnostics] of client.diagnostics) {
    if (diagnostics.length) out.set(path.relative(client.root, URI.parse(uri).fsPath).split(path.sep).join('/'), diagnostics);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function sameDiagnostics(a: Map<string, Diagnostic[]>, b: Map<string, Diagnostic[]>): boolean {
  return JSON.stringify([...a]) === JSON.stringify([...b]);
}

/**
 * Waits until the published diagnostics satisfy `done`, re-checking each time the index changes
 * (diagnostics are published just before runlens/indexChanged); fails showing `shown` of them.
 */
async function settled(client: TestClient, done: (d: Map<string, Diagnostic[]>) => boolean, shown: (d: Map<string, Diagnostic[]>) => unknown, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done(publishedDiagnostics(client))) {
    const left = deadline - Date.now();
    if (left <= 0) assert.fail(`the diagnostics did not settle; now: ${JSON.stringify(shown(publishedDiagnostics(client)))}`);
    await client.waitFor('runlens/indexChanged', () => true, left).catch(() => undefined);
  }
}

async function lenses(client: TestClient, rel: string): Promise<string[]> {
  const result: { range: { start: { line: number } }; command?: { title: string } }[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: client.uri(rel) } });
  return result.map((l) => `${l.range.start.line}: ${l.command?.title}`);
}
