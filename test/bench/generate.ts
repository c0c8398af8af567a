// Generated recordings for the benchmarks, written in the AppMap format as appmap-python writes
// it. They are synthetic (the file names say `generated`) and deterministic: the same arguments
// give the same bytes.
//
// `writeLargeRecording`: HTTP requests on 4 threads, interleaved; each request calls project
// functions three levels deep with parameters and return values of a few hundred bytes (some
// of 20 KB, as a serialised object would be), and runs an N+1 of 20 queries with literals
// inlined. This is what makes up most of the bytes of real recordings: parameter values.
//
// `writeNPlusOneRecording`: one request that lists `rows` meetings and runs 3 queries per row,
// as the Django meetups example does.

import * as fs from 'node:fs';

/** Writes about `targetBytes` of recording to `file`; returns the number of bytes written. */
export function writeLargeRecording(file: string, targetBytes: number): number {
  const out = new Writer(file);
  out.write('{"version":"1.9","metadata":{"name":"generated large recording","client":{"name":"runlens-bench-generator"},"language":{"name":"python"},"recorder":{"name":"requests","type":"requests"}},"events":[');
  let id = 1;
  let first = true;
  const emit = (event: string) => {
    out.write(first ? event : ',' + event);
    first = false;
  };
  const value = (n: number, len: number) => JSON.stringify(`<Row ${n} ${'x'.repeat(len)} "quoted" \\ ü>`);
  let request = 0;
  while (out.bytes < targetBytes) {
    // Four threads interleave their requests event by event.
    const streams = [0, 1, 2, 3].map((t) => requestEvents(request + t, t + 1));
    request += 4;
    for (let k = 0; streams.some((s) => k < s.length); k++) for (const s of streams) if (k < s.length) emit(s[k]);
  }
  out.write('],"classMap":[]}');
  return out.close();

  function requestEvents(r: number, thread: number): string[] {
    const events: string[] = [];
    const call = (body: string) => {
      const callId = id++;
      events.push(`{"id":${callId},"event":"call","thread_id":${thread},${body}}`);
      return callId;
    };
    const ret = (parent: number, seconds: number, extra = '') => events.push(`{"id":${id++},"event":"return","thread_id":${thread},"parent_id":${parent},"elapsed":${seconds}${extra}}`);
    const fn = (cls: string, method: string, line: number, paramLen: number) =>
      call(`"defined_class":"app.${cls}","method_id":"${method}","path":"app/${cls.toLowerCase()}.py","lineno":${line},"static":false,"receiver":{"class":"app.${cls}","object_id":${r},"value":${value(r, 40)}},"parameters":[{"name":"item","class":"dict","object_id":${r + 1},"value":${value(r, paramLen)}},{"name":"n","class":"int","value":"${r}"}]`);
    const http = call(`"http_server_request":{"request_method":"GET","path_info":"/items/${r}","normalized_path_info":"/items/{id}","protocol":"HTTP/1.1","headers":{"Accept":"text/html","User-Agent":"bench"}}`);
    const view = fn('Views', 'show', 10, 200);
    const list = call(`"sql_query":{"sql":"SELECT \\"items\\".\\"id\\", \\"items\\".\\"owner_id\\" FROM \\"items\\" WHERE \\"items\\".\\"group\\" = ${r}","database_type":"sqlite","server_version":"3.40"}`);
    ret(list, 0.0002);
    for (let i = 0; i < 20; i++) {
      const s = fn('Serializers', 'row', 40, i % 10 === 0 ? 20_000 : 300);
      const q = call(`"sql_query":{"sql":"SELECT \\"owners\\".\\"id\\", \\"owners\\".\\"name\\" FROM \\"owners\\" WHERE \\"owners\\".\\"id\\" = ${r * 20 + i} LIMIT 21","database_type":"sqlite","server_version":"3.40"}`);
      ret(q, 0.0001);
      ret(s, 0.0003, `,"return_value":{"class":"dict","object_id":${id},"value":${value(i, 300)}}`);
    }
    ret(view, 0.01, `,"return_value":{"class":"str","value":${value(r, 500)}}`);
    ret(http, 0.012, ',"http_server_response":{"status_code":200,"mime_type":"text/html","headers":{"Content-Type":"text/html"}}');
    return events;
  }
}

