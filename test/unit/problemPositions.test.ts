// Problem positions: the reader says where a problem is as an editor counts it (1-based line,
// 1-based UTF-16 column) together with the byte offset, from the bytes as it reads them, so that
// the language server never reads a recording again to place its problems. Exact positions for a
// truncated file, a bad byte deep in a large file, characters of several bytes before the error
// (in any chunking), and the work it costs counted: nothing per ASCII byte.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRecordingReader, ReadResult, readRecording } from '../../server/src/core/appmap/read';
import { DEFAULT_CONFIG } from '../../server/src/core/config';
import { summarize } from '../../server/src/core/index/summary';
import { JsonStreamParser, JsonVisitor, Mode } from '../../server/src/core/json/streamParser';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { workOf } from '../../server/src/core/workCounter';
import { computeDiagnostics } from '../../server/src/lsp/diagnostics';
import { Session } from '../../server/src/lsp/session';
import { workspaceFiles } from '../../server/src/node/workspaceFiles';

/** The reader fed `bytes` in chunks of `size` bytes. */
function readChunked(file: string, bytes: Buffer, size: number): ReadResult {
  const reader = createRecordingReader(file);
  for (let i = 0; i < bytes.length; i += size) reader.write(bytes.subarray(i, i + size));
  return reader.end();
}

function jsonProblems(r: ReadResult) {
  return r.problems.filter((p) => p.message.startsWith('not valid JSON'));
}

/** A generated recording, one event per line, each line with characters of 2, 3 and 4 bytes. */
function manyLines(nEvents: number, breakAt: number): { text: string; badLine: number; badColumn: number } {
  const lines = ['{"version":"1.9","events":['];
  let badLine = 0;
  let badColumn = 0;
  for (let k = 1; k <= nEvents; k++) {
    const head = `{"event":"call","id":${k},"thread_id":1,"defined_class":"Käse€😀","method_id"`;
    if (k === breakAt) {
      // No colon after the member name: the error is at the quote that follows.
      badLine = lines.length + 1;
      badColumn = head.length + 2; // JavaScript's length counts UTF-16 code units, as LSP does; +1 for the space, +1 as columns start at 1
      lines.push(`${head} "m"},`);
    } else lines.push(`${head}:"m"},`);
  }
  lines.push(`{"event":"call","id":${nEvents + 1},"thread_id":1}]}`);
  return { text: lines.join('\n'), badLine, badColumn };
}

