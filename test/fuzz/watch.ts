// Runs one fuzz property in a worker thread, watched from the calling thread. A reader stuck in a
// loop is synchronous: neither mocha's timeout nor fast-check's could interrupt it, and the run
// would hang without naming the input. The worker reports each input before trying it; when it
// stops reporting (or runs out of memory, or dies), the watcher ends it and names the last input.
// A counterexample is written to a file, with the seed and path that replay it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { CI_SCALE, InputSpec, labelOf, LONG_SCALE, materialize } from './inputs';
import { analysisWorkspace, emptyTally, PropertyName, propertyOf, Tally } from './properties';

export interface RunRequest {
  property: PropertyName;
  seed: number;
  numRuns: number;
  /** Stop trying new inputs after this long (the long run); undefined: numRuns, whatever the time. */
  timeLimitMs?: number;
  scale: 'ci' | 'long';
  /** Replays one counterexample (fast-check's path, with its seed). */
  path?: string;
  /** Shrink a counterexample to a smaller one (slow for inputs that fail by their time). */
  shrink: boolean;
  /** After a failure, go on with the next seed (seed + 1, …) until numRuns or the time limit: the long run. */
  continueAfterFailure?: boolean;
  /** The reader's calibrated speed (`calibrate`): given, time is bounded as well as work (the long run); `npm test` leaves it out. */
  nsPerByte?: number;
  /** The worker is taken to be stuck when it reports no new input for this long. */
  stuckMs: number;
}

export interface Failure {
  message: string;
  /** The input's spec, as JSON (cut if long), and where its bytes were written. */
  spec: string;
  label: string;
  file?: string;
  /** How to replay it: fast-check's seed and path. */
  seed: number;
  path?: string;
}

export interface RunReport {
  property: PropertyName;
  seed: number;
  tally: Tally;
  /** Rounds run (seeds used); more than one only with continueAfterFailure. */
  rounds: number;
  shrinks: number;
  /** Every failure, in order (one per round at most). */
  failures: Failure[];
  durationMs: number;
}

type Message = { kind: 'input'; spec: string; label: string; inputs: number } | { kind: 'failure'; failure: Failure } | { kind: 'done'; report: RunReport };

/** Where counterexamples are written. */
export const COUNTEREXAMPLES = path.join(os.tmpdir(), 'runlens-fuzz');

/** Runs the request in a worker; resolves with its report, or one naming the input it was stuck on. */
export function runWatched(request: RunRequest): Promise<RunReport> {
  const started = Date.now();
  return new Promise((resolve) => {
    const worker = new Worker(__filename, { workerData: { role: 'runlens-fuzz', request }, resourceLimits: { maxOldGenerationSizeMb: 6144 } });
    let last: { spec: string; label: string; inputs: number } = { spec: '(none yet)', label: '(starting)', inputs: 0 };
    // Failures reported before the worker died or hung are kept.
    const failures: Failure[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (report: RunReport) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(report);
    };
    const died = (message: string) => {
      const file = saveSpec(request, last.spec);
      const failure = { message, spec: last.spec, label: last.label, file, seed: request.seed };
      finish({ property: request.property, seed: request.seed, tally: { ...emptyTally(), inputs: last.inputs }, rounds: 0, shrinks: 0, failures: [...failures, failure], durationMs: Date.now() - started });
    };
    const watch = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        died(`no progress for ${request.stuckMs / 1000} s: stuck on ${last.label}`);
      }, request.stuckMs);
    };
    watch();
    worker.on('message', (m: Message) => {
      if (m.kind === 'input') {
        last = m;
        watch();
      } else if (m.kind === 'failure') failures.push(m.failure);
      else {
        finish(m.report);
        void worker.terminate();
      }
    });
    worker.on('error', (err) => died(`the worker died on ${last.label}: ${err.stack ?? err}`));
    worker.on('exit', (code) => {
      if (!settled) died(`the worker exited with code ${code} on ${last.label}`);
    });
  });
}

