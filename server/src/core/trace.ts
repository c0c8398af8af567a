// The model of one recording after reading: a call tree with times in milliseconds, SQL and HTTP
// facts, and the recorded code locations. Plain data; everything else in the core reads it.

import { countWork } from './workCounter';

export const enum CallKind {
  Function = 0,
  Sql = 1,
  HttpServer = 2,
  HttpClient = 3,
}

/** A recorded code location and identity: what AppMap calls a code object. */
export interface FunctionInfo {
  index: number;
  definedClass: string;
  methodId: string;
  isStatic: boolean;
  /** The path exactly as recorded (absolute, relative or Java package-relative). */
  recordedPath: string | undefined;
  recordedLine: number | undefined;
  labels: string[];
}

export interface SqlInfo {
  text: string;
  /** As recorded in sql_query.database_type ("sqlite", "postgresql", …), or an OTel span's db.system. */
  databaseType: string | undefined;
  /** True when the recorder cut the text at its length limit (an OTel attribute ending in `..`). */
  cut?: boolean;
}

/** A place in the code where a call was made, as recorded (OTel's code.stacktrace, code.file.path). */
export interface RecordedFrame {
  /** The path exactly as recorded (absolute, usually). */
  path: string;
  line: number;
  fn?: string;
}

export interface HttpServerInfo {
  method: string;
  /** The route as the framework normalised it (`/meetings/:id`), else the raw path. */
  route: string;
  path: string;
  status: number | undefined;
}

export interface HttpClientInfo {
  method: string;
  url: string;
  status: number | undefined;
}

export interface ExceptionInfo {
  className: string;
  message: string;
}

/**
 * A call: its index in `Trace.calls`, which is call order. Calls are not objects: what is known
 * of each is in the columns of `Calls`, read as `trace.calls.parent[c]`, `trace.calls.kind[c]`…
 */
export type Call = number;

/** The SQL of a call: one entry per distinct literal-free text of the recording (see core/sql/key.ts). */
export interface SqlText extends SqlInfo {
  /**
   * Whether the text carries its values (literals, no placeholder outside a quoted string): only
   * then do two equal texts ask the same thing. Computed once per entry by the reader.
   */
  carriesValues: boolean;
}

const INITIAL_CAPACITY = 1024;

/**
 * The call tree as columns (a struct of typed arrays): what is kept per call is numbers, about
 * 58 bytes, and nothing per call is an object. Rare facts (HTTP requests and outgoing calls,
 * exceptions, recorded frames, span names) are kept in maps by call. The SQL text is kept once
 * per distinct literal-free key (`sqlTexts`), with, per call, the entry's index and a 52-bit hash
 * of the literals that were taken out (equal texts have equal entries and hashes).
 *
 * Readers append with `add` and end with `finish`; every column holds `length` valid entries.
 * Columns grow one at a time (the copy of a growing column is the only transient extra memory).
 */
export class Calls {
  length = 0;
  /** Index of the enclosing call on the same thread, or -1 for a root. */
  parent = new Int32Array(INITIAL_CAPACITY);
  firstChild = new Int32Array(INITIAL_CAPACITY);
  nextSibling = new Int32Array(INITIAL_CAPACITY);
  depth = new Int32Array(INITIAL_CAPACITY);
  kind = new Uint8Array(INITIAL_CAPACITY);
  /** 0 for a call whose return event never came. */
  returned = new Uint8Array(INITIAL_CAPACITY);
  /** Index into Trace.functions for function calls, else -1. */
  fn = new Int32Array(INITIAL_CAPACITY);
  threadId = new Float64Array(INITIAL_CAPACITY);
  /** Wall time of the call, in milliseconds; NaN where the recording has none. */
  elapsedMs = new Float64Array(INITIAL_CAPACITY);
  /**
   * When it started, in ms after the recording's first event, estimated: recordings hold no
   * clock, only the order of their events and each call's time, so this is the earliest start
   * those allow (a call starts when the event before it happened; a return comes at its call's
   * start plus its time, or at the event before it when that is later). Gaps the recording does
   * not time are not seen. For the HTML report's timeline.
   */
  startMs = new Float64Array(INITIAL_CAPACITY);
  /** Index into `sqlTexts` for SQL calls, else -1. */
  sql = new Int32Array(INITIAL_CAPACITY);
  /** For SQL calls, a 52-bit hash of the literals of the text (0 when the key is the whole text). */
  sqlValues = new Float64Array(INITIAL_CAPACITY);
  /** Builder only: the last child added to each call (dropped by `finish`). */
  private lastChild: Int32Array | undefined = new Int32Array(INITIAL_CAPACITY);

