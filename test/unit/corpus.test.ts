// Conformance on real recordings: every file of ../shared/corpus/appmaps reads without a crash or
// an error, and the facts of its MANIFEST row hold (events, SQL and request counts, eventUpdates,
// and the N+1 found, sitting on a line of the project rather than in a gem or the recording).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { CallKind } from '../../server/src/core/trace';
import { readRecordingFileSync } from '../../server/src/node/readRecordingFile';
import { loadParsers } from '../../server/src/node/treeSitter';
import { workspaceFiles } from '../../server/src/node/workspaceFiles';
import { CORPUS } from '../support/corpus';

interface ManifestRow {
  file: string;
  events: number;
  sql: number;
  requests: number;
  eventUpdates: number;
  nPlusOne: number | undefined;
}

/** The index table of MANIFEST.md: | `file` | agent | recorder | format | bytes | events | SQL | HTTP | eventUpdates | N+1 | */
function manifestRows(): ManifestRow[] {
  const text = fs.readFileSync(path.join(CORPUS, 'MANIFEST.md'), 'utf8');
  const rows: ManifestRow[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const m = /^`(.+\.appmap\.json)`$/.exec(cells[1] ?? '');
    if (!m || cells.length < 12) continue;
    const updates = /yes \((\d+)\)/.exec(cells[9]);
    const nPlusOne = /(\d+)×/.exec(cells[10]);
    rows.push({
      file: m[1],
      events: Number(cells[6].replace(/,/g, '')),
      sql: Number(cells[7]),
      requests: Number(cells[8]),
      eventUpdates: updates ? Number(updates[1]) : 0,
      nPlusOne: nPlusOne ? Number(nPlusOne[1]) : undefined,
    });
  }
  return rows;
}

/** Recordings whose N+1 has no project code above it, so the recording itself is the place. */
const NO_PROJECT_CODE_ABOVE: Record<string, string> = {
  'ruby/rack-requests-spree-checkout-update-payment.appmap.json': 'the repeated queries run inside the solidus_core gem (absolute paths); no project function encloses them',
};

describe('corpus of real recordings', function () {
  const rows = manifestRows();
  const dir = path.join(CORPUS, 'appmaps');
  const config = resolveConfig({});
  let index: SourceIndex;

  before(async function () {
    index = new SourceIndex(workspaceFiles(dir), await loadParsers(), config);
  });

  it('lists every recording of the folder in the MANIFEST', () => {
    const onDisk = fs.readdirSync(dir).flatMap((agent) => fs.readdirSync(path.join(dir, agent)).map((f) => `${agent}/${f}`)).sort();
    assert.deepEqual(rows.map((r) => r.file).sort(), onDisk);
    assert.equal(rows.length, 53);
  });

  it('reads every recording with the MANIFEST counts and no error', () => {
    const mismatches: string[] = [];
    for (const row of rows) {
      const { trace, problems } = readRecordingFileSync(path.join(dir, row.file), row.file);
      const got = {
        events: trace.nEvents,
        sql: trace.calls.kind.subarray(0, trace.calls.length).filter((k) => k === CallKind.Sql).length,
        requests: trace.calls.kind.subarray(0, trace.calls.length).filter((k) => k === CallKind.HttpServer).length,
        eventUpdates: trace.nEventUpdates,
      };
      const want = { events: row.events, sql: row.sql, requests: row.requests, eventUpdates: row.eventUpdates };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${row.file}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
      const errors = problems.filter((p) => p.severity === 'error');
      if (errors.length) mismatches.push(`${row.file}: ${errors.map((e) => e.message).join('; ')}`);
    }
    assert.deepEqual(mismatches, []);
  });

  it('finds the N+1 of every recording that has one, and none where the MANIFEST lists none', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      // One recording at a time: merged findings would mix counts of several recordings.
      const { trace } = readRecordingFileSync(path.join(dir, row.file), row.file);
      const nPlusOne = findingsIn(trace, index, config).filter((f) => f.rule === 'n-plus-one');
      if (row.nPlusOne === undefined) {
        if (nPlusOne.length) wrong.push(`${row.file}: unexpected ${nPlusOne.map((f) => f.message).join('; ')}`);
        continue;
      }
      // The MANIFEST counts the largest group of identical SELECTs under one request or root.
      const largest = Math.max(0, ...nPlusOne.flatMap((f) => f.related.map((r) => r.count)));
      if (largest !== row.nPlusOne) wrong.push(`${row.file}: largest repeated shape ${largest}, MANIFEST ${row.nPlusOne}`);
      for (const f of nPlusOne) {
        const p = f.location.path;
        const reason = NO_PROJECT_CODE_ABOVE[row.file];
        if (reason) {
          if (f.ref.kind !== 'recording') wrong.push(`${row.file}: expected on the recording (${reason}), got ${p}:${f.location.line}`);
          continue;
        }
        if (p.startsWith('/') || p === row.file || f.ref.kind === 'recording') wrong.push(`${row.file}: ${f.message} sits on ${p}:${f.location.line}, not in the project`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
