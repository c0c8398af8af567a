// Reads OpenTelemetry traces in OTLP JSON (one `{"resourceSpans": …}` document, or JSON Lines of
// them as the OTLP file exporters write) into the same Trace as an AppMap recording, so every rule
// and feature reads both. Spans become calls: SERVER spans requests, spans with a database system
// SQL, CLIENT HTTP spans outgoing calls, spans naming a code function function calls; nesting from
// parentSpanId, siblings by start time. Reading never throws: broken values are problems with their
// byte offset, and the next line is read. Span nanoseconds become milliseconds here, once.

import { DEFAULT_MAX_STRING_BYTES, JsonStreamParser, JsonVisitor, Mode } from '../json/streamParser';
import type { ReadOptions, ReadResult, RecordingReader } from '../appmap/read';
import { formatCount } from '../findings/format';
import { Problem } from '../problem';
import { countWork } from '../workCounter';
import { Call, CallKind, Calls, FunctionInfo, RecordedFrame, RecordingMetadata, Trace } from '../trace';
import { lastValuesHash, SqlTextTable } from '../sql/key';

export interface OtlpReadOptions extends ReadOptions {
  /**
   * The file may still grow (the server watches it and reads it again when it changes): a last
   * line that is incomplete, with no line break after it, is a line being written, not a
   * problem, and its spans wait for the next read. Otherwise it is a warning.
   */
  mayGrow?: boolean;
}

/** The span kinds of OTLP (`SPAN_KIND_SERVER` = 2), as numbers or as their enum names. */
const SPAN_KIND: Record<string, number> = { SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 };
const KIND_SERVER = 2;
const KIND_CLIENT = 3;
const KIND_CONSUMER = 5;

/** What a span keeps, in bytes of heap (estimated like appmap/read.ts's RETAINED). */
const SPAN_BYTES = 360;
const ANALYSIS_PER_FUNCTION = 1_200;
/** Frames of a stack trace kept per span: the first project frame is almost always among the first few. */
const MAX_FRAMES = 12;
/** Broken values said one by one, at most; the rest are counted. */
const MAX_BROKEN_SAID = 5;

