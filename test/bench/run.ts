// `npm run bench`: ingest speed and peak memory of the reader against JSON.parse of the same
// file, measured in the same run, and the scan time of N+1 recordings of growing size.
// Inputs are generated (see generate.ts) into test/bench/generated/, which git ignores.
// Every figure is the median of RUNS runs, each in a fresh process.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeLargeRecording, writeNPlusOneRecording } from './generate';

const REPO = path.resolve(__dirname, '../../../..');
const OUT = path.join(REPO, 'test/bench/generated');
const MEASURE = path.join(__dirname, 'measure.js');
const RUNS = Number(process.env.RUNLENS_BENCH_RUNS ?? 3);
const LARGE_MB = Number(process.env.RUNLENS_BENCH_MB ?? 300);
const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');

interface Measurement {
  ms: number;
  parseMs?: number;
  maxRssMB: number;
  calls?: number;
  count?: number;
}

function main(): void {
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`runlens bench: node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; median of ${RUNS} runs, each in a fresh process\n`);

  const large = path.join(OUT, `large-${LARGE_MB}mb.generated.appmap.json`);
  const bytes = ensure(large, () => writeLargeRecording(large, LARGE_MB * 1e6));
  const mb = bytes / 1e6;
  console.log(`ingest: ${path.relative(REPO, large)}, ${mb.toFixed(1)} MB (generated: HTTP requests on 4 interleaved threads, parameters of 0.3-20 KB, an N+1 of 20 queries per request)`);
  const idle = median('idle', large);
  const parse = median('json-parse', large);
  const read = median('runlens-read', large);
  // The young generation's garbage is a fixed part of the peak; a smaller one is the best
  // alternative measured so far (a runtime v8.setFlagsFromString does not take effect).
  const readSmallYoung = median('runlens-read', large, undefined, ['--max-semi-space-size=2']);
  if (parse.calls !== read.calls) throw new Error(`call counts differ: JSON.parse ${parse.calls}, runlens ${read.calls}`);
  const rows: string[][] = [
    ['', 'median', 'MB/s', 'peak RSS', 'peak RSS / file'],
    ['JSON.parse (readFileSync + parse)', ms(parse.ms), rate(mb, parse.ms), mem(parse.maxRssMB), ratio(parse.maxRssMB / mb)],
    ['JSON.parse (parse only)', ms(parse.parseMs as number), rate(mb, parse.parseMs as number), '', ''],
    ['runlens read (streaming, 1 MiB chunks)', ms(read.ms), rate(mb, read.ms), mem(read.maxRssMB), ratio(read.maxRssMB / mb)],
    ['runlens read, node --max-semi-space-size=2', ms(readSmallYoung.ms), rate(mb, readSmallYoung.ms), mem(readSmallYoung.maxRssMB), ratio(readSmallYoung.maxRssMB / mb)],
    ['idle node process (for reference)', '', '', mem(idle.maxRssMB), ''],
  ];
  table(rows);
  console.log(`speed vs JSON.parse: ${ratio(parse.ms / read.ms)} of read+parse, ${ratio((parse.parseMs as number) / read.ms)} of parse only (higher is faster)`);
  console.log(`memory vs JSON.parse: ${ratio(read.maxRssMB / parse.maxRssMB)} (target: peak RSS under a third of the file: ${read.maxRssMB < mb / 3 ? 'met' : 'NOT met'})`);
  console.log(`calls read: ${read.calls}\n`);

  console.log('scan: N+1 recordings (generated: the meetups page with 3 queries per row), scanned against test/workspaces/django-meetups');
  const scanRows: string[][] = [['rows', 'queries', 'size', 'median', 'per row', 'N+1 count', 'peak RSS']];
  for (const n of [500, 5000, 50000]) {
    const file = path.join(OUT, `n-plus-one-${n}.generated.appmap.json`);
    const size = ensure(file, () => writeNPlusOneRecording(file, n));
    const m = median('runlens-scan', file, MEETUPS);
    scanRows.push([String(n), String(1 + 3 * n), `${(size / 1e6).toFixed(1)} MB`, ms(m.ms), `${((m.ms / n) * 1000).toFixed(0)} µs`, String(m.count), mem(m.maxRssMB)]);
  }
  table(scanRows);
}

function ensure(file: string, write: () => number): number {
  if (fs.existsSync(file)) return fs.statSync(file).size;
  process.stdout.write(`(generating ${path.basename(file)}…)\n`);
  return write();
}

function median(mode: string, file: string, root?: string, nodeArgs: string[] = []): Measurement {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--max-old-space-size=16000', ...nodeArgs, MEASURE, mode, file, ...(root ? [root] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
    runs.push(JSON.parse(r.stdout));
  }
  const mid = <K extends keyof Measurement>(k: K) => {
    const values = runs.map((r) => r[k] as number).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  return { ms: mid('ms'), parseMs: mid('parseMs'), maxRssMB: mid('maxRssMB'), calls: runs[0].calls, count: runs[0].count };
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log('  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
const rate = (mb: number, v: number) => (mb / (v / 1000)).toFixed(0);
const mem = (v: number) => `${Math.round(v).toLocaleString('en-US')} MB`;
const ratio = (v: number) => `${v.toFixed(2)}×`;

main();

// ─── Server: the language server as a child process (test/bench/server.ts) ───────────────────
// Runs after the sections above (main is synchronous); the import is hoisted and has no effects.
import { runServerBench } from './server';
runServerBench({ repo: REPO, out: OUT, runs: RUNS }).catch((err) => {
  process.stderr.write(`server bench failed: ${String(err && err.stack ? err.stack : err)}\n`);
  process.exitCode = 1;
});
