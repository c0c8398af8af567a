// `npm run bench`, server section: the real language server (`node server/bin/runlens.js --stdio`)
// as a child process, driven over JSON-RPC as an editor would, against a generated workspace:
// app/service.py with 300 recorded methods and 1,000 pytest recordings of about 1 MB each.
// Measured per run (each run a fresh server): time to index every recording, the server's RSS
// (Linux /proc/<pid>/status: VmRSS after indexing, VmHWM = peak), p50/p99 latency of 1,000
// codeLens and 1,000 hover requests on app/service.py (as the client sees it and as the server
// times its handlers, `runlens/status`), 1,000 codeLens/resolve requests (each lens of the answer
// in turn: the file has more lenses than the server sends with titles), 1,000 codeLens requests
// again while a child process spins on one core (`for (;;) {}`), and the time from a new 10 MB recording with an N+1 in
// app/service.py appearing in the workspace to the diagnostic being published for that file.
// Each figure is the median over RUNS runs (publish times: over every repetition of every run).
//
// Environment:
//   RUNLENS_BENCH_RUNS            runs (shared with the other sections; default 3)
//   RUNLENS_BENCH_SERVER_MB       total size of the recordings in MB (default 1000)
//   RUNLENS_BENCH_SERVER_RECORDINGS  number of recordings (default 1000)
//   RUNLENS_BENCH_PUBLISH_REPS    repetitions of each publish measurement per run (default 5)
//   RUNLENS_BENCH_SERVER_PROF     a folder: the server runs with `node --cpu-prof` writing there
//   RUNLENS_BENCH_SERVER_NODE_ARGS  extra node arguments for the server, space-separated
//   RUNLENS_BENCH_SERVER=0        skip this section
//   RUNLENS_BENCH_SERVER_BIN      another build's server/bin/runlens.js, to compare builds on the same inputs
//
// Standalone: `node server/out/test/bench/server.js` (after `tsc -p .`).

import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createProtocolConnection,
  Diagnostic,
  Hover,
  CodeLens,
  ProtocolConnection,
  PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { handlerName, serviceSource, writeServiceRecording } from './generate';

export interface ServerBenchOptions {
  repo: string;
  /** test/bench/generated */
  out: string;
  runs: number;
}

const HANDLERS = 300;
/** Handlers that have an N+1 in the generated recordings (every 10th recording has one). */
const BASELINE_N_PLUS_ONE = [7, 57, 107, 157, 207];
const REQUESTS = 1000;
const NEW_RECORDING_BYTES = 10e6;
const NEW_N_PLUS_ONE_COUNT = 30;
const RECORDINGS_DIR = 'tmp/appmap/pytest';
const NEW_PREFIX = 'bench-new-';
const TARGET_P99_MS = 5;
const TARGET_PUBLISH_MS = 500;
/** Issue 18's goals: peak RSS after indexing and over the whole run, and p99 of codeLens (client round trip, also with a CPU hog). */
const TARGET_PEAK_MB = 250;
const WAIT_MS = 60_000;

interface RunResult {
  indexLogMs: number;
  indexWallMs: number;
  indexedRecordings: number;
  rssAfterIndexMB: number;
  peakAfterIndexMB: number;
  peakEndMB: number;
  lensesPerResponse: number;
  lensBytes: number;
  firstLensMs: number;
  firstHoverMs: number;
  hoverMisses: number;
  noop: { p50: number; p99: number; max: number };
  codeLens: { p50: number; p99: number; max: number };
  codeLensHog: { p50: number; p99: number; max: number };
  noopHog: { p50: number; p99: number; max: number };
  resolve: { p50: number; p99: number; max: number };
  resolvedPerResponse: number;
  hover: { p50: number; p99: number; max: number };
  serverCodeLens: { p50: number; p99: number };
  serverResolve: { p50: number; p99: number };
  serverHover: { p50: number; p99: number };
  publishRename: number[];
  publishWrite: number[];
  writeMs: number[];
  timeouts: number;
}

