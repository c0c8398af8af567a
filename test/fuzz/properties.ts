// The properties the fuzz tests hold runlens to, on every input of inputs.ts: the reader never
// throws, does work in proportion to the input, keeps memory in proportion to it (and none for
// a huge string beyond its cap), reports broken JSON as an error at a byte, builds a well-formed
// call tree, and gives the same result however the bytes are chunked; the analysis after it
// (findings, summaries, index and editor features, baselines, comparisons, Markdown and HTML
// reports, `scan`) never throws either, and does work in proportion to the input too. Each check
// throws an AssertionError naming what failed.
//
// Cost is bounded by counting work (server/src/core/workCounter.ts: bytes, events, parents
// followed…), the same on any machine and under any load: that is all `npm test` checks. The long
// run (`npm run fuzz`) also bounds time, which sees cost no counter was put on: not against a
// fixed number of milliseconds, but against the reader's own speed on the real recordings of the
// corpus, measured in the same process just before (`calibrate`), with a generous factor.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import fc from 'fast-check';
import { createRecordingReader, readRecording, ReadResult } from '../../server/src/core/appmap/read';
import { baselineOf } from '../../server/src/core/baseline/baseline';
import { compare } from '../../server/src/core/baseline/compare';
import { changeSince, newSince, resolvedSince } from '../../server/src/core/baseline/live';
import { compareJson, compareMarkdown, compareText } from '../../server/src/core/baseline/report';
import { parseBaseline, serializeBaseline } from '../../server/src/core/baseline/serialize';
import { resolveConfig, RunlensConfig } from '../../server/src/core/config';
import { mergeFindings } from '../../server/src/core/findings/finding';
import { findingsIn } from '../support/check';
import { eagerLoadingFix, Fix } from '../../server/src/core/fixes/index';
import { withoutIgnored } from '../../server/src/core/fixes/ignore';
import { callItem, incomingCalls, outgoingCalls, prepareCallItem } from '../../server/src/core/ide/callHierarchy';
import { renderCallTree, renderQueries } from '../../server/src/core/ide/callTree';
import { codeLenses } from '../../server/src/core/ide/codeLens';
import { diagnosticsByFile } from '../../server/src/core/ide/diagnostics';
import { hoverAt } from '../../server/src/core/ide/hover';
import { resolvedFindings, Since } from '../../server/src/core/ide/since';
import { workspaceSymbols } from '../../server/src/core/ide/symbols';
import { RecordingSummary, summarize } from '../../server/src/core/index/summary';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { Problem } from '../../server/src/core/problem';
import { renderHtml } from '../../server/src/core/report/html';
import { reportMarkdown } from '../../server/src/core/report/markdown';
import { createSideBuilder, reportModel } from '../../server/src/core/report/model';
import { SourceIndex, SourceLocation } from '../../server/src/core/sourceIndex';
import { allCalls, CallKind, Trace } from '../../server/src/core/trace';
import { scan } from '../../server/src/cli/scan';
import { formatJson, formatSarif, formatText } from '../../server/src/cli/formats';
import { isWellFormed } from '../../server/src/core/text';
import { readRecordingFileSync } from '../../server/src/node/readRecordingFile';
import { loadParsers } from '../../server/src/node/treeSitter';
import { workspaceFiles } from '../../server/src/node/workspaceFiles';
import { workOf } from '../../server/src/core/workCounter';
import { REPO } from '../support/corpus';
import { corpusBytes, corpusIndexes, InputSpec, inputArbitrary, isHugeStringShape, labelOf, materialize, Scale } from './inputs';

// ---- bounds -----------------------------------------------------------------------------------

/**
 * Steps of work (core/workCounter.ts) reading may count per input byte. The parser counts one
 * per byte; events, open calls dropped and functions compared add at most about one more per
 * byte on the costliest inputs measured (tiny events). A reader that reads its input twice is
 * already near the bound; a quadratic one exceeds it once inputs are a few hundred KB.
 */
export const READ_WORK_PER_BYTE = 4;
/** Steps of work the analysis of a read recording may count per input byte (see checkAnalysis). */
export const ANALYSIS_WORK_PER_BYTE = 4;
/** Inputs smaller than this are bounded as if they were this size: fixed costs (tables grown once, a report's frame) dominate them. */
export const WORK_FLOOR_BYTES = 64 * 1024;
/**
 * Reading may take this many times longer per byte than the reader takes on real recordings.
 * Generous, because pathological but linear inputs (tiny events, built metadata) cost more per
 * byte than real ones; a quadratic cost exceeds any constant factor once inputs are large enough.
 */
export const TIME_FACTOR = 40;
/** Inputs smaller than this are timed as if they were this size: fixed costs and timer noise dominate them. */
export const TIME_FLOOR_BYTES = 256 * 1024;
/** The analysis may take this many times what reading the same bytes at the calibrated speed takes. */
export const ANALYSIS_TIME_FACTOR = 200;
/**
 * Heap kept after reading, per input byte. The trace is in memory by design: the smallest call
 * event, `{"event":"call"},` (17 bytes), keeps about 100 bytes (its columns, what their growth
 * reserves, its place on the open stacks and in the id index).
 */