describe('problem positions: line and UTF-16 column from the reader', () => {
  it('a truncated file: the end of its last line', () => {
    const text = '{\n  "version": "1.9",\n  "events": [\n    {"event": "call", "id": 1';
    for (const size of [text.length, 1, 7]) {
      assert.deepEqual(jsonProblems(readChunked('cut.generated.appmap.json', Buffer.from(text), size)), [
        {
          file: 'cut.generated.appmap.json',
          byteOffset: 65,
          line: 4,
          column: 30,
          severity: 'error',
          message: 'not valid JSON: unexpected end of file inside a value that starts at byte 64: the file is truncated; read what came before it',
        },
      ]);
    }
  });

  it('a bad byte deep in a large file: its line, and its column counted in UTF-16 code units', () => {
    const { text, badLine, badColumn } = manyLines(60_000, 50_000);
    const bytes = Buffer.from(text);
    assert.ok(bytes.length > 5_000_000, `${bytes.length} bytes`);
    assert.equal(badLine, 50_001);
    assert.equal(badColumn, 80);
    const byteOffset = bytes.indexOf('"method_id" "m"') + '"method_id" '.length;
    for (const size of [1 << 16, 4099]) {
      assert.deepEqual(jsonProblems(readChunked('deep.generated.appmap.json', bytes, size)), [
        {
          file: 'deep.generated.appmap.json',
          byteOffset,
          line: 50_001,
          column: 80,
          severity: 'error',
          message: 'not valid JSON: expected ":" after a member name, found """; read what came before it',
        },
      ]);
    }
  });

  it('characters of two, three and four bytes before the error, split across chunks anywhere', () => {
    // é: 2 bytes, 1 unit; €: 3 bytes, 1 unit; 😀: 4 bytes, 2 units (a surrogate pair); ﻿ after the
    // first line is a character like any other, at the start it is a byte order mark, not counted.
    const line2 = '"events":[{"event":"call","id":1,"defined_class":"é€😀x€","method_id":"m"} ?';
    const text = `\ufeff{"version":"1.9 😀",\n${line2}`;
    const bytes = Buffer.from(text);
    const expected = { line: 2, column: line2.length, byteOffset: bytes.length - 1 };
    assert.equal(expected.column, 76);
    assert.equal(Buffer.byteLength(line2) - line2.length, 7); // bytes beyond units: é 1, € 2, 😀 2, € 2
    for (const size of [bytes.length, 1, 2, 3, 5]) {
      const [p] = jsonProblems(readChunked('multibyte.generated.appmap.json', bytes, size));
      assert.deepEqual({ line: p.line, column: p.column, byteOffset: p.byteOffset }, expected, `chunks of ${size}`);
    }
    // On the first line, after the byte order mark: the column counts from the first character.
    const first = '{"version":"é😀" "x"}';
    const [p] = jsonProblems(readRecording('bom.generated.appmap.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(first)])));
    assert.deepEqual({ line: p.line, column: p.column }, { line: 1, column: first.indexOf(' "x"') + 2 });
  });

  it('positions cost one step per line break and per byte above 0x7f, none per ASCII byte; no second pass over the bytes', () => {
    const skipAll: JsonVisitor = { onKey: () => Mode.Skip, onElement: () => Mode.Skip, onValue: () => undefined, onOpen: () => undefined, onClose: () => undefined };
    const { text } = manyLines(20_000, 0);
    const bytes = Buffer.from(text);
    const parser = new JsonStreamParser(skipAll);
    const work = workOf(() => {
      for (let i = 0; i < bytes.length; i += 1 << 16) parser.write(bytes.subarray(i, i + (1 << 16)));
      parser.end();
    });
    assert.equal(parser.problem, undefined);
    const newlines = 20_001;
    const highBytes = 20_000 * Buffer.byteLength('ä€😀');
    assert.equal(parser.positionSteps, newlines + highBytes);
    // Each byte is looked at once, as before positions were counted.
    assert.equal(work, bytes.length);
    // The same recording all ASCII and on one line: no step at all.
    const flat = Buffer.from(text.replace(/\n/g, ' ').replace(/Käse€😀/g, 'Kaese'));
    const ascii = new JsonStreamParser(skipAll);
    ascii.write(flat);
    ascii.end();
    assert.equal(ascii.problem, undefined);
    assert.equal(ascii.positionSteps, 0);
  });

  it('the language server places a broken recording\'s problem from the summary, without the file', () => {
    // The recording is not on disk at all: the old way (reading it up to the byte) would have put
    // the problem at 0:0.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-positions-'));
    try {
      const text = '{"version":"1.9",\n"events":[{"event":"call","id":1,"defined_class":"Ça€"';
      const session = new Session(root, DEFAULT_CONFIG, undefined);
      const { trace, problems } = readRecording('gone.generated.appmap.json', Buffer.from(text));
      session.index.set(summarize(trace, problems, new SourceIndex(workspaceFiles(session.root), undefined, session.config), session.config));
      const { byUri, failures } = computeDiagnostics(session, { relatedInformation: false });
      assert.deepEqual(failures, []);
      const diagnostics = [...byUri.values()].flat().filter((d) => d.severity === 1);
      assert.deepEqual(
        diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`),
        [`1:54 byte ${Buffer.byteLength(text)}: not valid JSON: unexpected end of file with 3 containers still open: the file is truncated; read what came before it`],
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
