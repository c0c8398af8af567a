// The message reader of the language server over stdio: it cuts stdin into LSP base-protocol
// messages (`Content-Length: N\r\n\r\n` and N bytes of JSON) and hands the connection only what
// is shaped like a JSON-RPC request, notification or response.
//
// Hand-written because vscode-jsonrpc's StreamMessageReader cannot recover from a framing error:
// after a missing header, a bad Content-Length or a length that is off, it never finds the next
// header again, and the server stays up but deaf, logging nothing. This one logs the error to
// stderr and skips ahead to the next `Content-Length:`. It also drops JSON that is not a message
// before the connection sees it, because the connection logs such JSON with JSON.stringify, which
// overflows the stack on deeply nested input, uncaught, and ends the process.

import { AbstractMessageReader, DataCallback, Disposable, Message, MessageReader } from 'vscode-languageserver/node';
import { formatCount } from '../core/findings/format';

export interface StdioMessageReaderOptions {
  /** Where a problem with the input goes, one line each, without a trailing newline. Never stdout, which carries protocol only. */
  log: (line: string) => void;
  /** A larger Content-Length is a framing error. */
  maxContentLengthBytes?: number;
  /**
   * Called with each message just before the connection gets it (main.ts notes `shutdown` there);
   * returning true keeps the message from the connection (main.ts handles `exit` itself).
   */
  onMessage?: (message: Message) => boolean | void;
}

/** 256 MiB: a multi-megabyte didOpen is normal; a gigabyte is a corrupt header, not a file. */
export const DEFAULT_MAX_CONTENT_LENGTH_BYTES = 256 * 1024 * 1024;

/** Headers are some tens of bytes; this many without the blank line that ends them is not a header. */
export const MAX_HEADER_BYTES = 8 * 1024;

export class StdioMessageReader extends AbstractMessageReader implements MessageReader {
  private readonly log: (line: string) => void;
  private readonly maxContentLengthBytes: number;
  private readonly onMessage: ((message: Message) => boolean | void) | undefined;
  private readonly input = new ByteQueue();
  private callback: DataCallback | undefined;
  /** Content-Length of the message whose body is awaited; undefined while reading a header. */
  private bodyBytes: number | undefined;
  /** Where the header of the message whose body is awaited began (stream offset), for log lines. */
  private messageOffset = 0;
  /** Skipping to the next `Content-Length:` after a framing error, and where the skip began (stream offset). */
  private resyncFromOffset: number | undefined;
  private closed = false;

  constructor(
    private readonly readable: NodeJS.ReadableStream,
    options: StdioMessageReaderOptions,
  ) {
    super();
    this.log = options.log;
    this.maxContentLengthBytes = options.maxContentLengthBytes ?? DEFAULT_MAX_CONTENT_LENGTH_BYTES;
    this.onMessage = options.onMessage;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    const onError = (error: unknown) => this.fireError(error);
    // A pipe emits 'end' and then 'close'; the connection is told once.
    const onClose = () => {
      if (this.closed) return;
      this.closed = true;
      if (this.resyncFromOffset !== undefined) this.log(`input ended while skipping to the next Content-Length header, from byte ${this.resyncFromOffset}`);
      else if (this.bodyBytes !== undefined || this.input.nBytes > 0) this.log(`input ended with ${formatCount(this.input.nBytes)} bytes of an unfinished message at byte ${this.input.offset}`);
      this.fireClose();
    };
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('end', onClose);
    this.readable.on('close', onClose);
    return Disposable.create(() => {
      this.readable.off('data', onData);
      this.readable.off('error', onError);
      this.readable.off('end', onClose);
      this.readable.off('close', onClose);
      this.callback = undefined;
    });
  }

  /** Takes bytes as they come, in chunks of any size, and delivers every message they complete. Never throws. */
  push(chunk: Buffer): void {
    try {
      this.input.push(chunk);
      while (this.step());
    } catch (err) {
      // A bug here must not take the server down; what was buffered is given up.
      this.log(`internal error reading the input, ${formatCount(this.input.nBytes)} buffered bytes dropped: ${describeError(err)}`);
      this.input.clear();
      this.bodyBytes = undefined;
      this.resyncFromOffset = undefined;
    }
  }

  /** Makes one step (a header, a body, or a skip); false when more input is needed. */
  private step(): boolean {
    if (this.resyncFromOffset !== undefined) return this.resync();
    if (this.bodyBytes === undefined) return this.readHeader();
    if (this.input.nBytes < this.bodyBytes) return false;
    const body = this.input.take(this.bodyBytes);
    this.bodyBytes = undefined;
    this.deliver(body, this.messageOffset);
    return true;
  }