/** Starts reading one OTLP JSON file; feed it chunks, then call `end`. */
export function createOtlpReader(recordingPath: string, options: OtlpReadOptions = {}): RecordingReader {
  const builder = new SpanCollector(recordingPath, options.maxRetainedBytes ?? Infinity);
  const maxStringBytes = options.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES;
  let parser: JsonStreamParser | undefined;
  /** Where the value being read started, and whether a line break came since. */
  let valueStart = 0;
  let valueSpansLines = false;
  /** After a broken value: skipping to the next line that starts with `{`. */
  let skipping = false;
  let atLineStart = true;
  let offset = 0;
  let maxBuffered = 0;
  let stopped = false;
  let nBroken = 0;
  let truncatedStrings = 0;

  const broken = (at: number, message: string): void => {
    nBroken++;
    if (nBroken <= MAX_BROKEN_SAID) builder.problems.push({ file: recordingPath, byteOffset: at, severity: 'error', message });
    builder.endValue(true);
    parser = undefined;
    skipping = true;
  };
  const finishValue = (): void => {
    if (!parser) return;
    truncatedStrings += parser.truncatedStrings;
    maxBuffered = Math.max(maxBuffered, parser.maxBufferedBytes);
    builder.endValue(true);
    parser = undefined;
  };

  const write = (chunk: Buffer): void => {
    const n = chunk.length;
    let pos = 0;
    while (pos < n && !stopped) {
      if (skipping) {
        if (atLineStart && chunk[pos] === 0x7b) skipping = false;
        else {
          const nl = chunk.indexOf(0x0a, pos);
          countWork(nl === -1 ? n - pos : nl + 1 - pos);
          atLineStart = nl !== -1;
          pos = nl === -1 ? n : nl + 1;
          continue;
        }
      }
      if (!parser) {
        const c = chunk[pos];
        if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
          atLineStart = c === 0x0a;
          pos++;
          continue;
        }
        parser = new JsonStreamParser(builder, { maxStringBytes });
        valueStart = offset + pos;
        valueSpansLines = false;
        builder.startValue();
      }
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl === -1 ? n : nl + 1;
      const p: JsonStreamParser = parser;
      try {
        p.write(chunk.subarray(pos, end));
      } catch (err) {
        if (err === OVER_LIMIT) {
          builder.overLimit(offset + pos, options.maxRetainedWhy);
          stopped = true;
          return;
        }
        broken(offset + pos, `internal error while reading (please report): ${err instanceof Error ? err.message : String(err)}`);
      }
      if (parser && p.problem) broken(valueStart + p.problem.byteOffset, `not valid JSON: ${p.problem.message}; the value is read up to there, and reading goes on at the next line`);
      atLineStart = nl !== -1;
      if (nl !== -1) {
        if (parser && p.complete) finishValue();
        else if (parser) valueSpansLines = true;
      }
      pos = end;
    }
    offset += n;
  };

  return {
    write(chunk: Buffer): void {
      if (!stopped) write(chunk);
    },
    end(failure?: string): ReadResult {
      try {
        if (failure !== undefined) {
          builder.endValue(true);
          builder.problems.push({ file: recordingPath, byteOffset: offset, severity: 'error', message: `cannot read the file (${failure}); read what came before` });
          return builder.finish(options);
        }
        if (parser && !stopped) {
          const p = parser;
          p.end();
          if (p.complete) finishValue();
          else if (!valueSpansLines) {
            // One line with no line break after it and no end: a line being written (or cut).
            builder.endValue(!options.mayGrow);
            parser = undefined;
            builder.pendingBytes = offset - valueStart;
            if (!options.mayGrow) {
              builder.problems.push({ file: recordingPath, byteOffset: valueStart, severity: 'warning', message: `the last line (${formatCount(offset - valueStart)} bytes) is incomplete: the file was cut, or is still being written; read the lines before it` });
            }
          } else if (p.problem) broken(valueStart + p.problem.byteOffset, `not valid JSON: ${p.problem.message}; read what came before it`);
        }
        if (nBroken > MAX_BROKEN_SAID) builder.warn(`${formatCount(nBroken - MAX_BROKEN_SAID)} more broken value(s) after the first ${MAX_BROKEN_SAID}; each was skipped up to the next line`);
        if (truncatedStrings > 0) builder.warn(`${formatCount(truncatedStrings)} long text value(s) were cut to ${formatCount(maxStringBytes >> 10)} KiB`);
        return builder.finish(options);
      } catch (err) {
        // Reading never throws: what went wrong is a problem, and nothing of a trace half made is kept.
        return { trace: emptyTrace(recordingPath), problems: [...builder.problems, { file: recordingPath, byteOffset: offset, severity: 'error', message: `internal error while reading (please report): ${err instanceof Error ? err.message : String(err)}` }] };
      }
    },
    get byteOffset() {
      return offset;
    },
    get stopped() {
      return stopped;
    },
    get maxBufferedBytes() {
      return Math.max(maxBuffered, parser?.maxBufferedBytes ?? 0);
    },
    get retainedBytes() {
      return builder.retainedBytes;
    },
    get reservedBytes() {
      return builder.reservedBytes;
    },
  };
}

function finished(calls: Calls): Calls {
  calls.finish();
  return calls;
}

function emptyTrace(recordingPath: string): Trace {
  const metadata: RecordingMetadata = { name: undefined, agentName: undefined, agentVersion: undefined, language: undefined, recorderName: 'otlp', recorderType: undefined, testStatus: undefined, sourceLocation: undefined, frameworks: [] };
  return { recordingPath, version: undefined, metadata, functions: [], calls: finished(new Calls()), nEvents: 0, nEventUpdates: 0 };
}

/** Reads a whole OTLP JSON file held in memory (tests and small inputs). */
export function readOtlp(recordingPath: string, bytes: Buffer | string, options?: OtlpReadOptions): ReadResult {
  const reader = createOtlpReader(recordingPath, options);
  reader.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  return reader.end();
}

// ---- collecting spans ---------------------------------------------------------------------------

/** Thrown by the collector when the spans would keep more than allowed; the reader stops there. */
const OVER_LIMIT: unique symbol = Symbol('over the memory limit');

