// What the fuzz tests feed runlens: recordings generated event by event (any field may have the
// wrong type, ids may repeat or be missing, returns may name no call or their own id), real
// recordings of the shared corpus mutated byte by byte and event by event, pathological shapes
// scaled by a size (deep nesting, tens of MB in one field, many open calls), and raw bytes.
//
// An arbitrary yields a small `InputSpec`, never the bytes: fast-check keeps values for shrinking
// and prints the counterexample, so a 30 MB input is held as "huge-string sql 30000000" and made
// by `materialize` when the property runs. The same spec always gives the same bytes.

import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CORPUS } from '../support/corpus';

// ---- specs ------------------------------------------------------------------------------------

export type InputSpec =
  | { kind: 'generated'; recording: GeneratedRecording }
  | { kind: 'mutated'; file: number; eventEdits: EventEdit[]; byteEdits: ByteEdit[] }
  | { kind: 'shape'; shape: ShapeName; size: number }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'json'; text: string };

/** How big the inputs get: small for CI, larger for the long run. */
export interface Scale {
  /** Upper bound of a pathological shape's size (events, nesting levels, children…). */
  maxShapeSize: number;
  /** Bytes of the one huge string of a huge-string shape. */
  hugeStringBytes: number;
  /** Events a generated recording has at most. */
  maxGeneratedEvents: number;
  /** Mutations applied to a corpus file at most. */
  maxEdits: number;
  /** Only corpus files up to this size are mutated. */
  maxCorpusBytes: number;
}

export const CI_SCALE: Scale = { maxShapeSize: 12_000, hugeStringBytes: 24_000_000, maxGeneratedEvents: 120, maxEdits: 6, maxCorpusBytes: 1_600_000 };
export const LONG_SCALE: Scale = { maxShapeSize: 120_000, hugeStringBytes: 48_000_000, maxGeneratedEvents: 400, maxEdits: 12, maxCorpusBytes: 4_000_000 };

/** A few words on where an input came from, for counts and messages. */
export function labelOf(spec: InputSpec): string {
  switch (spec.kind) {
    case 'generated':
      return `generated (${spec.recording.ops.length} ops)`;
    case 'mutated':
      return `mutated ${corpusFiles()[spec.file] ?? spec.file} (${spec.eventEdits.length} event and ${spec.byteEdits.length} byte edits)`;
    case 'shape':
      return `shape ${spec.shape} ${spec.size}`;
    case 'bytes':
      return `${spec.bytes.length} random bytes`;
    case 'json':
      return `random JSON (${spec.text.length} chars)`;
  }
}

export function materialize(spec: InputSpec): Buffer {
  switch (spec.kind) {
    case 'generated':
      return Buffer.from(recordingJson(spec.recording));
    case 'mutated':
      return mutate(spec.file, spec.eventEdits, spec.byteEdits);
    case 'shape':
      return SHAPES[spec.shape](spec.size);
    case 'bytes':
      return Buffer.from(spec.bytes);
    case 'json':
      return Buffer.from(spec.text);
  }
}

/** Every kind of input, in the proportions a run should see them. */
export function inputArbitrary(scale: Scale): fc.Arbitrary<InputSpec> {
  return fc.oneof(
    { arbitrary: generatedArbitrary(scale), weight: 6 },
    { arbitrary: mutatedArbitrary(scale), weight: 5 },
    { arbitrary: shapeArbitrary(scale), weight: 3 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b): InputSpec => ({ kind: 'bytes', bytes: [...b] })), weight: 1 },
    { arbitrary: fc.json({ depthSize: 'medium' }).map((text): InputSpec => ({ kind: 'json', text })), weight: 1 },
  );
}

// ---- JSON text with what JSON.stringify cannot write ------------------------------------------

/** JSON text written as it is: numbers JSON.stringify cannot write (`-0`, `1e400`, 40 digits). */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object written member by member, in this order, duplicate keys and `__proto__` included. */
export class Members {
  constructor(readonly entries: [string, unknown][]) {}
}

/** JSON text of a generated value (shallow: generated values are a few levels deep). */
export function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof Members) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(x)}`);
    return `{${parts.join(',')}}`;
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}

// ---- hostile values ---------------------------------------------------------------------------

/** Numbers at the edges: negative zero, beyond double range, beyond safe integers, denormals. */
export const ABSURD_NUMBERS = ['-0', '0', '-1', '-0.5', '1e308', '-1e308', '1e309', '-1e400', '1E+2', '2e-324', '4.9e-324', '9007199254740993', '123456789012345678901234567890', '-9223372036854775808', '0.0000001', '1000000000000000000000', '1.7976931348623157e308'];

/** Strings that look like something else, or that name prototype members. */
export const ODD_STRINGS = ['', 'NaN', '-1', 'Infinity', '-Infinity', '1e308', '0x10', ' 1', '1', 'call', 'return', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'null', 'true', '\u0000', '\ud800', '\ufeff', 'é', '💥', '\u202e', '../../../../etc/passwd', '/', '<internal:pack>', 'C:\\x\\y.py', 'a\nb', '%s%n', '{{x}}', '<script>alert(1)</script>', '`|*_#'];