/** The meetups page with `rows` meetings: 1 + 3 × rows queries under one request. */
export function writeNPlusOneRecording(file: string, rows: number): number {
  const out = new Writer(file);
  out.write('{"version":"1.9","metadata":{"name":"generated n+1","client":{"name":"runlens-bench-generator"},"language":{"name":"python"}},"events":[');
  let id = 1;
  const events: string[] = [];
  const call = (body: string) => {
    events.push(`{"id":${id},"event":"call","thread_id":1,${body}}`);
    return id++;
  };
  const ret = (parent: number, seconds: number) => events.push(`{"id":${id++},"event":"return","thread_id":1,"parent_id":${parent},"elapsed":${seconds}}`);
  const sql = (text: string) => ret(call(`"sql_query":{"sql":${JSON.stringify(text)},"database_type":"sqlite"}`), 0.0001);
  const http = call('"http_server_request":{"request_method":"GET","path_info":"/meetings/past/","normalized_path_info":"/meetings/past/"}');
  const view = call('"defined_class":"meetups.views.PastMeetingsView","method_id":"get_queryset","path":"meetups/views.py","lineno":28,"static":false');
  ret(view, 0.00005);
  const render = call('"defined_class":"<templates>.Past","method_id":"render","path":"meetups/templates/meetups/past_meetings.html","lineno":1,"static":false');
  sql('SELECT "meetups_meeting"."id", "meetups_meeting"."where_id" FROM "meetups_meeting" ORDER BY "meetups_meeting"."when" ASC');
  for (let i = 1; i <= rows; i++) {
    sql(`SELECT "meetups_venue"."id", "meetups_venue"."name" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${i} LIMIT 21`);
    sql(`SELECT "meetups_topic"."id" FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."topic_id") WHERE "meetups_meeting_topics"."meeting_id" = ${i}`);
    sql(`SELECT "meetups_sponsor"."id" FROM "meetups_sponsor" INNER JOIN "meetups_meeting_meeting_sponsors" ON ("meetups_sponsor"."id" = "meetups_meeting_meeting_sponsors"."sponsor_id") WHERE "meetups_meeting_meeting_sponsors"."meeting_id" = ${i}`);
    if (events.length > 10_000) out.write(events.splice(0).join(',') + ',');
  }
  ret(render, 0.4);
  ret(http, 0.42);
  out.write(events.join(',') + '],"classMap":[]}');
  return out.close();
}

/** Buffered writes to a file, counting bytes. */
class Writer {
  bytes = 0;
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    this.bytes += Buffer.byteLength(text);
    if (this.pending > 1 << 22) this.flush();
  }

  close(): number {
    this.flush();
    fs.closeSync(this.fd);
    return this.bytes;
  }

  private flush(): void {
    fs.writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }
}

// ─── The server benchmark's workspace (test/bench/server.ts) ─────────────────────────────────
//
// `writeServiceSource`: app/service.py, one `class Service:` with `handlers` methods
// `handler_000 …`, each a few lines that run two SQL statements (orders, then customers per
// order: the place an N+1 on `customers` is anchored to).
//
// `writeServiceRecording`: one pytest recording of a test that calls a handful (5) of those
// methods over and over, each call with a receiver and parameters whose values (dict reprs of
// 1-3 KB, every 16th of 20 KB) are most of the bytes, each running two SQL queries with distinct
// literals, until `targetBytes`; with `nPlusOne`, the test first runs an N+1 of `count` customer
// queries inside that handler.

/** The text of app/service.py with `handlers` recorded methods; `handler_<h>` is defined on line 8 + 6h. */
export function serviceSource(handlers: number): string {
  const lines = [
    '# Generated by test/bench/generate.ts for the runlens server benchmark; not real code.',
    '',
    '',
    'class Service:',
    '    def __init__(self, db):',
    '        self.db = db',
    '',
  ];
  for (let h = 0; h < handlers; h++) {
    lines.push(
      `    def ${handlerName(h)}(self, item, n):`,
      `        orders = self.db.execute("SELECT id, customer_id, total FROM orders WHERE batch = %s", [n])`,
      '        for order in orders:',
      `            self.db.execute("SELECT id, name FROM customers WHERE id = %s", [order.customer_id])`,
      `        return {"handler": ${h}, "item": item, "orders": len(orders)}`,
      '',
    );
  }
  return lines.join('\n');
}