/** Attributes read; every other attribute is skipped when the span is converted. */
const KEPT_ATTRIBUTES = new Set([
  'http.route', 'http.request.method', 'http.method', 'url.path', 'http.target', 'url.full', 'http.url',
  'http.response.status_code', 'http.status_code',
  'db.system.name', 'db.system', 'db.query.text', 'db.statement', 'db.collection.name', 'db.sql.table', 'db.operation.name', 'db.operation',
  'code.function.name', 'code.function', 'code.namespace', 'code.file.path', 'code.filepath', 'code.line.number', 'code.lineno', 'code.column.number', 'code.column', 'code.stacktrace',
]);

const SPAN_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'status', 'events']);

type AttrValue = string | number | boolean | undefined;

interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attrs: Map<string, AttrValue>;
  error: boolean;
  exception: { className: string; message: string } | undefined;
  resource: number;
}

const enum Ctx {
  Top,
  ResourceSpansList,
  ResourceSpans,
  ScopeSpansList,
  ScopeSpans,
  SpanList,
  Span,
}

class SpanCollector implements JsonVisitor {
  readonly problems: Problem[] = [];
  retainedBytes = 0;
  reservedBytes = 0;
  /** Bytes of a last line still being written, left for the next read. */
  pendingBytes = 0;

  private readonly spans: RawSpan[] = [];
  /** Spans of the value being read: kept only once it ends (a half-written line's are dropped). */
  private staged: RawSpan[] = [];
  private ctx: Ctx[] = [];
  private key: string | undefined;
  private span: Partial<Record<string, unknown>> | undefined;
  /** The spans of the ResourceSpans being read, from this index in `staged`, and its resource. */
  private resourceFrom = 0;
  private resourceRaw: unknown;
  private readonly resources: string[] = [];
  private readonly resourceIndex = new Map<string, number>();
  private readonly resourceAttrs: Map<string, AttrValue>[] = [];
  private readonly scopes = new Map<string, string | undefined>();
  private scopeRaw: unknown;
  private nValues = 0;
  private nBadIds = 0;
  private nBadTimes = 0;
  private nDuplicates = 0;
  private nOrphans = 0;
  /** The first span's start (epoch ms), from which calls' starts are counted. */
  private originMs = Infinity;
  private sawResourceSpans = false;

  constructor(
    private readonly recordingPath: string,
    private readonly maxRetainedBytes: number,
  ) {}

  startValue(): void {
    this.ctx = [];
    this.key = undefined;
    this.span = undefined;
    this.staged = [];
    this.resourceFrom = 0;
    this.resourceRaw = undefined;
  }

  /** The value ended (or broke): its spans are kept, or dropped (`keep` false: a line being written). */
  endValue(keep: boolean): void {
    if (keep) {
      this.assignResource();
      for (const s of this.staged) this.spans.push(s);
      this.nValues++;
    }
    this.staged = [];
    this.ctx = [];
  }

  onKey(key: string): Mode {
    this.key = key;
    switch (this.top()) {
      case Ctx.Top:
        return key === 'resourceSpans' ? Mode.Visit : Mode.Skip;
      case Ctx.ResourceSpans:
        if (key === 'resource') return Mode.Build;
        // `instrumentationLibrarySpans`: OTLP before 0.15, still written by old exporters.
        return key === 'scopeSpans' || key === 'instrumentationLibrarySpans' ? Mode.Visit : Mode.Skip;
      case Ctx.ScopeSpans:
        if (key === 'scope' || key === 'instrumentationLibrary') return Mode.Build;
        return key === 'spans' ? Mode.Visit : Mode.Skip;
      case Ctx.Span:
        return SPAN_FIELDS.has(key) ? Mode.Build : Mode.Skip;
      default:
        return Mode.Skip;
    }
  }

  onElement(): Mode {
    const top = this.top();
    return top === Ctx.ResourceSpansList || top === Ctx.ScopeSpansList || top === Ctx.SpanList ? Mode.Visit : Mode.Skip;
  }