/** Keys of recordings, and keys that could reach a prototype. */
const KEYS = ['id', 'event', 'thread_id', 'parent_id', 'elapsed', 'defined_class', 'method_id', 'path', 'lineno', 'static', 'sql_query', 'sql', 'database_type', 'http_server_request', 'request_method', 'path_info', 'normalized_path_info', 'http_server_response', 'status_code', 'status', 'exceptions', 'class', 'message', 'name', 'children', 'type', 'labels', 'location', 'client', 'recorder', 'recording', 'source_location', '__proto__', 'constructor', 'toString', 'valueOf'];

const keyArbitrary = fc.oneof({ arbitrary: fc.constantFrom(...KEYS), weight: 4 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 });

const scalarArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...ABSURD_NUMBERS).map((t) => new Raw(t)),
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 16 }),
);

/** Any JSON value, as a field holding the wrong type would: scalars, arrays, objects with odd keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArbitrary,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArbitrary, tie('value')), { maxLength: 4 }).map((e) => new Members(e)),
  ),
})).value;

// ---- generated recordings ---------------------------------------------------------------------

/** Functions from the Django example (so anchors and ORM fixes run) and paths of every kind. */
export const FUNCTIONS: [string, string, string | undefined, number | undefined][] = [
  ['meetups.views.PastMeetingsView', 'get_queryset', 'meetups/views.py', 28],
  ['meetups.views.MeetingDetailView', 'get_object', 'meetups/views.py', 14],
  ['<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml', 'render', 'meetups/templates/meetups/past_meetings.html', undefined],
  ['meetups.tests.test_past_meetings.TestPastMeetings', 'test_lists_past_meetings', 'meetups/tests/test_past_meetings.py', 42],
  ['app.Service', 'run', 'app/service.py', 3],
  ['django.db.models.query.QuerySet', '__iter__', '/usr/lib/python3.11/site-packages/django/db/models/query.py', 380],
  ['Kernel', 'require', '<internal:kernel>', 1],
  ['com.example.Foo', 'bar', 'com/example/Foo.java', 10],
  ['Book', 'findAll', 'src/routes/books.js', 21],
  ['Escape', '../up', '../../outside.py', 1],
  // A file name that is not UTF-8, as appmap-python records it (a surrogate escape): no URI can hold it.
  ['app.Caf', 'm', 'app/caf\udce9.py', 3],
  // Names with line breaks, CI commands and terminal escapes: every human output must keep them on their line.
  ['app.Evil\n::add-mask::hunter2', 'm\u001b[31m\u202e', 'app/evil.py', 1],
];

export const SQL = [
  'SELECT "meetups_meeting"."id", "meetups_meeting"."when", "meetups_meeting"."title", "meetups_meeting"."where_id" FROM "meetups_meeting" WHERE "meetups_meeting"."when" < \'2024-01-01\' ORDER BY "meetups_meeting"."when" ASC',
  'SELECT "meetups_venue"."id", "meetups_venue"."name", "meetups_venue"."address" FROM "meetups_venue" WHERE "meetups_venue"."id" = 7 LIMIT 21',
  'SELECT "meetups_topic"."id", "meetups_topic"."title" FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."topic_id") WHERE "meetups_meeting_topics"."meeting_id" = 3',
  'SELECT 1',
  'INSERT INTO "t" ("a") VALUES (1), (2), (3)',
  'UPDATE t SET a = $1 WHERE id IN (1, 2, 3, 4, 5)',
  'SELECT * FROM "unterminated WHERE x = \'',
  '/* comment */ SELECT name FROM sqlite_master -- tail',
  'SELECT * FROM "t\n::stop-commands::tok|x" WHERE id = 1',
  'PRAGMA table_info("x")',
  '',
];

const ROUTES: [string, string, string | undefined][] = [
  ['GET', '/meetings/past/', '/meetings/past/'],
  ['post', '/meetings/7', '/meetings/{id}'],
  ['PATCH', '/', undefined],
  ['', '', ''],
  ['GET', '/x\n::error file=meetups/views.py,line=1::forged\r\u001b[2J', undefined],
];

/** Where a return points: the innermost open call, an older one, a missing or foreign id, itself. */
type ReturnTarget = 'innermost' | 'older' | 'missing-parent' | 'unknown-id' | 'own-id' | 'later-id' | 'hostile';
/** How a call's id is written. */
type IdMode = 'fresh' | 'duplicate' | 'missing' | 'hostile';

export interface Op {
  op: 'call' | 'return' | 'junk';
  /** 0 function, 1 SQL, 2 HTTP server request, 3 HTTP client request. */
  what: number;
  /** Picks the function, SQL text or route (modulo the list). */
  pick: number;
  thread: number;
  idMode: IdMode;
  target: ReturnTarget;
  /** Which older open call (modulo how many are open). */
  depth: number;
  elapsed: unknown;
  /** Fields set to another value (any type), or removed when the value is undefined. */
  overrides: [string, unknown][];
}

export interface GeneratedRecording {
  ops: Op[];
  /** Top-level members, each the right shape or any value; `events` and `eventUpdates` may repeat. */
  version: unknown;
  metadata: unknown;
  classMap: unknown;
  /** Updates by id: which generated events they replace, with overrides. */
  updates: { target: number; op: 'call' | 'return'; key: unknown; overrides: [string, unknown][] }[];
  /** Order of the top-level members and which are repeated or left out. */
  layout: number[];
  /** Where the text is cut, as a fraction of its length (a recording whose writer died). */
  cut: number | undefined;
}

const THREADS = [1, 2, 0, 2 ** 31, -1];

const elapsedArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 0.01, noNaN: true }), weight: 6 },
  { arbitrary: fc.double({ min: 0.2, max: 5, noNaN: true }), weight: 2 },
  { arbitrary: fc.constantFrom(...ABSURD_NUMBERS).map((t) => new Raw(t)), weight: 2 },
  { arbitrary: fc.constantFrom('NaN', '0.5', 'Infinity', '-1'), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: hostileValue, weight: 1 },
);

const EVENT_FIELDS = ['id', 'event', 'thread_id', 'parent_id', 'elapsed', 'defined_class', 'method_id', 'path', 'lineno', 'static', 'sql_query', 'http_server_request', 'http_server_response', 'http_client_request', 'http_client_response', 'exceptions', 'parameters', 'receiver', 'return_value'];

/** Wrong types in any field of an event: the value replaces the field (undefined removes it). */
const overridesArbitrary = fc.oneof(
  { arbitrary: fc.constant<[string, unknown][]>([]), weight: 5 },
  { arbitrary: fc.array(fc.tuple(fc.constantFrom(...EVENT_FIELDS), fc.oneof(hostileValue, fc.constant(undefined))), { minLength: 1, maxLength: 3 }), weight: 3 },
);

const opArbitrary: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom<Op['op']>('call', 'call', 'return', 'return', 'junk'),
  what: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.constant(1), weight: 3 }, { arbitrary: fc.constant(2), weight: 1 }, { arbitrary: fc.constant(3), weight: 1 }),
  pick: fc.nat(40),
  thread: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.nat(THREADS.length - 1), weight: 1 }),
  idMode: fc.oneof({ arbitrary: fc.constant<IdMode>('fresh'), weight: 12 }, { arbitrary: fc.constantFrom<IdMode>('duplicate', 'missing', 'hostile'), weight: 1 }),
  target: fc.oneof({ arbitrary: fc.constant<ReturnTarget>('innermost'), weight: 12 }, { arbitrary: fc.constantFrom<ReturnTarget>('older', 'missing-parent', 'unknown-id', 'own-id', 'later-id', 'hostile'), weight: 2 }),
  depth: fc.nat(8),
  elapsed: elapsedArbitrary,
  overrides: overridesArbitrary,
});

const metadataArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    name: fc.oneof(fc.constantFrom('Past meetings lists past meetings', '', 'test\n::error file=meetups/views.py,line=1::forged'), hostileValue),
    client: fc.oneof(fc.constant({ name: 'appmap-python', version: '1.0' }), hostileValue),
    recorder: fc.oneof(fc.constant({ name: 'pytest', type: 'tests' }), fc.constant({ name: 'requests', type: 'requests' }), hostileValue),
    recording: fc.oneof(fc.constant({ source_location: 'meetups/tests/test_past_meetings.py:42' }), fc.constant({ source_location: '/etc/passwd:1' }), hostileValue),
    source_location: fc.oneof(fc.constant(undefined), fc.constantFrom('app/x.rb:99999999999', ':', 'meetups/views.py', 'tests/caf\udce9.py:3'), hostileValue),
    test_status: fc.oneof(fc.constantFrom('succeeded', 'failed'), hostileValue),
    frameworks: fc.oneof(fc.constant([{ name: 'Django', version: '5' }]), hostileValue),
  }),
  hostileValue,
);

const classMapArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant([{ type: 'package', name: 'meetups', children: [{ type: 'class', name: 'PastMeetingsView', children: [{ type: 'function', name: 'get_queryset', location: 'meetups/views.py:28', labels: ['db', 7, null] }] }] }]),
  fc.array(fc.record({ type: fc.constantFrom('package', 'class', 'function'), name: fc.oneof(fc.constantFrom('get_queryset', 'render'), hostileValue), location: fc.oneof(fc.constant('meetups/views.py:28'), hostileValue), labels: hostileValue, children: hostileValue }), { maxLength: 4 }),
  hostileValue,
);

function generatedArbitrary(scale: Scale): fc.Arbitrary<InputSpec> {
  return fc
    .record({
      ops: fc.array(opArbitrary, { maxLength: scale.maxGeneratedEvents, size: 'medium' }),
      version: fc.oneof(fc.constantFrom('1.9', '1.2', '99.0'), hostileValue),
      metadata: metadataArbitrary,
      classMap: classMapArbitrary,
      updates: fc.array(
        fc.record({
          target: fc.nat(scale.maxGeneratedEvents),
          op: fc.constantFrom<'call' | 'return'>('call', 'return'),
          key: fc.oneof(fc.constant(undefined), hostileValue),
          overrides: overridesArbitrary,
        }),
        { maxLength: 4 },
      ),
      // 0 version, 1 metadata, 2 events, 3 classMap, 4 eventUpdates, 5 events of a wrong type,
      // 6 an unknown member with a deep value, 7 eventUpdates of a wrong type.
      layout: fc.oneof({ arbitrary: fc.constant<number[]>([0, 1, 2, 3, 4]), weight: 4 }, { arbitrary: fc.array(fc.nat(7), { maxLength: 8 }), weight: 1 }),
      cut: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 1 }),
    })
    .map((recording): InputSpec => ({ kind: 'generated', recording }));
}

