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

export interface Call {
  /** Position in Trace.calls, which is call order. */
  index: number;
  /** The `id` of the call event in the file. */
  eventId: number;
  threadId: number;
  /** Index of the enclosing call on the same thread, or -1 for a root. */
  parent: number;
  firstChild: number;
  lastChild: number;
  nextSibling: number;
  depth: number;
  kind: CallKind;
  /** Index into Trace.functions for function calls, else -1. */
  fn: number;
  /** Wall time of the call, in milliseconds; NaN where the recording has none. */
  elapsedMs: number;
  /**
   * When it started, in ms after the recording's first event, estimated: recordings hold no
   * clock, only the order of their events and each call's time, so this is the earliest start
   * those allow (a call starts when the event before it happened; a return comes at its call's
   * start plus its time, or at the event before it when that is later). Gaps the recording does
   * not time are not seen. For the HTML report's timeline.
   */
  startMs: number;
  /** False for a call whose return event never came. */
  returned: boolean;
  sql: SqlInfo | undefined;
  http: HttpServerInfo | undefined;
  client: HttpClientInfo | undefined;
  exception: ExceptionInfo | undefined;
  /**
   * Where the call was made, innermost frame first, when the recorder says (OTel spans with
   * code.stacktrace or code.file.path): a SQL query's exact line. AppMap records none.
   */
  frames?: RecordedFrame[];
  /** An OTel span that is none of the kinds above (an Express `request handler`): its name, for call trees. */
  spanName?: string;
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
  calls: Call[];
  /** Number of events in `events` (calls and returns). */
  nEvents: number;
  /** Number of entries in `eventUpdates` that were applied. */
  nEventUpdates: number;
}

/** Iterates the children of a call in order. */
export function* childrenOf(trace: Trace, call: Call): IterableIterator<Call> {
  for (let c = call.firstChild; c !== -1; c = trace.calls[c].nextSibling) yield trace.calls[c];
}

/** The calls from the root down to (and including) `call`. */
export function ancestry(trace: Trace, call: Call): Call[] {
  const path: Call[] = [];
  for (let c: Call | undefined = call; c; c = c.parent === -1 ? undefined : trace.calls[c.parent]) path.push(c);
  countWork(path.length);
  return path.reverse();
}

/** Visits a call's descendants in call order (depth first), not the call itself. */
export function forEachDescendant(trace: Trace, call: Call, visit: (descendant: Call) => void): void {
  // An explicit stack: recorded call trees can be deeper than the JS stack allows.
  const stack: number[] = [];
  if (call.firstChild !== -1) stack.push(call.firstChild);
  while (stack.length) {
    const c = trace.calls[stack.pop() as number];
    countWork();
    visit(c);
    if (c.nextSibling !== -1) stack.push(c.nextSibling);
    if (c.firstChild !== -1) stack.push(c.firstChild);
  }
}