  onOpen(isArray: boolean): void {
    const top = this.top();
    let next: Ctx;
    if (top === undefined) next = Ctx.Top;
    else if (top === Ctx.Top) next = Ctx.ResourceSpansList;
    else if (top === Ctx.ResourceSpansList) next = Ctx.ResourceSpans;
    else if (top === Ctx.ResourceSpans) next = Ctx.ScopeSpansList;
    else if (top === Ctx.ScopeSpansList) next = Ctx.ScopeSpans;
    else if (top === Ctx.ScopeSpans) next = Ctx.SpanList;
    else next = Ctx.Span;
    // A value of the wrong shape (`"resourceSpans": {}`) is walked as nothing: its members are skipped.
    const wantsArray = next === Ctx.ResourceSpansList || next === Ctx.ScopeSpansList || next === Ctx.SpanList;
    if (next !== Ctx.Top && wantsArray !== isArray) {
      this.ctx.push(-1 as Ctx);
      return;
    }
    if (next === Ctx.Top && isArray) {
      this.ctx.push(-1 as Ctx);
      return;
    }
    if (next === Ctx.ResourceSpansList) this.sawResourceSpans = true;
    if (next === Ctx.ResourceSpans) {
      this.resourceFrom = this.staged.length;
      this.resourceRaw = undefined;
    }
    if (next === Ctx.ScopeSpans) this.scopeRaw = undefined;
    if (next === Ctx.Span) this.span = {};
    this.ctx.push(next);
  }

  onValue(value: unknown): void {
    const top = this.top();
    if (top === Ctx.Span && this.span && this.key !== undefined) this.span[this.key] = value;
    else if (top === Ctx.ResourceSpans && this.key === 'resource') this.resourceRaw = value;
    else if (top === Ctx.ScopeSpans && (this.key === 'scope' || this.key === 'instrumentationLibrary')) this.scopeRaw = value;
  }

  onClose(): void {
    const top = this.ctx.pop();
    if (top === Ctx.Span && this.span) {
      this.addSpan(this.span);
      this.span = undefined;
    } else if (top === Ctx.ResourceSpans) this.assignResource();
    else if (top === Ctx.ScopeSpans && isObject(this.scopeRaw)) {
      const name = str(this.scopeRaw.name);
      if (name && !this.scopes.has(name)) this.scopes.set(name, str(this.scopeRaw.version));
    }
  }

  /** The staged spans since the ResourceSpans opened get its resource (which may come after them). */
  private assignResource(): void {
    if (this.resourceFrom >= this.staged.length) return;
    const attrs = new Map<string, AttrValue>();
    const list = isObject(this.resourceRaw) && Array.isArray(this.resourceRaw.attributes) ? this.resourceRaw.attributes : [];
    for (const kv of list) if (isObject(kv) && typeof kv.key === 'string') attrs.set(kv.key, anyValue(kv.value));
    // One "thread" per process: service and instance (or pid) say which.
    const key = [attrs.get('service.name'), attrs.get('service.instance.id'), attrs.get('process.pid'), attrs.get('host.name')].map((v) => String(v ?? '')).join('\u0000');
    let index = this.resourceIndex.get(key);
    if (index === undefined) {
      index = this.resources.length;
      this.resources.push(key);
      this.resourceAttrs.push(attrs);
      this.resourceIndex.set(key, index);
    }
    for (let i = this.resourceFrom; i < this.staged.length; i++) this.staged[i].resource = index;
    this.resourceFrom = this.staged.length;
  }

  private addSpan(raw: Partial<Record<string, unknown>>): void {
    countWork();
    const attrs = new Map<string, AttrValue>();
    let bytes = SPAN_BYTES;
    if (Array.isArray(raw.attributes)) {
      for (const kv of raw.attributes) {
        countWork();
        if (!isObject(kv) || typeof kv.key !== 'string' || !KEPT_ATTRIBUTES.has(kv.key)) continue;
        const v = anyValue(kv.value);
        attrs.set(kv.key, v);
        bytes += 40 + (typeof v === 'string' ? v.length : 8);
      }
    }
    const startMs = nanosToMs(raw.startTimeUnixNano);
    const endMs = nanosToMs(raw.endTimeUnixNano);
    if (Number.isNaN(startMs)) this.nBadTimes++;
    const traceId = idOf(raw.traceId);
    const spanId = idOf(raw.spanId);
    if (traceId === '' || spanId === '') this.nBadIds++;
    const kind = typeof raw.kind === 'number' ? raw.kind : typeof raw.kind === 'string' ? (SPAN_KIND[raw.kind] ?? 0) : 0;
    const status = isObject(raw.status) ? raw.status : {};
    const error = status.code === 2 || status.code === 'STATUS_CODE_ERROR';
    const span: RawSpan = {
      traceId,
      spanId,
      parentSpanId: idOf(raw.parentSpanId),
      name: str(raw.name) ?? '',
      kind,
      startMs,
      endMs,
      attrs,
      error,
      exception: error ? exceptionOf(raw.events, str(status.message)) : undefined,
      resource: 0,
    };
    this.retain(bytes + span.name.length);
    this.staged.push(span);
  }