/** The JSON of a generated recording: the ops run against per-thread stacks of open calls. */
export function recordingJson(r: GeneratedRecording): string {
  const events = eventsOf(r.ops);
  const updates = new Members(
    r.updates.map((u) => {
      const ev = events.length ? events[u.target % events.length] : { id: u.target, event: u.op };
      const body: Record<string, unknown> = { ...ev, event: u.op, elapsed: 2.5, exceptions: [{ class: 'Timeout', message: 'late' }] };
      for (const [k, v] of u.overrides) body[k] = v;
      const key = u.key === undefined ? String(ev.id) : typeof u.key === 'string' ? u.key : toJson(u.key);
      return [key, body];
    }),
  );
  const members: [string, unknown][] = [];
  for (const part of r.layout) {
    if (part === 0) members.push(['version', r.version]);
    else if (part === 1) members.push(['metadata', r.metadata]);
    else if (part === 2) members.push(['events', events]);
    else if (part === 3) members.push(['classMap', r.classMap]);
    else if (part === 4) members.push(['eventUpdates', updates]);
    else if (part === 5) members.push(['events', r.version]);
    else if (part === 6) members.push(['parameters', [[[{ events: [1, 2, { id: 1, event: 'call' }] }]]]]);
    else members.push(['eventUpdates', r.metadata]);
  }
  const text = toJson(new Members(members));
  return r.cut === undefined ? text : text.slice(0, Math.floor(r.cut * text.length));
}

/** Events from ops: fresh ids count up; returns find their call in the thread's open stack. */
export function eventsOf(ops: Op[]): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const open = new Map<number, number[]>();
  const callIds: number[] = [];
  let nextId = 1;
  for (const o of ops) {
    const thread = THREADS[o.thread];
    const stack = open.get(thread) ?? [];
    open.set(thread, stack);
    const id = nextId++;
    let ev: Record<string, unknown>;
    if (o.op === 'call') {
      ev = { id, event: 'call', thread_id: thread };
      if (o.idMode === 'duplicate' && callIds.length) ev.id = callIds[o.pick % callIds.length];
      else if (o.idMode === 'missing') delete ev.id;
      else if (o.idMode === 'hostile') ev.id = o.elapsed ?? null;
      if (o.what === 1) ev.sql_query = { sql: SQL[o.pick % SQL.length], database_type: 'sqlite' };
      else if (o.what === 2) {
        const [method, pathInfo, normalized] = ROUTES[o.pick % ROUTES.length];
        ev.http_server_request = { request_method: method, path_info: pathInfo, normalized_path_info: normalized };
      } else if (o.what === 3) ev.http_client_request = { request_method: 'GET', url: 'https://example.com/x?q=1' };
      else {
        const [definedClass, methodId, p, lineno] = FUNCTIONS[o.pick % FUNCTIONS.length];
        Object.assign(ev, { defined_class: definedClass, method_id: methodId, path: p, lineno, static: o.depth % 2 === 0, parameters: [{ name: 'x', value: 'v'.repeat(o.pick) }] });
      }
      if (typeof ev.id === 'number') {
        callIds.push(ev.id);
        stack.push(ev.id);
      }
    } else if (o.op === 'return') {
      ev = { id, event: 'return', thread_id: thread, elapsed: o.elapsed };
      const at = o.target === 'older' ? stack.length - 1 - (o.depth % Math.max(1, stack.length)) : stack.length - 1;
      const parent = stack[at];
      if (o.target === 'missing-parent') delete ev.parent_id;
      else if (o.target === 'unknown-id') ev.parent_id = 1_000_000 + o.pick;
      else if (o.target === 'own-id') ev.parent_id = id;
      else if (o.target === 'later-id') ev.parent_id = id + 1 + o.depth;
      else if (o.target === 'hostile') ev.parent_id = o.elapsed ?? null;
      else ev.parent_id = parent ?? callIds[o.pick % Math.max(1, callIds.length)] ?? 1;
      if (parent !== undefined && (o.target === 'innermost' || o.target === 'older')) stack.splice(at, 1);
      if (o.what === 2) ev.http_server_response = { status_code: o.pick % 3 === 0 ? '500' : 200 };
      if (o.what === 3) ev.http_client_response = { status: 404 };
      if (o.pick % 7 === 0) ev.exceptions = [{ class: 'ValueError', message: 'bad' }];
    } else {
      // An event that is neither call nor return, or not an object at all.
      ev = { id, event: o.pick % 2 ? 'junk' : null, thread_id: thread };
    }
    for (const [k, v] of o.overrides) {
      if (v === undefined) delete ev[k];
      else ev[k] = v;
    }
    events.push(ev);
  }
  return events;
}

// ---- mutated corpus files ---------------------------------------------------------------------

export type ByteEdit =
  | { edit: 'set'; at: number; byte: number }
  | { edit: 'insert'; at: number; text: string }
  | { edit: 'delete'; at: number; length: number }
  | { edit: 'duplicate'; at: number; length: number; to: number }
  | { edit: 'truncate'; at: number }
  | { edit: 'splice'; at: number; from: number; fromAt: number; length: number };

export type EventEdit =
  | { edit: 'splice-events'; from: number; fromAt: number; count: number; at: number }
  | { edit: 'set-field'; at: number; field: string; value: unknown }
  | { edit: 'drop-event'; at: number; count: number }
  | { edit: 'duplicate-events'; at: number; count: number }
  | { edit: 'reverse-events'; at: number; count: number }
  | { edit: 'parent-cycle'; at: number };