/** Runs the server benchmark and prints its table; returns the rows that have a target (figure, measured, target, met). */
export async function runServerBench(o: ServerBenchOptions): Promise<string[][]> {
  if (process.env.RUNLENS_BENCH_SERVER === '0') {
    console.log('\nserver: skipped (RUNLENS_BENCH_SERVER=0)');
    return [];
  }
  const started = Date.now();
  const totalMB = Number(process.env.RUNLENS_BENCH_SERVER_MB ?? 1000);
  const nRecordings = Number(process.env.RUNLENS_BENCH_SERVER_RECORDINGS ?? 1000);
  const reps = Math.min(20, Number(process.env.RUNLENS_BENCH_PUBLISH_REPS ?? 5));
  const bin = process.env.RUNLENS_BENCH_SERVER_BIN ? path.resolve(process.env.RUNLENS_BENCH_SERVER_BIN) : path.join(o.repo, 'server/bin/runlens.js');

  console.log('');
  const genStarted = Date.now();
  const ws = ensureWorkspace(o.out, totalMB, nRecordings);
  const staged = ensureNewRecordings(o.out, 2 * reps);
  const genMs = Date.now() - genStarted;
  const bytes = recordingBytes(ws.root);
  console.log(
    `server: node ${path.relative(o.repo, bin)} --stdio as a child process (JSON-RPC over stdio), root ${path.relative(o.repo, ws.root)}\n` +
      `  inputs (generated, deterministic): app/service.py with ${HANDLERS} recorded methods (class Service, handler_000…handler_${HANDLERS - 1}, 6 lines each); ` +
      `${nRecordings.toLocaleString('en-US')} pytest recordings in appmap-python's format, ${mbText(bytes.total)} in all (${mbText(bytes.min)}–${mbText(bytes.max)} each): ` +
      `each test calls 5 of the methods over and over with dict parameters of 1-3 KB (every 16th of 20 KB), 2 SQL queries per call; every 10th runs an N+1 (10-16 queries) in one of ${BASELINE_N_PLUS_ONE.length} methods\n` +
      `  requests: app/service.py is opened (didOpen), then ${REQUESTS.toLocaleString('en-US')} codeLens requests for it, ${REQUESTS.toLocaleString('en-US')} codeLens/resolve (each lens in turn), ${REQUESTS.toLocaleString('en-US')} codeLens while a child process spins on one core, and ${REQUESTS.toLocaleString('en-US')} hovers on the def lines of its ${HANDLERS} methods in turn, one at a time; client figures are round trips, server figures the handler times it reports in runlens/status\n` +
      `  publish: a new ${mbText(NEW_RECORDING_BYTES)} recording (same shape, an N+1 of ${NEW_N_PLUS_ONE_COUNT} queries in a method that had none) appears in ${RECORDINGS_DIR}/, ${reps} times per run and way: ` +
      `written to x.appmap.json.part then renamed (clock starts at the rename), or written in place with one writeFileSync (clock starts before it); ` +
      `stop: textDocument/publishDiagnostics for app/service.py holds the new n-plus-one`,
  );
  if (totalMB !== 1000 || nRecordings !== 1000) console.log(`  NOTE: RUNLENS_BENCH_SERVER_MB=${totalMB}, RUNLENS_BENCH_SERVER_RECORDINGS=${nRecordings}; the targets are stated for 1,000 recordings and 1 GB`);
  if (genMs > 1000) console.log(`  (generating inputs took ${(genMs / 1000).toFixed(0)} s; they are kept for the next bench)`);

  const results: RunResult[] = [];
  for (let run = 0; run < o.runs; run++) {
    results.push(await oneRun(bin, ws.root, staged, reps));
    process.stdout.write(`  (run ${run + 1}/${o.runs} done after ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  const med = (f: (r: RunResult) => number) => median(results.map(f));
  const allRename = results.flatMap((r) => r.publishRename);
  const allWrite = results.flatMap((r) => r.publishWrite);
  const rows: string[][] = [
    ['', `median of ${o.runs} runs`, 'target', ''],
    [`index ${nRecordings.toLocaleString('en-US')} recordings (server log "indexed N recordings in X ms")`, ms0(med((r) => r.indexLogMs)), '', ''],
    ['index, client: spawn → first runlens/indexChanged', ms0(med((r) => r.indexWallMs)), '', ''],
    ['peak RSS of the server after indexing (VmHWM)', mb0(med((r) => r.peakAfterIndexMB)), `≤ ${TARGET_PEAK_MB} MB`, met(med((r) => r.peakAfterIndexMB) <= TARGET_PEAK_MB)],
    ['RSS of the server after indexing (VmRSS)', mb0(med((r) => r.rssAfterIndexMB)), '', ''],
    ['peak RSS of the server, whole run (VmHWM at the end)', mb0(med((r) => r.peakEndMB)), `≤ ${TARGET_PEAK_MB} MB`, met(med((r) => r.peakEndMB) <= TARGET_PEAK_MB)],
    [`reference: round trip of an unhandled request p50 / p99 (${REQUESTS.toLocaleString('en-US')})`, pair(med((r) => r.noop.p50), med((r) => r.noop.p99)), '', ''],
    [`codeLens p50 / p99, client round trip (${REQUESTS.toLocaleString('en-US')} requests, ${lensText(results)})`, pair(med((r) => r.codeLens.p50), med((r) => r.codeLens.p99)), `p99 ≤ ${TARGET_P99_MS} ms`, met(med((r) => r.codeLens.p99) <= TARGET_P99_MS)],
    [`codeLens p50 / p99, client round trip, while a process spins on one core (${REQUESTS.toLocaleString('en-US')} requests)`, pair(med((r) => r.codeLensHog.p50), med((r) => r.codeLensHog.p99)), `p99 ≤ ${TARGET_P99_MS} ms`, met(med((r) => r.codeLensHog.p99) <= TARGET_P99_MS)],
    [`reference: round trip of an unhandled request p50 / p99, while a process spins on one core (${REQUESTS.toLocaleString('en-US')})`, pair(med((r) => r.noopHog.p50), med((r) => r.noopHog.p99)), '', ''],
    [`codeLens/resolve p50 / p99, client round trip (${REQUESTS.toLocaleString('en-US')} requests, each lens in turn)`, ...(Number.isNaN(med((r) => r.resolve.p99))
      ? ['not asked: every lens came with its command', '', '']
      : [pair(med((r) => r.resolve.p50), med((r) => r.resolve.p99)), `p99 ≤ ${TARGET_P99_MS} ms`, met(med((r) => r.resolve.p99) <= TARGET_P99_MS)])],
    ['codeLens p50 / p99, server handler (runlens/status)', pair(med((r) => r.serverCodeLens.p50), med((r) => r.serverCodeLens.p99)), `p99 ≤ ${TARGET_P99_MS} ms`, met(med((r) => r.serverCodeLens.p99) <= TARGET_P99_MS)],
    ['codeLens/resolve p50 / p99, server handler (runlens/status)', pair(med((r) => r.serverResolve.p50), med((r) => r.serverResolve.p99)), '', ''],
    [`hover p50 / p99, client round trip (${REQUESTS.toLocaleString('en-US')} requests)`, pair(med((r) => r.hover.p50), med((r) => r.hover.p99)), `p99 ≤ ${TARGET_P99_MS} ms`, met(med((r) => r.hover.p99) <= TARGET_P99_MS)],
    ['hover p50 / p99, server handler (runlens/status)', pair(med((r) => r.serverHover.p50), med((r) => r.serverHover.p99)), `p99 ≤ ${TARGET_P99_MS} ms`, met(med((r) => r.serverHover.p99) <= TARGET_P99_MS)],
    [`publish after .part → rename, median (max) of ${allRename.length}`, `${ms0(median(allRename))} (${ms0(Math.max(...allRename))})`, `≤ ${TARGET_PUBLISH_MS} ms`, met(median(allRename) <= TARGET_PUBLISH_MS)],
    [`publish after a plain write, median (max) of ${allWrite.length}`, `${ms0(median(allWrite))} (${ms0(Math.max(...allWrite))})`, `≤ ${TARGET_PUBLISH_MS} ms`, met(median(allWrite) <= TARGET_PUBLISH_MS)],
  ];
  table(rows);
  const last = results[results.length - 1];
  console.log(
    `  checks: ${last.indexedRecordings} recordings indexed, ${last.lensesPerResponse} lenses per codeLens response (${(last.lensBytes / 1024).toFixed(0)} KiB of JSON), ${last.resolvedPerResponse} of them with a title once resolved, ${last.hoverMisses} empty hovers, ` +
      `${results.reduce((n, r) => n + r.timeouts, 0)} publish timeouts; client: first codeLens ${ms1(med((r) => r.firstLensMs))}, max ${ms1(med((r) => r.codeLens.max))}; first hover ${ms1(med((r) => r.firstHoverMs))}, max ${ms1(med((r) => r.hover.max))}; ` +
      `writeFileSync of ${mbText(NEW_RECORDING_BYTES)}: ${ms0(median(results.flatMap((r) => r.writeMs)))}`,
  );
  const each = (f: (r: RunResult) => number, fmt: (v: number) => string) => results.map((r) => fmt(f(r))).join(', ');
  console.log(
    `  each run: index ${each((r) => r.indexLogMs, (v) => (v / 1000).toFixed(1))} s; peak RSS ${each((r) => r.peakEndMB, (v) => v.toFixed(0))} MB; ` +
      `p99 codeLens client ${each((r) => r.codeLens.p99, (v) => v.toFixed(1))} ms, with a CPU hog ${each((r) => r.codeLensHog.p99, (v) => v.toFixed(1))} ms, server ${each((r) => r.serverCodeLens.p99, (v) => v.toFixed(1))} ms; ` +
      `p99 hover client ${each((r) => r.hover.p99, (v) => v.toFixed(1))} ms, server ${each((r) => r.serverHover.p99, (v) => v.toFixed(1))} ms; ` +
      `publish medians: rename ${each((r) => median(r.publishRename), (v) => v.toFixed(0))} ms, write ${each((r) => median(r.publishWrite), (v) => v.toFixed(0))} ms`,
  );
  if (process.env.RUNLENS_BENCH_SERVER_PROF) console.log(`  CPU profiles of the server: ${process.env.RUNLENS_BENCH_SERVER_PROF}`);
  console.log(`  server section: ${((Date.now() - started) / 1000).toFixed(0)} s${genMs > 1000 ? ` (of which generating ${(genMs / 1000).toFixed(0)} s)` : ''}`);
  return rows.slice(1).filter((r) => r[2] !== '');
}

// ─── One run: a fresh server ───────────────────────────────────────────────────────────────────

async function oneRun(bin: string, root: string, staged: string[], reps: number): Promise<RunResult> {
  removeNewRecordings(root);
  const nodeArgs = (process.env.RUNLENS_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const prof = process.env.RUNLENS_BENCH_SERVER_PROF;
  if (prof) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`);
  const t0 = now();
  const server = startServer(bin, root, nodeArgs);
  const { client } = server;
  const serviceUri = URI.file(path.join(root, 'app/service.py')).toString();
  const result: Partial<RunResult> = { publishRename: [], publishWrite: [], writeMs: [], timeouts: 0 };
  try {
    const indexed = client.waitFor('runlens/indexChanged', () => true, 30 * 60_000);
    const logged = client.waitFor<{ message: string }>('window/logMessage', (p) => /indexed [\d,]+ recordings in [\d,]+ ms/.test(p.message), 30 * 60_000);
    indexed.catch(() => undefined);
    logged.catch(() => undefined);
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: URI.file(root).toString(),
      workspaceFolders: [{ uri: URI.file(root).toString(), name: path.basename(root) }],
      capabilities: {
        window: { workDoneProgress: true },
        workspace: { configuration: true, codeLens: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown', 'plaintext'] }, codeLens: {} },
      },
    });
    client.connection.sendNotification('initialized', {});
    await indexed;
    result.indexWallMs = now() - t0;
    // Counts are written with thousands separators (formatCount): 1,000 recordings in 6,012 ms.
    const m = /indexed ([\d,]+) recordings in ([\d,]+) ms/.exec((await logged).message)!;
    result.indexedRecordings = Number(m[1].replace(/,/g, ''));
    result.indexLogMs = Number(m[2].replace(/,/g, ''));
    const status = procStatus(server.child.pid!);
    result.rssAfterIndexMB = status.VmRSS;
    result.peakAfterIndexMB = status.VmHWM;

    // The editor opens the file, then asks for lenses and hovers.
    const text = fs.readFileSync(path.join(root, 'app/service.py'), 'utf8');
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: serviceUri, languageId: 'python', version: 1, text } });
    // Reference: the round trip of a request no handler answers (an error reply), i.e. transport and scheduling.
    const noopMs = await timedRequests(() => client.connection.sendRequest('runlens-bench/noSuchMethod', {}).catch(() => undefined));
    result.noop = percentiles(noopMs);
    const lensMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const start = now();
      const lenses = await client.connection.sendRequest<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri: serviceUri } });
      lensMs.push(now() - start);
      if (i === 0) {
        result.lensesPerResponse = lenses?.length ?? 0;
        result.lensBytes = JSON.stringify(lenses).length;
      }
    }
    // codeLens/resolve, as an editor asks for the lenses it shows: each lens of the answer in turn.
    const unresolved = (await client.connection.sendRequest<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri: serviceUri } })) ?? [];
    const resolveMs: number[] = [];
    let resolved = 0;
    // A server that sends every lens with its command (a build before codeLens/resolve) is not asked.
    const toResolve = unresolved.some((l) => !l.command);
    for (let i = 0; i < REQUESTS && toResolve; i++) {
      const lens = unresolved[i % unresolved.length];
      const start = now();
      const answer = await client.connection.sendRequest<CodeLens | null>('codeLens/resolve', lens);
      resolveMs.push(now() - start);
      if (i < unresolved.length && answer?.command?.title) resolved++;
    }
    result.resolve = percentiles(resolveMs.length ? resolveMs : [NaN]);
    result.resolvedPerResponse = unresolved.every((l) => l.command) ? unresolved.length : resolved;
    // The same codeLens requests while another process spins on one of the cores (a build, a test run).
    const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      await sleep(200);
      const hogMs = await timedRequests(() => client.connection.sendRequest<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri: serviceUri } }));
      result.codeLensHog = percentiles(hogMs);
      const noopHogMs = await timedRequests(() => client.connection.sendRequest('runlens-bench/noSuchMethod', {}).catch(() => undefined));
      result.noopHog = percentiles(noopHogMs);
    } finally {
      hog.kill('SIGKILL');
    }
    const hoverMs: number[] = [];
    let misses = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const h = (i * 37) % HANDLERS;
      const start = now();
      const hover = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: serviceUri }, position: { line: defLine0(h), character: 8 } });
      hoverMs.push(now() - start);
      const value = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
      if (!value.includes(handlerName(h))) misses++;
    }
    result.hoverMisses = misses;
    result.firstLensMs = lensMs[0];
    result.firstHoverMs = hoverMs[0];
    result.codeLens = percentiles(lensMs);
    result.hover = percentiles(hoverMs);
    const st = await client.connection.sendRequest<{ timings: Record<string, { p50Ms: number; p99Ms: number }> }>('runlens/status');
    const timing = (method: string) => ({ p50: st.timings[method]?.p50Ms ?? NaN, p99: st.timings[method]?.p99Ms ?? NaN });
    result.serverCodeLens = timing('textDocument/codeLens');
    result.serverHover = timing('textDocument/hover');
    result.serverResolve = timing('codeLens/resolve');

    // A new recording appears: .part then rename, and a plain write; a method without an N+1 before.
    const dir = path.join(root, RECORDINGS_DIR);
    for (const [way, offset] of [['rename', 0], ['write', reps]] as const) {
      for (let rep = 0; rep < reps; rep++) {
        const slot = offset + rep;
        const handler = newHandler(slot);
        const rel = `${RECORDINGS_DIR}/${NEW_PREFIX}${way}-${rep}.generated.appmap.json`;
        const file = path.join(root, rel);
        const lo = defLine0(handler);
        const published = client.waitFor<PublishDiagnosticsParams>(
          'textDocument/publishDiagnostics',
          (p) => p.uri === serviceUri && p.diagnostics.some((d: Diagnostic) => d.code === 'n-plus-one' && d.range.start.line >= lo && d.range.start.line < lo + 6),
          WAIT_MS,
        );
        const changed = client.waitFor<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.includes(rel), WAIT_MS);
        changed.catch(() => undefined); // awaited below, unless the publish is not seen
        let start: number;
        if (way === 'rename') {
          fs.copyFileSync(staged[slot], path.join(dir, `${path.basename(file)}.part`));
          await sleep(300); // the .part is ignored by the server; let its watcher events pass
          start = now();
          fs.renameSync(path.join(dir, `${path.basename(file)}.part`), file);
        } else {
          const content = fs.readFileSync(staged[slot]);
          start = now();
          fs.writeFileSync(file, content);
          result.writeMs!.push(now() - start);
        }
        try {
          await published;
          (way === 'rename' ? result.publishRename! : result.publishWrite!).push(now() - start);
          await changed;
        } catch {
          result.timeouts!++;
          (way === 'rename' ? result.publishRename! : result.publishWrite!).push(Infinity);
        }
        await sleep(500); // let a late watcher event (a plain write can give add + change) settle
      }
    }
    result.peakEndMB = procStatus(server.child.pid!).VmHWM;
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver stderr: ${server.stderr()}\nserver log: ${client.logs.join(' | ')}`);
  } finally {
    await server.close();
    removeNewRecordings(root);
  }
  return result as RunResult;
}

// ─── The client ────────────────────────────────────────────────────────────────────────────────

interface Client {
  connection: ProtocolConnection;
  logs: string[];
  waitFor<T>(method: string, test: (params: T) => boolean, timeoutMs: number): Promise<T>;
}

function startServer(bin: string, root: string, nodeArgs: string[]): { child: ChildProcess; client: Client; stderr: () => string; close: () => Promise<void> } {
  const child = spawn(process.execPath, [...nodeArgs, bin, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  const waiters: { method: string; test: (p: unknown) => boolean; resolve: (p: unknown) => void; reject: (err: Error) => void }[] = [];
  const notify = (method: string, params: unknown) => {
    for (const w of [...waiters]) {
      if (w.method === method && w.test(params)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  };
  for (const method of ['textDocument/publishDiagnostics', 'runlens/indexChanged', 'window/showMessage']) connection.onNotification(method, (p: unknown) => notify(method, p));
  connection.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
    notify('window/logMessage', p);
  });
  connection.onNotification('$/progress', () => undefined);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.listen();
  const client: Client = {
    connection,
    logs,
    waitFor<T>(method: string, test: (params: T) => boolean, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          method,
          test: test as (p: unknown) => boolean,
          resolve: (p: unknown) => (clearTimeout(timer), resolve(p as T)),
          reject: (err: Error) => (clearTimeout(timer), reject(err)),
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`timed out waiting for ${method}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
  const close = async () => {
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    try {
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([connection.sendRequest('shutdown'), new Promise((resolve) => (timeout = setTimeout(resolve, 10_000)))]);
      clearTimeout(timeout);
      connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
    for (const w of waiters.splice(0)) w.reject(new Error(`the server exited while waiting for ${w.method}`));
    connection.dispose();
  };
  return { child, client, stderr: () => stderr, close };
}

