// Loaded with `node --require` in every Node process that `runlens record --otel` runs (through
// NODE_OPTIONS): starts the OpenTelemetry Node SDK with the instrumentations installed beside
// runlens, the processor that adds the application's line to database and outgoing spans
// (codeLocation.ts), and the one that writes OTLP JSON Lines to the folder record chose
// (jsonLinesFile.ts). Nothing else of runlens loads the SDK. A process that cannot start it runs
// unrecorded, with one line on stderr saying why.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeLocationSpanProcessor } from './codeLocation';
import { JsonLinesSpanProcessor } from './jsonLinesFile';
import { ENV_ROOT, ENV_TRACES_DIR } from './recordEnv';

/**
 * The instrumentations started when their package is installed (runlens's optional dependencies):
 * the web frameworks, HTTP (incoming and outgoing, fetch included) and the database clients.
 */
export const INSTRUMENTATIONS: ReadonlyArray<{ pkg: string; name: string }> = [
  { pkg: '@opentelemetry/instrumentation-http', name: 'HttpInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-undici', name: 'UndiciInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-express', name: 'ExpressInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-koa', name: 'KoaInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-knex', name: 'KnexInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-pg', name: 'PgInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-mysql2', name: 'MySQL2Instrumentation' },
  { pkg: '@opentelemetry/instrumentation-mysql', name: 'MySQLInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-mongodb', name: 'MongoDBInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-ioredis', name: 'IORedisInstrumentation' },
  { pkg: '@opentelemetry/instrumentation-redis', name: 'RedisInstrumentation' },
];

const dir = process.env[ENV_TRACES_DIR];
const root = process.env[ENV_ROOT];
if (dir && root && !(globalThis as Record<symbol, unknown>)[STARTED()]) {
  (globalThis as Record<symbol, unknown>)[STARTED()] = true;
  try {
    start(dir, root);
  } catch (err) {
    process.stderr.write(`runlens record --otel: process ${process.pid} runs unrecorded: cannot start OpenTelemetry (${(err as Error).message})\n`);
  }
}

function STARTED(): symbol {
  return Symbol.for('runlens.otel.started');
}

function start(tracesDir: string, projectRoot: string): void {
  // The stable names of the semantic conventions (1.33+: db.query.text, http.request.method, url.path),
  // unless the user chose otherwise.
  process.env.OTEL_SEMCONV_STABILITY_OPT_IN ??= 'http,database';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK, resources } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const instrumentations = [];
  for (const { pkg, name } of INSTRUMENTATIONS) {
    try {
      const mod = require(pkg) as Record<string, new () => unknown>;
      instrumentations.push(new mod[name]());
    } catch {
      // Not installed (or not what this version exports): that library is not traced.
    }
  }
  const file = path.join(tracesDir, `${fileStem(projectRoot)}-${stamp(new Date())}-${process.pid}.otlp.jsonl`);
  const writer = new JsonLinesSpanProcessor({ file, serializer: JsonTraceSerializer });
  const locator = new CodeLocationSpanProcessor({ root: projectRoot, ignoredDirs: [__dirname] });
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName(projectRoot),
    // Only what is known at once: an asynchronous attribute (the host's id) would not be there when
    // an exiting process writes its last spans.
    resourceDetectors: [resources.envDetector, resources.processDetector],
    spanProcessors: [locator, writer],
    instrumentations: instrumentations as never,
  });
  sdk.start();
  onExit(() => writer.flushSync(), () => writer.closeSync());
}

/**
 * Writes what ended before the process goes: when the event loop empties (beforeExit), on
 * process.exit and uncaught errors (exit, where only synchronous work runs), and on SIGTERM,
 * SIGINT and SIGHUP, which are then raised again when nobody else handles them, so the process
 * still ends by the signal. Spans not ended yet (a request in flight) are lost, as is everything
 * kept since the last write when the process is killed with SIGKILL.
 */
function onExit(flush: () => void, close: () => void): void {
  const guarded = (f: () => void) => () => {
    try {
      f();
    } catch (err) {
      process.stderr.write(`runlens record --otel: process ${process.pid}: cannot write its traces: ${(err as Error).message}\n`);
    }
  };
  process.on('beforeExit', guarded(flush));
  process.on('exit', guarded(close));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const handler = () => {
      guarded(flush)();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/** The project's package name, else its folder's name. */
function serviceName(projectRoot: string): string {
  try {
    const name = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).name;
    if (typeof name === 'string' && name) return name;
  } catch {
    // No package.json, or not JSON: the folder's name.
  }
  return path.basename(projectRoot) || 'node';
}

/** A file name's stem from the service's name: letters, digits, `-`, `_` and `.` only. */
function fileStem(projectRoot: string): string {
  return serviceName(projectRoot).replace(/[^\w.-]+/g, '-').replace(/^[-.]+/, '') || 'node';
}

/** `20261207T215800123Z`: sorts by time, no characters a file system refuses. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}