/** Tokens inserted into a file: structure, escapes, invalid UTF-8, byte order marks. */
const TOKENS = ['{', '}', '[', ']', '"', '\\', ',', ':', 'null', '-', '1e999', '\u0000', '"\\u12"', '\\ud800', '\xff', '\xc3', '\ufeff', '[[[[[[[[', '{"id":', '"event":"return"', '"parent_id":1,', '\t\n ', '0'.repeat(5000)];

let corpusCache: string[] | undefined;

/** Relative paths of the corpus recordings, sorted (stable across machines). */
export function corpusFiles(): string[] {
  if (!corpusCache) {
    const dir = path.join(CORPUS, 'appmaps');
    corpusCache = fs
      .readdirSync(dir)
      .flatMap((agent) => fs.readdirSync(path.join(dir, agent)).map((f) => `${agent}/${f}`))
      .filter((f) => f.endsWith('.appmap.json'))
      .sort();
  }
  return corpusCache;
}

const bytesCache = new Map<number, Buffer>();
const parsedCache = new Map<number, Record<string, unknown>>();

export function corpusBytes(file: number): Buffer {
  let b = bytesCache.get(file);
  if (!b) bytesCache.set(file, (b = fs.readFileSync(path.join(CORPUS, 'appmaps', corpusFiles()[file]))));
  return b;
}

function corpusParsed(file: number): Record<string, unknown> {
  let p = parsedCache.get(file);
  if (!p) parsedCache.set(file, (p = JSON.parse(corpusBytes(file).toString('utf8')) as Record<string, unknown>));
  return p;
}

/** Corpus files up to `maxBytes`, as indexes into corpusFiles(). */
export function corpusIndexes(maxBytes: number): number[] {
  return corpusFiles()
    .map((f, i) => ({ i, size: fs.statSync(path.join(CORPUS, 'appmaps', f)).size }))
    .filter((f) => f.size <= maxBytes)
    .map((f) => f.i);
}

function mutatedArbitrary(scale: Scale): fc.Arbitrary<InputSpec> {
  const files = corpusIndexes(scale.maxCorpusBytes);
  const file = fc.constantFrom(...files);
  const at = fc.nat();
  const eventEdit: fc.Arbitrary<EventEdit> = fc.oneof(
    fc.record({ edit: fc.constant('splice-events' as const), from: file, fromAt: at, count: fc.integer({ min: 1, max: 200 }), at }),
    fc.record({ edit: fc.constant('set-field' as const), at, field: fc.constantFrom(...EVENT_FIELDS), value: fc.oneof(hostileValue, elapsedArbitrary) }),
    fc.record({ edit: fc.constant('drop-event' as const), at, count: fc.integer({ min: 1, max: 50 }) }),
    fc.record({ edit: fc.constant('duplicate-events' as const), at, count: fc.integer({ min: 1, max: 50 }) }),
    fc.record({ edit: fc.constant('reverse-events' as const), at, count: fc.integer({ min: 2, max: 50 }) }),
    fc.record({ edit: fc.constant('parent-cycle' as const), at }),
  );
  const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
    fc.record({ edit: fc.constant('set' as const), at, byte: fc.nat(255) }),
    fc.record({ edit: fc.constant('insert' as const), at, text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 8 })) }),
    fc.record({ edit: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 4096 }) }),
    fc.record({ edit: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 100_000 }), to: at }),
    fc.record({ edit: fc.constant('truncate' as const), at }),
    fc.record({ edit: fc.constant('splice' as const), at, from: file, fromAt: at, length: fc.integer({ min: 1, max: 20_000 }) }),
  );
  return fc
    .record({
      file,
      eventEdits: fc.array(eventEdit, { maxLength: Math.ceil(scale.maxEdits / 2) }),
      byteEdits: fc.oneof({ arbitrary: fc.constant<ByteEdit[]>([]), weight: 1 }, { arbitrary: fc.array(byteEdit, { minLength: 1, maxLength: scale.maxEdits }), weight: 2 }),
    })
    .map((m): InputSpec => ({ kind: 'mutated', ...m }));
}

/** A corpus file with event edits (on its parsed events, re-serialized) then byte edits. */
export function mutate(file: number, eventEdits: EventEdit[], byteEdits: ByteEdit[]): Buffer {
  let bytes = corpusBytes(file);
  if (eventEdits.length) {
    const doc = corpusParsed(file);
    const original = Array.isArray(doc.events) ? (doc.events as Record<string, unknown>[]) : [];
    // A shallow copy: edited events are replaced by copies, so the cached document stays as read.
    const events = [...original];
    for (const e of eventEdits) {
      const at = events.length ? e.at % events.length : 0;
      if (e.edit === 'splice-events') {
        const other = corpusParsed(e.from).events;
        const src = Array.isArray(other) ? (other as Record<string, unknown>[]) : [];
        const from = src.length ? e.fromAt % src.length : 0;
        events.splice(at, 0, ...src.slice(from, from + e.count));
      } else if (e.edit === 'set-field') {
        if (events.length) events[at] = { ...events[at], [e.field]: e.value };
      } else if (e.edit === 'drop-event') events.splice(at, e.count);
      else if (e.edit === 'duplicate-events') events.splice(at, 0, ...events.slice(at, at + e.count));
      else if (e.edit === 'reverse-events') events.splice(at, e.count, ...events.slice(at, at + e.count).reverse());
      else if (events.length) {
        // A return whose parent_id names itself or a later return: a cycle, were ids followed.
        const ev = events[at];
        events[at] = { ...ev, event: 'return', parent_id: typeof ev.id === 'number' ? ev.id : 1 };
        const next = events[(at + 1) % events.length];
        events[(at + 1) % events.length] = { ...next, event: 'return', parent_id: ev.id };
      }
    }
    bytes = Buffer.from(toJson({ ...doc, events }));
  }
  for (const e of byteEdits) bytes = byteEdit(bytes, e);
  return bytes;
}

