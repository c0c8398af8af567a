// Reads an AppMap recording (format 1.x, any agent) from a stream of bytes into a Trace.
// Reading never throws: a truncated or malformed file yields what it holds plus problems with the
// byte offset. Elapsed seconds become milliseconds here, once, after eventUpdates are applied.
// What the trace keeps is counted as it grows (an estimate of its bytes in V8's heap, plus what
// its analysis will make per function): a recording that would need more than the caller allows
// stops there, with a problem, as a broken one does, instead of exhausting the heap.

import { DEFAULT_MAX_BUILT_ITEMS, DEFAULT_MAX_DEPTH, JsonStreamParser, JsonVisitor, Mode } from '../json/streamParser';
import { formatCount } from '../findings/format';
import { Problem } from '../problem';
import { countWork } from '../workCounter';
import { Call, CallKind, Calls, ExceptionInfo, FunctionInfo, RecordingMetadata, Trace } from '../trace';
import { lastValuesHash, SqlTextTable } from '../sql/key';
import { isWellFormed } from '../text';

/** Where a problem is: its byte offset, and its line and column where the parser knows them. */
type At = Pick<Problem, 'byteOffset' | 'line' | 'column'>;

export interface ReadResult {
  trace: Trace;
  problems: Problem[];
}

export interface RecordingReader {
  write(chunk: Buffer): void;
  /**
   * Ends the input and returns what was read. `failure` says why the input stopped early (an I/O
   * error); it is reported instead of the file looking truncated.
   */
  end(failure?: string): ReadResult;
  /** Bytes consumed so far. */
  readonly byteOffset: number;
  /** True once reading stopped at a syntax problem (or an internal error): later bytes are not looked at, so need not be read. */
  readonly stopped: boolean;
  /** The most input bytes held at once: bounded by the longest wanted string, never by parameter values. */
  readonly maxBufferedBytes: number;
  /** What the trace read so far keeps in the heap, estimated (see RETAINED in read.ts). */
  readonly retainedBytes: number;
  /** What analysing it will keep beyond it, estimated (RETAINED.analysisPerFunction per function). `maxRetainedBytes` bounds the sum. */
  readonly reservedBytes: number;
}

export interface ReadOptions {
  /** SQL texts and messages longer than this are cut (the rest is not stored). */
  maxStringBytes?: number;
  /**
   * Reading stops, with a problem at the byte where it stopped, once the trace and what its
   * analysis makes would keep more than this (estimated bytes of heap: retainedBytes +
   * reservedBytes). Unbounded if not given: the caller knows the heap.
   */
  maxRetainedBytes?: number;
  /** Where the limit comes from, said in the problem (e.g. "half of the heap's 4,144 MB"). */
  maxRetainedWhy?: string;
}

/** Starts reading one recording; feed it chunks, then call `end`. */
export function createRecordingReader(recordingPath: string, options: ReadOptions = {}): RecordingReader {
  const builder = new TraceBuilder(recordingPath, options.maxRetainedBytes ?? Infinity);
  const parser = new JsonStreamParser(builder, { maxStringBytes: options.maxStringBytes });
  // After an internal error the parser's state is not to be trusted: input stops there, and what
  // was read before it is kept, as after a syntax error. So after the memory limit.
  let broken = false;
  /** A byte offset with its line and column, as the parser counted them (see TextPosition). */
  const at = (byteOffset: number): At => ({ byteOffset, ...parser.positionOf(byteOffset) });
  const stop = (err: unknown): void => {
    broken = true;
    if (err === OVER_LIMIT) builder.overLimit(at(parser.byteOffset), options.maxRetainedWhy);
    else builder.internalError(err, at(parser.byteOffset));
  };
  const finish = (): ReadResult => {
    try {
      return builder.finish();
    } catch (err) {
      return builder.finishAfterInternalError(err);
    }
  };
  return {
    write(chunk: Buffer): void {
      if (broken) return;
      try {
        parser.write(chunk);
      } catch (err) {
        stop(err);
      }
    },
    end(failure?: string): ReadResult {
      if (failure !== undefined) {
        builder.problems.push({ file: recordingPath, ...at(parser.byteOffset), severity: 'error', message: `cannot read the file (${failure}); read what came before` });
        return finish();
      }
      if (broken) return finish();
      try {
        parser.end();
      } catch (err) {
        stop(err);
        return finish();
      }
      if (parser.problem) {
        builder.problems.push({
          file: recordingPath,
          byteOffset: parser.problem.byteOffset,
          line: parser.problem.line,
          column: parser.problem.column,
          severity: 'error',
          message: `not valid JSON: ${parser.problem.message}; read what came before it`,
        });
      }
      if (parser.truncatedStrings > 0) {
        builder.warn(`${formatCount(parser.truncatedStrings)} long text value(s) (SQL or messages) were cut to ${formatCount((options.maxStringBytes ?? 1 << 20) >> 10)} KiB`);
      }
      if (parser.truncatedValues > 0) {
        builder.warn(`${formatCount(parser.truncatedValues)} value(s) (metadata, classMap or event details) had more than ${formatCount(DEFAULT_MAX_BUILT_ITEMS)} members and elements; the rest were skipped`);
      }
      if (parser.deepValues > 0) {
        builder.problems.push({
          file: recordingPath,
          byteOffset: parser.firstDeepValueAt,
          ...parser.firstDeepValuePosition,
          severity: 'warning',
          message: `${formatCount(parser.deepValues)} value(s) (metadata, classMap or event details) were nested deeper than ${formatCount(DEFAULT_MAX_DEPTH)} levels (the first here); what was deeper was skipped`,
        });
      }
      if (parser.longNumbers > 0) {
        builder.warn(`${formatCount(parser.longNumbers)} number(s) longer than 4,096 characters were read as not a number`);
      }
      return finish();
    },
    get byteOffset() {
      return parser.byteOffset;
    },
    get stopped() {
      return broken || parser.problem !== undefined;
    },
    get maxBufferedBytes() {
      return parser.maxBufferedBytes;
    },
    get retainedBytes() {
      return builder.retainedBytes;
    },
    get reservedBytes() {
      return builder.reservedBytes;
    },
  };
}

