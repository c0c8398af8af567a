// OpenTelemetry traces in OTLP JSON (core/otlp/read.ts): the findings of traces written by the real
// OpenTelemetry Node SDK (test/workspaces/otel-probe, recorded by its record.js: the http, express
// and knex instrumentations, the SDK's own OTLP JSON serializer, JSON Lines), checked exactly; and
// the reader on the edges of the format (base64 ids, AnyValue kinds, spans overlapping in time,
// lines broken or still being written, SQL cut by the instrumentation).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig } from '../../server/src/core/config';
import { anyValue, idOf, readOtlp } from '../../server/src/core/otlp/read';
import { readAnyRecording } from '../../server/src/core/readRecording';
import { sqlShapeOf } from '../../server/src/core/analysis/stats';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { allCalls, CallKind, Trace } from '../../server/src/core/trace';
import { globMatcher } from '../../server/src/core/glob';
import { isRecordingName } from '../../server/src/node/recordings';
import { checkHover, checkLenses, checkParsers, recordedFolder } from '../support/check';
import { expect } from '../support/expect';
import { memoryFiles } from '../support/fixture';
import { recordedSite } from '../../server/src/core/placement/index';
import { assertLinearWork } from '../support/linearWork';
import { seededRandom } from '../support/random';

const PROBE = path.join(__dirname, '../../../../test/workspaces/otel-probe');
const TRACES = '.runlens/traces';

/** Where the probe was when it was recorded: its record.js, from the resource's process.command. */
function recordedRoot(file: string): string {
  const m = /"key":"process\.command","value":\{"stringValue":"([^"]+)\/record\.js"\}/.exec(fs.readFileSync(path.join(PROBE, file), 'utf8'));
  assert.ok(m, `${file} names no process.command`);
  return m[1];
}

/** The findings of one recorded trace, as `path:line count rule` and the related places. */
function findingsOfProbe(file: string): string[] {
  const r = recordedFolder(PROBE, (p) => p.startsWith('src/'), [file], { pathMappings: { [recordedRoot(file)]: '.' } });
  return r.snapshot.findings().map((f) => `${f.location.path}:${f.location.line}:${f.location.column} ${f.rule} ${f.count} ${f.severity}${(f.also ?? []).map((a) => ` (${a.what} ${a.location.path}:${a.location.line})`).join('')}`);
}

/** The lines of `file` holding `piece`, 1-based; `n` of them are expected. */
function linesIn(file: string, piece: string, n: number): number[] {
  const lines = fs.readFileSync(path.join(PROBE, file), 'utf8').split('\n');
  const found = lines.flatMap((l, i) => (l.includes(piece) ? [i + 1] : []));
  assert.equal(found.length, n, `${piece} in ${file}`);
  return found;
}

