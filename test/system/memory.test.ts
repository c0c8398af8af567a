// A recording too large for memory is a problem on that recording, never a crash: the real
// binary, with a heap of 64 MB (`--max-old-space-size`, which the server's worker threads
// inherit), reads generated recordings whose events each cost far more in memory than in the file
// (minimal call events, 25 bytes in the file and 200 in the heap) and an eventUpdates object of
// empty entries (8 bytes each, and nothing kept). The CLI reports the first with a problem at the
// byte where it stopped and reads the second whole; the server stays up, puts the problem on
// each such recording and goes on indexing the others. The reader's counting of what it keeps is
// held to the measured heap in test/unit/readMemory.test.ts.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { BOOKSHOP } from '../support/bookshop';
import { BIN, runlens } from '../support/cli';
import { copyWorkspaceWithoutDependencies, RawServer } from '../support/rawServer';

const HEAP_MB = 64;
const SMALL_HEAP = { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` };
/** Bytes of each generated recording: several times what a 64 MB heap can hold of its trace. */
const FILE_BYTES = 40_000_000;
const TOO_LARGE = /the recording is too large for the memory allowed: its first [\d,]+ events and what is made of them need about [\d,]+ MB, over the limit of [\d,]+ MB \(30% of the heap limit of [\d,]+ MB; a larger heap reads more: NODE_OPTIONS=--max-old-space-size=<MB>\); the rest is not read/;

describe('recordings too large for memory: a problem on the recording, never a crash', function () {
  // Hang guards, generous enough for a busy machine.
  this.timeout(300_000);
  let dir: string;
  let minimalCalls: string;
  let emptyUpdates: string;

  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-memory-')));
    minimalCalls = path.join(dir, 'minimal-calls.generated.appmap.json');
    writeGenerated(minimalCalls, '{"version":"1.9","events":[', (k) => `{"event":"call","id":${k}}`, ']}');
    emptyUpdates = path.join(dir, 'empty-event-updates.generated.appmap.json');
    writeGenerated(emptyUpdates, '{"version":"1.9","events":[{"event":"call","id":1}],"eventUpdates":{', (k) => `"${k}":{}`, '}}');
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`scan, in a ${HEAP_MB} MB heap: minimal call events stop with a problem at a byte; empty eventUpdates are read whole`, () => {
    const calls = runlens(['scan', minimalCalls], dir, SMALL_HEAP);
    // Found by the attack of issue 15: both ran out of heap (fatal, exit 134) instead.
    assert.equal(calls.code, 0, calls.stderr.slice(-2000));
    const problem = calls.stderr.split('\n').find((l) => TOO_LARGE.test(l));
    assert.ok(problem, calls.stderr.slice(-2000));
    const at = Number(/: byte ([\d,]+): /.exec(problem)?.[1].replace(/,/g, ''));
    assert.ok(at > 0 && at < FILE_BYTES, `stopped at byte ${at} of ${FILE_BYTES}: ${problem}`);
    assert.match(calls.stdout, /1 recording read, no findings, 1 problem reading recordings/);

    const updates = runlens(['scan', emptyUpdates], dir, SMALL_HEAP);
    assert.equal(updates.code, 0, updates.stderr.slice(-2000));
    assert.match(updates.stderr, /warning: [\d,]+ return event\(s\) name a call that is not in the recording; ignored/);
    assert.doesNotMatch(updates.stderr, /too large/);
  });

  it(`the server, in a ${HEAP_MB} MB heap with its workers, stays up and puts the problem on each such recording`, async () => {
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-memory-server-');
    const server = RawServer.spawn(root, { command: { argv: [process.execPath, BIN, '--stdio'], env: { ...process.env, ...SMALL_HEAP } } });
    try {
      // More than the five worker losses after which the server used to read on its main thread
      // (where the next such file killed it): hard links, so the disk holds one copy.
      const generated: string[] = [];
      for (let i = 0; i < 8; i++) {
        const rel = `tmp/appmap/generated/minimal-calls-${i}.generated.appmap.json`;
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.linkSync(minimalCalls, path.join(root, rel));
        generated.push(rel);
      }
      const updates = 'tmp/appmap/generated/empty-event-updates.generated.appmap.json';
      fs.linkSync(emptyUpdates, path.join(root, updates));
      await server.initialize({ timeoutMs: 240_000 });
      const status = (await server.request('runlens/status')).result as { recordings: number; findings: number; indexing: boolean };
      assert.deepEqual({ recordings: status.recordings, findings: status.findings, indexing: status.indexing }, { recordings: 2 + generated.length + 1, findings: 1, indexing: false });
      const diagnostics = server.diagnostics();
      const messagesOn = (rel: string) => ((diagnostics.get(URI.file(path.join(root, rel)).toString()) ?? []) as { message: string }[]).map((d) => d.message);
      for (const rel of generated) assert.ok(messagesOn(rel).some((m) => TOO_LARGE.test(m)), `${rel}: ${JSON.stringify(messagesOn(rel))}`);
      assert.ok(messagesOn(updates).every((m) => !/too large|could not be read/.test(m)), JSON.stringify(messagesOn(updates)));
      const lenses = (await server.request('textDocument/codeLens', { textDocument: { uri: server.uri('src/routes/books.js') } })).result as unknown[];
      assert.equal(lenses.length, 3);
      assert.ok(server.alive, server.stderr.slice(-2000));
    } finally {
      if (server.alive) await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A generated recording of about FILE_BYTES: `head`, items `item(1)`, `item(2)`… joined by commas, `tail`. */
function writeGenerated(file: string, head: string, item: (k: number) => string, tail: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    let written = head.length;
    let k = 1;
    while (written < FILE_BYTES) {
      const parts: string[] = [];
      for (let i = 0; i < 10_000; i++, k++) parts.push(item(k));
      const text = (k > 10_001 ? ',' : '') + parts.join(',');
      fs.writeSync(fd, text);
      written += text.length;
    }
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
}