/** Reads a whole recording held in memory (tests and small inputs). */
export function readRecording(recordingPath: string, bytes: Buffer | string, options?: ReadOptions): ReadResult {
  const reader = createRecordingReader(recordingPath, options);
  reader.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  return reader.end();
}

// ---- the visitor ------------------------------------------------------------------------------

const enum Ctx {
  Top,
  Events,
  Event,
  Updates,
  Ignored,
}

const FUNCTIONS_PER_NAME = 16;

/**
 * What the trace keeps, in bytes of V8's heap (64-bit, without pointer compression: Node's
 * build), measured on generated recordings of each kind of record (test/unit/readMemory.test.ts
 * holds the estimate to the measured heap). Strings cost `string` plus one byte per character:
 * short names shared through the parser's key cache are counted as if they were not, and
 * two-byte strings as if they were Latin-1 (their UTF-8 bytes in the file are at least as many).
 */
export const RETAINED = {
  /**
   * A call: its columns (Calls.BYTES_PER_CALL, 58) and the builder's last-child column, with half
   * more for what growth may reserve, its slots on the open stacks and in the id index.
   */
  call: 112,
  /** A thread's open stacks and its entry in the map of them. */
  thread: 448,
  /** A distinct literal-free SQL text: its entry and its place in the lookup by key (the text and the key are counted as strings). */
  sql: 64,
  http: 56,
  client: 48,
  exception: 40,
  /** A FunctionInfo, its labels array, and its place in the lookup by name. */
  function: 168,
  /** A call id the dense index cannot take (negative, fractional, far ahead): a Map entry. */
  sparseId: 80,
  string: 24,
  /** An eventUpdate kept until the events are read: its record, plus 8 per field and what the values keep. */
  update: 32,
  /**
   * Not the trace's: what a summary (statistics, slowest path, call edges) and findings keep per
   * function recorded, which the limit counts too. A recording of many functions called once
   * each makes a summary three times its trace (measured: 1,050 bytes per function).
   */
  analysisPerFunction: 1_200,
};

/** Thrown by the builder when the trace would keep more than allowed; the reader stops there. */
const OVER_LIMIT: unique symbol = Symbol('over the memory limit');

/** Fields of an event that we keep; everything else (parameters, receiver, return_value…) is skipped unread. */

const EVENT_FIELDS = new Set([
  'id',
  'event',
  'thread_id',
  'parent_id',
  'elapsed',
  'defined_class',
  'method_id',
  'path',
  'lineno',
  'static',
  'sql_query',
  'http_server_request',
  'http_server_response',
  'http_client_request',
  'http_client_response',
  'exceptions',
]);

/** What of an event the builder reads: a RawEvent, or an eventUpdate kept with only the fields applying it reads. */
type EventFields = Partial<Record<'id' | 'event' | 'thread_id' | 'parent_id' | 'elapsed' | 'defined_class' | 'method_id' | 'path' | 'lineno' | 'static' | 'sql_query' | 'http_server_request' | 'http_server_response' | 'http_client_request' | 'http_client_response' | 'exceptions', unknown>>;

/**
 * The kept fields of one event. Events and eventUpdates are all read into one instance, reset per
 * event by named stores (a loop of keyed stores over the field names cost a tenth of the reading time).
 */