describe('OTLP JSON: traces of the real OpenTelemetry Node SDK (otel-probe)', function () {
  this.timeout(60_000);
  before(async () => {
    await checkParsers();
  });

  it('with code.stacktrace on database spans, each N+1 sits on the exact per-row query line, the source query related; the fixed route has none', () => {
    const [loopRow, parallelRow] = linesIn('src/app.js', "author.books = await knex('books')", 2);
    const [loopSource, parallelSource] = linesIn('src/app.js', "const authors = await knex('authors')", 3);
    assert.deepEqual(findingsOfProbe(`${TRACES}/stacks.otlp.jsonl`), [
      `src/app.js:${loopRow}:5 n-plus-one 12 error (the source query src/app.js:${loopSource})`,
      `src/app.js:${parallelRow}:7 n-plus-one 12 error (the source query src/app.js:${parallelSource})`,
    ]);
  });

  it('without code attributes (the SDK alone), each N+1 is found from the route to its handler: on the source query, the per-row call related', () => {
    const [loopRow, parallelRow] = linesIn('src/app.js', "author.books = await knex('books')", 2);
    const [loopSource, parallelSource] = linesIn('src/app.js', "const authors = await knex('authors')", 3);
    assert.deepEqual(findingsOfProbe(`${TRACES}/plain.otlp.jsonl`), [
      `src/app.js:${loopSource}:25 n-plus-one 12 error (the per-row call src/app.js:${loopRow})`,
      `src/app.js:${parallelSource}:25 n-plus-one 12 error (the per-row call src/app.js:${parallelRow})`,
    ]);
  });

  it('puts each route\'s lens on its handler, found from the route (the SDK records no function)', () => {
    const file = `${TRACES}/plain.otlp.jsonl`;
    const r = recordedFolder(PROBE, (p) => p.startsWith('src/'), [file], { pathMappings: { [recordedRoot(file)]: '.' } });
    checkLenses(r, 'src/app.js', expect`
      //- src/app.js
      // The Express app: the books of every author, loaded three ways. Two are N+1s (a loop with await,
      // and Promise.all over a map: the queries run concurrently), the third the fix (one whereIn query).

      const express = require('express');
      const knex = require('./db');

      async function authorsInLoop(req, res) {
      //@1 ^ GET /authors/loop · 27 ms · 13 SQL (call tree: .runlens/traces/plain.otlp.jsonl)
        const authors = await knex('authors').select('id', 'name').orderBy('id');
        for (const author of authors) {
          author.books = await knex('books').where('author_id', author.id).select('id', 'title');
        }
        res.json(authors);
      }

      async function authorsInParallel(req, res) {
      //@1 ^ GET /authors/parallel · 15 ms · 13 SQL (call tree: .runlens/traces/plain.otlp.jsonl)
        const authors = await knex('authors').select('id', 'name').orderBy('id');
        await Promise.all(
          authors.map(async (author) => {
            author.books = await knex('books').where({ author_id: author.id }).select('id', 'title');
          }),
        );
        res.json(authors);
      }

      async function authorsFixed(req, res) {
      //@1 ^ GET /authors/fixed · 3 ms · 2 SQL (call tree: .runlens/traces/plain.otlp.jsonl)
        const authors = await knex('authors').select('id', 'name').orderBy('id');
        const books = await knex('books').whereIn('author_id', authors.map((a) => a.id)).select('id', 'author_id', 'title');
        for (const author of authors) author.books = books.filter((b) => b.author_id === author.id);
        res.json(authors);
      }

      function createApp() {
        const app = express();
        app.get('/authors/loop', authorsInLoop);
        app.get('/authors/parallel', authorsInParallel);
        app.get('/authors/fixed', authorsFixed);
        return app;
      }

      module.exports = { createApp };
    `);
  });

  it('the hover on the per-row query line says the N+1 and its queries', () => {
    const file = `${TRACES}/stacks.otlp.jsonl`;
    const r = recordedFolder(PROBE, (p) => p.startsWith('src/'), [file], { pathMappings: { [recordedRoot(file)]: '.' } });
    checkHover(r, 'src/app.js', "author.books = await knex('books').where('author_id', $0author.id)", expect`
      **N+1: 12 queries from this query** \`n-plus-one\` (error)

      In GET /authors/loop, seen in 1 recording.

      The source query: \`src/app.js:8\` \`const authors = await knex('authors').select('id', 'name').orderBy('id');\`

      **Repeated queries**

      12 ×
      \`\`\`sql
      select \`id\`, \`title\` from \`books\` where \`author_id\` = ?
      \`\`\`
    `);
  });

  it('reads 300 seeded cuts of the real trace, each with a few bytes changed, without a throw, each problem naming the file', () => {
    const bytes = fs.readFileSync(path.join(PROBE, TRACES, 'plain.otlp.jsonl'));
    const random = seededRandom(19);
    const full = readOtlp('t.otlp.jsonl', bytes).trace.calls.length;
    for (let k = 0; k < 300; k++) {
      const input = Buffer.from(bytes.subarray(0, Math.floor(random() * bytes.length)));
      // A few bytes replaced by characters that matter to JSON and to the reader.
      for (let m = 0; m < 3 && input.length; m++) input[Math.floor(random() * input.length)] = '{}[]",:\n0a-'.charCodeAt(Math.floor(random() * 13));
      for (const mayGrow of [false, true]) {
        const { trace, problems } = readOtlp('t.otlp.jsonl', input, { mayGrow });
        assert.ok(trace.calls.length <= full + 1, `cut ${k}: ${trace.calls.length} calls`);
        assert.ok(problems.every((p) => p.file === 't.otlp.jsonl'), JSON.stringify(problems));
      }
    }
  });

  it('reads the tree: the client span, the server span, the express handler, the queries under it in start order', () => {
    const { trace, problems } = readAnyRecording(`${TRACES}/plain.otlp.jsonl`, fs.readFileSync(path.join(PROBE, TRACES, 'plain.otlp.jsonl')));
    assert.deepEqual(problems, []);
    const calls = allCalls(trace);
    const requests = calls.filter((c) => c.kind === CallKind.HttpServer);
    assert.deepEqual(requests.map((c) => `${c.http?.route} ${c.http?.status}`), ['GET /authors/loop 200', 'GET /authors/parallel 200', 'GET /authors/fixed 200']);
    for (const r of requests) {
      assert.equal(calls[r.parent].kind, CallKind.HttpClient, 'the test\'s request is the parent of the server span');
      assert.equal(calls[r.firstChild].spanName, 'request handler', 'the express span, named in call trees');
      const sqlUnder = calls.filter((c) => c.kind === CallKind.Sql && c.depth === r.depth + 2 && within(trace, c.index, r.index));
      assert.equal(sqlUnder.length, r.http?.route === 'GET /authors/fixed' ? 2 : 13, r.http?.route);
    }
    assert.equal(trace.metadata.agentName, 'opentelemetry');
    assert.deepEqual(trace.metadata.frameworks.map((f) => f.name).sort(), ['@opentelemetry/instrumentation-express', '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-knex']);
  });

  it('reads the insert the knex instrumentation cut to 1,024 characters (the last two `..`) as cut, its shape without the cut word', () => {
    const { trace } = readAnyRecording(`${TRACES}/plain.otlp.jsonl`, fs.readFileSync(path.join(PROBE, TRACES, 'plain.otlp.jsonl')));
    const cut = allCalls(trace).filter((c) => c.sql?.cut);
    assert.deepEqual(cut.map((c) => c.sql?.text.length), [1024]);
    for (const c of cut) assert.ok(c.sql?.text.endsWith('..') && sqlShapeOf(trace, c.index).endsWith(' …'), sqlShapeOf(trace, c.index));
  });
});