export const RETAINED_PER_BYTE = 24;
/**
 * Memory held at any point while reading in 1 MiB chunks, per input byte. A recording of minimal
 * call events, the costliest per byte by design (its trace is 11.5 × its size), holds 16 ×: a
 * value built whole (metadata, classMap, a kept event field) must cost no more than that.
 */
export const PEAK_PER_BYTE = 24;
/** Slack added to the memory bounds: the heap moves by a few MB for reasons of its own. */
export const MEMORY_SLACK_BYTES = 64 << 20;
/** A huge string is cut at 1 MiB: what is kept of an input that is one huge string is bounded whatever its size. */
export const HUGE_STRING_RETAINED_BYTES = 16 << 20;
/** Memory is measured for inputs from this size; below it the slack dwarfs any bound. */
export const MEMORY_MIN_BYTES = 4 << 20;
/** The largest line number the protocol can carry (LSP `uinteger` positions are 0-based). */
export const MAX_LINE = 2 ** 31 - 1;

// ---- calibration ------------------------------------------------------------------------------

let nsPerByteCache: number | undefined;

/**
 * Nanoseconds per byte the reader takes on the real recordings of the corpus (the best of three
 * reads of each file over 100 KB, so JIT warm-up and GC do not count), measured once per process.
 */
export function calibrate(): number {
  if (nsPerByteCache !== undefined) return nsPerByteCache;
  let bytes = 0;
  let ns = 0;
  for (const i of corpusIndexes(Infinity)) {
    const b = corpusBytes(i);
    if (b.length < 100_000) continue;
    let best = Infinity;
    for (let k = 0; k < 3; k++) best = Math.min(best, timeNs(() => readRecording('calibration.appmap.json', b)));
    bytes += b.length;
    ns += best;
  }
  nsPerByteCache = ns / bytes;
  return nsPerByteCache;
}

/** The time reading `bytes` bytes may take, in ms (see TIME_FACTOR). */
export function readTimeLimitMs(bytes: number, nsPerByte: number): number {
  return (TIME_FACTOR * nsPerByte * Math.max(bytes, TIME_FLOOR_BYTES)) / 1e6;
}

function timeNs(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0);
}

/** V8's collector, exposed at run time (no --expose-gc needed on the command line). */
const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** This thread's heap: what the reader keeps (decoded strings, calls) lives there. */
function heapUsed(): number {
  return v8.getHeapStatistics().used_heap_size;
}

/**
 * The heap and what lives outside it (Buffers, large Latin-1 strings): what is held while reading.
 * Not for what is kept: a worker thread frees Buffers' memory only once it returns to its event
 * loop, so a copy of a chunk already dropped would count as kept.
 */