  private readHeader(): boolean {
    // Line breaks between messages are skipped quietly: some clients end each body with one.
    this.input.consumeWhile((byte) => byte === CR || byte === LF);
    const head = this.input.peek(Math.min(this.input.nBytes, MAX_HEADER_BYTES + HEADER_END.length));
    const end = head.indexOf(HEADER_END);
    if (end === -1) {
      if (head.length < MAX_HEADER_BYTES + HEADER_END.length) return false;
      return this.framingError(`no end of header within ${formatCount(MAX_HEADER_BYTES)} bytes`, head);
    }
    const parsed = parseHeader(head.subarray(0, end).toString('latin1'), this.maxContentLengthBytes);
    if (typeof parsed === 'string') return this.framingError(parsed, head.subarray(0, end));
    this.messageOffset = this.input.offset;
    this.input.consume(end + HEADER_END.length);
    this.bodyBytes = parsed.contentLengthBytes;
    return true;
  }

  /** Logs a header that cannot be trusted and starts skipping to the next `Content-Length:` after its first byte. */
  private framingError(reason: string, header: Buffer): boolean {
    this.log(`framing error at byte ${this.input.offset}: ${reason} (header ${preview(header)}); skipping to the next Content-Length header`);
    this.resyncFromOffset = this.input.offset;
    this.input.consume(1);
    return true;
  }

  /** Drops bytes up to the next `Content-Length:`; true once found. */
  private resync(): boolean {
    const keepBytes = CONTENT_LENGTH.length - 1;
    for (;;) {
      // The first chunk and enough of the next to see a header that straddles them.
      const window = this.input.peek(Math.min(this.input.nBytes, this.input.firstChunkBytes + keepBytes));
      const at = window.indexOf(CONTENT_LENGTH);
      if (at !== -1) {
        this.input.consume(at);
        this.log(`skipped ${formatCount(this.input.offset - this.resyncFromOffset!)} bytes; reading again at byte ${this.input.offset}`);
        this.resyncFromOffset = undefined;
        return true;
      }
      const dropBytes = window.length - keepBytes;
      if (dropBytes <= 0) return false;
      this.input.consume(dropBytes);
    }
  }

  /** Parses a body and hands it on if it is a message; `offset` is where its header began. */
  private deliver(body: Buffer, offset: number): void {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      this.log(`dropped a body that is not JSON (${formatCount(body.length)} bytes at byte ${offset}): ${describeError(err)}; it begins ${preview(body)}`);
      return;
    }
    const message = asMessage(value);
    if (typeof message === 'string') {
      this.log(`dropped a body that is not a JSON-RPC message (${formatCount(body.length)} bytes at byte ${offset}): ${message}`);
      return;
    }
    try {
      if (this.onMessage?.(message) === true) return;
      this.callback?.(message);
    } catch (err) {
      // vscode-jsonrpc reads `params.id` of `$/cancelRequest` unguarded, for one.
      this.log(`the connection failed on the message at byte ${offset}: ${describeError(err)}`);
    }
  }
}

// Helpers.

const CR = 0x0d;
const LF = 0x0a;
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
/** What a resynchronisation looks for: the header as the LSP specification spells it. */
const CONTENT_LENGTH = Buffer.from('Content-Length:', 'latin1');
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The Content-Length of a header block (without the blank line), or why it is not one. Other headers are ignored. */
function parseHeader(text: string, maxContentLengthBytes: number): { contentLengthBytes: number } | string {
  let contentLengthBytes: number | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) return `a header line without a colon`;
    const name = line.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) return `not a header name: ${JSON.stringify(name.slice(0, 40))}`;
    if (name.toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,16}$/.test(value)) return `Content-Length is not a length: ${JSON.stringify(value.slice(0, 40))}`;
    const n = Number(value);
    if (n > maxContentLengthBytes) return `Content-Length ${formatCount(n)} is over the limit of ${formatCount(maxContentLengthBytes)} bytes`;
    if (contentLengthBytes !== undefined && contentLengthBytes !== n) return `two different Content-Length headers`;
    contentLengthBytes = n;
  }
  return contentLengthBytes === undefined ? 'no Content-Length header' : { contentLengthBytes };
}

