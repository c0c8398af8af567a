// Reads a recording file (AppMap or OTLP JSON: core/readRecording.ts) through the streaming reader, chunk by chunk, so that files of any size
// are read with input buffers that do not depend on their size, and a trace bounded by this
// thread's heap (memoryBudget.ts). Never throws: I/O errors become problems.
// The file is opened through the one door (workspaceFiles.ts): regular files only, never blocking.

import * as fs from 'node:fs';
import { ReadResult } from '../core/appmap/read';
import { createReader } from '../core/readRecording';
import { recordingReadOptions } from './memoryBudget';
import { describeFailure, openFile, openFileSync, OpenOptions } from './workspaceFiles';

const CHUNK_BYTES = 1 << 20;

/**
 * Reads `absPath`; `displayPath` names the file in the trace and in problems. With `inside` (the
 * server: the workspace's real path) a file whose real path leaves it is not read.
 */
export async function readRecordingFile(absPath: string, displayPath: string, options: Pick<OpenOptions, 'inside'> & { mayGrow?: boolean } = {}): Promise<ReadResult> {
  const reader = createReader(displayPath, { ...recordingReadOptions(), mayGrow: options.mayGrow });
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await openFile(absPath, { inside: options.inside });
    // One buffer for every chunk: the reader copies what it keeps.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      reader.write(buffer.subarray(0, bytesRead));
      if (reader.stopped) break; // the rest of a file broken early is never read
    }
  } catch (err) {
    return reader.end(describeFailure(err));
  } finally {
    await handle?.close();
  }
  return reader.end();
}

/** The same, synchronously: the command line (recordings.ts readEach's `sync`), benchmarks and tools. */
export function readRecordingFileSync(absPath: string, displayPath: string, options: Pick<OpenOptions, 'inside'> = {}): ReadResult {
  const reader = createReader(displayPath, recordingReadOptions());
  let fd: number | undefined;
  try {
    fd = openFileSync(absPath, options);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n <= 0) break;
      reader.write(buffer.subarray(0, n));
      if (reader.stopped) break;
    }
  } catch (err) {
    return reader.end(describeFailure(err));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return reader.end();
}
