// Hostile and broken input never hurts: the fuzz properties of test/fuzz/ in bounded runs with
// fixed seeds (`npm run fuzz` runs them for longer, with time bounds too), and the nastiest
// inputs through the real CLI and language server. That each property catches what it claims to,
// and each bug fuzzing found, are fast tests of their own: test/unit/fuzzFound.test.ts.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { checkCli, checkServer, nastySpecs, nastyWorkspace } from '../fuzz/endToEnd';
import { PROPERTY_NAMES, PropertyName, tallyLine } from '../fuzz/properties';
import { replayCommand, runWatched } from '../fuzz/watch';

const SEED = 20_261_124;
/** Inputs per property: about 15 s in all on a laptop, the whole file about 40 s. */
const RUNS: Record<PropertyName, number> = { reader: 500, chunking: 300, analysis: 150 };

describe('fuzzing', function () {
  this.timeout(600_000);

  for (const [k, property] of PROPERTY_NAMES.entries()) {
    it(`${property}: ${RUNS[property]} inputs of seed ${SEED + k}, none breaks a property`, async () => {
      const report = await runWatched({ property, seed: SEED + k, numRuns: RUNS[property], scale: 'ci', shrink: false, stuckMs: 180_000 });
      console.log(`      ${tallyLine(property, report.tally, report.failures.length)}`);
      const f = report.failures[0];
      assert.ok(!f, f && `${f.message}\n  input: ${f.label}, written to ${f.file}\n  replay: ${replayCommand(property, f, 'ci')}`);
      assert.equal(report.tally.inputs, RUNS[property]);
    });
  }

  it('the CLI exits 0, 1 or 2 with a message on the nastiest inputs: no stack trace, signal or internal error', () => {
    const { root, files } = nastyWorkspace(nastySpecs(SEED));
    try {
      const runs = checkCli(root, files);
      const failed = runs.filter((r) => r.problems.length);
      console.log(`      fuzz cli: ${runs.length} runs on ${files.length} nasty recordings, ${failed.length} failed`);
      assert.deepEqual(failed.map((r) => `runlens ${r.args.join(' ')} → ${r.code}: ${r.problems.join('; ')}`), []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the server indexes the nastiest inputs and keeps answering lenses, hovers and symbols', async () => {
    const specs = nastySpecs(SEED);
    const { root, files } = nastyWorkspace(specs);
    try {
      const problems = await checkServer(root, files, { kind: 'shape', shape: 'deep-chain-distinct-functions', size: 20_000 });
      console.log(`      fuzz server: ${files.length + 2} recordings (${files.length + 1} nasty), ${problems.length} problems`);
      assert.deepEqual(problems, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
