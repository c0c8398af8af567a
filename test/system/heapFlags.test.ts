// The language server's heap flags (server/src/node/heapFlags.ts), in a process of their own (they
// are the process's V8 flags): once bound, the main thread's new space stays at MAIN_NEW_SPACE_MB
// under allocations that survive, also after an indexing worker started, which resets V8's flags
// (set again once the worker is online, and after each collection). Without the bound, the same
// allocations grow it to 32 MB.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { MAIN_NEW_SPACE_MB } from '../../server/src/node/heapFlags';
import { BOOKSHOP } from '../support/bookshop';

const OUT = path.join(__dirname, '../../server/src/node');

/** The new space's size in MB after the allocations, in a fresh process; `bound`: heapFlags' bound is set first. */
function newSpaceAfterChurn(bound: boolean): number {
  const script = `
    const v8 = require('node:v8');
    const { IndexPool } = require(${JSON.stringify(path.join(OUT, 'indexPool.js'))});
    if (${bound}) require(${JSON.stringify(path.join(OUT, 'heapFlags.js'))}).boundServerHeap();
    // Objects that live for a while: each scavenge keeps many, which is when V8 grows the new space.
    let kept = [];
    const churn = (n) => { for (let i = 0; i < n; i++) { kept.push({ i }); if (kept.length > 100000) kept = []; } };
    const waitOnline = () => new Promise((resolve) => setTimeout(resolve, 2000));
    // In turns of the event loop, as requests and summaries come (the bound is checked after each collection).
    const turns = async (n) => { for (let turn = 0; turn < n; turn++) { churn(10000); await new Promise((resolve) => setImmediate(resolve)); } };
    let pool;
    turns(300).then(async () => {
      // A worker starts once the new space is at its bound (one replacing a lost worker, say): it resets V8's flags.
      pool = new IndexPool(${JSON.stringify(BOOKSHOP)}, 1, () => undefined, () => undefined);
      await waitOnline();
      await turns(300);
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(space.space_size / 2 ** 20));
      await pool.dispose();
    });`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 }));
}

describe("the language server's heap flags", function () {
  this.timeout(300_000);

  it(`keep the main thread's new space at ${MAIN_NEW_SPACE_MB} MB after a worker started; without them it grows`, () => {
    assert.ok(newSpaceAfterChurn(true) <= MAIN_NEW_SPACE_MB, 'bound');
    assert.ok(newSpaceAfterChurn(false) > MAIN_NEW_SPACE_MB, 'not bound');
  });
});