function memoryUsed(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

// ---- the reader -------------------------------------------------------------------------------

export type Reader = (recordingPath: string, bytes: Buffer) => ReadResult;

/** What reading one input showed, for the counts a run prints. */
export interface ReadOutcome {
  errors: number;
  calls: number;
  readMs: number;
  /** Steps of work counted while reading. */
  readWork: number;
  retainedBytes?: number;
  peakBytes?: number;
}

const RECORDING = 'fuzz.appmap.json';

/** How checkRead and checkAnalysis run: the reader under test, and whether time is bounded too. */
export interface CheckOptions {
  /** readRecording, unless a test hands in a broken reader to show that the property catches it. */
  read?: Reader;
  /** The reader's calibrated speed (`calibrate`): given, time is bounded as well as work (the long run only). */
  nsPerByte?: number;
}

/** Every property of reading one input. */
export function checkRead(spec: InputSpec, bytes: Buffer, options: CheckOptions = {}): ReadOutcome {
  const { read = readRecording, nsPerByte } = options;
  let result: ReadResult | undefined;
  const run = () => {
    try {
      result = read(RECORDING, bytes);
    } catch (err) {
      assert.fail(`the reader threw on ${labelOf(spec)} (${bytes.length} bytes): ${(err as Error).stack ?? err}`);
    }
  };
  let readMs = 0;
  const readWork = workOf(() => (readMs = timeNs(run) / 1e6));
  const workLimit = READ_WORK_PER_BYTE * Math.max(bytes.length, WORK_FLOOR_BYTES);
  assert.ok(readWork <= workLimit, `reading ${labelOf(spec)} (${bytes.length} bytes) counted ${readWork} steps of work, more than ${READ_WORK_PER_BYTE} per byte (limit ${workLimit})`);
  if (nsPerByte !== undefined) {
    // A slow first try is tried twice more after collecting garbage, unless far too slow: a
    // collection of garbage from earlier inputs may land in it, but not make it 4 × slower.
    const limitMs = readTimeLimitMs(bytes.length, nsPerByte);
    for (let k = 0; k < 2 && readMs > limitMs && readMs <= 4 * limitMs; k++) {
      gc();
      readMs = Math.min(readMs, timeNs(run) / 1e6);
    }
    assert.ok(
      readMs <= limitMs,
      `reading ${labelOf(spec)} (${bytes.length} bytes) took ${readMs.toFixed(0)} ms, more than ${TIME_FACTOR} × the time per byte of real recordings (${nsPerByte.toFixed(1)} ns/byte, limit ${limitMs.toFixed(0)} ms)`,
    );
  }
  const { trace, problems } = result as ReadResult;
  checkProblems(problems, bytes);
  checkTrace(trace);
  checkJsonVerdict(problems, bytes);
  const outcome: ReadOutcome = { errors: problems.filter((p) => p.severity === 'error').length, calls: trace.calls.length, readMs, readWork };
  if (bytes.length >= MEMORY_MIN_BYTES) Object.assign(outcome, checkMemory(spec, bytes, read));
  return outcome;
}

function checkProblems(problems: Problem[], bytes: Buffer): void {
  for (const p of problems) {
    assert.equal(p.file, RECORDING, `a problem names another file: ${JSON.stringify(p)}`);
    assert.ok(p.severity === 'error' || p.severity === 'warning', `a problem has severity ${p.severity}`);
    assert.ok(typeof p.message === 'string' && p.message.length > 0, `a problem has no message: ${JSON.stringify(p)}`);
    assert.ok(!/internal error/.test(p.message), `the reader caught an exception of its own: ${p.message}`);
    if (p.byteOffset !== undefined) assert.ok(Number.isInteger(p.byteOffset) && p.byteOffset >= 0 && p.byteOffset <= bytes.length, `a problem's byte offset is outside the input (${bytes.length} bytes): ${JSON.stringify(p)}`);
    // Placed by the reader as an editor counts: on the line its byte is on.
    if (p.byteOffset !== undefined && p.line !== undefined) {
      let line = 1;
      for (let at = bytes.indexOf(0x0a); at !== -1 && at < p.byteOffset; at = bytes.indexOf(0x0a, at + 1)) line++;
      assert.equal(p.line, line, `a problem's line is not its byte's: ${JSON.stringify(p)}`);
      assert.ok(Number.isInteger(p.column) && (p.column as number) >= 1, `a problem's column is not a column: ${JSON.stringify(p)}`);
    }
  }
}

/** The call tree is well formed: what the analysis relies on without checking. */
export function checkTrace(trace: Trace): void {
  const calls = trace.calls;
  const { parent, firstChild, nextSibling, depth, kind, returned, fn, threadId, elapsedMs, sql, sqlValues } = calls;
  const n = calls.length;
  for (const [name, column] of Object.entries({ parent, firstChild, nextSibling, depth, kind, returned, fn, threadId, elapsedMs, sql, sqlValues })) {
    assert.ok(column.length >= n, `column ${name} holds ${column.length} entries for ${n} calls`);
  }
  let linked = 0;
  let withParent = 0;
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p !== -1) {
      withParent++;
      assert.ok(Number.isInteger(p) && p >= 0 && p < i, `call ${i} has parent ${p}: parents come first`);
      assert.equal(depth[i], depth[p] + 1, `call ${i} has depth ${depth[i]} under a call of depth ${depth[p]}`);
      assert.equal(threadId[i], threadId[p], `call ${i} is on thread ${threadId[i]}, its parent on ${threadId[p]}`);
    } else assert.equal(depth[i], 0, `root call ${i} has depth ${depth[i]}`);
    let prev = -1;
    for (let k = firstChild[i]; k !== -1; k = nextSibling[k]) {
      assert.ok(k > prev && k < n, `the children of call ${i} are out of order at ${k}`);
      assert.equal(parent[k], i, `call ${k} is linked under call ${i} but names parent ${parent[k]}`);
      prev = k;
      linked++;
    }
    const k = kind[i];
    assert.ok(k >= CallKind.Function && k <= CallKind.HttpClient, `call ${i} has kind ${k}`);
    assert.equal(sql[i] !== -1, k === CallKind.Sql, `call ${i}: SQL facts and kind disagree`);
    assert.ok(sql[i] === -1 || (sql[i] >= 0 && sql[i] < calls.sqlTexts.length), `call ${i} names SQL text ${sql[i]} of ${calls.sqlTexts.length}`);
    assert.ok(sql[i] !== -1 || sqlValues[i] === 0, `call ${i} is no query but has literals hashed ${sqlValues[i]}`);
    assert.equal(calls.http.has(i), k === CallKind.HttpServer, `call ${i}: request facts and kind disagree`);
    assert.equal(calls.client.has(i), k === CallKind.HttpClient, `call ${i}: client facts and kind disagree`);
    assert.ok(fn[i] === -1 || (k === CallKind.Function && fn[i] >= 0 && fn[i] < trace.functions.length), `call ${i} names function ${fn[i]}`);
    const ms = elapsedMs[i];
    assert.ok(Number.isNaN(ms) || (Number.isFinite(ms) && ms >= 0), `call ${i} took ${ms} ms`);
    assert.ok(returned[i] === 0 || returned[i] === 1, `call ${i} has returned ${returned[i]}`);
    if (!returned[i]) assert.ok(Number.isNaN(ms), `call ${i} never returned but took ${ms} ms`);
  }
  assert.equal(linked, withParent, 'some calls with a parent are not among its children');
  for (const map of [calls.http, calls.client, calls.exception, calls.frames, calls.spanName]) {
    for (const c of map.keys()) assert.ok(Number.isInteger(c) && c >= 0 && c < n, `facts kept for call ${c} of ${n}`);
  }
  calls.sqlTexts.forEach((t, k) => assert.equal(typeof t.text, 'string', `SQL text ${k} is ${typeof t.text}`));
  trace.functions.forEach((f, k) => {
    assert.equal(f.index, k);
    assert.equal(typeof f.definedClass, 'string');
    assert.equal(typeof f.methodId, 'string');
    // A recorded line becomes an editor position when the function's definition is not found.
    assert.ok(f.recordedLine === undefined || (Number.isInteger(f.recordedLine) && f.recordedLine >= 1 && f.recordedLine <= MAX_LINE), `function ${k} has recorded line ${f.recordedLine}, which no editor can show`);
  });
  for (const [k, v] of Object.entries(trace.metadata)) {
    if (k === 'frameworks') assert.ok(Array.isArray(v));
    else assert.ok(v === undefined || typeof v === 'string', `metadata.${k} is ${typeof v}`);
  }
  assert.ok(Number.isInteger(trace.nEvents) && trace.nEvents >= 0);
}

