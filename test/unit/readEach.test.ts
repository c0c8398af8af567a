// The one door's two ways of reading recordings (node/recordings.ts readEach): blocking reads for
// the command line, reads that yield for the servers. Both give the same traces and the same problems.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReadResult } from '../../server/src/core/appmap/read';
import { formatProblem, Problem } from '../../server/src/core/problem';
import { findRecordings, readEach } from '../../server/src/node/recordings';
import { CORPUS } from '../support/corpus';

/** What readEach hands out for each file, and the problems it collected, read one way. */
async function readAll(root: string, files: string[], sync: boolean): Promise<{ results: [string, ReadResult][]; problems: string[] }> {
  const results: [string, ReadResult][] = [];
  const problems: Problem[] = [];
  await readEach(root, files, problems, (result, display) => results.push([display, result]), { analysing: 'reading', sync });
  return { results, problems: problems.map(formatProblem) };
}

describe('readEach, blocking and not', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-read-each-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every corpus recording, a truncated one, a folder and a missing file alike both ways', async () => {
    const corpus = findRecordings([path.join(CORPUS, 'appmaps')]);
    assert.ok(corpus.length >= 50, `${corpus.length} recordings in the corpus`);
    const truncated = path.join(dir, 'truncated.appmap.json');
    const whole = fs.readFileSync(corpus[0]);
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const folder = path.join(dir, 'a-folder.appmap.json');
    fs.mkdirSync(folder);
    const files = [...corpus, truncated, folder, path.join(dir, 'missing.appmap.json')];
    const blocking = await readAll(CORPUS, files, true);
    const yielding = await readAll(CORPUS, files, false);
    assert.equal(blocking.results.length, files.length);
    assert.deepEqual(blocking.problems, yielding.problems);
    assert.ok(blocking.problems.some((p) => p.includes('truncated.appmap.json')) && blocking.problems.some((p) => p.includes('a folder, not a regular file')) && blocking.problems.some((p) => p.includes('ENOENT')), blocking.problems.join('\n'));
    for (let i = 0; i < files.length; i++) assert.deepEqual(blocking.results[i], yielding.results[i], files[i]);
  });

  it('with `sync`, has read every file before it first yields', () => {
    const files = findRecordings([path.join(CORPUS, 'appmaps')]).slice(0, 5);
    let read = 0;
    void readEach(CORPUS, files, [], () => read++, { analysing: 'reading', sync: true });
    assert.equal(read, files.length);
  });
});