// ─── Inputs ────────────────────────────────────────────────────────────────────────────────────

function ensureWorkspace(out: string, totalMB: number, nRecordings: number): { root: string } {
  const root = path.join(out, `server-${nRecordings}-recordings-${totalMB}mb.generated`);
  const marker = path.join(root, '.generated-complete');
  if (fs.existsSync(marker)) return { root: fs.realpathSync(root) };
  fs.rmSync(root, { recursive: true, force: true });
  process.stdout.write(`(generating ${path.basename(root)}: ${nRecordings} recordings, ${totalMB} MB…)\n`);
  fs.mkdirSync(path.join(root, 'app'), { recursive: true });
  fs.mkdirSync(path.join(root, RECORDINGS_DIR), { recursive: true });
  fs.writeFileSync(path.join(root, 'app/__init__.py'), '');
  fs.writeFileSync(path.join(root, 'app/service.py'), serviceSource(HANDLERS));
  const per = (totalMB * 1e6) / nRecordings;
  for (let r = 0; r < nRecordings; r++) {
    const nPlusOne = r % 10 === 3 ? { handler: BASELINE_N_PLUS_ONE[Math.floor(r / 10) % BASELINE_N_PLUS_ONE.length], count: 10 + (r % 7) } : undefined;
    writeServiceRecording(path.join(root, RECORDINGS_DIR, `test_case_${String(r).padStart(4, '0')}.generated.appmap.json`), { index: r, targetBytes: per, handlers: HANDLERS, nPlusOne });
  }
  fs.writeFileSync(marker, JSON.stringify({ totalMB, nRecordings, handlers: HANDLERS }) + '\n');
  return { root: fs.realpathSync(root) };
}

