// Hovers keep SQL exactly as recorded: each query in a fenced code block whose fence is longer than
// any backtick run inside (MySQL quotes identifiers with backticks, and doubles a backtick inside
// one), nothing replaced or escaped; only a very long query is cut, and it says so outside the block.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { hoverAt } from '../../server/src/core/ide/hover';
import { summarize } from '../../server/src/core/index/summary';
import { Snapshot } from '../../server/src/core/index/workspaceIndex';
import { fencedBlock } from '../../server/src/core/markdown';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { normalizeSql } from '../../server/src/core/sql/normalize';
import { loadParsers } from '../../server/src/node/treeSitter';
import { memoryFiles } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';

/** The hover on `def show` of a generated recording in which it ran each of `queries` (SQL and times). */
async function hoverOfQueries(queries: [string, number][]): Promise<string | undefined> {
  const r = new RecordingBuilder();
  r.request('GET', '/show', 10, () => r.call('app.views', 'show', 'app/views.py', 1, 9, () => queries.forEach(([sql, n]) => [...Array(n)].forEach(() => r.sql(sql)))));
  const config = resolveConfig({});
  const index = new SourceIndex(memoryFiles({ files: new Map([['app/views.py', 'def show():\n    pass\n']]) }), await loadParsers(), config);
  const { trace, problems } = readRecording('hover.generated.appmap.json', r.json());
  const summary = summarize(trace, problems, index, config);
  return hoverAt(new Snapshot(new Map([[summary.recordingPath, summary]])), index, 'app/views.py', 1);
}

describe('SQL in hovers', function () {
  this.timeout(30_000);

  it('is a fenced block with the exact text: backticks stay backticks, and a fence longer than the longest run (five) holds the other', async () => {
    const mysql = 'SELECT `u`.`id`, `u`.`na``me` FROM `users` AS `u` WHERE `u`.`id` = ?';
    const odd = 'SELECT `a```, `b` FROM `t`````';
    // The queries are shown as their shapes: these have no literal to replace.
    assert.deepEqual([normalizeSql(mysql), normalizeSql(odd)], [mysql, odd]);
    const hover = (await hoverOfQueries([[mysql, 2], [odd, 1]])) ?? '';
    const queries = hover.slice(hover.indexOf('**Queries it ran most**'), hover.indexOf('\n\n**Recorded in**'));
    assert.equal(
      queries,
      ['**Queries it ran most**', '', '2 ×', '```sql', mysql, '```', '', '1 ×', '``````sql', odd, '``````'].join('\n'),
    );
  });

  it('cuts only a query longer than 2,000 characters, and says so outside the block', async () => {
    const long = `SELECT ${[...Array(400)].map((_, i) => `\`column_${i}\``).join(', ')} FROM \`wide\``;
    assert.ok(long.length > 2000, String(long.length));
    const hover = (await hoverOfQueries([[long, 1]])) ?? '';
    const queries = hover.slice(hover.indexOf('**Queries it ran most**'), hover.indexOf('\n\n**Recorded in**'));
    assert.equal(queries, ['**Queries it ran most**', '', `1 × (its first 2,000 of ${long.length.toLocaleString('en-US')} characters)`, '```sql', long.slice(0, 2000), '```'].join('\n'));
  });

  it('fencedBlock: three backticks at least, one more than the longest run inside', () => {
    assert.deepEqual(fencedBlock('SELECT 1', 'sql'), ['```sql', 'SELECT 1', '```']);
    assert.deepEqual(fencedBlock('a ```` b\nc', ''), ['`````', 'a ```` b', 'c', '`````']);
  });
});
