// The one way a recording file becomes a Trace, whatever its format: AppMap (`*.appmap.json`,
// core/appmap/read.ts) or OpenTelemetry's OTLP JSON (`*.otlp.json`, `*.otlp.jsonl`, core/otlp/read.ts).
// The name decides; a file whose name says neither (found by a `traces` glob, or given by path) is
// told by its first member: `resourceSpans` is OTLP, anything else AppMap.

import { createRecordingReader, ReadResult, RecordingReader } from './appmap/read';
import { createOtlpReader, OtlpReadOptions } from './otlp/read';

export type RecordingFormat = 'appmap' | 'otlp';

/** The format a name says, if it says one. */
export function formatOfName(recordingPath: string): RecordingFormat | undefined {
  const p = recordingPath.toLowerCase();
  if (p.endsWith('.appmap.json')) return 'appmap';
  if (p.endsWith('.otlp.json') || p.endsWith('.otlp.jsonl') || p.endsWith('.jsonl')) return 'otlp';
  return undefined;
}

/** Starts reading a recording of either format; feed it chunks, then call `end`. */
export function createReader(recordingPath: string, options: OtlpReadOptions = {}): RecordingReader {
  const named = formatOfName(recordingPath);
  if (named === 'appmap') return createRecordingReader(recordingPath, options);
  if (named === 'otlp') return createOtlpReader(recordingPath, options);
  return sniffingReader(recordingPath, options);
}

/** Reads a whole recording held in memory (tests and small inputs). */
export function readAnyRecording(recordingPath: string, bytes: Buffer | string, options?: OtlpReadOptions): ReadResult {
  const reader = createReader(recordingPath, options);
  reader.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  return reader.end();
}

/** Up to this many bytes are held to find the first member name; past it (or at the end), AppMap. */
const SNIFF_BYTES = 4096;

/** A reader that holds the first bytes until the first member name says the format. */
function sniffingReader(recordingPath: string, options: OtlpReadOptions): RecordingReader {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let inner: RecordingReader | undefined;
  const decide = (force: boolean): RecordingReader | undefined => {
    const head = Buffer.concat(held).subarray(0, SNIFF_BYTES).toString('latin1');
    const m = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*\{\s*"([^"\\]*)"/.exec(head);
    if (!m && !force && heldBytes < SNIFF_BYTES) return undefined;
    const reader = m?.[1] === 'resourceSpans' ? createOtlpReader(recordingPath, options) : createRecordingReader(recordingPath, options);
    for (const chunk of held) reader.write(chunk);
    held = [];
    return reader;
  };
  return {
    write(chunk: Buffer): void {
      if (inner) return inner.write(chunk);
      held.push(Buffer.from(chunk));
      heldBytes += chunk.length;
      inner = decide(false);
    },
    end(failure?: string): ReadResult {
      inner ??= decide(true) as RecordingReader;
      return inner.end(failure);
    },
    get byteOffset() {
      return inner?.byteOffset ?? 0;
    },
    get stopped() {
      return inner?.stopped ?? false;
    },
    get maxBufferedBytes() {
      return Math.max(heldBytes, inner?.maxBufferedBytes ?? 0);
    },
    get retainedBytes() {
      return inner?.retainedBytes ?? 0;
    },
    get reservedBytes() {
      return inner?.reservedBytes ?? 0;
    },
  };
}