export function handlerName(h: number): string {
  return `handler_${String(h).padStart(3, '0')}`;
}

export interface ServiceRecordingOptions {
  /** Distinguishes recordings: test name, handlers called, SQL literals. */
  index: number;
  targetBytes: number;
  handlers: number;
  nPlusOne?: { handler: number; count: number };
}

/** Writes one recording of about `targetBytes`; returns the number of bytes written. */
export function writeServiceRecording(file: string, o: ServiceRecordingOptions): number {
  const out = new Writer(file);
  const r = o.index;
  const test = `test_case_${String(r).padStart(4, '0')}`;
  out.write(
    `{"version":"1.9","metadata":{"language":{"name":"python","engine":"CPython","version":"3.11.7"},"client":{"name":"runlens-bench-generator","url":"test/bench/generate.ts","note":"generated in appmap-python's format; not written by appmap-python"},` +
      `"frameworks":[{"name":"pytest","version":"8.3.3"}],"recording":{"defined_class":"tests.test_service.TestService","method_id":"${test}","source_location":"tests/test_service.py:${10 + 4 * r}"},` +
      `"name":"Service ${test.replace(/_/g, ' ')}","feature":"Service","app":"runlens-bench","recorder":{"name":"pytest","type":"tests"},"test_status":"succeeded"},"events":[`,
  );
  let id = 1;
  let first = true;
  const emit = (event: string) => {
    out.write(first ? event : ',' + event);
    first = false;
  };
  let objectId = 140_000_000_000_000 + r * 1_000_000;
  // A dict repr as appmap-python writes parameter values (str(value)), `len` characters long.
  const dictRepr = (k: number, len: number) => {
    const head = `{'id': ${k}, 'name': 'item ${k}', 'tags': ['a', 'b'], 'payload': '`;
    const body = 'lorem ipsum dolor sit amet, consectetur adipiscing elit; '.repeat(Math.ceil(len / 56)).slice(0, Math.max(0, len - head.length - 2));
    return JSON.stringify(`${head}${body}'}`);
  };
  const call = (h: number, k: number, paramLen: number) => {
    const callId = id++;
    emit(
      `{"static":false,"receiver":{"name":"self","kind":"req","class":"app.service.Service","object_id":${objectId},"value":"<app.service.Service object at 0x${objectId.toString(16)}>"},` +
        `"parameters":[{"name":"item","kind":"req","class":"builtins.dict","object_id":${++objectId},"value":${dictRepr(k, paramLen)}},{"name":"n","kind":"req","class":"builtins.int","object_id":${++objectId},"value":"${k}"}],` +
        `"id":${callId},"event":"call","thread_id":1,"defined_class":"app.service.Service","method_id":"${handlerName(h)}","path":"app/service.py","lineno":${8 + 6 * h}}`,
    );
    return callId;
  };
  const ret = (parent: number, seconds: number, value?: string) =>
    emit(`{${value ? `"return_value":{"class":"builtins.dict","object_id":${++objectId},"value":${value}},` : ''}"parent_id":${parent},"elapsed":${seconds},"id":${id++},"event":"return","thread_id":1}`);
  const sql = (text: string, seconds: number) => {
    const callId = id++;
    emit(`{"sql_query":{"sql":${JSON.stringify(text)},"database_type":"postgresql","server_version":"16.4"},"id":${callId},"event":"call","thread_id":1}`);
    emit(`{"parent_id":${callId},"elapsed":${seconds},"id":${id++},"event":"return","thread_id":1}`);
  };
  const orders = (batch: number) => `SELECT "orders"."id", "orders"."customer_id", "orders"."total" FROM "orders" WHERE "orders"."batch" = ${batch}`;
  const customer = (cid: number) => `SELECT "customers"."id", "customers"."name" FROM "customers" WHERE "customers"."id" = ${cid} LIMIT 21`;
  // Deterministic timings of a few hundred µs to a few ms.
  const seconds = (k: number, scale: number) => Number((scale * (1 + ((k * 7919) % 97) / 97)).toFixed(7));

  if (o.nPlusOne) {
    const { handler, count } = o.nPlusOne;
    const top = call(handler, r, 800);
    sql(orders(r), seconds(r, 0.0004));
    for (let i = 0; i < count; i++) sql(customer(r * 1000 + i), seconds(i, 0.0001));
    ret(top, seconds(r, 0.004 + count * 0.0002), dictRepr(r, 200));
  }
  const handful = [0, 1, 2, 3, 4].map((j) => (r * 37 + j * 61) % o.handlers);
  for (let k = 0; out.bytes < o.targetBytes; k++) {
    const big = (n: number) => (n % 16 === 0 ? 20_000 : 1000 + ((n * 613) % 2000));
    const top = call(handful[k % 5], r * 100_000 + k, big(2 * k));
    sql(orders(r * 100_000 + k), seconds(k, 0.0003));
    const inner = call(handful[(k + 1) % 5], r * 100_000 + k, big(2 * k + 1));
    sql(customer(r * 100_000 + k), seconds(k + 1, 0.0001));
    ret(inner, seconds(k, 0.0008), dictRepr(k, 200));
    ret(top, seconds(k, 0.002), dictRepr(k, 200));
  }
  out.write('],"classMap":[]}');
  return out.close();
}