/** The command that replays a failure. */
export function replayCommand(property: PropertyName, failure: Failure, scale: 'ci' | 'long'): string {
  return `RUNLENS_FUZZ_PROPERTY=${property} RUNLENS_FUZZ_SCALE=${scale} RUNLENS_FUZZ_SEED=${failure.seed}${failure.path ? ` RUNLENS_FUZZ_PATH=${failure.path}` : ''} npm run fuzz`;
}

// ---- the worker -------------------------------------------------------------------------------

if (!isMainThread && workerData?.role === 'runlens-fuzz') {
  void work(workerData.request as RunRequest).then(
    (report) => parentPort?.postMessage({ kind: 'done', report } satisfies Message),
    (err: Error) => {
      throw err;
    },
  );
}

async function work(request: RunRequest): Promise<RunReport> {
  const started = Date.now();
  const scale = request.scale === 'ci' ? CI_SCALE : LONG_SCALE;
  const nsPerByte = request.nsPerByte;
  const workspace = request.property === 'analysis' ? await analysisWorkspace() : undefined;
  const tally = emptyTally();
  const post = (m: Message) => parentPort?.postMessage(m);
  const report: RunReport = { property: request.property, seed: request.seed, tally, rounds: 0, shrinks: 0, failures: [], durationMs: 0 };
  try {
    for (let seed = request.seed; ; seed++) {
      const left = request.timeLimitMs === undefined ? undefined : request.timeLimitMs - (Date.now() - started);
      const runs = request.numRuns - tally.inputs;
      if (runs <= 0 || (left !== undefined && left <= 0)) break;
      const property = propertyOf(request.property, { scale, nsPerByte, workspace, tally, onInput: (spec) => post({ kind: 'input', spec: specText(spec), label: labelOf(spec), inputs: tally.inputs + 1 }) });
      const details = await fc.check(property, { seed, numRuns: runs, path: request.path, endOnFailure: !request.shrink, interruptAfterTimeLimit: left, markInterruptAsFailure: false });
      report.rounds++;
      report.shrinks += details.numShrinks;
      if (details.failed && details.counterexample) {
        const [spec] = details.counterexample;
        const err = details.errorInstance as Error | undefined;
        const failure: Failure = {
          message: err?.message ?? String(details.errorInstance),
          spec: specText(spec),
          label: labelOf(spec),
          file: saveInput(request.property, seed, spec),
          seed: details.seed,
          path: details.counterexamplePath ?? undefined,
        };
        report.failures.push(failure);
        post({ kind: 'failure', failure });
      }
      if (!details.failed || !request.continueAfterFailure || request.path !== undefined || details.interrupted) break;
    }
  } finally {
    if (workspace) fs.rmSync(workspace.root, { recursive: true, force: true });
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** A spec as JSON, cut to 100 KB: generated recordings are specs of some size. */
function specText(spec: InputSpec): string {
  const text = JSON.stringify(spec);
  return text.length > 100_000 ? `${text.slice(0, 100_000)}… (cut)` : text;
}

function saveInput(property: PropertyName, seed: number, spec: InputSpec): string | undefined {
  try {
    fs.mkdirSync(COUNTEREXAMPLES, { recursive: true });
    const base = path.join(COUNTEREXAMPLES, `${property}-seed${seed}`);
    fs.writeFileSync(`${base}.spec.json`, JSON.stringify(spec));
    fs.writeFileSync(`${base}.appmap.json`, materialize(spec));
    return `${base}.appmap.json`;
  } catch {
    return undefined;
  }
}

function saveSpec(request: RunRequest, spec: string): string | undefined {
  try {
    fs.mkdirSync(COUNTEREXAMPLES, { recursive: true });
    const file = path.join(COUNTEREXAMPLES, `${request.property}-seed${request.seed}-stuck.spec.json`);
    fs.writeFileSync(file, spec);
    return file;
  } catch {
    return undefined;
  }
}