class RawEvent {
  [field: string]: unknown;
  id: unknown = undefined;
  event: unknown = undefined;
  thread_id: unknown = undefined;
  parent_id: unknown = undefined;
  elapsed: unknown = undefined;
  defined_class: unknown = undefined;
  method_id: unknown = undefined;
  path: unknown = undefined;
  lineno: unknown = undefined;
  static: unknown = undefined;
  sql_query: unknown = undefined;
  http_server_request: unknown = undefined;
  http_server_response: unknown = undefined;
  http_client_request: unknown = undefined;
  http_client_response: unknown = undefined;
  exceptions: unknown = undefined;

  reset(): void {
    this.id = undefined;
    this.event = undefined;
    this.thread_id = undefined;
    this.parent_id = undefined;
    this.elapsed = undefined;
    this.defined_class = undefined;
    this.method_id = undefined;
    this.path = undefined;
    this.lineno = undefined;
    this.static = undefined;
    this.sql_query = undefined;
    this.http_server_request = undefined;
    this.http_server_response = undefined;
    this.http_client_request = undefined;
    this.http_client_response = undefined;
    this.exceptions = undefined;
  }
}

class TraceBuilder implements JsonVisitor {
  readonly problems: Problem[] = [];
  private readonly recordingPath: string;

  private ctx: Ctx[] = [];
  private key: string | undefined;
  private event: RawEvent | undefined;
  private readonly scratch = new RawEvent();
  private eventIsUpdate = false;
  private updateKey: string | undefined;
  private sawEvents = false;

  private version: string | undefined;
  private metadataRaw: unknown;
  private classMapRaw: unknown;

  private readonly calls = new Calls();
  private readonly sqlTexts = new SqlTextTable(this.calls.sqlTexts);
  /** The estimated time of the last event, in ms after the first (see Call.startMs). */
  private clockMs = 0;
  private readonly functions: FunctionInfo[] = [];
  /** Method name → the first FUNCTIONS_PER_NAME identities with that name. */
  private readonly functionsByMethod = new Map<string, number[]>();
  /** Identities beyond those, by a key of every field. */
  private readonly functionIds = new Map<string, number>();
  /** Call event id → index in calls. */
  private readonly callByEventId = new EventIdIndex();
  /** Per thread: the calls still open, innermost last. */
  private readonly openByThread = new Map<number, OpenCalls>();
  /** eventUpdates that came before the events were read (JSON members come in any order). */
  private readonly updates: EventFields[] = [];
  /** The events array was read: an eventUpdate is applied as it comes, and not kept. */
  private eventsRead = false;
  private nEvents = 0;
  private nUpdatesApplied = 0;
  /** What the trace keeps so far, estimated (RETAINED). */
  retainedBytes = 0;
  /** What its analysis will keep, estimated (RETAINED.analysisPerFunction). */
  reservedBytes = 0;

  // Counters for problems reported once per file rather than once per event.
  private nOrphanReturns = 0;
  private nDuplicateIds = 0;
  private nBadEvents = 0;
  private nBadElapsed = 0;

  constructor(
    recordingPath: string,
    private readonly maxRetainedBytes: number,
  ) {
    this.recordingPath = recordingPath;
  }

  /** Counts bytes the trace keeps (RETAINED). */
  retain(bytes: number): void {
    this.retainedBytes += bytes;
  }

  /** The calls being built (describeCall writes their columns). */
  get columns(): Calls {
    return this.calls;
  }

  /** The entry of a recorded SQL text, counted when new; the hash of its literals is `lastValuesHash()` after. */
  sqlText(text: string, databaseType: string | undefined): number {
    const before = this.sqlTexts.texts.length;
    const index = this.sqlTexts.add(text, databaseType, false);
    if (this.sqlTexts.texts.length !== before) this.retain(RETAINED.sql + (this.sqlTexts.lastKeyIsText ? 1 : 2) * stringBytes(text));
    return index;
  }

  // JsonVisitor ---------------------------------------------------------------------------

  onKey(key: string): Mode {
    this.key = key;
    switch (this.top()) {
      case Ctx.Top:
        if (key === 'events' || key === 'eventUpdates') return Mode.Visit;
        if (key === 'version' || key === 'metadata' || key === 'classMap') return Mode.Build;
        return Mode.Skip;
      case Ctx.Event:
        return EVENT_FIELDS.has(key) ? Mode.Build : Mode.Skip;
      case Ctx.Updates:
        this.updateKey = key;
        return Mode.Visit;
      default:
        return Mode.Skip;
    }
  }

  onElement(): Mode {
    return this.top() === Ctx.Events ? Mode.Visit : Mode.Skip;
  }