  retain(bytes: number): void {
    this.retainedBytes += bytes;
    if (this.retainedBytes + this.reservedBytes > this.maxRetainedBytes) throw OVER_LIMIT;
  }

  overLimit(byteOffset: number, why: string | undefined): void {
    const mb = (bytes: number) => `${formatCount(Math.ceil(bytes / 2 ** 20))} MB`;
    this.problems.push({
      file: this.recordingPath,
      byteOffset,
      severity: 'error',
      message: `the recording is too large for the memory allowed: its first ${formatCount(this.spans.length + this.staged.length)} spans need about ${mb(this.retainedBytes + this.reservedBytes)}, over the limit of ${mb(this.maxRetainedBytes)}${why ? ` (${why})` : ''}; the rest is not read, and what is shown comes from those spans`,
    });
    this.endValue(true);
  }

  warn(message: string): void {
    this.problems.push({ file: this.recordingPath, severity: 'warning', message });
  }

  // ---- the trace ------------------------------------------------------------------------------

  finish(options: OtlpReadOptions): ReadResult {
    const spans = this.spans;
    // The first span of each (trace, span) id; parents looked up within their trace.
    const byId = new Map<string, number>();
    const unique: RawSpan[] = [];
    for (const s of spans) {
      countWork();
      if (s.spanId !== '') {
        const id = `${s.traceId}/${s.spanId}`;
        if (byId.has(id)) {
          this.nDuplicates++;
          continue;
        }
        byId.set(id, unique.length);
      }
      unique.push(s);
    }
    const children: number[][] = unique.map(() => []);
    const roots: number[] = [];
    unique.forEach((s, i) => {
      const parent = s.parentSpanId === '' ? undefined : byId.get(`${s.traceId}/${s.parentSpanId}`);
      if (parent === undefined || parent === i) {
        // A server or consumer span whose parent is in another process is a root by nature.
        if (s.parentSpanId !== '' && s.kind !== KIND_SERVER && s.kind !== KIND_CONSUMER) this.nOrphans++;
        roots.push(i);
      } else children[parent].push(i);
    });
    const byStart = (a: number, b: number) => compareStart(unique[a], unique[b]) || a - b;
    roots.sort(byStart);
    for (const list of children) if (list.length > 1) list.sort(byStart);

    // Spans carry their clock: a call starts at its span's start, in ms after the first span's.
    this.originMs = Infinity;
    for (const s of unique) if (s.startMs < this.originMs) this.originMs = s.startMs;
    const calls = new Calls();
    const sqlTexts = new SqlTextTable(calls.sqlTexts);
    const functions: FunctionInfo[] = [];
    const functionIds = new Map<string, number>();
    // Depth first, in start order, with an explicit stack: parents before children, as in AppMap.
    const stack: { span: number; parent: number; depth: number }[] = [];
    for (let r = roots.length - 1; r >= 0; r--) stack.push({ span: roots[r], parent: -1, depth: 0 });
    const visited = new Uint8Array(unique.length);
    while (stack.length) {
      countWork();
      const { span: si, parent, depth } = stack.pop() as { span: number; parent: number; depth: number };
      if (visited[si]) continue;
      visited[si] = 1;
      const call = this.callOf(unique[si], calls, sqlTexts, parent, functions, functionIds);
      const list = children[si];
      for (let c = list.length - 1; c >= 0; c--) stack.push({ span: list[c], parent: call, depth: depth + 1 });
    }
    // Spans in a parent cycle (a hostile file) are never reached from a root: read as roots.
    unique.forEach((s, i) => {
      if (!visited[i]) this.callOf(s, calls, sqlTexts, -1, functions, functionIds);
    });
    calls.finish();
    sqlTexts.finish();

    if (!this.sawResourceSpans && this.problems.every((p) => p.severity !== 'error') && this.pendingBytes === 0) {
      this.warn(this.nValues === 0 ? 'the file holds no OTLP JSON value' : 'no "resourceSpans": not OTLP trace data (metrics or logs?)');
    }
    if (this.nBadIds) this.warn(`${formatCount(this.nBadIds)} span(s) have no valid traceId or spanId; read without their children`);
    if (this.nBadTimes) this.warn(`${formatCount(this.nBadTimes)} span(s) have no valid startTimeUnixNano; their time is unknown`);
    if (this.nDuplicates) this.warn(`${formatCount(this.nDuplicates)} span(s) repeat a span id already read; the first is kept`);
    if (this.nOrphans && !options.mayGrow) this.warn(`${formatCount(this.nOrphans)} span(s) name a parent span that is not in the file; read as roots`);
    const trace: Trace = {
      recordingPath: this.recordingPath,
      version: undefined,
      metadata: this.metadata(),
      functions,
      calls,
      nEvents: calls.length,
      nEventUpdates: 0,
    };
    return { trace, problems: this.problems };
  }