/** The new recordings, staged outside the workspace; one per slot, each with an N+1 in its own method. */
function ensureNewRecordings(out: string, slots: number): string[] {
  const files: string[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const handler = newHandler(slot);
    const file = path.join(out, `server-new-${NEW_RECORDING_BYTES / 1e6}mb-${handlerName(handler)}.generated.appmap.json`);
    if (!fs.existsSync(file)) writeServiceRecording(file, { index: 10_000 + slot, targetBytes: NEW_RECORDING_BYTES, handlers: HANDLERS, nPlusOne: { handler, count: NEW_N_PLUS_ONE_COUNT } });
    files.push(file);
  }
  return files;
}

/** Methods without an N+1 in the generated recordings, from the last one down. */
function newHandler(slot: number): number {
  const h = HANDLERS - 1 - slot;
  if (BASELINE_N_PLUS_ONE.includes(h)) throw new Error('slot collides with a generated N+1');
  return h;
}

function removeNewRecordings(root: string): void {
  const dir = path.join(root, RECORDINGS_DIR);
  for (const name of fs.readdirSync(dir)) if (name.startsWith(NEW_PREFIX)) fs.rmSync(path.join(dir, name), { force: true });
}

function recordingBytes(root: string): { total: number; min: number; max: number } {
  const dir = path.join(root, RECORDINGS_DIR);
  const sizes = fs.readdirSync(dir).filter((n) => n.endsWith('.appmap.json') && !n.startsWith(NEW_PREFIX)).map((n) => fs.statSync(path.join(dir, n)).size);
  return { total: sizes.reduce((a, b) => a + b, 0), min: Math.min(...sizes), max: Math.max(...sizes) };
}