  onOpen(isArray: boolean): void {
    const parent = this.top();
    if (parent === undefined) {
      if (isArray) {
        this.error({ byteOffset: 0, line: 1, column: 1 }, 'the recording is a JSON array; an AppMap is a JSON object with "events"');
        this.ctx.push(Ctx.Ignored);
      } else this.ctx.push(Ctx.Top);
      return;
    }
    if (parent === Ctx.Top && this.key === 'events') {
      this.sawEvents = true;
      if (isArray) this.ctx.push(Ctx.Events);
      else {
        this.error(undefined, '"events" is not an array; ignored');
        this.ctx.push(Ctx.Ignored);
      }
      return;
    }
    if (parent === Ctx.Top && this.key === 'eventUpdates') {
      if (!isArray) this.ctx.push(Ctx.Updates);
      else {
        this.error(undefined, '"eventUpdates" is not an object; ignored');
        this.ctx.push(Ctx.Ignored);
      }
      return;
    }
    if (parent === Ctx.Events || parent === Ctx.Updates) {
      if (isArray) {
        this.nBadEvents++;
        this.ctx.push(Ctx.Ignored);
      } else {
        this.eventIsUpdate = parent === Ctx.Updates;
        // Done with when it closes: what an eventUpdate kept for later is copied out of it.
        this.scratch.reset();
        this.event = this.scratch;
        this.ctx.push(Ctx.Event);
      }
      return;
    }
    this.ctx.push(Ctx.Ignored);
  }

  onValue(value: unknown): void {
    switch (this.top()) {
      case Ctx.Top:
        if (this.key === 'version') this.version = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
        else if (this.key === 'metadata') this.keepValue((this.metadataRaw = value));
        else if (this.key === 'classMap') this.keepValue((this.classMapRaw = value));
        else if (this.key === 'events' || this.key === 'eventUpdates') this.error(undefined, `"${this.key}" is not ${this.key === 'events' ? 'an array' : 'an object'}; ignored`);
        return;
      case Ctx.Event:
        (this.event as RawEvent)[this.key as string] = value;
        return;
      case Ctx.Events:
      case Ctx.Updates:
        this.nBadEvents++;
        return;
      default:
        return;
    }
  }

  onClose(): void {
    const closed = this.ctx.pop();
    if (closed === Ctx.Events) this.eventsRead = true;
    if (closed !== Ctx.Event) return;
    const event = this.event as RawEvent;
    this.event = undefined;
    if (this.eventIsUpdate) this.addUpdate(event);
    else {
      this.nEvents++;
      this.addEvent(event);
    }
    this.checkLimit();
  }

  /** A built top-level value (metadata, classMap) is kept to the end. */
  private keepValue(value: unknown): void {
    this.retain(valueBytes(value));
    this.checkLimit();
  }

  /** Called between events only: the trace is whole there, and reading may stop. */
  private checkLimit(): void {
    if (this.retainedBytes + this.reservedBytes > this.maxRetainedBytes) throw OVER_LIMIT;
  }

  // Building the call tree ----------------------------------------------------------------

  private addEvent(e: RawEvent): void {
    countWork();
    const kind = e.event;
    if (kind === 'call') this.addCall(e);
    else if (kind === 'return') this.addReturn(e);
    else this.nBadEvents++;
  }

  private addCall(e: RawEvent): void {
    const eventId = typeof e.id === 'number' ? e.id : -1;
    const threadId = typeof e.thread_id === 'number' ? e.thread_id : 0;
    let open = this.openByThread.get(threadId);
    if (open === undefined) {
      open = { all: [], scopes: [] };
      this.openByThread.set(threadId, open);
      this.retain(RETAINED.thread);
    }
    // A SQL query or an outgoing HTTP request has no recorded children: a call that starts while
    // one is still open is its sibling (async drivers: appmap-node writes the calls of queries run
    // in parallel before any of them returns). So the parent is the innermost open call that is
    // neither, kept on a stack of its own.
    dropReturned(this.calls, open.scopes);
    const parentIndex = open.scopes.length ? open.scopes[open.scopes.length - 1] : -1;
    this.retain(RETAINED.call);
    const call = this.calls.add(parentIndex, threadId, this.clockMs);
    describeCall(call, e, this);
    if (eventId === -1) this.nBadEvents++;
    else if (this.callByEventId.get(eventId) !== undefined) this.nDuplicateIds++;
    else if (this.callByEventId.set(eventId, call) === 'sparse') this.retain(RETAINED.sparseId);
    open.all.push(call);
    if (!isLeaf(this.calls, call)) open.scopes.push(call);
  }