function byteEdit(b: Buffer, e: ByteEdit): Buffer {
  const n = b.length;
  const at = n ? e.at % (n + 1) : 0;
  switch (e.edit) {
    case 'set': {
      if (!n) return b;
      const copy = Buffer.from(b);
      copy[e.at % n] = e.byte;
      return copy;
    }
    case 'insert':
      // latin1 for tokens that are single bytes (invalid UTF-8 on purpose), UTF-8 otherwise.
      return Buffer.concat([b.subarray(0, at), Buffer.from(e.text, /^[\x00-\xff]*$/.test(e.text) ? 'latin1' : 'utf8'), b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + e.length)]);
    case 'duplicate': {
      const to = n ? e.to % (n + 1) : 0;
      return Buffer.concat([b.subarray(0, to), b.subarray(at, at + e.length), b.subarray(to)]);
    }
    case 'truncate':
      return b.subarray(0, at);
    case 'splice': {
      const src = corpusBytes(e.from);
      const from = src.length ? e.fromAt % src.length : 0;
      return Buffer.concat([b.subarray(0, at), src.subarray(from, from + e.length), b.subarray(at)]);
    }
  }
}

// ---- pathological shapes ----------------------------------------------------------------------

const HEADER = '{"version":"1.9","metadata":{"name":"fuzz"},';

/** `n` copies of `item` joined by `sep`, as a Buffer, without building one JS string per copy. */
function repeat(item: string, n: number, sep = ','): string {
  return n <= 0 ? '' : item + (sep + item).repeat(n - 1);
}

function events(body: string, rest = ''): Buffer {
  return Buffer.from(`${HEADER}"events":[${body}]${rest}}`);
}

/** Calls and returns numbered from `first`, built by `each(id)`. */
function numbered(n: number, each: (k: number) => string): string {
  const parts: string[] = new Array(n);
  for (let k = 0; k < n; k++) parts[k] = each(k + 1);
  return parts.join(',');
}

const fnCall = (id: number, method = 'm', thread = 1) => `{"id":${id},"event":"call","thread_id":${thread},"defined_class":"app.Service","method_id":"${method}","path":"app/service.py","lineno":3}`;
const ret = (id: number, parent: number, elapsed = '0.001', thread = 1) => `{"id":${id},"event":"return","thread_id":${thread},"parent_id":${parent},"elapsed":${elapsed}}`;
const sqlCall = (id: number, sql = 'SELECT 1') => `{"id":${id},"event":"call","thread_id":1,"sql_query":{"sql":${JSON.stringify(sql)},"database_type":"sqlite"}}`;

/** A SQL call and its return, ids `id` and `id + 1`. */
const sqlPair = (id: number, sql: string) => `${sqlCall(id, sql)},${ret(id + 1, id)}`;

/** `body` inside one HTTP request (id 0), whose return has id `returnId`. */
function inRequest(body: string, returnId: number): Buffer {
  return events(`{"id":0,"event":"call","thread_id":1,"http_server_request":{"request_method":"GET","path_info":"/x"}},${body},${ret(returnId, 0, '2.0')}`);
}

/**
 * A string field's body of `bytes` bytes: ASCII with escapes and multi-byte characters, whole
 * units then padding, so the JSON stays valid (the parser's cut at 1 MiB falls where it falls).
 */
function hugeText(bytes: number): string {
  const unit = 'SELECT \\"x\\" FROM t WHERE a = \\"é\\" AND b = \\u00e9 -- ';
  const n = Math.floor(bytes / Buffer.byteLength(unit));
  return unit.repeat(n) + 'x'.repeat(bytes - n * Buffer.byteLength(unit));
}