/**
 * The value as a message the connection handles, or why it is not one. The shapes are
 * vscode-jsonrpc's own (Message.isRequest, isNotification, isResponse): anything else it would
 * log with JSON.stringify, which a deeply nested value makes overflow the stack.
 */
function asMessage(value: unknown): Message | string {
  if (Array.isArray(value)) return `an array of ${value.length} elements (LSP has no batches)`;
  if (value === null || typeof value !== 'object') return describeType(value);
  const m = value as Record<string, unknown>;
  const { id, method } = m;
  const isId = typeof id === 'string' || typeof id === 'number';
  if (typeof method === 'string') {
    if (id === undefined || isId) return m as unknown as Message;
    return `the ${JSON.stringify(method.slice(0, 80))} request has an id that is ${describeType(id)}, not a number or a string`;
  }
  if (method !== undefined) return `a member "method" that is ${describeType(method)}, not a string`;
  const hasOutcome = m.result !== undefined || !!m.error;
  if (isId && hasOutcome) return m as unknown as Message;
  if (id === null && hasOutcome) {
    // Nothing the server sends has id null. vscode-jsonrpc logs the error of such a response with JSON.stringify.
    const error = m.error as { code?: unknown; message?: unknown } | undefined;
    return `a response with id null${error && typeof error === 'object' ? `, error ${String(error.code).slice(0, 20)}: ${String(error.message).slice(0, 200)}` : ''}`;
  }
  if (isId) {
    // A response with neither result nor error: passed on as its id alone, so that a request the
    // server is waiting on fails (as vscode-jsonrpc does) rather than waits for ever, and so that
    // the connection's log of it stays small.
    return { jsonrpc: '2.0', id } as Message;
  }
  const keys = Object.keys(m);
  return `an object with ${keys.length ? `members ${keys.slice(0, 8).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}${keys.length > 8 ? ', …' : ''}` : 'no members'}`;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}

/** The first bytes of some input, quoted, for a log line. */
function preview(bytes: Buffer): string {
  const text = bytes.subarray(0, 60).toString('latin1');
  return `${JSON.stringify(text)}${bytes.length > 60 ? '…' : ''}`;
}

/**
 * Bytes received and not yet used, kept as the chunks they came in: a body is copied once, when
 * it is complete, however many chunks it came in.
 */
class ByteQueue {
  /** Bytes used so far: the stream offset of the first byte held. */
  offset = 0;
  nBytes = 0;
  private readonly chunks: Buffer[] = [];
  /** Index of the first chunk still held (shifting the array for each chunk would be quadratic). */
  private head = 0;

  get firstChunkBytes(): number {
    return this.head < this.chunks.length ? this.chunks[this.head].length : 0;
  }

  push(chunk: Buffer): void {
    if (!chunk.length) return;
    this.chunks.push(chunk);
    this.nBytes += chunk.length;
  }

  /**
   * The first `n` bytes (n ≤ nBytes), without consuming them. When they span chunks, those chunks
   * are joined into one in place, so that a header that arrives byte by byte is not gathered from
   * ever more pieces on every peek, and a body is copied once.
   */
  peek(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    let first = this.chunks[this.head];
    if (first.length < n) {
      let end = this.head;
      let joinedBytes = 0;
      while (joinedBytes < n) joinedBytes += this.chunks[end++].length;
      first = Buffer.concat(this.chunks.slice(this.head, end), joinedBytes);
      this.chunks.splice(this.head, end - this.head, first);
    }
    return first.subarray(0, n);
  }

  /** The first `n` bytes (n ≤ nBytes), consumed. */
  take(n: number): Buffer {
    const bytes = this.peek(n);
    this.consume(n);
    return bytes;
  }

  consume(n: number): void {
    this.nBytes -= n;
    this.offset += n;
    while (n > 0) {
      const first = this.chunks[this.head];
      if (first.length <= n) {
        n -= first.length;
        this.head++;
      } else {
        this.chunks[this.head] = first.subarray(n);
        n = 0;
      }
    }
    if (this.head > 1024 || this.head === this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Drops everything held; cannot fail, whatever state the queue is in. */
  clear(): void {
    this.offset += this.nBytes;
    this.nBytes = 0;
    this.chunks.length = 0;
    this.head = 0;
  }

  /** Consumes leading bytes while `test` holds. */
  consumeWhile(test: (byte: number) => boolean): void {
    while (this.nBytes > 0) {
      const first = this.chunks[this.head];
      let n = 0;
      while (n < first.length && test(first[n])) n++;
      if (n > 0) this.consume(n);
      if (n < first.length) return;
    }
  }
}