/** The 0-based line of `def handler_<h>` in app/service.py (see serviceSource). */
function defLine0(h: number): number {
  return 7 + 6 * h;
}

/** How the lenses were answered: `300 lenses, 23 KiB per answer, titles on resolve`. */
function lensText(results: RunResult[]): string {
  const last = results[results.length - 1];
  return `${last.lensesPerResponse} lenses, ${(last.lensBytes / 1024).toFixed(0)} KiB per answer`;
}

// ─── Helpers ───────────────────────────────────────────────────────────────────────────────────

/** VmRSS and VmHWM of a process in MB (Linux). */
function procStatus(pid: number): { VmRSS: number; VmHWM: number } {
  let text = '';
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { VmRSS: NaN, VmHWM: NaN };
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { VmRSS: kb('VmRSS') / 1024, VmHWM: kb('VmHWM') / 1024 };
}

/** As the server computes them (handler.ts): the value at floor(q × n) of the sorted values. */
function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms0 = (v: number) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')} ms` : 'timed out');
const ms1 = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
const pair = (a: number, b: number) => `${a < 10 ? a.toFixed(2) : a.toFixed(1)} / ${ms1(b)}`;
const mb0 = (v: number) => `${Math.round(v).toLocaleString('en-US')} MB`;
const mbText = (bytes: number) => `${bytes >= 1e8 ? Math.round(bytes / 1e6).toLocaleString('en-US') : (bytes / 1e6).toFixed(1)} MB`;
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

function table(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log('  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : c === 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

if (require.main === module) {
  const repo = path.resolve(__dirname, '../../../..');
  runServerBench({ repo, out: path.join(repo, 'test/bench/generated'), runs: Number(process.env.RUNLENS_BENCH_RUNS ?? 3) }).catch((err) => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exitCode = 1;
  });
}

/** REQUESTS round trips of `request`, one after another: each one's time in ms. */
async function timedRequests(request: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = now();
    await request();
    times.push(now() - start);
  }
  return times;
}
