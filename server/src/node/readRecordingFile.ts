// Reads a recording file through the streaming reader, chunk by chunk, so that files of any size
// are read with input buffers that do not depend on their size, and a trace bounded by this
// thread's heap (memoryBudget.ts). Never throws: I/O errors become problems.

import * as fs from 'node:fs';
import { createRecordingReader, ReadResult } from '../core/appmap/read';
import { recordingReadOptions } from './memoryBudget';

const CHUNK_BYTES = 1 << 20;
/** Why a path that is not a regular file is not read: a FIFO or a device would block the read forever, or never end. */
function notAFile(stat: fs.Stats): string {
  return stat.isDirectory() ? 'EISDIR' : 'it is not a regular file but a pipe, socket or device';
}

/** Reads `absPath`; `displayPath` names the file in the trace and in problems. */
export async function readRecordingFile(absPath: string, displayPath: string): Promise<ReadResult> {
  const reader = createRecordingReader(displayPath, recordingReadOptions());
  try {
    const stat = await fs.promises.stat(absPath);
    if (!stat.isFile()) return reader.end(notAFile(stat));
    const stream = fs.createReadStream(absPath, { highWaterMark: CHUNK_BYTES });
    for await (const chunk of stream) {
      reader.write(chunk as Buffer);
      if (reader.stopped) break; // the rest of a file broken early is never read (closes the stream)
    }
  } catch (err) {
    return reader.end(errorCode(err));
  }
  return reader.end();
}

/** The same, synchronously (benchmarks and tools that run outside an event loop). */
export function readRecordingFileSync(absPath: string, displayPath: string): ReadResult {
  const reader = createRecordingReader(displayPath, recordingReadOptions());
  let fd: number | undefined;
  try {
    const stat = fs.statSync(absPath);
    if (!stat.isFile()) return reader.end(notAFile(stat));
    fd = fs.openSync(absPath, 'r');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n <= 0) break;
      reader.write(buffer.subarray(0, n));
      if (reader.stopped) break;
    }
  } catch (err) {
    return reader.end(errorCode(err));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return reader.end();
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