  private addReturn(e: RawEvent): void {
    let callIndex: number | undefined;
    if (typeof e.parent_id === 'number') callIndex = this.callByEventId.get(e.parent_id);
    else if (e.parent_id === undefined) {
      // Older appmap-java remote recordings omit parent_id: a return closes the innermost open call.
      const open = this.openByThread.get(typeof e.thread_id === 'number' ? e.thread_id : 0);
      if (open) {
        dropReturned(this.calls, open.all);
        if (open.all.length) callIndex = open.all[open.all.length - 1];
      }
    }
    if (callIndex === undefined) {
      this.nOrphanReturns++;
      return;
    }
    const call = callIndex;
    this.applyReturn(call, e);
    const endMs = this.calls.startMs[call] + this.calls.elapsedMs[call];
    if (Number.isFinite(endMs) && endMs > this.clockMs) this.clockMs = endMs;
    // A return need not be for the innermost open call (appmap-node writes async returns so):
    // the calls opened after it stay open (their parents were fixed when they were called), and
    // it leaves the stacks when it reaches their top. Removing it from the middle cost a search
    // per return: quadratic on a file of many out-of-order returns.
    const open = this.openByThread.get(this.calls.threadId[call]);
    if (!open) return;
    dropReturned(this.calls, open.all);
    dropReturned(this.calls, open.scopes);
  }

  private applyReturn(call: Call, e: EventFields): void {
    const calls = this.calls;
    calls.returned[call] = 1;
    if (e.elapsed !== undefined) {
      const seconds = e.elapsed;
      // 1e308 seconds is finite, its milliseconds are not.
      if (typeof seconds === 'number' && seconds >= 0 && Number.isFinite(seconds * 1000)) calls.elapsedMs[call] = seconds * 1000;
      else {
        calls.elapsedMs[call] = NaN;
        this.nBadElapsed++;
      }
    }
    const response = e.http_server_response;
    if (response !== undefined && isObject(response)) {
      const http = calls.http.get(call);
      if (http) http.status = statusOf(response);
    }
    const clientResponse = e.http_client_response;
    if (clientResponse !== undefined && isObject(clientResponse)) {
      const client = calls.client.get(call);
      if (client) client.status = statusOf(clientResponse);
    }
    const exception = e.exceptions === undefined ? undefined : firstException(e.exceptions);
    if (exception) {
      calls.exception.set(call, exception);
      this.retain(RETAINED.exception + stringBytes(exception.className) + stringBytes(exception.message));
    }
  }

  /**
   * Interns a function identity; called by describeCall. Looked up by method name first, then
   * compared field by field: building one key string per call event cost a twentieth of the
   * reading time (profiled on deep call trees). A name shared by many identities (16 or more,
   * which only odd or hostile files have) falls back to the key map, so the scan stays bounded.
   */
  functionIndex(definedClass: string, methodId: string, isStatic: boolean, path: string | undefined, line: number | undefined): number {
    const bucket = this.functionsByMethod.get(methodId);
    if (bucket !== undefined) {
      for (let k = 0; k < bucket.length; k++) {
        countWork();
        const f = this.functions[bucket[k]];
        if (f.recordedLine === line && f.isStatic === isStatic && f.definedClass === definedClass && f.recordedPath === path) return f.index;
      }
    }
    let key: string | undefined;
    if (bucket !== undefined && bucket.length >= FUNCTIONS_PER_NAME) {
      key = `${definedClass}\u0000${methodId}\u0000${isStatic ? 1 : 0}\u0000${path ?? ''}\u0000${line ?? ''}`;
      const known = this.functionIds.get(key);
      if (known !== undefined) return known;
    }
    const index = this.functions.length;
    this.functions.push({ index, definedClass, methodId, isStatic, recordedPath: path, recordedLine: line, labels: [] });
    this.retain(RETAINED.function + stringBytes(definedClass) + stringBytes(methodId) + stringBytes(path) + (key === undefined ? 0 : stringBytes(key)));
    this.reservedBytes += RETAINED.analysisPerFunction;
    if (key !== undefined) this.functionIds.set(key, index);
    else if (bucket !== undefined) bucket.push(index);
    else this.functionsByMethod.set(methodId, [index]);
    return index;
  }

  // Finishing -----------------------------------------------------------------------------