/**
 * Broken JSON is an error at a byte; valid JSON is never called broken, however deep it nests
 * (a skipped value has no depth limit; a built one deeper than 10,000 levels is cut there with a
 * warning, and what follows is read). JSON.parse is the judge; a UTF-8 byte order mark, which
 * the reader tolerates, is taken off first.
 */
function checkJsonVerdict(problems: Problem[], bytes: Buffer): void {
  const text = bytes.toString('utf8').replace(/^\ufeff/, '');
  let valid = true;
  try {
    JSON.parse(text);
  } catch {
    valid = false;
  }
  const syntax = problems.filter((p) => p.severity === 'error' && /not valid JSON/.test(p.message));
  if (!valid) {
    assert.ok(
      problems.some((p) => p.severity === 'error' && p.byteOffset !== undefined),
      `input that is not JSON gave no error with a byte offset; problems: ${JSON.stringify(problems).slice(0, 500)}`,
    );
  } else {
    assert.deepEqual(syntax.map((p) => p.message), [], 'valid JSON was called broken');
  }
}

/**
 * Memory, for inputs of several MB: what is kept once read stays within a multiple of the input
 * (and within a fixed bound for an input that is one huge string, which is cut at 1 MiB), and
 * what is held while reading in 1 MiB chunks, as the CLI and the server read, too.
 */
function checkMemory(spec: InputSpec, bytes: Buffer, read: Reader): { retainedBytes: number; peakBytes: number } {
  gc();
  const before = heapUsed();
  let result: ReadResult | undefined = read(RECORDING, bytes);
  gc();
  const retainedBytes = Math.max(0, heapUsed() - before);
  assert.ok(result.trace.calls.length >= 0); // keeps the result alive until measured
  result = undefined;
  const limit = spec.kind === 'shape' && isHugeStringShape(spec.shape) ? HUGE_STRING_RETAINED_BYTES : RETAINED_PER_BYTE * bytes.length + MEMORY_SLACK_BYTES;
  assert.ok(retainedBytes <= limit, `reading ${labelOf(spec)} (${bytes.length} bytes) kept ${mb(retainedBytes)} of heap, more than ${mb(limit)}`);
  // The reader the CLI and the server use, fed as they feed it.
  gc();
  const start = memoryUsed();
  let peakBytes = 0;
  const reader = createRecordingReader(RECORDING);
  for (let at = 0; at < bytes.length; at += 1 << 20) {
    reader.write(bytes.subarray(at, at + (1 << 20)));
    peakBytes = Math.max(peakBytes, memoryUsed() - start);
  }
  const chunked = reader.end();
  peakBytes = Math.max(peakBytes, memoryUsed() - start);
  assert.ok(chunked.trace.calls.length >= 0);
  const peakLimit = PEAK_PER_BYTE * bytes.length + MEMORY_SLACK_BYTES;
  assert.ok(peakBytes <= peakLimit, `reading ${labelOf(spec)} (${bytes.length} bytes) in 1 MiB chunks held ${mb(peakBytes)} of heap at once, more than ${mb(peakLimit)}`);
  assert.ok(reader.maxBufferedBytes <= (1 << 20) + 8, `the reader held ${reader.maxBufferedBytes} input bytes at once; strings are cut at 1 MiB`);
  return { retainedBytes, peakBytes };
}

