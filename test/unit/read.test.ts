// The AppMap reader: pairing, eventUpdates, threads, async returns, unreturned calls, legacy keys,
// and broken input. Each case is a small recording written in the test (not agent output) and the
// expected call tree rendered as indented text.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { formatProblem } from '../../server/src/core/problem';
import { Call, CallKind, callView, childrenOf, Trace } from '../../server/src/core/trace';

/** One line per call, indented by depth: what it is, thread, time in ms, status and exception. */
export function renderTrace(trace: Trace): string {
  const lines: string[] = [];
  const visit = (call: Call): void => {
    // The SQL text is its key's first text (core/trace.ts sqlOf); no case below has two texts of one key.
    const c = callView(trace, call);
    let what: string;
    if (c.kind === CallKind.Sql) what = `sql ${c.sql?.text}`;
    else if (c.kind === CallKind.HttpServer) what = `http ${c.http?.route} -> ${c.http?.status ?? '?'}`;
    else if (c.kind === CallKind.HttpClient) what = `client ${c.client?.method} ${c.client?.url} -> ${c.client?.status ?? '?'}`;
    else {
      const f = trace.functions[c.fn];
      what = `${f.definedClass}${f.isStatic ? '.' : '#'}${f.methodId} ${f.recordedPath ?? ''}:${f.recordedLine ?? ''}`;
    }
    const time = !c.returned ? 'never returned' : Number.isNaN(c.elapsedMs) ? 'no time' : `${+c.elapsedMs.toFixed(3)} ms`;
    const exception = c.exception ? ` !${c.exception.className}: ${c.exception.message}` : '';
    lines.push(`${'  '.repeat(c.depth)}${what} [t${c.threadId}] ${time}${exception}`);
    for (const k of childrenOf(trace, call)) visit(k);
  };
  for (let c = 0; c < trace.calls.length; c++) if (trace.calls.parent[c] === -1) visit(c);
  return lines.join('\n');
}

function checkRead(json: string, expectedTree: string, expectedProblems: string[] = []): Trace {
  const { trace, problems } = readRecording('rec.appmap.json', json);
  assert.equal(renderTrace(trace), expectedTree.trim());
  assert.deepEqual(problems.map(formatProblem), expectedProblems);
  // Split anywhere, the result is the same.
  for (const at of [1, Math.floor(json.length / 2), json.length - 1]) {
    const bytes = Buffer.from(json);
    const { createRecordingReader } = require('../../server/src/core/appmap/read') as typeof import('../../server/src/core/appmap/read');
    const reader = createRecordingReader('rec.appmap.json');
    reader.write(bytes.subarray(0, at));
    reader.write(bytes.subarray(at));
    const again = reader.end();
    assert.equal(renderTrace(again.trace), expectedTree.trim(), `split at ${at}`);
  }
  return trace;
}

const fn = (id: number, name: string, extra = '') =>
  `{"id":${id},"event":"call","thread_id":1,"defined_class":"app.Views","method_id":"${name}","path":"app/views.py","lineno":${id},"static":false,"parameters":[{"name":"x","value":"${'v'.repeat(50)}"}]${extra}}`;
const ret = (id: number, parent: number, seconds?: number, extra = '') =>
  `{"id":${id},"event":"return","thread_id":1,"parent_id":${parent}${seconds === undefined ? '' : `,"elapsed":${seconds}`},"return_value":{"class":"str","value":"x"}${extra}}`;