  finish(): ReadResult {
    this.applyUpdates();
    let nUnreturned = 0;
    for (let c = 0; c < this.calls.length; c++) nUnreturned += 1 - this.calls.returned[c];
    if (!this.sawEvents && this.problems.length === 0) this.warn('the recording has no "events"');
    if (this.nOrphanReturns) this.warn(`${formatCount(this.nOrphanReturns)} return event(s) name a call that is not in the recording; ignored`);
    if (this.nDuplicateIds) this.warn(`${formatCount(this.nDuplicateIds)} call event(s) reuse an id already used; their returns pair with the first`);
    if (this.nBadEvents) this.warn(`${formatCount(this.nBadEvents)} event(s) are not call or return events with an id; ignored`);
    if (this.nBadElapsed) this.warn(`${formatCount(this.nBadElapsed)} return event(s) have an elapsed time that is not a non-negative number; their time is unknown`);
    if (nUnreturned && this.problems.every((p) => p.severity !== 'error')) {
      // Calls that never return are normal for dropped promises; only say so, never fail.
      this.warn(`${formatCount(nUnreturned)} call(s) never returned; their time is unknown`);
    }
    applyClassMapLabels(this.classMapRaw, this.functions);
    const metadata = readMetadata(this.metadataRaw);
    this.checkPaths(metadata.sourceLocation);
    this.calls.finish();
    this.sqlTexts.finish();
    const trace: Trace = {
      recordingPath: this.recordingPath,
      version: this.version,
      metadata,
      functions: this.functions,
      calls: this.calls,
      nEvents: this.nEvents,
      nEventUpdates: this.nUpdatesApplied,
    };
    return { trace, problems: this.problems };
  }

  /**
   * Recorded paths that are not well-formed Unicode (a file name in another encoding: Python
   * records `caf\udce9.py`) name no file and make no URI: said once, so that a finding there
   * that has no link, SARIF result or editor diagnostic is explained.
   */
  private checkPaths(sourceLocation: string | undefined): void {
    const bad = this.functions.map((f) => f.recordedPath).filter((p): p is string => p !== undefined && !isWellFormed(p));
    countWork(this.functions.length);
    if (sourceLocation !== undefined && !isWellFormed(sourceLocation)) bad.push(sourceLocation);
    if (bad.length === 0) return;
    this.warn(
      `${formatCount(bad.length)} recorded path(s) are not valid Unicode (a file name in another encoding?), the first ${JSON.stringify(bad[0])}: no URI can name them, so findings there have no link in reports, no SARIF result and no editor diagnostic`,
    );
  }

  /**
   * eventUpdates replace events by id; they carry the async times of appmap-node. One that comes
   * after the events (as agents write them) is applied at once; one that comes before is kept,
   * with only the fields applying it reads, until the end. One that could replace nothing (an
   * empty entry, say) is counted and dropped: kept, such entries cost 25 times their bytes.
   */
  private addUpdate(e: RawEvent): void {
    countWork();
    if (e.id === undefined && this.updateKey !== undefined) e.id = Number(this.updateKey);
    if (!isReturnUpdate(e) && !isCallUpdate(e)) {
      this.nOrphanReturns++;
      return;
    }
    if (this.eventsRead) {
      this.applyUpdate(e);
      return;
    }
    const kept: EventFields = isReturnUpdate(e)
      ? { event: e.event, parent_id: e.parent_id, elapsed: e.elapsed, http_server_response: e.http_server_response, http_client_response: e.http_client_response, exceptions: e.exceptions }
      : { event: e.event, id: e.id, sql_query: e.sql_query, http_server_request: e.http_server_request, http_client_request: e.http_client_request, defined_class: e.defined_class, method_id: e.method_id, path: e.path, lineno: e.lineno, static: e.static };
    let bytes = RETAINED.update;
    for (const value of Object.values(kept)) bytes += 8 + (typeof value === 'object' || typeof value === 'string' ? valueBytes(value) : 0);
    this.retain(bytes);
    this.updates.push(kept);
  }

  private applyUpdates(): void {
    for (const u of this.updates) {
      countWork();
      this.applyUpdate(u);
    }
  }

  private applyUpdate(u: EventFields): void {
    const index = isReturnUpdate(u) ? this.callByEventId.get(u.parent_id as number) : this.callByEventId.get(u.id as number);
    if (index === undefined) this.nOrphanReturns++;
    else {
      if (isReturnUpdate(u)) this.applyReturn(index, u);
      else describeCall(index, u, this);
      this.nUpdatesApplied++;
    }
  }

  /** finish() itself failed: the calls read so far, without classMap labels or updates, and the error. */
  finishAfterInternalError(err: unknown): ReadResult {
    this.internalError(err, undefined);
    this.calls.finish();
    this.sqlTexts.finish();
    const trace: Trace = {
      recordingPath: this.recordingPath,
      version: this.version,
      metadata: readMetadata(undefined),
      functions: this.functions,
      calls: this.calls,
      nEvents: this.nEvents,
      nEventUpdates: 0,
    };
    return { trace, problems: this.problems };
  }

