// The index pool's worker threads: a worker that dies fails its job (a problem on that recording)
// and is replaced, however many die; recordings are never read on the main thread instead (its
// heap holds the index: a file that killed a worker would kill the server there); workers that
// cannot even start leave recordings unread, each with the reason, until one starts. The workers
// here are stand-ins that die on purpose; the real worker under a small heap is
// test/system/memory.test.ts.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { resolveConfig } from '../../server/src/core/config';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { IndexPool, WORKER_YOUNG_GENERATION_MB } from '../../server/src/node/indexPool';
import { workspaceFiles } from '../../server/src/node/workspaceFiles';
import { BOOKS_RECORDING, BOOKSHOP } from '../support/bookshop';

describe('index pool: workers that die', function () {
  this.timeout(120_000);
  let scratch: string;
  const config = resolveConfig({});
  const sourceIndex = () => new SourceIndex(workspaceFiles(BOOKSHOP), undefined, config);

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-pool-'));
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function script(name: string, body: string): string {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, body);
    return file;
  }

  it('a worker that dies on every recording fails each one and is replaced; none is read on the main thread', async () => {
    const dies = script('dies.js', "const { parentPort } = require('node:worker_threads');\nparentPort.on('message', (m) => { if (m.type === 'summarize') process.exit(7); });\nparentPort.postMessage({ type: 'ready' });\n");
    const log: string[] = [];
    const pool = new IndexPool(BOOKSHOP, 2, sourceIndex, (m) => log.push(m), { workerScript: dies });
    try {
      const results = await Promise.allSettled(Array.from({ length: 9 }, () => pool.summarize(BOOKS_RECORDING, config, false)));
      // Found by the attack of issue 15: after five losses in a row the pool read on the main
      // thread, where the next file that had killed a worker (out of heap) killed the server.
      assert.deepEqual(
        results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'read')),
        Array(9).fill(`the indexing worker exited (code 7) while reading ${BOOKS_RECORDING}`),
      );
      assert.equal(pool.workerCount, 2);
      assert.equal(log.filter((m) => m.endsWith('; starting another')).length, 9);
    } finally {
      await pool.dispose();
    }
  });

  it('workers that cannot start leave recordings unread, with the reason, and each new recording tries again', async () => {
    const broken = script('broken.js', "throw new Error('no grammar');\n");
    const log: string[] = [];
    const pool = new IndexPool(BOOKSHOP, 2, sourceIndex, (m) => log.push(m), { workerScript: broken });
    try {
      const first = await Promise.allSettled([pool.summarize(BOOKS_RECORDING, config, false), pool.summarize(BOOKS_RECORDING, config, true)]);
      for (const r of first) {
        assert.equal(r.status, 'rejected');
        assert.match((r.reason as Error).message, /^no indexing worker could be started \(the indexing worker failed: Error: no grammar\n/);
      }
      assert.equal(pool.workerCount, 0);
      assert.equal(log.filter((m) => m.includes('indexing workers in a row failed to start')).length, 1, log.join('\n'));
      const again = await Promise.allSettled([pool.summarize(BOOKS_RECORDING, config, true)]);
      assert.equal(again[0].status, 'rejected');
      assert.equal(log.filter((m) => m.includes('indexing workers in a row failed to start')).length, 2, log.join('\n'));
    } finally {
      await pool.dispose();
    }
  });

  it("workers run with a bounded young generation, and the old generation's limit of the process", async () => {
    // The limits as the worker sees them, handed back as its "summary".
    const limits = script('limits.js', "const { parentPort, resourceLimits } = require('node:worker_threads');\nparentPort.on('message', (m) => { if (m.type === 'summarize') parentPort.postMessage({ type: 'done', id: m.id, summary: resourceLimits }); });\nparentPort.postMessage({ type: 'ready' });\n");
    const pool = new IndexPool(BOOKSHOP, 1, sourceIndex, () => undefined, { workerScript: limits });
    try {
      const seen = (await pool.summarize(BOOKS_RECORDING, config, false)) as unknown as { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number };
      assert.equal(seen.maxYoungGenerationSizeMb, WORKER_YOUNG_GENERATION_MB);
      // This process's heap limit is its old generation and an unbounded young one (48 MB at most).
      const mainLimitMb = v8.getHeapStatistics().heap_size_limit / 2 ** 20;
      assert.ok(seen.maxOldGenerationSizeMb >= mainLimitMb - 64 && seen.maxOldGenerationSizeMb <= mainLimitMb, `old generation ${seen.maxOldGenerationSizeMb} MB, this process's heap limit ${mainLimitMb} MB`);
    } finally {
      await pool.dispose();
    }
  });

  it('the real worker reads, and the pool answers with summaries', async () => {
    const pool = new IndexPool(BOOKSHOP, 1, sourceIndex, () => undefined);
    try {
      const summary = await pool.summarize(BOOKS_RECORDING, config, false);
      assert.equal(summary.recordingPath, BOOKS_RECORDING);
      assert.equal(summary.findings.length, 1);
    } finally {
      await pool.dispose();
    }
  });
});