/** Each shape at size n (events, levels, children…); huge-string shapes take n as their byte count. */
export const SHAPES = {
  'deep-arrays': (n: number) => Buffer.from('['.repeat(n)),
  'deep-objects': (n: number) => Buffer.from('{"a":'.repeat(n)),
  'deep-closed-in-metadata': (n: number) => Buffer.from(`${HEADER.replace('{"name":"fuzz"}', `${'['.repeat(n)}${']'.repeat(n)}`)}"events":[]}`),
  'deep-in-events': (n: number) => events(`${fnCall(1)},${'['.repeat(n)}${']'.repeat(n)},${ret(2, 1)}`),
  'deep-in-sql-query': (n: number) => events(`{"id":1,"event":"call","sql_query":{"sql":${'['.repeat(n)}${']'.repeat(n)}}},${ret(2, 1)}`),
  'deep-in-parameters': (n: number) => events(`{"id":1,"event":"call","parameters":${'{"a":'.repeat(n)}1${'}'.repeat(n)}},${ret(2, 1)}`),
  'deep-event-updates': (n: number) => events(fnCall(1), `,"eventUpdates":{"1":${'{"x":'.repeat(n)}1${'}'.repeat(n)}}`),
  'deep-classmap-children': (n: number) => events(fnCall(1), `,"classMap":${'[{"type":"package","children":'.repeat(n)}[]${'}]'.repeat(n)}`),
  // A valid classMap n levels deep before the events (a value built whole: cut at 10,000 levels with a warning, the events read).
  'deep-classmap-before-events': (n: number) => Buffer.from(`{"version":"1.9","classMap":${'[{"type":"package","children":'.repeat(Math.ceil(n / 2))}[]${'}]'.repeat(Math.ceil(n / 2))},"events":[${fnCall(1)},${ret(2, 1, '2.0')}]}`),
  'wide-classmap-children': (n: number) => events(fnCall(1), `,"classMap":[{"type":"package","children":[${repeat('{"type":"function","name":"m","location":"app/service.py:3","labels":["x"]}', n * 12)}]}]`),
  'many-open-sql': (n: number) => events(numbered(n, (k) => sqlCall(k))),
  'fifo-returns': (n: number) => events(`${numbered(n, (k) => fnCall(k))},${numbered(n, (k) => ret(n + k, k))}`),
  'deep-call-chain': (n: number) => events(`${numbered(n, (k) => fnCall(k, `m${k % 1000}`))},${numbered(n, (k) => ret(n + k, n + 1 - k, String(k / 1000)))}`),
  'deep-chain-distinct-functions': (n: number) => events(`${numbered(n, (k) => fnCall(k, `m${k}`))},${numbered(n, (k) => ret(n + k, n + 1 - k, String(k / 1000)))}`),
  'sql-under-deep-chain': (n: number) => events(`${numbered(n, (k) => fnCall(k, `m${k}`))},${numbered(n, (k) => `${sqlCall(n + 2 * k - 1, `SELECT * FROM "meetups_venue" WHERE id = ${k}`)},${ret(n + 2 * k, n + 2 * k - 1)}`)}`),
  'sql-under-framework-chain': (n: number) => events(`${numbered(n, (k) => fnCall(k, `m${k}`).replace('"app/service.py"', '"/usr/lib/python3/site-packages/lib.py"'))},${numbered(n, (k) => `${sqlCall(n + 2 * k - 1, `SELECT * FROM "meetups_venue" WHERE id = ${k}`)},${ret(n + 2 * k, n + 2 * k - 1)}`)}`),
  'wide-request': (n: number) => events(`{"id":0,"event":"call","thread_id":1,"http_server_request":{"request_method":"GET","path_info":"/x"}},${numbered(n, (k) => `${sqlCall(2 * k - 1, `SELECT * FROM "meetups_venue" WHERE id = ${k}`)},${ret(2 * k, 2 * k - 1)}`)},${ret(2 * n + 1, 0, '2.0')}`),
  // n distinct SELECT shapes, each run 6 times in a row, in one request: no shape has a source
  // query (none ran fewer times), so each is an N+1 of its own (analysis was quadratic: 175 s for 20,000).
  'many-shapes-per-request': (n: number) => inRequest(numbered(6 * n, (k) => sqlPair(2 * k - 1, `SELECT "meetups_venue"."c${Math.floor((k - 1) / 6)}" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${k}`)), 12 * n + 1),
  // The same, the shapes taking turns (each shape's repeats n queries apart).
  'many-shapes-interleaved': (n: number) => inRequest(numbered(6 * n, (k) => sqlPair(2 * k - 1, `SELECT "meetups_venue"."c${(k - 1) % n}" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${k}`)), 12 * n + 1),
  // The same under a chain of n framework calls: each N+1 is placed by walking up from its queries.
  'many-shapes-under-deep-chain': (n: number) =>
    events(`${numbered(n, (k) => fnCall(k, `m${k}`).replace('"app/service.py"', '"/usr/lib/python3/site-packages/lib.py"'))},${numbered(6 * n, (k) => sqlPair(n + 2 * k - 1, `SELECT "meetups_venue"."c${Math.floor((k - 1) / 6)}" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${k}`))}`),
  // n blocks in one request, each a list query of a model's table then 6 queries of one shape of
  // its own: n N+1 findings, each with a source query, each placed by a search for the queryset.
  'many-query-blocks': (n: number) =>
    inRequest(
      numbered(7 * n, (k) => {
        const block = Math.floor((k - 1) / 7);
        const sql = (k - 1) % 7 === 0 ? `SELECT "meetups_meeting"."c${block}" FROM "meetups_meeting" WHERE "meetups_meeting"."when" < '2024-01-01'` : `SELECT "meetups_venue"."c${block}" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${k}`;
        return sqlPair(2 * k - 1, sql);
      }),
      14 * n + 1,
    ),
  // n slow queries of n shapes: n slow-query findings (over about 120,000, spreading them into a push overflowed the stack).
  'many-slow-queries': (n: number) => events(numbered(n, (k) => `${sqlCall(2 * k - 1, `SELECT "c${k}" FROM "meetups_venue"`)},${ret(2 * k, 2 * k - 1, '0.3')}`)),
  // n functions called once each, one after the other: a baseline and a comparison of n functions.
  'many-functions': (n: number) => events(numbered(n, (k) => `${fnCall(2 * k - 1, `m${k}`)},${ret(2 * k, 2 * k - 1, '0.002')}`)),
  'many-threads': (n: number) => events(numbered(n, (k) => `${fnCall(2 * k - 1, 'm', k)},${ret(2 * k, 2 * k - 1, '0.1', k)}`)),
  'same-id-everywhere': (n: number) => events(numbered(n, () => `${fnCall(1)},${ret(1, 1)}`)),
  'orphan-returns': (n: number) => events(numbered(n, (k) => ret(k, k + n))),
  'self-parent-returns': (n: number) => events(numbered(n, (k) => `${fnCall(k)},{"id":${k},"event":"return","parent_id":${k},"elapsed":-0}`)),
  'missing-parent-returns': (n: number) => events(`${numbered(n, (k) => fnCall(k))},${numbered(n, (k) => `{"id":${n + k},"event":"return","thread_id":1,"elapsed":1e308}`)}`),
  'absurd-elapsed': (n: number) => events(numbered(n, (k) => `${fnCall(2 * k - 1)},${ret(2 * k, 2 * k - 1, ABSURD_NUMBERS[k % ABSURD_NUMBERS.length])}`)),
  'many-event-updates': (n: number) => events(numbered(n, (k) => fnCall(k)), `,"eventUpdates":{${numbered(n, (k) => `"${k}":{"event":"return","parent_id":${n + 1 - k},"elapsed":0.5}`)},${numbered(n, (k) => `"x${k}":{"event":"call","id":${k},"sql_query":{"sql":"SELECT 2"}}`)}}`),
  'minimal-calls': (n: number) => events(repeat('{"event":"call"}', n * 20)),
  // Found by the attack of issue 15: each empty entry was kept as a 16-field record to the end (25 MB → 494 MB of heap).
  'empty-event-updates': (n: number) => events(fnCall(1), `,"eventUpdates":{${numbered(n * 20, (k) => `"${k}":{}`)}}`),
  // eventUpdates before the events (JSON members come in any order): kept until the events are read.
  'event-updates-before-events': (n: number) => Buffer.from(`${HEADER}"eventUpdates":{${numbered(n, (k) => `"${n + k}":{"event":"return","parent_id":${k},"elapsed":0.5}`)}},"events":[${numbered(n, (k) => fnCall(k))}]}`),
  'built-metadata-objects': (n: number) => Buffer.from(`{"metadata":{"frameworks":[${repeat('{}', n * 20)}]},"events":[]}`),
  // Around the parser's limit of 4,096 characters for a number it keeps (checked where a number spans chunks).
  'long-numbers': (n: number) => events(`{"id":${'9'.repeat(Math.min(n, 8000))},"event":"call","lineno":1${'0'.repeat(Math.min(n, 8000))}},{"event":"return","parent_id":1,"elapsed":0.${'1'.repeat(Math.min(n, 8000))}e-${'9'.repeat(3)}}`),
  'huge-string-sql': (n: number) => events(`{"id":1,"event":"call","sql_query":{"sql":"${hugeText(n)}"}},${ret(2, 1)}`),
  'huge-string-parameter': (n: number) => events(`{"id":1,"event":"call","defined_class":"A","method_id":"m","path":"a.py","parameters":[{"value":"${hugeText(n)}"}]},${ret(2, 1)}`),
  'huge-string-key': (n: number) => events(`{"id":1,"event":"call","${hugeText(n)}":1},${ret(2, 1)}`),
  'huge-string-metadata': (n: number) => Buffer.from(`{"metadata":{"name":"${hugeText(n)}"},"events":[]}`),
  'huge-string-method': (n: number) => events(`{"id":1,"event":"call","defined_class":"A","method_id":"${hugeText(n)}","path":"app/a.py"},${ret(2, 1, '2.0')}`),
  'huge-string-route': (n: number) => events(`{"id":1,"event":"call","http_server_request":{"request_method":"GET","path_info":"/${hugeText(n)}"}},${ret(2, 1, '2.0')}`),
  'huge-string-unterminated': (n: number) => events(`{"id":1,"event":"call","sql_query":{"sql":"${hugeText(n)}`),
  'huge-whitespace': (n: number) => Buffer.from(`{"events":[${' '.repeat(n)}]}`),
};

