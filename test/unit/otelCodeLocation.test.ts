// The application frame that runlens record --otel's span processor (node/otel/codeLocation.ts)
// puts on a span: read from V8 stacks as Node writes them (async frames, anonymous functions,
// ES modules' file: URLs, Node's internals), the first frame of the application's own code, its
// path relative to the project, and the stack without the SDK's frames.

import * as assert from 'node:assert/strict';
import { codeAttributes, displayFile, parseStack, wantsLocation } from '../../server/src/node/otel/codeLocation';

const ROOT = '/home/ada/shop';
const OPTIONS = { root: ROOT, ignoredDirs: ['/opt/runlens/server/out/server/src/node/otel'] };

/** A stack as V8 writes it at a knex span's start (captured in a real run, paths changed). */
const KNEX_STACK = [
  'Error',
  '    at MultiSpanProcessor.onStart (/opt/runlens/node_modules/@opentelemetry/sdk-trace/build/src/MultiSpanProcessor.js:36:27)',
  '    at Runner.wrapped_logging_method (/opt/runlens/node_modules/@opentelemetry/instrumentation-knex/build/src/instrumentation.js:98:53)',
  '    at Runner.query (/home/ada/shop/node_modules/knex/lib/execution/runner.js:123:20)',
  '    at ensureConnectionCallback (/home/ada/shop/node_modules/knex/lib/execution/internal/ensure-connection-callback.js:13:17)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at async Runner.run (/home/ada/shop/node_modules/knex/lib/execution/runner.js:30:19)',
  '    at async /home/ada/shop/src/routes.js:21:23',
  '    at async Promise.all (index 0)',
  '    at async projectsAllAsync (/home/ada/shop/src/routes.js:19:3)',
].join('\n');

describe('record --otel: the application frame of a span', function () {
  it('reads V8 frames: named, async, anonymous, and Promise.all lines skipped', function () {
    const frames = parseStack(KNEX_STACK);
    assert.deepEqual(
      frames.map((f) => [f.fn ?? '-', f.file, f.line, f.column]),
      [
        ['MultiSpanProcessor.onStart', '/opt/runlens/node_modules/@opentelemetry/sdk-trace/build/src/MultiSpanProcessor.js', 36, 27],
        ['Runner.wrapped_logging_method', '/opt/runlens/node_modules/@opentelemetry/instrumentation-knex/build/src/instrumentation.js', 98, 53],
        ['Runner.query', '/home/ada/shop/node_modules/knex/lib/execution/runner.js', 123, 20],
        ['ensureConnectionCallback', '/home/ada/shop/node_modules/knex/lib/execution/internal/ensure-connection-callback.js', 13, 17],
        ['process.processTicksAndRejections', 'node:internal/process/task_queues', 95, 5],
        ['Runner.run', '/home/ada/shop/node_modules/knex/lib/execution/runner.js', 30, 19],
        ['-', '/home/ada/shop/src/routes.js', 21, 23],
        ['projectsAllAsync', '/home/ada/shop/src/routes.js', 19, 3],
      ],
    );
  });

  it('puts the span on the first frame of the application; every path under the project relative to it', function () {
    assert.deepEqual(codeAttributes(KNEX_STACK, OPTIONS), {
      'code.stacktrace': [
        'at Runner.query (node_modules/knex/lib/execution/runner.js:123:20)',
        'at ensureConnectionCallback (node_modules/knex/lib/execution/internal/ensure-connection-callback.js:13:17)',
        'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        'at async Runner.run (node_modules/knex/lib/execution/runner.js:30:19)',
        'at async src/routes.js:21:23',
        'at async projectsAllAsync (src/routes.js:19:3)',
      ].join('\n'),
      'code.file.path': 'src/routes.js',
      'code.line.number': 21,
      'code.column.number': 23,
    });
  });

  it('names the function, reads file: URLs, and leaves runlens and files outside the project as they are', function () {
    const stack = [
      'Error',
      '    at Object.onStart (/opt/runlens/server/out/server/src/node/otel/codeLocation.js:40:9)',
      '    at listOrders (file:///home/ada/shop/src/orders.mjs:7:18)',
    ].join('\n');
    const a = codeAttributes(stack, OPTIONS);
    assert.equal(a?.['code.file.path'], 'src/orders.mjs');
    assert.equal(a?.['code.function.name'], 'listOrders');
    assert.equal(a?.['code.stacktrace'], 'at listOrders (src/orders.mjs:7:18)');
    assert.equal(displayFile('/srv/shared/lib.js', ROOT), '/srv/shared/lib.js');
    assert.equal(displayFile('/home/ada/shopping/x.js', ROOT), '/home/ada/shopping/x.js');
  });

  it('gives nothing when only dependencies and Node ran (a pool that reconnects by itself)', function () {
    const stack = ['Error', '    at Pool.connect (/home/ada/shop/node_modules/pg-pool/index.js:45:11)', '    at listOnTimeout (node:internal/timers:573:17)'].join('\n');
    assert.equal(codeAttributes(stack, OPTIONS), undefined);
  });

  it('locates database spans of any kind and client spans, not server or internal ones', function () {
    assert.equal(wantsLocation({ kind: 0, attributes: { 'db.system.name': 'sqlite' } }), true);
    assert.equal(wantsLocation({ kind: 2, attributes: { 'db.system': 'postgresql' } }), true);
    assert.equal(wantsLocation({ kind: 2, attributes: { 'http.request.method': 'GET' } }), true);
    assert.equal(wantsLocation({ kind: 1, attributes: { 'http.request.method': 'GET' } }), false);
    assert.equal(wantsLocation({ kind: 0, attributes: { 'express.type': 'request_handler' } }), false);
  });
});