  /** Reading stopped at `byteOffset` because the trace would keep more than allowed. */
  overLimit(at: At, why: string | undefined): void {
    const mb = (bytes: number) => `${formatCount(Math.ceil(bytes / 2 ** 20))} MB`;
    this.error(
      at,
      `the recording is too large for the memory allowed: its first ${formatCount(this.nEvents)} events and what is made of them need about ${mb(this.retainedBytes + this.reservedBytes)}, over the limit of ${mb(this.maxRetainedBytes)}${why ? ` (${why})` : ''}; the rest is not read, and what is shown comes from those events`,
    );
  }

  internalError(err: unknown, at: At | undefined): void {
    this.error(at, `internal error while reading (please report): ${err instanceof Error ? err.message : String(err)}`);
  }

  warn(message: string): void {
    this.problems.push({ file: this.recordingPath, severity: 'warning', message });
  }

  private error(at: At | undefined, message: string): void {
    this.problems.push({ file: this.recordingPath, ...at, severity: 'error', message });
  }

  private top(): Ctx | undefined {
    return this.ctx[this.ctx.length - 1];
  }
}

// ---- event details ----------------------------------------------------------------------------

const MAX_LINE = 2 ** 31 - 1;

function describeCall(call: Call, e: EventFields, builder: TraceBuilder): void {
  // An eventUpdate may describe the call anew, as another kind: nothing of the old kind stays.
  const calls = builder.columns;
  calls.kind[call] = CallKind.Function;
  calls.fn[call] = -1;
  calls.sql[call] = -1;
  calls.sqlValues[call] = 0;
  // Their statuses came with the return, and stay.
  const http = calls.http.get(call);
  const oldClient = calls.client.get(call);
  if (http) calls.http.delete(call);
  if (oldClient) calls.client.delete(call);
  const sql = e.sql_query;
  if (sql !== undefined && isObject(sql)) {
    calls.kind[call] = CallKind.Sql;
    calls.sql[call] = builder.sqlText(str(sql.sql) ?? '', str(sql.database_type));
    calls.sqlValues[call] = lastValuesHash();
    return;
  }
  const request = e.http_server_request;
  if (request !== undefined && isObject(request)) {
    calls.kind[call] = CallKind.HttpServer;
    const method = (str(request.request_method) ?? 'GET').toUpperCase();
    const path = str(request.path_info) ?? '/';
    const normalized = str(request.normalized_path_info);
    const info = { method, path, route: `${method} ${normalized || path}`, status: http?.status };
    calls.http.set(call, info);
    builder.retain(RETAINED.http + stringBytes(method) + stringBytes(path) + stringBytes(info.route));
    return;
  }
  const client = e.http_client_request;
  if (client !== undefined && isObject(client)) {
    calls.kind[call] = CallKind.HttpClient;
    const info = { method: (str(client.request_method) ?? 'GET').toUpperCase(), url: str(client.url) ?? '', status: oldClient?.status };
    calls.client.set(call, info);
    builder.retain(RETAINED.client + stringBytes(info.method) + stringBytes(info.url));
    return;
  }
  const definedClass = str(e.defined_class);
  const methodId = str(e.method_id);
  if (definedClass !== undefined || methodId !== undefined) {
    // Up to 2^31 − 1, the largest line an editor can be sent (LSP positions are 32-bit).
    const line = typeof e.lineno === 'number' && Number.isInteger(e.lineno) && e.lineno > 0 && e.lineno <= MAX_LINE ? e.lineno : undefined;
    calls.fn[call] = builder.functionIndex(definedClass ?? '', methodId ?? '', e.static === true, str(e.path), line);
  }
}

function statusOf(response: Record<string, unknown>): number | undefined {
  // status_code is the format's key; appmap-java and older appmap-ruby write `status`.
  const status = response.status_code ?? response.status;
  if (typeof status === 'number') return status;
  if (typeof status === 'string' && /^\d+$/.test(status)) return Number(status);
  return undefined;
}

function firstException(value: unknown): ExceptionInfo | undefined {
  if (!Array.isArray(value) || value.length === 0 || !isObject(value[0])) return undefined;
  const e = value[0];
  return { className: str(e.class) ?? 'Exception', message: str(e.message) ?? '' };
}

function readMetadata(raw: unknown): RecordingMetadata {
  const m = isObject(raw) ? raw : {};
  const client = isObject(m.client) ? m.client : {};
  const language = isObject(m.language) ? m.language : {};
  const recorder = isObject(m.recorder) ? m.recorder : {};
  const recording = isObject(m.recording) ? m.recording : {};
  const frameworks = Array.isArray(m.frameworks) ? m.frameworks.filter(isObject) : [];
  return {
    name: str(m.name),
    agentName: str(client.name),
    agentVersion: str(client.version),
    language: str(language.name),
    recorderName: str(recorder.name),
    recorderType: str(recorder.type),
    testStatus: str(m.test_status),
    // appmap-python writes recording.source_location; appmap-ruby, -java and -node write source_location.
    sourceLocation: str(recording.source_location) ?? str(m.source_location),
    frameworks: frameworks.map((f) => ({ name: str(f.name) ?? '', version: str(f.version) })),
  };
}