describe('OTLP JSON: the reader', () => {
  const span = (id: string, parent: string, startMs: number, endMs: number, attributes: object[] = [], more: object = {}) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name: 'span',
    kind: 1,
    startTimeUnixNano: `${1_700_000_000_000 + startMs}000000`,
    endTimeUnixNano: `${1_700_000_000_000 + endMs}000000`,
    attributes,
    ...more,
  });
  const line = (...spans: object[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });
  const sql = (text: string) => [{ key: 'db.system.name', value: { stringValue: 'sqlite' } }, { key: 'db.query.text', value: { stringValue: text } }];
  // A query's text is its key's first text (core/trace.ts sqlOf): the queries below differ in more than literals.
  const tree = (trace: Trace) => allCalls(trace).map((c) => `${'  '.repeat(c.depth)}${c.sql ? c.sql.text : c.http ? c.http.route : c.fn === -1 ? 'span' : trace.functions[c.fn].methodId} ${c.elapsedMs}`);

  it('nests by parentSpanId across lines, children in start order, and spans of one parent overlapping in time are siblings', () => {
    const root = span('aaaaaaaaaaaaaaaa', '', 0, 100, [{ key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.route', value: { stringValue: '/books/:id' } }, { key: 'url.path', value: { stringValue: '/books/7' } }, { key: 'http.response.status_code', value: { intValue: '200' } }], { kind: 2 });
    // Written as the SDK writes them: children end (and are exported) before their parent.
    const text = `${line(span('0000000000000003', 'aaaaaaaaaaaaaaaa', 12, 20, sql('select b')), span('0000000000000002', 'aaaaaaaaaaaaaaaa', 10, 18, sql('select a')))}\n${line(root)}\n`;
    const { trace, problems } = readOtlp('t.otlp.jsonl', text);
    assert.deepEqual(problems, []);
    assert.deepEqual(tree(trace), ['GET /books/:id 100', '  select a 8', '  select b 8']);
    assert.deepEqual(Array.from(trace.calls.parent.subarray(0, trace.calls.length)), [-1, 0, 0]);
    assert.equal(trace.calls.http.get(0)?.status, 200);
    assert.equal(trace.calls.http.get(0)?.path, '/books/7');
  });

  it('reads base64 ids (the protobuf JSON mapping) as the hex ids they are, and a string span kind', () => {
    const hexParent = 'aaaaaaaaaaaaaaaa';
    const b64Parent = Buffer.from(hexParent, 'hex').toString('base64');
    assert.equal(idOf(b64Parent), hexParent);
    assert.equal(idOf(Buffer.from('5b8efff798038103d269b633813fc60c', 'hex').toString('base64')), '5b8efff798038103d269b633813fc60c');
    assert.equal(idOf('AAAAAAAAAAA='), '', 'an all-zero id is no id');
    const parent = { ...span(b64Parent, '', 0, 10), traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex').toString('base64'), kind: 'SPAN_KIND_SERVER', attributes: [{ key: 'http.method', value: { stringValue: 'post' } }, { key: 'http.target', value: { stringValue: '/x?y=1' } }] };
    const { trace } = readOtlp('t.otlp.json', line(parent, span('0000000000000002', hexParent, 1, 2, sql('select 1'))));
    assert.deepEqual(tree(trace), ['POST /x 10', '  select 1 1']);
  });

  it('reads every AnyValue kind', () => {
    assert.equal(anyValue({ stringValue: 'a' }), 'a');
    assert.equal(anyValue({ intValue: '12' }), 12);
    assert.equal(anyValue({ intValue: 12 }), 12);
    assert.equal(anyValue({ doubleValue: 1.5 }), 1.5);
    assert.equal(anyValue({ boolValue: false }), false);
    assert.equal(anyValue({ arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } }), '["a",2]');
    assert.equal(anyValue({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }), '{"k":true}');
    assert.equal(anyValue({ bytesValue: 'AAE=' }), 'AAE=');
    assert.equal(anyValue({}), undefined);
    assert.equal(anyValue(null), undefined);
  });

  it('places a query by code.filepath and code.lineno (the old names) and reads code.function with code.namespace as a function', () => {
    const fn = span('0000000000000001', '', 0, 10, [{ key: 'code.function', value: { stringValue: 'list' } }, { key: 'code.namespace', value: { stringValue: 'Catalog' } }, { key: 'code.filepath', value: { stringValue: '/app/catalog.js' } }, { key: 'code.lineno', value: { intValue: 3 } }]);
    const q = span('0000000000000002', '0000000000000001', 1, 2, [...sql('select 1'), { key: 'code.filepath', value: { stringValue: '/app/catalog.js' } }, { key: 'code.lineno', value: { intValue: '5' } }]);
    const { trace } = readOtlp('t.otlp.json', line(fn, q));
    assert.deepEqual(trace.functions.map((f) => `${f.definedClass}.${f.methodId} ${f.recordedPath}:${f.recordedLine}`), ['Catalog.list /app/catalog.js:3']);
    assert.deepEqual(trace.calls.frames.get(1), [{ path: '/app/catalog.js', line: 5 }]);
  });

  it('takes the frames of code.stacktrace, Node internals and dependencies left out, file URLs as paths', () => {
    const stack = ['    at Runner.run (/app/node_modules/knex/lib/runner.js:30:19)', '    at async /app/src/books.js:19:22', '    at async Promise.all (index 1)', '    at async list (file:///app/src/app.mjs:17:3)', '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'].join('\n');
    const { trace } = readOtlp('t.otlp.json', line(span('0000000000000001', '', 0, 1, [...sql('select 1'), { key: 'code.stacktrace', value: { stringValue: stack } }])));
    assert.deepEqual(trace.calls.frames.get(0), [{ path: '/app/src/books.js', line: 19 }, { path: '/app/src/app.mjs', line: 17, fn: 'list' }]);
  });

  it('a half-written last line is no problem while the file may grow (its spans wait), a warning otherwise; the lines before are read', () => {
    const whole = line(span('0000000000000001', '', 0, 1, sql('select 1')));
    const half = line(span('0000000000000002', '', 2, 3, sql('select 2'))).slice(0, 60);
    const growing = readOtlp('t.otlp.jsonl', `${whole}\n${half}`, { mayGrow: true });
    assert.deepEqual(growing.problems, []);
    assert.deepEqual(tree(growing.trace), ['select 1 1']);
    const cut = readOtlp('t.otlp.jsonl', `${whole}\n${half}`);
    assert.deepEqual(cut.problems, [{ file: 't.otlp.jsonl', byteOffset: whole.length + 1, severity: 'warning', message: 'the last line (60 bytes) is incomplete: the file was cut, or is still being written; read the lines before it' }]);
    assert.deepEqual(tree(cut.trace), ['select 1 1']);
  });

  it('a broken line in the middle is an error at its byte, and the lines after it are read', () => {
    const first = line(span('0000000000000001', '', 0, 1, sql('select 1')));
    const broken = '{"resourceSpans": [ x';
    const last = line(span('0000000000000003', '', 4, 5, sql('select c')));
    const { trace, problems } = readOtlp('t.otlp.jsonl', `${first}\n${broken}\n${last}\n`);
    assert.deepEqual(problems, [{ file: 't.otlp.jsonl', byteOffset: first.length + 1 + broken.indexOf('x'), severity: 'error', message: 'not valid JSON: expected a value or "]", found "x"; the value is read up to there, and reading goes on at the next line' }]);
    assert.deepEqual(tree(trace), ['select 1 1', 'select c 1']);
  });

  it('reads one pretty-printed document, and says what is wrong with spans without ids or times', () => {
    const doc = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('0000000000000001', '', 0, 1, sql('select 1')), { name: 'no ids', startTimeUnixNano: 'soon' }] }] }] }, null, 2);
    const { trace, problems } = readOtlp('t.otlp.json', doc);
    assert.deepEqual(problems.map((p) => p.message), ['1 span(s) have no valid traceId or spanId; read without their children', '1 span(s) have no valid startTimeUnixNano; their time is unknown']);
    assert.deepEqual(tree(trace), ['select 1 1', 'span NaN']);
    assert.deepEqual(readOtlp('t.otlp.json', '{"resourceMetrics": []}').problems.map((p) => p.message), ['no "resourceSpans": not OTLP trace data (metrics or logs?)']);
  });

  it('groups SQL the instrumentation cut (ending in `..`) by the shape of what is left', () => {
    const long = (n: number) => `insert into t (a) values ${Array.from({ length: 40 }, (_, i) => `(${i * n})`).join(', ')}`.slice(0, 100) + '..';
    const { trace } = readOtlp('t.otlp.json', line(span('0000000000000001', '', 0, 1, sql(long(7))), span('0000000000000002', '', 1, 2, sql(long(123)))));
    assert.equal(sqlShapeOf(trace, 0), sqlShapeOf(trace, 1));
  });

  it('tells the format of a file its name does not say by its first member', () => {
    const otlp = readAnyRecording('trace.json', line(span('0000000000000001', '', 0, 1, sql('select 1'))));
    assert.equal(otlp.trace.metadata.recorderName, 'otlp');
    const appmap = readAnyRecording('recording.json', '{"events": []}');
    assert.equal(appmap.trace.metadata.recorderName, undefined);
  });

  it('finds traces by the `traces` globs: at the end of any path, `**` across folders; `.part` never', () => {
    const m = globMatcher(resolveConfig({}).traces);
    assert.deepEqual(['a/b.otlp.json', 'x.otlp.jsonl', '/ws/.runlens/traces/run-1.jsonl', 'pkg/.runlens/traces/deep/x', 'a/b.json', '.runlens/other/x.jsonl'].map(m), [true, true, true, true, false, false]);
    assert.equal(isRecordingName('/ws/.runlens/traces/x.jsonl.part'), false);
    assert.equal(isRecordingName('/ws/otel/x.json', ['otel/*.json']), true);
    assert.equal(isRecordingName('/ws/x.appmap.json', []), true);
  });

  it('reads in work linear in the spans: a chain n deep (deeper than the JS stack would take) and n siblings, written children first', () => {
    assertLinearWork('OTLP reading', (n) => {
      const id = (k: number) => k.toString(16).padStart(16, '0');
      const spans: object[] = [];
      for (let k = n; k >= 1; k--) spans.push(span(id(k), k > 1 ? id(k - 1) : '', k, 2 * n - k, k === n ? sql('select 1') : []));
      for (let k = 0; k < n; k++) spans.push(span(id(n + 1 + k), id(1), n + k, n + k + 1, sql(`select ${k}`)));
      const text = `${line(...spans.slice(0, n))}\n${line(...spans.slice(n))}\n`;
      return () => {
        const { trace, problems } = readOtlp('t.otlp.jsonl', text);
        assert.deepEqual(problems, []);
        assert.equal(trace.calls.length, 2 * n);
        assert.equal(Math.max(...trace.calls.depth.slice(0, 3)), 2);
      };
    }, 5_000);
  });

  it('a query is placed on its first recorded frame inside the project: not one in a dependency or outside the root', () => {
    const workspace = { files: new Map([['src/app.js', 'a\n  b\n']]) };
    const index = new SourceIndex(memoryFiles(workspace), undefined, resolveConfig({}));
    const q = (id: string, frames: string[]) => span(id, '', 0, 1, [...sql('select 1 where a = ?'), { key: 'code.stacktrace', value: { stringValue: frames.join('\n') } }]);
    const { trace } = readOtlp('t.otlp.json', line(q('0000000000000001', ['    at f (/elsewhere/src/app.js:3:1)']), q('0000000000000002', ['    at f (/ws/node_modules/x/y.js:3:1)', '    at g (/ws/src/app.js:2:5)'])));
    assert.deepEqual(allCalls(trace).map((c) => c.frames?.length ?? 0), [1, 1]);
    assert.equal(recordedSite(trace, index, [0]), undefined);
    const at = { path: 'src/app.js', line: 2, column: 3, endLine: 2, endColumn: 4 };
    assert.deepEqual(recordedSite(trace, index, [0, 1]), { location: at, ref: { kind: 'query-site', location: at, text: 'b' } });
  });
});

function within(trace: Trace, index: number, ancestor: number): boolean {
  const { parent } = trace.calls;
  for (let c = parent[index]; c !== -1; c = parent[c]) if (c === ancestor) return true;
  return false;
}
