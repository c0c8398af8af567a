// Records the app with the real OpenTelemetry Node SDK (http, express and knex instrumentations)
// and writes what the SDK's own OTLP JSON serializer makes of each batch of spans as one line of
// JSON Lines: .runlens/traces/<name>.otlp.jsonl. Run: node record.js [--stacks] NAME
//   --stacks  adds a span processor that sets code.stacktrace on database spans when they start
//             (what a recorder such as `runlens record --otel` does), so a query's line is known.
// Batches of at most 25 spans, so a trace spans several lines. Each route is requested once; the SDK is shut down (its batches flushed) before the process ends.

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { KnexInstrumentation } = require('@opentelemetry/instrumentation-knex');
const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { ExportResultCode } = require('@opentelemetry/core');

const args = process.argv.slice(2);
const withStacks = args.includes('--stacks');
const name = args.filter((a) => !a.startsWith('--'))[0] ?? 'probe';
const out = path.join(__dirname, '.runlens', 'traces', `${name}.otlp.jsonl`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.rmSync(out, { force: true });

/** One line per batch: the SDK's JSON serialization of an ExportTraceServiceRequest (a TracesData). */
class JsonLinesExporter {
  export(spans, done) {
    fs.appendFileSync(out, Buffer.concat([Buffer.from(JsonTraceSerializer.serializeRequest(spans)), Buffer.from('\n')]));
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown() {
    return Promise.resolve();
  }
}

/** Sets code.stacktrace on database spans as they start, while the query's caller is on the stack. */
class StackProcessor {
  onStart(span) {
    if (span.attributes['db.system'] !== undefined || span.attributes['db.system.name'] !== undefined) {
      // Without the first line ("Error") and this frame.
      span.setAttribute('code.stacktrace', new Error().stack.split('\n').slice(2).join('\n'));
    }
  }
  onEnd() {}
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

Error.stackTraceLimit = 50;
const sdk = new NodeSDK({
  serviceName: 'otel-probe',
  spanProcessors: [...(withStacks ? [new StackProcessor()] : []), new BatchSpanProcessor(new JsonLinesExporter(), { maxExportBatchSize: 25 })],
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation(), new KnexInstrumentation()],
});
sdk.start();

// Loaded after the SDK started, so that the instrumentations patch them.
const { createApp } = require('./src/app');
const { createTables, seed } = require('./src/schema');
const knex = require('./src/db');

function get(port, route) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: route }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${route}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function main() {
  await createTables();
  await seed();
  const server = createApp().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  for (const route of ['/authors/loop', '/authors/parallel', '/authors/fixed']) await get(port, route);
  await new Promise((resolve) => server.close(resolve));
  await knex.destroy();
  await sdk.shutdown();
  console.log(`recorded ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