/**
 * Labels live in the classMap (function entries with a `location` of `path:line`); they are
 * matched to recorded functions by name and location.
 */
function applyClassMapLabels(classMap: unknown, functions: FunctionInfo[]): void {
  if (!Array.isArray(classMap)) return;
  const labelsByLocation = new Map<string, string[]>();
  const stack: unknown[] = [...classMap];
  let budget = 1_000_000;
  while (stack.length && budget-- > 0) {
    countWork();
    const node = stack.pop();
    if (!isObject(node)) continue;
    // One by one: spreading a node of 200,000 children as arguments overflows the stack.
    if (Array.isArray(node.children)) for (const child of node.children) stack.push(child);
    if (node.type === 'function' && Array.isArray(node.labels) && node.labels.length) {
      const labels = node.labels.filter((l): l is string => typeof l === 'string');
      labelsByLocation.set(`${str(node.name)}@${str(node.location)}`, labels);
    }
  }
  if (labelsByLocation.size === 0) return;
  countWork(functions.length);
  for (const f of functions) {
    const labels = labelsByLocation.get(`${f.methodId}@${f.recordedPath}:${f.recordedLine}`);
    if (labels) f.labels = labels;
  }
}

/**
 * Call event id → call index. Agents number events 1, 2, 3…, so a growable typed array indexed
 * by id holds the map in 4 bytes per event; a Map took about 80 bytes per call and a tenth of
 * the reading time (profiled on a 1 GB recording of 2.8 million calls). Ids that are negative,
 * fractional, or far beyond the events seen so far (hostile or odd files) go to a Map instead.
 */
class EventIdIndex {
  private dense = new Int32Array(1024).fill(-1);
  private readonly sparse = new Map<number, number>();
  private count = 0;

  get(id: number): number | undefined {
    if (id >= 0 && id < this.dense.length && Number.isInteger(id)) {
      const v = this.dense[id];
      if (v !== -1) return v;
    }
    return this.sparse.get(id);
  }

  /** Where the id went: the typed array, or the Map (which costs more per id). */
  set(id: number, callIndex: number): 'dense' | 'sparse' {
    this.count++;
    if (Number.isInteger(id) && id >= 0 && id < 8 * this.count + (1 << 16) && id < 2 ** 30) {
      if (id >= this.dense.length) {
        // By a half: ids come in order, so the array ends within a third of the last id.
        let size = Math.ceil(this.dense.length * 1.5);
        while (size <= id) size = Math.ceil(size * 1.5);
        countWork(size);
        const grown = new Int32Array(size).fill(-1);
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[id] = callIndex;
      return 'dense';
    }
    this.sparse.set(id, callIndex);
    return 'sparse';
  }
}

function isReturnUpdate(u: EventFields): boolean {
  return u.event === 'return' && typeof u.parent_id === 'number';
}

function isCallUpdate(u: EventFields): boolean {
  return u.event === 'call' && typeof u.id === 'number';
}

function stringBytes(s: string | undefined): number {
  return s === undefined ? 0 : RETAINED.string + s.length;
}

/** What a built value keeps (RETAINED's scale); walked with a stack: built values nest up to the parser's depth limit. */
function valueBytes(value: unknown): number {
  let bytes = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    countWork();
    const v = stack.pop();
    if (typeof v === 'string') bytes += stringBytes(v);
    else if (typeof v === 'number') bytes += 16;
    else if (Array.isArray(v)) {
      bytes += 32 + 8 * v.length;
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object' && v !== null) {
      const values = Object.values(v);
      bytes += 56 + 16 * values.length;
      for (const item of values) stack.push(item);
    }
  }
  return bytes;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The open calls of one thread, innermost last; calls that returned leave when they reach the top. */
interface OpenCalls {
  all: number[];
  /** Those that can have children: not SQL queries or outgoing HTTP requests. */
  scopes: number[];
}

function dropReturned(calls: Calls, stack: number[]): void {
  while (stack.length && calls.returned[stack[stack.length - 1]] === 1) {
    countWork();
    stack.pop();
  }
}

function isLeaf(calls: Calls, call: Call): boolean {
  const kind = calls.kind[call];
  return kind === CallKind.Sql || kind === CallKind.HttpClient;
}