  readonly sqlTexts: SqlText[] = [];
  readonly http = new Map<Call, HttpServerInfo>();
  readonly client = new Map<Call, HttpClientInfo>();
  readonly exception = new Map<Call, ExceptionInfo>();
  /**
   * Where the call was made, innermost frame first, when the recorder says (OTel spans with
   * code.stacktrace or code.file.path): a SQL query's exact line. AppMap records none.
   */
  readonly frames = new Map<Call, RecordedFrame[]>();
  /** An OTel span that is none of the kinds above (an Express `request handler`): its name, for call trees. */
  readonly spanName = new Map<Call, string>();

  /** Appends a function call (kind Function, no function, not returned, time unknown) under `parent`; returns it. */
  add(parent: Call, threadId: number, startMs: number): Call {
    const c = this.length;
    if (c === this.parent.length) this.grow();
    this.length = c + 1;
    this.parent[c] = parent;
    this.firstChild[c] = -1;
    this.nextSibling[c] = -1;
    this.depth[c] = parent === -1 ? 0 : this.depth[parent] + 1;
    this.kind[c] = CallKind.Function;
    this.returned[c] = 0;
    this.fn[c] = -1;
    this.threadId[c] = threadId;
    this.elapsedMs[c] = NaN;
    this.startMs[c] = startMs;
    this.sql[c] = -1;
    this.sqlValues[c] = 0;
    const last = this.lastChild as Int32Array;
    last[c] = -1;
    if (parent !== -1) {
      if (last[parent] === -1) this.firstChild[parent] = c;
      else this.nextSibling[last[parent]] = c;
      last[parent] = c;
    }
    return c;
  }

  /** Ends building: drops the builder's column and gives back what the growth reserved beyond an eighth. */
  finish(): void {
    this.lastChild = undefined;
    if (this.parent.length - this.length > this.length / 8) this.resize(this.length);
  }

  /** Bytes kept per call by the columns (for the reader's memory estimate). */
  static readonly BYTES_PER_CALL = 4 * 4 + 1 + 1 + 4 + 8 + 8 + 8 + 4 + 8;

  private grow(): void {
    // By a half, and by a quarter past a million calls: what growth reserves stays within half of
    // the calls, which the reader's estimate of what it keeps (RETAINED.call) assumes, and within a
    // quarter (tens of MB) on the largest recordings.
    const n = this.parent.length;
    this.resize(Math.ceil(n * (n < 1 << 20 ? 1.5 : 1.25)));
  }

  /** Every column to `capacity` entries, one at a time (the copy of one column is the only transient extra). */
  private resize(capacity: number): void {
    this.parent = resized(this.parent, capacity);
    this.firstChild = resized(this.firstChild, capacity);
    this.nextSibling = resized(this.nextSibling, capacity);
    this.depth = resized(this.depth, capacity);
    this.kind = resized(this.kind, capacity);
    this.returned = resized(this.returned, capacity);
    this.fn = resized(this.fn, capacity);
    this.threadId = resized(this.threadId, capacity);
    this.elapsedMs = resized(this.elapsedMs, capacity);
    this.startMs = resized(this.startMs, capacity);
    this.sql = resized(this.sql, capacity);
    this.sqlValues = resized(this.sqlValues, capacity);
    if (this.lastChild) this.lastChild = resized(this.lastChild, capacity);
  }
}

function resized<T extends Int32Array | Uint8Array | Float64Array>(column: T, capacity: number): T {
  const next = new (column.constructor as new (n: number) => T)(capacity);
  next.set(column.length > capacity ? column.subarray(0, capacity) : column);
  return next;
}