function mb(n: number): string {
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}

// ---- chunking ---------------------------------------------------------------------------------

/** Reading in chunks cut at `cuts` (positions as fractions of the input) gives what one chunk gives. */
export function checkChunking(spec: InputSpec, bytes: Buffer, cuts: number[]): void {
  const whole = render(readRecording(RECORDING, bytes));
  const at = [...new Set(cuts.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const reader = createRecordingReader(RECORDING);
  let from = 0;
  for (const to of [...at, bytes.length]) {
    reader.write(bytes.subarray(from, to));
    from = to;
  }
  const chunked = render(reader.end());
  if (chunked !== whole) {
    const k = firstDifference(whole, chunked);
    const around = (text: string) => JSON.stringify(text.slice(Math.max(0, k - 80), k + 200));
    assert.fail(`reading ${labelOf(spec)} (${bytes.length} bytes) cut at ${at.join(', ')} differs from reading it whole; whole: …${around(whole)}… cut: …${around(chunked)}…`);
  }
}

/** A read result as text, every field that matters, NaN included. */
function render(r: ReadResult): string {
  // A query: its key's entry (first text, database type) and the hash of its own literals.
  const calls = allCalls(r.trace).map((c) => [c.threadId, c.parent, c.depth, c.kind, c.fn, String(c.elapsedMs), c.returned, c.sql, r.trace.calls.sqlValues[c.index], c.http, c.client, c.exception]);
  const { functions, metadata, version, nEvents, nEventUpdates } = r.trace;
  return JSON.stringify({ problems: r.problems, version, metadata, nEvents, nEventUpdates, functions, calls });
}

function firstDifference(a: string, b: string): number {
  let k = 0;
  while (k < a.length && a[k] === b[k]) k++;
  return k;
}

// ---- the analysis -----------------------------------------------------------------------------

/** A workspace for the analysis: the Django example's sources (not its recordings), copied. */
export interface AnalysisWorkspace {
  root: string;
  index: SourceIndex;
  config: RunlensConfig;
  /** The summary of the example's own recording, for merging and comparing with. */
  reference: RecordingSummary;
}

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';

export async function analysisWorkspace(): Promise<AnalysisWorkspace> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-fuzz-')));
  fs.cpSync(MEETUPS, root, { recursive: true, filter: (src) => src !== path.join(MEETUPS, 'tmp') });
  const config = resolveConfig({});
  const index = new SourceIndex(workspaceFiles(root), await loadParsers(), config);
  const { trace, problems } = readRecordingFileSync(path.join(MEETUPS, MEETUPS_RECORDING), MEETUPS_RECORDING);
  return { root, index, config, reference: summarize(trace, problems, index, config) };
}

export interface AnalysisOutcome {
  findings: number;
  skipped?: string;
  analysisMs: number;
  /** Steps of work counted in the analysis (not the reading before it). */
  analysisWork: number;
}

/**
 * Everything that runs on a read trace, in the CLI and the server, never throws and stays in
 * bounds: work in proportion to the input (and, in the long run, time), lines the protocol can
 * carry, a baseline that reads back as written, an HTML page whose scripts no recorded string can end.
 */
export async function checkAnalysis(spec: InputSpec, bytes: Buffer, ws: AnalysisWorkspace, options: Pick<CheckOptions, 'nsPerByte'> = {}): Promise<AnalysisOutcome> {
  let read: ReadResult;
  try {
    read = readRecording(RECORDING, bytes);
  } catch (err) {
    // The reader property reports this; there is no trace to analyse.
    return { findings: 0, skipped: `reader threw: ${(err as Error).message}`, analysisMs: 0, analysisWork: 0 };
  }
  const t0 = process.hrtime.bigint();
  let findings = 0;
  const analysisWork = workOf(() => {
    try {
      findings = analyse(read, ws);
    } catch (err) {
      assert.fail(`the analysis threw on ${labelOf(spec)} (${bytes.length} bytes): ${(err as Error).stack ?? err}`);
    }
  });
  const analysisMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const workLimit = ANALYSIS_WORK_PER_BYTE * Math.max(bytes.length, WORK_FLOOR_BYTES);
  assert.ok(analysisWork <= workLimit, `the analysis of ${labelOf(spec)} (${bytes.length} bytes) counted ${analysisWork} steps of work, more than ${ANALYSIS_WORK_PER_BYTE} per byte (limit ${workLimit})`);
  if (options.nsPerByte !== undefined) {
    const limitMs = (ANALYSIS_TIME_FACTOR * options.nsPerByte * Math.max(bytes.length, TIME_FLOOR_BYTES)) / 1e6;
    assert.ok(analysisMs <= limitMs, `the analysis of ${labelOf(spec)} (${bytes.length} bytes) took ${analysisMs.toFixed(0)} ms, more than ${ANALYSIS_TIME_FACTOR} × reading it at the speed of real recordings (limit ${limitMs.toFixed(0)} ms)`);
  }
  await checkScan(spec, bytes, ws);
  return { findings, analysisMs, analysisWork };
}

/** The analysis of one read recording, through every entry point; returns how many findings it made. */
function analyse({ trace, problems }: ReadResult, ws: AnalysisWorkspace): number {
  const { index, config } = ws;
  const own = findingsIn(trace, index, config);
  for (const f of own) checkLocation(f.location, `finding ${f.rule}`);
  const summary = summarize(trace, problems, index, config);
  const workspace = new WorkspaceIndex();
  workspace.set(ws.reference);
  workspace.set(summary);
  const snapshot = workspace.snapshot();
  const merged = snapshot.findings();
  snapshot.stats();
  snapshot.problems();
  const functions = snapshot.functions();
  const routes = snapshot.routes();
  const nodes = [...new Set(snapshot.edges().flatMap((e) => [e.caller, e.callee]))];
  for (const node of nodes) {
    snapshot.sqlOf(node);
    snapshot.slowestPath(node);
    snapshot.recordingsOf(node);
    callItem(snapshot, index, node);
    incomingCalls(snapshot, index, node);
    outgoingCalls(snapshot, index, node);
    renderQueries(node, snapshot.sqlOf(node));
  }
  for (const route of routes.keys()) {
    snapshot.slowestRecordingOf(route);
    checkHumanOutput('a call tree', renderCallTree(trace, { route, maxLines: 50 }) ?? '');
  }
  checkHumanOutput('the call tree', renderCallTree(trace, { maxLines: 200 }) ?? '');

  // Baselines: what we write, we read back unchanged; comparing with itself and with the example.
  const current = baselineOf(snapshot, { findings: merged });
  const text = serializeBaseline(current);
  const parsed = parseBaseline(text, 'baseline.json');
  assert.deepEqual(parsed.problems, [], `a baseline runlens wrote does not read back: ${JSON.stringify(parsed.problems).slice(0, 400)}`);
  assert.equal(serializeBaseline(parsed.baseline as typeof current), text, 'a baseline read back serializes differently');
  const reference = baselineOf([ws.reference]);
  for (const [before, after] of [[reference, current], [current, reference], [current, current]]) {
    const comparison = compare(before, after, config.compare);
    checkHumanOutput('compare', compareText(comparison, { all: true }));
    checkHumanOutput('compare --format markdown', compareMarkdown(comparison, { all: true }));
    JSON.parse(compareJson(comparison, problems));
  }
  const since: Since = { baseline: reference, thresholds: config.compare };
  resolvedSince(reference, merged);
  newSince(reference, merged);
  resolvedFindings(snapshot, since);

  // The editor features, on every file a recorded function is in and on the example's views.
  const files = new Set(['meetups/views.py']);
  for (const fn of functions.values()) {
    const located = index.locate(fn);
    if (located) files.add(located.location.path);
  }
  for (const rel of files) {
    for (const since_ of [undefined, since]) {
      const lenses = codeLenses(snapshot, index, rel, since_);
      for (const lens of lenses) {
        checkLocation({ path: rel, line: lens.line, column: lens.column }, `lens ${lens.title}`);
        checkHumanOutput('a lens title', lens.title, { oneLine: true });
        checkHumanOutput('a hover', hoverAt(snapshot, index, rel, lens.line, since_) ?? '', { editor: true });
        prepareCallItem(snapshot, index, rel, lens.line);
      }
    }
    hoverAt(snapshot, index, rel, 1);
  }
  for (const route of routes.keys()) changeSince(reference, snapshot, 'route', route, config.compare);
  for (const key of functions.keys()) changeSince(reference, snapshot, 'function', key, config.compare);
  for (const [file, d] of diagnosticsByFile(snapshot, index)) for (const f of d.findings) checkLocation(f.location, `diagnostic in ${file}`);
  for (const s of workspaceSymbols(snapshot, index, '')) checkLocation(s.location, `symbol ${s.name}`);

  // The reports: Markdown as `runlens report` makes it, the HTML page's model and the page.
  const kept = withoutIgnored(mergeFindings([...own]), (p) => index.text(p));
  const fixes = new Map<(typeof kept)[number], Fix>();
  for (const f of kept) {
    const fix = eagerLoadingFix(f, index);
    if (fix) fixes.set(f, fix);
  }
  const functionLocations = new Map<string, SourceLocation>();
  for (const [key, fn] of summary.functions) {
    const located = index.locate(fn);
    if (located) functionLocations.set(key, located.location);
  }
  const report = reportMarkdown(
    { title: 'fuzz', nRecordings: 1, nProblems: problems.length, findings: kept, fixes, current, functionLocations, sourceText: (p) => index.text(p), comparison: { comparison: compare(reference, current, config.compare), sources: { before: 'a', after: 'b' } } },
    { linkBase: '' },
  );
  checkHumanOutput('report --format markdown', report);
  const side = createSideBuilder();
  side.addRecording(trace, own);
  const before = createSideBuilder();
  before.addRecording(trace, own);
  const model = reportModel({ title: 'fuzz </script>', after: side.finish(), before: before.finish(), findings: kept, comparison: compare(reference, current, config.compare), sources: { before: 'a', after: 'b' }, problems });
  const html = renderHtml(model, []);
  assert.equal(html.match(/<script/gi)?.length, 2, 'a recorded string opened a script in the HTML report');
  assert.equal(html.match(/<\/script/gi)?.length, 2, 'a recorded string closed a script in the HTML report');
  const data = /<script type="application\/json" id="runlens-data">([\s\S]*?)<\/script>/.exec(html);
  assert.deepEqual(JSON.parse(data?.[1] ?? 'null'), JSON.parse(JSON.stringify(model)), 'the HTML report does not embed its model as it is');
  return own.length;
}

/** Characters no human output may hold as they are: controls other than its own line breaks and tabs, separators, bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * What people read (text, Markdown, the editor's words) keeps recorded text on its line: no raw
 * control character, and (but in the editor) no line that a CI runs as a command (`::error …`,
 * `::add-mask::`): recorded line breaks are escaped.
 */
export function checkHumanOutput(what: string, text: string, options: { oneLine?: boolean; editor?: boolean } = {}): void {
  if (options.oneLine) assert.ok(!text.includes('\n'), `${what} holds a line break: ${JSON.stringify(text.slice(0, 200))}`);
  for (const line of text.split('\n')) {
    const raw = RAW_CONTROL.exec(line);
    assert.ok(!raw, `${what} holds the raw control character ${JSON.stringify(raw?.[0])}: ${JSON.stringify(line.slice(0, 200))}`);
    if (!options.editor) assert.ok(!/^\s*::/.test(line), `${what} has a line that starts with "::", which a CI runs as a command: ${JSON.stringify(line.slice(0, 200))}`);
  }
}

/** A location the editor can show: a workspace-relative path, a line the protocol can carry. */
function checkLocation(l: SourceLocation, what: string): void {
  assert.ok(Number.isInteger(l.line) && l.line >= 1 && l.line <= MAX_LINE, `${what} is on line ${l.line}, which no editor can show`);
  assert.ok(Number.isInteger(l.column) && l.column >= 1 && l.column <= MAX_LINE, `${what} is on column ${l.column}`);
}

/**
 * `scan` on the input as a file, as the CLI reads it (1 MiB chunks): no internal error among its
 * problems, and its text, JSON and SARIF are written (a recorded path no URI can hold made SARIF throw).
 */
async function checkScan(spec: InputSpec, bytes: Buffer, ws: AnalysisWorkspace): Promise<void> {
  const file = path.join(ws.root, RECORDING);
  fs.writeFileSync(file, bytes);
  const out = await scan(ws.root, [file], ws.config, { withSummaries: true, withFixes: true });
  const internal = out.problems.filter((p) => /internal error/.test(p.message));
  assert.deepEqual(internal, [], `scan met an internal error on ${labelOf(spec)}`);
  assert.equal(out.summaries.length, 1);
  checkHumanOutput('scan', formatText(out, { fixHints: true }));
  JSON.parse(formatJson(out));
  const sarif = JSON.parse(formatSarif(out, { root: ws.root, version: '0.0.0' }));
  assert.equal(sarif.runs[0].results.length, out.findings.filter((f) => isWellFormed(f.location.path)).length, 'SARIF lost a finding whose path a URI can name');
}

// ---- properties -------------------------------------------------------------------------------

export type PropertyName = 'reader' | 'chunking' | 'analysis';
export const PROPERTY_NAMES: PropertyName[] = ['reader', 'chunking', 'analysis'];

/** Counts of one property's run: inputs tried, by kind, and what they gave. */
export interface Tally {
  inputs: number;
  byKind: Record<string, number>;
  /** Inputs whose reading reported an error (broken input, reported as it should be). */
  withErrors: number;
  findings: number;
  maxBytes: number;
  /** The largest retained heap per input byte, and the largest peak, among inputs measured. */
  maxRetainedPerByte: number;
  maxPeakPerByte: number;
  /** The largest time per byte, as a multiple of the calibrated speed, among inputs over the floor (the long run). */
  maxTimeRatio: number;
  /** The most steps of work per byte, reading and analysing, among inputs over the floor. */
  maxReadWorkPerByte: number;
  maxAnalysisWorkPerByte: number;
  skipped: number;
}

export function emptyTally(): Tally {
  return { inputs: 0, byKind: {}, withErrors: 0, findings: 0, maxBytes: 0, maxRetainedPerByte: 0, maxPeakPerByte: 0, maxTimeRatio: 0, maxReadWorkPerByte: 0, maxAnalysisWorkPerByte: 0, skipped: 0 };
}

export interface PropertyContext {
  scale: Scale;
  /** The reader's calibrated speed: given, time is bounded too (`npm run fuzz`); `npm test` bounds work only. */
  nsPerByte?: number;
  workspace?: AnalysisWorkspace;
  tally: Tally;
  /** The reader under test: readRecording, unless a test shows that a broken one is caught. */
  read?: Reader;
  /** Called before each input with its spec (a watchdog names the input a hang is on). */
  onInput?: (spec: InputSpec) => void;
}

/**
 * The fast-check property of each name, counting into ctx.tally the inputs tried until the first
 * failure (the runs that shrink a counterexample are not counted).
 */
export function propertyOf(name: PropertyName, ctx: PropertyContext): fc.IAsyncPropertyWithHooks<[InputSpec, number[]]> {
  let failed = false;
  const tally = ctx.tally;
  const count = (spec: InputSpec, bytes: Buffer) => {
    ctx.onInput?.(spec);
    if (failed) return false;
    tally.inputs++;
    tally.byKind[spec.kind] = (tally.byKind[spec.kind] ?? 0) + 1;
    tally.maxBytes = Math.max(tally.maxBytes, bytes.length);
    return true;
  };
  const checks: Record<PropertyName, (spec: InputSpec, bytes: Buffer, cuts: number[]) => Promise<(counted: boolean) => void>> = {
    reader: async (spec, bytes) => {
      const o = checkRead(spec, bytes, { read: ctx.read, nsPerByte: ctx.nsPerByte });
      return (counted) => {
        if (!counted) return;
        if (o.errors) tally.withErrors++;
        if (bytes.length >= WORK_FLOOR_BYTES) tally.maxReadWorkPerByte = Math.max(tally.maxReadWorkPerByte, o.readWork / bytes.length);
        if (bytes.length >= TIME_FLOOR_BYTES && ctx.nsPerByte !== undefined) tally.maxTimeRatio = Math.max(tally.maxTimeRatio, (o.readMs * 1e6) / bytes.length / ctx.nsPerByte);
        if (o.retainedBytes !== undefined) tally.maxRetainedPerByte = Math.max(tally.maxRetainedPerByte, o.retainedBytes / bytes.length);
        if (o.peakBytes !== undefined) tally.maxPeakPerByte = Math.max(tally.maxPeakPerByte, o.peakBytes / bytes.length);
      };
    },
    chunking: async (spec, bytes, cuts) => {
      checkChunking(spec, bytes, cuts);
      return () => undefined;
    },
    analysis: async (spec, bytes) => {
      const o = await checkAnalysis(spec, bytes, ctx.workspace as AnalysisWorkspace, { nsPerByte: ctx.nsPerByte });
      return (counted) => {
        if (!counted) return;
        if (o.skipped) tally.skipped++;
        if (bytes.length >= WORK_FLOOR_BYTES) tally.maxAnalysisWorkPerByte = Math.max(tally.maxAnalysisWorkPerByte, o.analysisWork / bytes.length);
        tally.findings += o.findings;
      };
    },
  };
  // Every property draws cuts, so that a seed gives the same inputs to each.
  const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 });
  return fc.asyncProperty(inputArbitrary(ctx.scale), cuts, async (spec, at) => {
    const bytes = materialize(spec);
    const counted = count(spec, bytes);
    try {
      (await checks[name](spec, bytes, at))(counted);
    } catch (err) {
      failed = true;
      throw err;
    }
  });
}

