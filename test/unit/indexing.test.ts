// Indexing off the editor's path: the language server reads recordings in worker threads, answers
// requests from what is indexed so far (with progress) during the first indexing, and reads a
// recording that lands while a large one is being read at once, instead of behind it.
//
// The large recording is generated (100 MB of the bench's N+1 shape, named `.generated.`); the
// small ones are the bookshop example's, recorded by appmap-node. The tests observe order, never
// time: `runlens/status` says which recordings are being read at each moment.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens } from 'vscode-languageserver-protocol';
import { StatusResult } from '../../server/src/protocol/ext';
import { writeShapeRecording } from '../bench/generate';
import { BOOKS_RECORDING, BOOKSHOP, BOOKSHOP_FIXED, RECORDINGS } from '../support/bookshop';
import { startInProcess, TestClient } from '../support/lspClient';

const BIG = 'recordings/big.generated.appmap.json';
const FIXED = 'recordings/books-fixed.appmap.json';
const BOOKS_JS = 'src/routes/books.js';

describe('indexing off the main thread', function () {
  this.timeout(300_000);
  let scratch: string;
  let bigFile: string;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-indexing-'));
    bigFile = path.join(scratch, 'big.generated.appmap.json');
    writeShapeRecording(bigFile, 'n-plus-one', 100e6);
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** A workspace with the bookshop's sources and its two recordings. */
  function bookshopWorkspace(name: string): string {
    const root = path.join(scratch, name);
    fs.cpSync(path.join(BOOKSHOP, 'src'), path.join(root, 'src'), { recursive: true });
    fs.cpSync(path.join(BOOKSHOP, RECORDINGS), path.join(root, RECORDINGS), { recursive: true });
    fs.copyFileSync(path.join(BOOKSHOP, 'package.json'), path.join(root, 'package.json'));
    fs.mkdirSync(path.join(root, 'recordings'));
    return fs.realpathSync(root);
  }

  const status = (client: TestClient) => client.connection.sendRequest<StatusResult>('runlens/status');
  const lenses = (client: TestClient) => client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: client.uri(BOOKS_JS) } });

  it('answers from what is indexed so far while a large recording is read, with progress', async () => {
    const root = bookshopWorkspace('first-indexing');
    // `recordings/` sorts before `tmp/`: the large file is the first one taken.
    fs.linkSync(bigFile, path.join(root, BIG));
    const client = await startInProcess(root, { capabilities: { window: { workDoneProgress: true } } }, { watch: false, waitForIndex: false });
    try {
      let during: { status: StatusResult; lenses: CodeLens[] } | undefined;
      let s: StatusResult;
      do {
        s = await status(client);
        if (!during && s.indexing && s.reading.includes(BIG) && s.recordings === 2) during = { status: s, lenses: await lenses(client) };
        await new Promise((resolve) => setTimeout(resolve, 5));
      } while (s.indexing || s.indexed.done < 3);
      assert.ok(during, 'the bookshop recordings were indexed while the large one was still being read');
      assert.equal(during.status.workers >= 2, true);
      assert.deepEqual(during.status.indexed, { done: 2, total: 3 });
      assert.equal(during.status.findings, 1, 'the N+1 of GET /books is known before the first indexing ends');
      const after = await lenses(client);
      assert.deepEqual(during.lenses, after, 'the lenses given during indexing are those given after it');
      assert.ok(after.length > 0);
      assert.deepEqual(s.indexed, { done: 3, total: 3 });
      assert.equal(s.recordings, 3);
      const kinds = client.progress.map((p) => (p as { value: { kind: string; message?: string } }).value);
      assert.equal(kinds[0].kind, 'begin');
      assert.equal(kinds[kinds.length - 1].kind, 'end');
      assert.deepEqual(kinds.filter((k) => k.kind === 'report').map((k) => k.message), ['0/3 recordings', '1/3 recordings', '2/3 recordings', '3/3 recordings']);
    } finally {
      await client.close();
    }
  });

  /** Drops the large recording in, waits until it is being read, then drops a small one in; returns the order their index changes came in. */
  async function landWhileReading(name: string): Promise<{ order: string[]; bigStillReading: boolean }> {
    const root = bookshopWorkspace(name);
    const client = await startInProcess(root);
    try {
      const order: string[] = [];
      let bigStillReading = false;
      client.connection.onNotification('runlens/indexChanged', async (p: { recordings: string[] }) => {
        for (const r of p.recordings) if (r === BIG || r === FIXED) order.push(r);
        if (p.recordings.includes(FIXED)) bigStillReading = (await status(client)).reading.includes(BIG);
      });
      fs.linkSync(bigFile, path.join(root, BIG));
      while (!(await status(client)).reading.includes(BIG)) await new Promise((resolve) => setTimeout(resolve, 5));
      fs.copyFileSync(path.join(BOOKSHOP_FIXED, BOOKS_RECORDING), path.join(root, FIXED));
      while (order.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      const s = await status(client);
      assert.equal(s.recordings, 4);
      return { order, bigStillReading };
    } finally {
      await client.close();
    }
  }

  it('reads a recording that lands while a large one is read at once, not behind it', async () => {
    const { order, bigStillReading } = await landWhileReading('lands-while-reading');
    assert.deepEqual(order, [FIXED, BIG]);
    assert.equal(bigStillReading, true, 'the small recording was indexed while the large one was still being read');
  });

  it('(the check above can fail: on the main thread alone, the small recording waits behind the large one)', async () => {
    const saved = process.env.RUNLENS_INDEX_WORKERS;
    process.env.RUNLENS_INDEX_WORKERS = '0';
    try {
      const { order } = await landWhileReading('main-thread-only');
      assert.deepEqual(order, [BIG, FIXED]);
    } finally {
      if (saved === undefined) delete process.env.RUNLENS_INDEX_WORKERS;
      else process.env.RUNLENS_INDEX_WORKERS = saved;
    }
  });
});
