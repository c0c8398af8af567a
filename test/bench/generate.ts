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