describe('AppMap reader', () => {
  it('pairs calls and returns, converts seconds to milliseconds, keeps SQL and HTTP', () => {
    checkRead(
      `{"version":"1.9","metadata":{"name":"t","client":{"name":"appmap"}},"events":[
        {"id":1,"event":"call","thread_id":1,"http_server_request":{"request_method":"get","path_info":"/m/1","normalized_path_info":"/m/{id}"}},
        ${fn(2, 'show')},
        {"id":3,"event":"call","thread_id":1,"sql_query":{"sql":"SELECT 1","database_type":"sqlite"}},
        ${ret(4, 3, 0.0005)},
        ${ret(5, 2, 0.002)},
        {"id":6,"event":"return","thread_id":1,"parent_id":1,"elapsed":0.25,"http_server_response":{"status_code":200}}
      ]}`,
      `
http GET /m/{id} -> 200 [t1] 250 ms
  app.Views#show app/views.py:2 [t1] 2 ms
    sql SELECT 1 [t1] 0.5 ms`,
    );
  });

  it('applies eventUpdates before any time is used, wherever they stand in the file', () => {
    const events = `[${fn(1, 'handler')},${ret(2, 1, 0.001)}]`;
    const updates = `{"2":${ret(2, 1, 1.5, ',"exceptions":[{"class":"Error","message":"boom"}]')}}`;
    const expected = 'app.Views#handler app/views.py:1 [t1] 1500 ms !Error: boom';
    checkRead(`{"events":${events},"eventUpdates":${updates}}`, expected);
    checkRead(`{"eventUpdates":${updates},"events":${events}}`, expected);
  });

  it('pairs by parent_id per thread, with interleaved threads', () => {
    checkRead(
      `{"events":[
        {"id":1,"event":"call","thread_id":1,"defined_class":"A","method_id":"a"},
        {"id":2,"event":"call","thread_id":2,"defined_class":"B","method_id":"b"},
        {"id":3,"event":"call","thread_id":1,"defined_class":"A","method_id":"a2"},
        {"id":4,"event":"call","thread_id":2,"defined_class":"B","method_id":"b2"},
        {"id":5,"event":"return","thread_id":2,"parent_id":4,"elapsed":0.001},
        {"id":6,"event":"return","thread_id":1,"parent_id":3,"elapsed":0.002},
        {"id":7,"event":"return","thread_id":1,"parent_id":1,"elapsed":0.003},
        {"id":8,"event":"return","thread_id":2,"parent_id":2,"elapsed":0.004}
      ]}`,
      `
A#a : [t1] 3 ms
  A#a2 : [t1] 2 ms
B#b : [t2] 4 ms
  B#b2 : [t2] 1 ms`,
    );
  });

  it('takes returns out of order (async handlers) without losing the calls opened after', () => {
    checkRead(
      `{"events":[${fn(1, 'handler')},${fn(2, 'load')},${ret(3, 1, 0.001)},${fn(4, 'render')},${ret(5, 4, 0.002)},${ret(6, 2, 0.01)}]}`,
      `
app.Views#handler app/views.py:1 [t1] 1 ms
  app.Views#load app/views.py:2 [t1] 10 ms
    app.Views#render app/views.py:4 [t1] 2 ms`,
    );
  });

  it('makes queries run in parallel siblings, not one inside the other (appmap-node, async drivers)', () => {
    const query = (id: number, sql: string) => `{"id":${id},"event":"call","thread_id":1,"sql_query":{"sql":"${sql}","database_type":"sqlite"}}`;
    checkRead(
      `{"events":[${fn(1, 'present')},${query(2, 'PRAGMA TABLE_INFO(`tags`)')},${query(3, 'PRAGMA TABLE_INFO(`reviews`)')},${ret(4, 3, 0.003)},${ret(5, 2, 0.001)},${fn(6, 'render')},${ret(7, 6, 0.002)},${ret(8, 1, 0.01)}]}`,
      `
app.Views#present app/views.py:1 [t1] 10 ms
  sql PRAGMA TABLE_INFO(\`tags\`) [t1] 1 ms
  sql PRAGMA TABLE_INFO(\`reviews\`) [t1] 3 ms
  app.Views#render app/views.py:6 [t1] 2 ms`,
    );
  });

  it('keeps calls that never return and returns with no elapsed, with unknown time', () => {
    checkRead(
      `{"events":[${fn(1, 'outer')},${fn(2, 'inner')},${ret(3, 2)}]}`,
      `
app.Views#outer app/views.py:1 [t1] never returned
  app.Views#inner app/views.py:2 [t1] no time`,
      ['rec.appmap.json: 1 call(s) never returned; their time is unknown'],
    );
  });

  it('reads the legacy http_server_response.status and returns without parent_id (appmap-java)', () => {
    checkRead(
      `{"events":[
        {"id":1,"event":"call","thread_id":7,"http_server_request":{"request_method":"POST","path_info":"/owners/new"}},
        {"id":2,"event":"call","thread_id":7,"defined_class":"com.acme.OwnerController","method_id":"create","path":"com/acme/OwnerController.java","lineno":55},
        {"id":3,"event":"return","thread_id":7},
        {"id":4,"event":"return","thread_id":7,"http_server_response":{"status":302}}
      ]}`,
      `
http POST /owners/new -> 302 [t7] no time
  com.acme.OwnerController#create com/acme/OwnerController.java:55 [t7] no time`,
    );
  });

  it('keeps what a truncated file holds and names the byte where it ends', () => {
    const whole = `{"events":[${fn(1, 'a')},${ret(2, 1, 0.001)},${fn(3, 'b')},${ret(4, 3, 0.001)}]}`;
    const cut = whole.slice(0, whole.indexOf(fn(3, 'b')) + 40);
    const { trace, problems } = readRecording('rec.appmap.json', cut);
    assert.equal(renderTrace(trace), 'app.Views#a app/views.py:1 [t1] 1 ms');
    assert.deepEqual(problems.map(formatProblem), [
      `rec.appmap.json: byte ${cut.length}: not valid JSON: unexpected end of file inside a string that starts at byte ${cut.lastIndexOf('"')}: the file is truncated; read what came before it`,
    ]);
  });

  it('reports a file that is not a recording without throwing', () => {
    const cases: [string, string[]][] = [
      ['[1,2]', ['rec.appmap.json: byte 0: the recording is a JSON array; an AppMap is a JSON object with "events"']],
      ['{"events":{"a":1}}', ['rec.appmap.json: "events" is not an array; ignored']],
      ['{"events":[1,"x",{"event":"call"}]}', ['rec.appmap.json: 3 event(s) are not call or return events with an id; ignored', 'rec.appmap.json: 1 call(s) never returned; their time is unknown']],
      ['{"events":[{"id":1,"event":"return","parent_id":9,"elapsed":-1}]}', ['rec.appmap.json: 1 return event(s) name a call that is not in the recording; ignored']],
      ['', ['rec.appmap.json: byte 0: not valid JSON: the file is empty: no JSON value; read what came before it']],
    ];
    for (const [json, expected] of cases) assert.deepEqual(readRecording('rec.appmap.json', json).problems.map(formatProblem), expected, json);
  });

  it('reads metadata and classMap labels', () => {
    const { trace } = readRecording(
      'rec.appmap.json',
      `{"metadata":{"name":"past meetings","client":{"name":"appmap","version":"1.2"},"language":{"name":"python"},"recorder":{"name":"pytest","type":"tests"},"test_status":"succeeded","recording":{"source_location":"tests/test_x.py:4"},"frameworks":[{"name":"Django","version":"5.2"}]},
        "classMap":[{"type":"package","name":"app","children":[{"type":"class","name":"Views","children":[{"type":"function","name":"show","location":"app/views.py:2","labels":["http.handler"]}]}]}],
        "events":[${fn(2, 'show')},${ret(3, 2, 0.001)}]}`,
    );
    assert.deepEqual(trace.metadata, {
      name: 'past meetings', agentName: 'appmap', agentVersion: '1.2', language: 'python', recorderName: 'pytest', recorderType: 'tests',
      testStatus: 'succeeded', sourceLocation: 'tests/test_x.py:4', frameworks: [{ name: 'Django', version: '5.2' }],
    });
    assert.deepEqual(trace.functions[0].labels, ['http.handler']);
  });

  it('reads every event after a value nested deeper than 10,000 levels (it called the file invalid JSON and dropped them)', () => {
    const events = `"events":[${fn(1, 'show')},${ret(2, 1, 0.001)}]`;
    // A valid classMap 20,000 levels deep, before the events: built, so cut at 10,000 levels, with a warning at the level cut.
    const classMap = `"classMap":${'[{"type":"package","children":'.repeat(10_000)}[]${'}]'.repeat(10_000)}`;
    // The top object is level 1 and each `[{` two more: the `{` of the 5,000th opens level 10,001.
    const cutAt = `{"classMap":${'[{"type":"package","children":'.repeat(4_999)}[`.length;
    checkRead(`{${classMap},${events}}`, 'app.Views#show app/views.py:1 [t1] 1 ms', [
      `rec.appmap.json: byte ${cutAt}: 1 value(s) (metadata, classMap or event details) were nested deeper than 10,000 levels (the first here); what was deeper was skipped`,
    ]);
    // Skipped values (parameters, unknown members) may nest to any depth: no problem at all.
    const parameters = `${'['.repeat(200_000)}${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}${']'.repeat(200_000)}`;
    checkRead(`{"x":${parameters},"events":[${fn(1, 'show').replace('"parameters":[', `"parameters":[${parameters},`)},${ret(2, 1, 0.001)}]}`, 'app.Views#show app/views.py:1 [t1] 1 ms');
    // …and their brackets are still matched, however deep.
    const mismatched = `{"x":${'['.repeat(200_000)}${']'.repeat(199_999)}},${events}}`;
    assert.deepEqual(readRecording('rec.appmap.json', mismatched).problems.map(formatProblem), [
      `rec.appmap.json: byte ${mismatched.indexOf('}')}: not valid JSON: expected "," or "]" after an array element, found "}"; read what came before it`,
    ]);
  });
});

describe('AppMap reader memory', () => {
  it('holds no input for skipped values, whatever their size, and only wanted strings otherwise', async () => {
    const { createRecordingReader } = await import('../../server/src/core/appmap/read');
    const huge = 'p'.repeat(20 << 20);
    const sql = `SELECT ${'x, '.repeat(50_000)}y FROM t`;
    const json = `{"events":[{"id":1,"event":"call","thread_id":1,"defined_class":"A","method_id":"f","parameters":[{"value":"${huge}"}]},` +
      `{"id":2,"event":"call","thread_id":1,"sql_query":{"sql":"${sql}"}},{"id":3,"event":"return","thread_id":1,"parent_id":2,"elapsed":0.1},` +
      `{"id":4,"event":"return","thread_id":1,"parent_id":1,"elapsed":0.2,"return_value":{"value":"${huge}"}}]}`;
    const bytes = Buffer.from(json);
    const reader = createRecordingReader('big.appmap.json');
    for (let i = 0; i < bytes.length; i += 64 << 10) reader.write(bytes.subarray(i, i + (64 << 10)));
    const { trace, problems } = reader.end();
    assert.deepEqual(problems, []);
    assert.equal(callView(trace, 1).sql?.text, sql);
    // Only the SQL text (150 KB, spanning chunks) was ever buffered; the two 20 MB values were not.
    assert.equal(reader.maxBufferedBytes, Buffer.byteLength(sql));
  });
});

describe('reading recording files', () => {
  it('turns I/O errors into one problem instead of a crash or a "truncated" file', async () => {
    const { readRecordingFile, readRecordingFileSync } = await import('../../server/src/node/readRecordingFile');
    const os = await import('node:os');
    const dir = os.tmpdir();
    for (const read of [readRecordingFileSync, readRecordingFile]) {
      const { trace, problems } = await read(dir, 'a-folder.appmap.json');
      assert.deepEqual(problems.map(formatProblem), ['a-folder.appmap.json: byte 0: cannot read the file (a folder, not a regular file); read what came before']);
      assert.equal(trace.calls.length, 0);
      const missing = await read(`${dir}/no-such-recording.appmap.json`, 'missing.appmap.json');
      assert.deepEqual(missing.problems.map(formatProblem), ['missing.appmap.json: byte 0: cannot read the file (ENOENT); read what came before']);
    }
  });
});
