// The long fuzz run, on demand (`npm run fuzz`): each property of properties.ts for its share of a
// time budget, in a watched worker (watch.ts) that goes on with the next seed after a failure;
// then the nastiest inputs through the real CLI and server (endToEnd.ts). Prints how many inputs
// each property tried and how many failed; each distinct failure with the input's file and the
// command that replays it. Exits 1 when anything failed.
//
//   RUNLENS_FUZZ_SECONDS   total time budget (default 600)
//   RUNLENS_FUZZ_RUNS      inputs per property instead of a time budget
//   RUNLENS_FUZZ_SEED      first seed (default: from the clock, printed)
//   RUNLENS_FUZZ_PROPERTY  properties to run, comma-separated (default: all, then the CLI and server)
//   RUNLENS_FUZZ_PATH      replays one counterexample (with its seed and property)
//   RUNLENS_FUZZ_SCALE     ci or long (default long: larger shapes and strings)

import * as fs from 'node:fs';
import { checkCli, checkServer, nastySpecs, nastyWorkspace } from './endToEnd';
import { calibrate, PROPERTY_NAMES, PropertyName, tallyLine } from './properties';
import { COUNTEREXAMPLES, Failure, replayCommand, runWatched } from './watch';

/** Share of the time budget per property: analysis inputs cost the most. */
const SHARE: Record<PropertyName, number> = { reader: 0.35, chunking: 0.2, analysis: 0.45 };
const STUCK_MS = 180_000;

async function main(): Promise<number> {
  const env = process.env;
  const seconds = Number(env.RUNLENS_FUZZ_SECONDS ?? 600);
  const runs = env.RUNLENS_FUZZ_RUNS === undefined ? undefined : Number(env.RUNLENS_FUZZ_RUNS);
  const firstSeed = env.RUNLENS_FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(env.RUNLENS_FUZZ_SEED);
  const scale = env.RUNLENS_FUZZ_SCALE === 'ci' ? 'ci' : 'long';
  const selected = env.RUNLENS_FUZZ_PROPERTY ? (env.RUNLENS_FUZZ_PROPERTY.split(',') as PropertyName[]) : PROPERTY_NAMES;
  for (const p of selected) if (!PROPERTY_NAMES.includes(p)) throw new Error(`RUNLENS_FUZZ_PROPERTY: no property "${p}" (${PROPERTY_NAMES.join(', ')})`);
  console.log(`runlens fuzz: seed ${firstSeed}, scale ${scale}, ${runs === undefined ? `${seconds} s` : `${runs} inputs per property`}; counterexamples go to ${COUNTEREXAMPLES}`);
  const started = Date.now();

  if (env.RUNLENS_FUZZ_PATH !== undefined) {
    // Replay: one property, one input.
    const report = await runWatched({ property: selected[0], seed: firstSeed, numRuns: 1, path: env.RUNLENS_FUZZ_PATH, scale, shrink: false, nsPerByte: calibrate(), stuckMs: STUCK_MS });
    if (!report.failures.length) {
      console.log(`replayed ${selected[0]} ${firstSeed}/${env.RUNLENS_FUZZ_PATH}: it holds now`);
      return 0;
    }
    for (const f of report.failures) printFailure(selected[0], f, scale);
    return 1;
  }

  const failures: { property: string; failure: Failure }[] = [];
  const lines: string[] = [];
  const nsPerByte = calibrate();
  console.log(`the reader reads the corpus at ${nsPerByte.toFixed(1)} ns/byte: times are bounded relative to that`);
  for (const [k, property] of selected.entries()) {
    const budgetMs = (seconds * 1000 * SHARE[property]) / selected.reduce((t, p) => t + SHARE[p], 0);
    // Seeds far apart, so that the properties try different inputs.
    const seed = (firstSeed + k * 1_000_003) % 2 ** 31;
    const report = await runWatched({
      property,
      seed,
      numRuns: runs ?? Number.MAX_SAFE_INTEGER,
      timeLimitMs: runs === undefined ? budgetMs : undefined,
      scale,
      shrink: false,
      continueAfterFailure: true,
      nsPerByte,
      stuckMs: STUCK_MS,
    });
    // The same bug found again is counted, not printed again.
    const signatures = new Set<string>();
    for (const failure of report.failures) {
      const signature = failure.message.split('\n')[0].replace(/\d+(\.\d+)?/g, 'N');
      if (signatures.has(signature)) continue;
      signatures.add(signature);
      failures.push({ property, failure });
      printFailure(property, failure, scale);
    }
    const line = tallyLine(property, report.tally, report.failures.length, ` in ${report.rounds} rounds (seeds ${seed}…), ${(report.durationMs / 1000).toFixed(0)} s${signatures.size ? `, ${signatures.size} distinct` : ''}`);
    lines.push(line);
    console.log(line);
  }

  if (!env.RUNLENS_FUZZ_PROPERTY) {
    // Each in a workspace of its own: the CLI's `baseline save` writes one the server would read.
    const specs = nastySpecs(firstSeed);
    const cliWorkspace = nastyWorkspace(specs);
    try {
      const cli = checkCli(cliWorkspace.root, cliWorkspace.files);
      const cliProblems = cli.filter((r) => r.problems.length);
      const line = `fuzz cli: ${cli.length} runs on ${cliWorkspace.files.length} nasty recordings, ${cliProblems.length} failed`;
      lines.push(line);
      console.log(line);
      for (const r of cliProblems) {
        console.log(`  runlens ${r.args.join(' ')} → exit ${r.code}: ${r.problems.join('; ')}`);
        failures.push({ property: 'cli', failure: { message: r.problems.join('; '), spec: r.args.join(' '), label: 'cli', seed: firstSeed } });
      }
    } finally {
      fs.rmSync(cliWorkspace.root, { recursive: true, force: true });
    }
    const serverWorkspace = nastyWorkspace(specs);
    try {
      const late = { kind: 'shape', shape: 'deep-chain-distinct-functions', size: 20_000 } as const;
      const serverProblems = await checkServer(serverWorkspace.root, serverWorkspace.files, late);
      const serverLine = `fuzz server: ${serverWorkspace.files.length + 2} recordings (${serverWorkspace.files.length + 1} nasty), ${serverProblems.length} problems`;
      lines.push(serverLine);
      console.log(serverLine);
      for (const p of serverProblems) {
        console.log(`  ${p}`);
        failures.push({ property: 'server', failure: { message: p, spec: '', label: 'server', seed: firstSeed } });
      }
    } finally {
      fs.rmSync(serverWorkspace.root, { recursive: true, force: true });
    }
  }

  console.log(`\nrunlens fuzz: ${((Date.now() - started) / 1000).toFixed(0)} s, seed ${firstSeed}`);
  for (const l of lines) console.log(`  ${l}`);
  console.log(failures.length ? `${failures.length} distinct failures (above)` : 'no input crashed or broke a property');
  return failures.length ? 1 : 0;
}

function printFailure(property: string, f: Failure, scale: 'ci' | 'long'): void {
  console.log(`\n✗ ${property}: ${f.message.split('\n').slice(0, 6).join('\n    ')}`);
  console.log(`  input: ${f.label}${f.file ? `, written to ${f.file}` : ''}`);
  console.log(`  spec: ${f.spec.length > 400 ? `${f.spec.slice(0, 400)}…` : f.spec}`);
  if (PROPERTY_NAMES.includes(property as PropertyName)) console.log(`  replay: ${replayCommand(property as PropertyName, f, scale)}\n`);
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.stack ?? err);
    process.exit(2);
  },
);