export interface RecordingMetadata {
  name: string | undefined;
  /** appmap-python, appmap-ruby, appmap-java, appmap-node, … as recorded in metadata.client.name. */
  agentName: string | undefined;
  agentVersion: string | undefined;
  language: string | undefined;
  recorderName: string | undefined;
  recorderType: string | undefined;
  testStatus: string | undefined;
  /** The test's file and line (`path:line`, or just `path`): metadata.recording.source_location or metadata.source_location. */
  sourceLocation: string | undefined;
  frameworks: { name: string; version: string | undefined }[];
}

export interface Trace {
  /** The recording's path as given to the reader (workspace-relative where possible). */
  recordingPath: string;
  /** The format version (top-level `version`), if any. */
  version: string | undefined;
  metadata: RecordingMetadata;
  functions: FunctionInfo[];
  calls: Calls;
  /** Number of events in `events` (calls and returns). */
  nEvents: number;
  /** Number of entries in `eventUpdates` that were applied. */
  nEventUpdates: number;
}

/** The SQL of a call, or undefined for a call that is not a query. */
export function sqlOf(trace: Trace, c: Call): SqlText | undefined {
  const k = trace.calls.sql[c];
  return k === -1 ? undefined : trace.calls.sqlTexts[k];
}

/** Whether two SQL calls ran the same text (the same literal-free key and the same literals). */
export function sameSqlText(trace: Trace, a: Call, b: Call): boolean {
  const { sql, sqlValues } = trace.calls;
  return sql[a] === sql[b] && sqlValues[a] === sqlValues[b];
}

/** Iterates the children of a call in order. */
export function* childrenOf(trace: Trace, call: Call): IterableIterator<Call> {
  const { firstChild, nextSibling } = trace.calls;
  for (let c = firstChild[call]; c !== -1; c = nextSibling[c]) yield c;
}

/** The calls from the root down to (and including) `call`. */
export function ancestry(trace: Trace, call: Call): Call[] {
  const path: Call[] = [];
  const { parent } = trace.calls;
  for (let c = call; c !== -1; c = parent[c]) path.push(c);
  countWork(path.length);
  return path.reverse();
}

/** Visits a call's descendants in call order (depth first), not the call itself. */
export function forEachDescendant(trace: Trace, call: Call, visit: (descendant: Call) => void): void {
  // An explicit stack: recorded call trees can be deeper than the JS stack allows.
  const { firstChild, nextSibling } = trace.calls;
  const stack: number[] = [];
  if (firstChild[call] !== -1) stack.push(firstChild[call]);
  while (stack.length) {
    const c = stack.pop() as number;
    countWork();
    visit(c);
    if (nextSibling[c] !== -1) stack.push(nextSibling[c]);
    if (firstChild[c] !== -1) stack.push(firstChild[c]);
  }
}

/**
 * One call as an object, for tests and for the few places that look at a handful of calls (a
 * finding's frames, a call tree shown to an agent): made on demand, never kept by the trace.
 */
export interface CallView {
  index: Call;
  threadId: number;
  parent: Call;
  firstChild: Call;
  nextSibling: Call;
  depth: number;
  kind: CallKind;
  fn: number;
  elapsedMs: number;
  startMs: number;
  returned: boolean;
  sql: SqlText | undefined;
  http: HttpServerInfo | undefined;
  client: HttpClientInfo | undefined;
  exception: ExceptionInfo | undefined;
  frames: RecordedFrame[] | undefined;
  spanName: string | undefined;
}

export function callView(trace: Trace, c: Call): CallView {
  const t = trace.calls;
  return {
    index: c,
    threadId: t.threadId[c],
    parent: t.parent[c],
    firstChild: t.firstChild[c],
    nextSibling: t.nextSibling[c],
    depth: t.depth[c],
    kind: t.kind[c] as CallKind,
    fn: t.fn[c],
    elapsedMs: t.elapsedMs[c],
    startMs: t.startMs[c],
    returned: t.returned[c] === 1,
    sql: sqlOf(trace, c),
    http: t.http.get(c),
    client: t.client.get(c),
    exception: t.exception.get(c),
    frames: t.frames.get(c),
    spanName: t.spanName.get(c),
  };
}

/** Every call as a CallView (tests; small traces only). */
export function allCalls(trace: Trace): CallView[] {
  const out: CallView[] = [];
  for (let c = 0; c < trace.calls.length; c++) out.push(callView(trace, c));
  return out;
}