  private callOf(s: RawSpan, calls: Calls, sqlTexts: SqlTextTable, parent: number, functions: FunctionInfo[], functionIds: Map<string, number>): Call {
    const a = s.attrs;
    const call = calls.add(parent, s.resource, Number.isNaN(s.startMs) || !Number.isFinite(this.originMs) ? NaN : s.startMs - this.originMs);
    calls.elapsedMs[call] = !Number.isNaN(s.startMs) && s.endMs >= s.startMs ? s.endMs - s.startMs : NaN;
    calls.returned[call] = !Number.isNaN(s.endMs) && s.endMs > 0 ? 1 : 0;
    if (s.exception) calls.exception.set(call, s.exception);
    const system = text(a.get('db.system.name')) ?? text(a.get('db.system'));
    const method = (text(a.get('http.request.method')) ?? text(a.get('http.method')))?.toUpperCase();
    if (system !== undefined) {
      const query = text(a.get('db.query.text')) ?? text(a.get('db.statement'));
      // Without the text (a driver that records none), the operation and collection say what ran.
      const sqlText = query ?? (s.name || [text(a.get('db.operation.name')) ?? text(a.get('db.operation')), text(a.get('db.collection.name')) ?? text(a.get('db.sql.table'))].filter(Boolean).join(' '));
      calls.kind[call] = CallKind.Sql;
      // The SDK cuts attribute values at its length limit; some exporters mark the cut with `..`.
      calls.sql[call] = sqlTexts.add(sqlText, system, query !== undefined && query.endsWith('..'));
      calls.sqlValues[call] = lastValuesHash();
      const frames = framesOf(a);
      if (frames) calls.frames.set(call, frames);
    } else if (s.kind === KIND_SERVER && (method !== undefined || a.has('http.route') || a.has('url.path') || a.has('http.target'))) {
      const m = method ?? 'GET';
      const path = (text(a.get('url.path')) ?? text(a.get('http.target')) ?? text(a.get('http.route')) ?? '/').replace(/[?#].*$/s, '') || '/';
      const route = text(a.get('http.route'));
      calls.kind[call] = CallKind.HttpServer;
      calls.http.set(call, { method: m, path, route: `${m} ${route || path}`, status: status(a.get('http.response.status_code') ?? a.get('http.status_code')) });
    } else if (s.kind === KIND_CLIENT && method !== undefined) {
      calls.kind[call] = CallKind.HttpClient;
      calls.client.set(call, { method, url: text(a.get('url.full')) ?? text(a.get('http.url')) ?? s.name, status: status(a.get('http.response.status_code') ?? a.get('http.status_code')) });
      const frames = framesOf(a);
      if (frames) calls.frames.set(call, frames);
    } else {
      const name = text(a.get('code.function.name')) ?? text(a.get('code.function'));
      if (name !== undefined) calls.fn[call] = this.functionOf(name, a, functions, functionIds);
      else if (s.name !== '') calls.spanName.set(call, s.name);
    }
    return call;
  }

  private functionOf(name: string, a: Map<string, AttrValue>, functions: FunctionInfo[], ids: Map<string, number>): number {
    // Semantic conventions 1.33+ write the qualified name (`Catalog.list`) in code.function.name;
    // older ones the bare name in code.function and the class in code.namespace.
    let definedClass = text(a.get('code.namespace'));
    let methodId = name;
    if (definedClass === undefined) {
      const dot = name.lastIndexOf('.');
      definedClass = dot > 0 ? name.slice(0, dot) : '';
      methodId = dot > 0 ? name.slice(dot + 1) : name;
    }
    const path = text(a.get('code.file.path')) ?? text(a.get('code.filepath'));
    const line = lineOf(a.get('code.line.number') ?? a.get('code.lineno'));
    const key = `${definedClass}\u0000${methodId}\u0000${path ?? ''}\u0000${line ?? ''}`;
    let index = ids.get(key);
    if (index === undefined) {
      index = functions.length;
      functions.push({ index, definedClass, methodId, isStatic: false, recordedPath: path, recordedLine: line, labels: [] });
      ids.set(key, index);
      this.reservedBytes += ANALYSIS_PER_FUNCTION;
    }
    return index;
  }

  private metadata(): RecordingMetadata {
    const r = this.resourceAttrs[0] ?? new Map<string, AttrValue>();
    return {
      name: undefined,
      agentName: text(r.get('telemetry.sdk.name')) ?? 'opentelemetry',
      agentVersion: text(r.get('telemetry.sdk.version')),
      language: text(r.get('telemetry.sdk.language')),
      recorderName: 'otlp',
      recorderType: undefined,
      testStatus: undefined,
      sourceLocation: undefined,
      frameworks: [...this.scopes].map(([name, version]) => ({ name, version })),
    };
  }

  private top(): Ctx | undefined {
    return this.ctx[this.ctx.length - 1];
  }
}

// ---- values -------------------------------------------------------------------------------------

/**
 * An OTLP AnyValue (`{"stringValue": "x"}`, `{"intValue": "12"}`: 64-bit integers are strings in
 * OTLP JSON) as a plain value; arrays and key-value lists as their JSON text, which nothing here
 * reads but a stack trace might.
 */
export function anyValue(v: unknown): AttrValue {
  if (!isObject(v)) return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if ('intValue' in v) {
    const n = typeof v.intValue === 'string' && /^-?\d+$/.test(v.intValue) ? Number(v.intValue) : v.intValue;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  }
  if ('doubleValue' in v) {
    const n = typeof v.doubleValue === 'string' ? Number(v.doubleValue) : v.doubleValue;
    return typeof n === 'number' ? n : undefined;
  }
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (isObject(v.arrayValue)) {
    const values = Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
    return JSON.stringify(values.map(anyValue));
  }
  if (isObject(v.kvlistValue)) {
    const values = Array.isArray(v.kvlistValue.values) ? v.kvlistValue.values : [];
    return JSON.stringify(Object.fromEntries(values.filter(isObject).map((kv) => [String(kv.key), anyValue(kv.value)])));
  }
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return undefined;
}

/**
 * A trace or span id as lowercase hex. OTLP JSON writes hex (16 or 32 digits); the protobuf JSON
 * mapping that some exporters use writes base64 (12 or 24 characters for 8 or 16 bytes). Anything
 * else is kept as written, so that spans that agree on it still nest.
 */
export function idOf(v: unknown): string {
  if (typeof v !== 'string' || v === '') return '';
  if ((v.length === 16 || v.length === 32) && /^[0-9a-fA-F]+$/.test(v)) return /^0+$/.test(v) ? '' : v.toLowerCase();
  if ((v.length === 12 || v.length === 24) && /^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const hex = Buffer.from(v, 'base64').toString('hex');
    if (hex.length === 16 || hex.length === 32) return /^0+$/.test(hex) ? '' : hex;
  }
  return v;
}

/** Unix nanoseconds (a decimal string, a number, or protobufjs' `{low, high}`) in milliseconds; NaN if none. */
function nanosToMs(v: unknown): number {
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    // Split so that the milliseconds keep their fraction: a 19-digit number is past 2^53.
    return v.length > 6 ? Number(v.slice(0, -6)) + Number(v.slice(-6)) / 1e6 : Number(v) / 1e6;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v / 1e6;
  if (isObject(v) && typeof v.low === 'number' && typeof v.high === 'number') return ((v.high >>> 0) * 2 ** 32 + (v.low >>> 0)) / 1e6;
  return NaN;
}

function compareStart(a: RawSpan, b: RawSpan): number {
  const x = Number.isNaN(a.startMs) ? Infinity : a.startMs;
  const y = Number.isNaN(b.startMs) ? Infinity : b.startMs;
  return x < y ? -1 : x > y ? 1 : 0;
}

function exceptionOf(events: unknown, statusMessage: string | undefined): { className: string; message: string } | undefined {
  if (Array.isArray(events)) {
    for (const e of events) {
      if (!isObject(e) || e.name !== 'exception' || !Array.isArray(e.attributes)) continue;
      const attrs = new Map<string, AttrValue>();
      for (const kv of e.attributes) if (isObject(kv) && typeof kv.key === 'string') attrs.set(kv.key, anyValue(kv.value));
      return { className: text(attrs.get('exception.type')) ?? 'Error', message: text(attrs.get('exception.message')) ?? '' };
    }
  }
  return statusMessage ? { className: 'Error', message: statusMessage } : undefined;
}

/**
 * Where the span's code ran, innermost first, in the order placement trusts them: the frames of
 * `code.stacktrace` (V8's `at fn (path:line:col)` and Python's `File "path", line N, in fn`;
 * Node's internals and dependencies left out), then `code.file.path` and `code.line.number`.
 */
function framesOf(a: Map<string, AttrValue>): RecordedFrame[] | undefined {
  const frames: RecordedFrame[] = [];
  const stack = text(a.get('code.stacktrace'));
  if (stack !== undefined) {
    for (const line of stack.split('\n')) {
      countWork();
      if (frames.length >= MAX_FRAMES) break;
      const frame = v8Frame(line) ?? pythonFrame(line);
      if (frame && !/(^|\/)node_modules\/|^node:|^internal\//.test(frame.path)) frames.push(frame);
    }
  }
  const path = text(a.get('code.file.path')) ?? text(a.get('code.filepath'));
  const line = lineOf(a.get('code.line.number') ?? a.get('code.lineno'));
  if (path !== undefined && line !== undefined) {
    const fn = text(a.get('code.function.name')) ?? text(a.get('code.function'));
    frames.push({ path: filePath(path), line, ...(fn !== undefined ? { fn } : {}) });
  }
  return frames.length ? frames : undefined;
}

function v8Frame(line: string): RecordedFrame | undefined {
  const m = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+)(?::(\d+))?\)?\s*$/.exec(line);
  if (!m) return undefined;
  const n = lineOf(Number(m[3]));
  return n === undefined ? undefined : { path: filePath(m[2]), line: n, ...(m[1] ? { fn: m[1] } : {}) };
}

function pythonFrame(line: string): RecordedFrame | undefined {
  const m = /^\s*File "(.+)", line (\d+)(?:, in (.+))?\s*$/.exec(line);
  if (!m) return undefined;
  const n = lineOf(Number(m[2]));
  return n === undefined ? undefined : { path: m[1], line: n, ...(m[3] ? { fn: m[3] } : {}) };
}

/** `file:///app/x.js` (an ES module's frame) as the path it names. */
function filePath(p: string): string {
  if (!p.startsWith('file://')) return p;
  try {
    return decodeURIComponent(p.slice('file://'.length).replace(/^localhost(?=\/)/, ''));
  } catch {
    return p;
  }
}

function lineOf(v: AttrValue): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 2 ** 31 - 1 ? v : undefined;
}

function status(v: AttrValue): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

function text(v: AttrValue): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