export type ShapeName = keyof typeof SHAPES;

export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

export function isHugeStringShape(shape: ShapeName): boolean {
  return shape.startsWith('huge-');
}

function shapeArbitrary(scale: Scale): fc.Arbitrary<InputSpec> {
  const small = SHAPE_NAMES.filter((s) => !isHugeStringShape(s));
  const huge = SHAPE_NAMES.filter(isHugeStringShape);
  return fc.oneof(
    { arbitrary: fc.record({ shape: fc.constantFrom(...small), size: fc.integer({ min: 1, max: scale.maxShapeSize }) }), weight: 12 },
    // Deep nesting around the parser's limit (10,000) and far beyond it (100k `[`).
    { arbitrary: fc.record({ shape: fc.constantFrom<ShapeName>('deep-arrays', 'deep-objects', 'deep-closed-in-metadata', 'deep-in-events', 'deep-in-sql-query', 'deep-in-parameters', 'deep-event-updates', 'deep-classmap-children', 'deep-classmap-before-events'), size: fc.constantFrom(9_998, 9_999, 10_000, 10_001, 100_000) }), weight: 2 },
    { arbitrary: fc.record({ shape: fc.constantFrom(...huge), size: fc.constantFrom(scale.hugeStringBytes, (1 << 20) - 1, 1 << 20, (1 << 20) + 1) }), weight: 1 },
  ).map(({ shape, size }): InputSpec => ({ kind: 'shape', shape, size }));
}
