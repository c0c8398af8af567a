// The span processor of `runlens record --otel` that writes what the recorded process traced to an
// OTLP JSON Lines file (one ExportTraceServiceRequest, that is a TracesData, per line), serialized
// by the SDK's own OTLP JSON serializer (@opentelemetry/otlp-transformer's JsonTraceSerializer).
// Writes are synchronous, so that a test process that exits abruptly (process.exit, an uncaught
// error) still flushes what ended: the bootstrap calls flushSync from its exit handlers.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The serializer's shape (JsonTraceSerializer of @opentelemetry/otlp-transformer). */
export interface TraceSerializer {
  serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined;
}

export interface JsonLinesOptions {
  /** The file written; created (with its folder) when the first span ends. */
  file: string;
  serializer: TraceSerializer;
  /** Spans kept before a line is written without waiting for the timer. */
  maxBufferedSpans?: number;
  /** How often the spans kept are written while the process runs. */
  flushIntervalMs?: number;
}

export class JsonLinesSpanProcessor implements SpanProcessor {
  /** Spans written, and lines (one per flush that had spans). */
  readonly counts = { spans: 0, lines: 0 };
  private buffer: ReadableSpan[] = [];
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxBufferedSpans: number;
  private readonly flushIntervalMs: number;

  constructor(private readonly options: JsonLinesOptions) {
    this.maxBufferedSpans = options.maxBufferedSpans ?? 512;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // Spans that are not sampled (TraceFlags.SAMPLED unset) are not exported, as by the SDK's own processors.
    if (this.closed || (span.spanContext().traceFlags & 1) === 0) return;
    this.buffer.push(span);
    if (this.buffer.length >= this.maxBufferedSpans) this.flushSync();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushSync();
      }, this.flushIntervalMs);
      // The timer never keeps the process alive: the exit handlers flush what is left.
      this.timer.unref();
    }
  }

  /** Writes the spans kept as one line; nothing when there are none. */
  flushSync(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0) return;
    const spans = this.buffer;
    this.buffer = [];
    const bytes = this.options.serializer.serializeRequest(spans);
    if (!bytes) return;
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.options.file), { recursive: true });
      this.fd = fs.openSync(this.options.file, 'a');
    }
    fs.writeSync(this.fd, Buffer.concat([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), NEWLINE]));
    this.counts.spans += spans.length;
    this.counts.lines++;
  }

  async forceFlush(): Promise<void> {
    this.flushSync();
  }

  async shutdown(): Promise<void> {
    this.closeSync();
  }

  /** Writes what is kept and closes the file; later spans are dropped. */
  closeSync(): void {
    if (this.closed) return;
    this.flushSync();
    this.closed = true;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

const NEWLINE = Buffer.from('\n');