/** `fuzz reader: 2000 inputs, 0 crashed (…)`: one line per property; crashed counts the inputs that broke a property (threw, took too long, held too much, read wrong). */
export function tallyLine(name: string, tally: Tally, crashed: number, extra = ''): string {
  const kinds = Object.entries(tally.byKind)
    .sort()
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const details = [kinds, `largest ${mb(tally.maxBytes)}`];
  if (tally.withErrors) details.push(`${tally.withErrors} reported broken`);
  if (tally.findings) details.push(`${tally.findings} findings`);
  if (tally.skipped) details.push(`${tally.skipped} unreadable (reader threw)`);
  if (tally.maxReadWorkPerByte) details.push(`worst work/byte reading ${tally.maxReadWorkPerByte.toFixed(2)}`);
  if (tally.maxAnalysisWorkPerByte) details.push(`worst work/byte analysing ${tally.maxAnalysisWorkPerByte.toFixed(2)}`);
  if (tally.maxTimeRatio) details.push(`worst time/byte ${tally.maxTimeRatio.toFixed(1)}× real recordings`);
  if (tally.maxRetainedPerByte) details.push(`worst heap kept ${tally.maxRetainedPerByte.toFixed(1)}×, held ${tally.maxPeakPerByte.toFixed(1)}× input`);
  return `fuzz ${name}: ${tally.inputs} inputs, ${crashed} crashed (${details.join('; ')})${extra}`;
}