// ─── Ingest shapes (test/bench/run.ts, "ingest by shape") ────────────────────────────────────
//
// `writeShapeRecording(file, shape, targetBytes)` writes one recording of about `targetBytes` in
// one of four shapes; `SHAPES[shape]` is the one-line description the bench prints. Each shape
// stresses one thing real recordings have a lot of; all are deterministic.

export type Shape = 'n-plus-one' | 'params' | 'deep' | 'threads';

export const SHAPES: Record<Shape, string> = {
  'n-plus-one': 'N+1-heavy: requests on 1 thread, each a view that lists 50 rows and runs 2 queries per row (distinct literals) under a serializer call with small (~100 B) parameters; most events are SQL',
  params: 'parameter-heavy: requests on 1 thread, each 4 calls whose parameter and return values are dict reprs of 20-200 KB (one of 1 MB per 64 calls); most bytes are values inside strings',
  deep: 'deep call trees: requests on 1 thread, each a recursive walk 5,000 calls deep (small parameters, a query every 100 levels), returns unwinding all 5,000 levels',
  threads: 'many threads: 64 threads whose requests (a view, 10 calls with 300 B parameters, 10 queries) interleave event by event',
};

/** Writes about `targetBytes` of recording in `shape` to `file`; returns the number of bytes written. */
export function writeShapeRecording(file: string, shape: Shape, targetBytes: number): number {
  const out = new Writer(file);
  out.write(`{"version":"1.9","metadata":{"name":"generated ${shape} recording","client":{"name":"runlens-bench-generator"},"language":{"name":"python"},"recorder":{"name":"requests","type":"requests"}},"events":[`);
  let id = 1;
  let first = true;
  const emit = (event: string) => {
    out.write(first ? event : ',' + event);
    first = false;
  };
  // Events of one thread; `sink` is `emit` or, for interleaving, an array's push.
  const events = (thread: number, sink: (event: string) => void) => {
    const call = (body: string) => {
      const callId = id++;
      sink(`{"id":${callId},"event":"call","thread_id":${thread},${body}}`);
      return callId;
    };
    const ret = (parent: number, seconds: number, extra = '') => sink(`{"id":${id++},"event":"return","thread_id":${thread},"parent_id":${parent},"elapsed":${seconds}${extra}}`);
    const fn = (cls: string, method: string, line: number, params: string) =>
      call(`"defined_class":"app.${cls}","method_id":"${method}","path":"app/${cls.toLowerCase()}.py","lineno":${line},"static":false,"parameters":[${params}]`);
    const param = (name: string, k: number, value: string) => `{"name":"${name}","class":"builtins.dict","object_id":${k},"value":${value}}`;
    const sql = (text: string, seconds: number) => ret(call(`"sql_query":{"sql":${JSON.stringify(text)},"database_type":"postgresql","server_version":"16.4"}`), seconds);
    const http = (r: number, route: string) => call(`"http_server_request":{"request_method":"GET","path_info":"/${route}/${r}","normalized_path_info":"/${route}/{id}","protocol":"HTTP/1.1"}`);
    const httpRet = (parent: number) => ret(parent, 0.05, ',"http_server_response":{"status_code":200,"mime_type":"text/html"}');
    return { call, ret, fn, param, sql, http, httpRet };
  };

  if (shape === 'threads') {
    const THREADS = 64;
    let request = 0;
    while (out.bytes < targetBytes) {
      const streams: string[][] = [];
      for (let t = 0; t < THREADS; t++) {
        const s: string[] = [];
        streams.push(s);
        const e = events(t + 1, (x) => s.push(x));
        const r = request++;
        const top = e.http(r, 'orders');
        const view = e.fn('Views', 'order_detail', 12, e.param('request', r, dictRepr(r, 300)));
        for (let i = 0; i < 10; i++) {
          const f = e.fn('Orders', 'line_total', 30 + i, e.param('line', r * 10 + i, dictRepr(r * 10 + i, 300)));
          e.sql(`SELECT "lines"."id", "lines"."price" FROM "lines" WHERE "lines"."order_id" = ${r} AND "lines"."n" = ${i}`, 0.0002);
          e.ret(f, 0.0005, `,"return_value":{"class":"builtins.int","value":"${r + i}"}`);
        }
        e.ret(view, 0.008);
        e.httpRet(top);
      }
      // Threads take turns event by event, as a recorder of concurrent requests sees them.
      for (let k = 0; streams.some((s) => k < s.length); k++) for (const s of streams) if (k < s.length) emit(s[k]);
    }
  } else {
    const e = events(1, emit);
    for (let r = 0; out.bytes < targetBytes; r++) {
      if (shape === 'n-plus-one') {
        const top = e.http(r, 'items');
        const view = e.fn('Views', 'item_list', 10, e.param('request', r, dictRepr(r, 100)));
        e.sql(`SELECT "items"."id", "items"."owner_id" FROM "items" WHERE "items"."group" = ${r} ORDER BY "items"."id"`, 0.0004);
        for (let i = 0; i < 50; i++) {
          const k = r * 50 + i;
          const s = e.fn('Serializers', 'item_row', 40, e.param('item', k, dictRepr(k, 100)));
          e.sql(`SELECT "owners"."id", "owners"."name" FROM "owners" WHERE "owners"."id" = ${k} LIMIT 21`, 0.0001);
          e.sql(`SELECT "tags"."id" FROM "tags" INNER JOIN "item_tags" ON ("tags"."id" = "item_tags"."tag_id") WHERE "item_tags"."item_id" = ${k}`, 0.0001);
          e.ret(s, 0.0004);
        }
        e.ret(view, 0.03);
        e.httpRet(top);
      } else if (shape === 'params') {
        const top = e.http(r, 'reports');
        for (let i = 0; i < 4; i++) {
          const k = r * 4 + i;
          const len = k % 64 === 0 ? 1_000_000 : 20_000 + ((k * 7919) % 180_000);
          const f = e.fn('Reports', 'render_section', 20 + i, e.param('data', k, dictRepr(k, len)) + ',' + e.param('options', k + 1, dictRepr(k, 200)));
          e.ret(f, 0.002, `,"return_value":{"class":"builtins.dict","object_id":${k + 2},"value":${dictRepr(k + 2, len >> 1)}}`);
        }
        e.httpRet(top);
      } else {
        const DEPTH = 5000;
        const top = e.http(r, 'tree');
        const stack: number[] = [];
        for (let d = 0; d < DEPTH; d++) {
          stack.push(e.fn('Tree', 'walk', 7, `{"name":"node","class":"app.tree.Node","object_id":${r * DEPTH + d},"value":"<Node ${r}/${d}>"},{"name":"depth","class":"builtins.int","value":"${d}"}`));
          if (d % 100 === 99) e.sql(`SELECT "nodes"."id" FROM "nodes" WHERE "nodes"."parent_id" = ${r * DEPTH + d}`, 0.0001);
        }
        for (let d = DEPTH - 1; d >= 0; d--) e.ret(stack[d], Number((0.00001 * (DEPTH - d)).toFixed(6)));
        e.httpRet(top);
      }
    }
  }
  out.write('],"classMap":[]}');
  return out.close();
}

/** A dict repr as appmap-python writes parameter values (str(value)), about `len` characters, as a JSON string. */
function dictRepr(k: number, len: number): string {
  const head = `{'id': ${k}, 'name': 'item ${k}', 'note': "it's \\"quoted\\" ü", 'payload': '`;
  const body = 'lorem ipsum dolor sit amet, consectetur adipiscing elit; '.repeat(Math.ceil(len / 56) + 1).slice(0, Math.max(0, len - head.length - 2));
  return JSON.stringify(`${head}${body}'}`);
}
