// One number format everywhere: counts of a thousand and more are written with thousands
// separators (core/findings/format.ts formatCount) in finding messages, problems, diagnostics,
// hovers, lenses, the comparison and the reports. A generated recording with more than a thousand
// of everything is run through each, and any bare run of four digits or more fails the test.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { baselineOf } from '../../server/src/core/baseline/baseline';
import { compare, formatPerCall } from '../../server/src/core/baseline/compare';
import { compareMarkdown, compareText } from '../../server/src/core/baseline/report';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { formatCount, formatNumber } from '../../server/src/core/findings/format';
import { codeLenses } from '../../server/src/core/ide/codeLens';
import { diagnosticsByFile } from '../../server/src/core/ide/diagnostics';
import { hoverAt } from '../../server/src/core/ide/hover';
import { RecordingSummary, summarize } from '../../server/src/core/index/summary';
import { Snapshot } from '../../server/src/core/index/workspaceIndex';
import { formatProblem } from '../../server/src/core/problem';
import { reportMarkdown } from '../../server/src/core/report/markdown';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { reportClientScript } from '../../server/src/node/reportAssets';
import { loadParsers } from '../../server/src/node/treeSitter';
import { memoryFiles } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';

const N = 1200;

/**
 * A run of four digits or more that is not part of a grouped number (`1,200`), a decimal (`0.0001`)
 * or a name (`shop/v1234`): a count written bare.
 */
const BARE_COUNT = /(?<![\d,.\w])\d{4,}(?![\d,]*\.\d)/;

function checkNoBareCount(what: string, text: string): void {
  const m = BARE_COUNT.exec(text);
  assert.equal(m, null, `${what} writes a count bare: …${m ? text.slice(Math.max(0, m.index - 60), m.index + 20) : ''}…`);
}

/** GET /books: an N+1 of 2,400 (the loop over authors), 1,200 slow calls and slow queries; 1,200 slow requests of GET /ping; POST /count: the same UPDATE 1,200 times; GET /theme: the same SELECT. */
function bigRecording(): string {
  const r = new RecordingBuilder({ name: 'generated: a thousand of everything', recorder: { type: 'tests' }, client: { name: 'runlens-test-builder' } });
  r.request('GET', '/books', 90_000, () =>
    r.call('shop.books', 'index', 'shop/views.py', 1, 89_000, () => {
      r.sql('SELECT * FROM books');
      for (let i = 0; i < 2 * N; i++) r.sql(`SELECT * FROM authors WHERE id = ${i}`);
      for (let i = 0; i < N; i++) r.call('shop.render', 'slow', 'shop/render.py', 1, 1500, () => r.sql(`SELECT * FROM pages WHERE id = ${i}`, 600));
    }),
  );
  for (let i = 0; i < N; i++) r.request('GET', '/ping', 1500, () => r.call('shop.ping', 'index', 'shop/ping.py', 1, 1));
  r.request('POST', '/count', 10, () => r.call('shop.ping', 'count', 'shop/ping.py', 4, 9, () => {
    for (let i = 0; i < N; i++) r.sql('UPDATE counters SET n = n + 1 WHERE id = 7', 0.001);
  }));
  r.request('GET', '/theme', 10, () => r.call('shop.ping', 'theme', 'shop/ping.py', 7, 9, () => {
    for (let i = 0; i < N; i++) r.sql("SELECT * FROM settings WHERE name = 'theme'", 0.001);
  }));
  return r.json();
}

describe('numbers for people', () => {
  // An N+1 from 1,500 repeats: the 1,200 repeats of one SELECT are a repeated query then.
  const config = resolveConfig({ nPlusOne: { warningCount: 1500, errorCount: 2000 } });
  const files = memoryFiles({ files: new Map([['shop/views.py', 'def index():\n    pass\n'], ['shop/render.py', 'def slow():\n    pass\n'], ['shop/ping.py', 'def index():\n    pass\n\ndef count():\n    pass\n\ndef theme():\n    pass\n']]) });
  const { trace, problems } = readRecording('tmp/appmap/big.generated.appmap.json', bigRecording());
  let index: SourceIndex;
  let summary: RecordingSummary;
  let snapshot: Snapshot;

  before(async () => {
    // With the parsers, so that hovers find the functions' definitions and show their tables.
    index = new SourceIndex(files, await loadParsers(), config);
    summary = summarize(trace, problems, index, config);
    snapshot = new Snapshot(new Map([[summary.recordingPath, summary]]));
  });

  it('writes every count of a thousand or more with separators: findings, diagnostics, hovers, lenses', () => {
    const findings = findingsIn(trace, index, config);
    // Each rule speaks, and of more than a thousand: the test can fail.
    assert.deepEqual([...new Set(findings.map((f) => f.rule))].sort(), ['n-plus-one', 'repeated-query', 'slow-call', 'slow-query', 'slow-request', 'too-many-queries']);
    assert.deepEqual(
      findings.map((f) => `${f.rule}: ${f.message}${f.detail ? ` (${f.detail})` : ''}`).sort(),
      [
        'n-plus-one: N+1: 2,400 queries in this function, exact line unknown (2,400 × authors)',
        'repeated-query: repeated query: the same query on settings ran 1,200 times with the same values',
        'slow-call: slow call: render#slow took 1.5 s (1,200 calls over 1.0 s)',
        'slow-query: slow query: 600 ms on pages (1,200 queries over 250 ms)',
        'slow-request: slow request: GET /books took 90 s',
        'slow-request: slow request: GET /ping took 1.5 s (1,200 requests over 1.0 s)',
        'too-many-queries: too many queries: GET /books ran 3,601 SQL queries (1,201 not counting N+1 findings)',
        'too-many-queries: too many queries: GET /theme ran 1,200 SQL queries',
        'too-many-queries: too many queries: POST /count ran 1,200 SQL queries',
      ],
    );
    for (const f of findings) checkNoBareCount(`the ${f.rule} finding`, `${f.message} ${f.detail ?? ''}`);
    for (const [file, d] of diagnosticsByFile(snapshot, index)) for (const f of d.findings) checkNoBareCount(`a diagnostic in ${file}`, f.message);
    for (const file of ['shop/views.py', 'shop/render.py', 'shop/ping.py']) {
      const lenses = codeLenses(snapshot, index, file);
      assert.ok(lenses.length > 0, file);
      for (const l of lenses) checkNoBareCount(`a lens in ${file}`, l.title);
      checkNoBareCount(`the hover in ${file}`, hoverAt(snapshot, index, file, 1) ?? '');
    }
    assert.match(hoverAt(snapshot, index, 'shop/render.py', 1) ?? '', /\| 1,200 \| /);
  });

  it('in the comparison and the Markdown report', () => {
    const before = baselineOf([]);
    const after = baselineOf([summary]);
    const c = compare(before, after, config.compare);
    for (const text of [compareText(c, { all: true }), compareMarkdown(c, { all: true })]) {
      checkNoBareCount('the comparison', text);
      assert.match(text, /1,200/);
    }
    const report = reportMarkdown(
      { title: 'numbers', nRecordings: 1, nProblems: 0, findings: findingsIn(trace, index, config), fixes: new Map(), current: after, functionLocations: new Map(), sourceText: () => undefined, comparison: { comparison: c, sources: { before: 'a', after: 'b' } } },
      { linkBase: '' },
    );
    checkNoBareCount('the Markdown report', report);
  });

  it('in the problems of a recording', () => {
    const events = [...Array(N)].map((_, i) => ({ id: 10_000 + i, event: 'return', thread_id: 1, parent_id: 5_000 + i, elapsed: 0.1 }));
    const read = readRecording('orphans.generated.appmap.json', JSON.stringify({ events }));
    assert.deepEqual(read.problems.map(formatProblem), ['orphans.generated.appmap.json: 1,200 return event(s) name a call that is not in the recording; ignored']);
    const deep = readRecording('deep.generated.appmap.json', `{"metadata":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}},"events":[]}`);
    for (const p of deep.problems) checkNoBareCount('a problem', p.message);
    assert.match(deep.problems.map((p) => p.message).join('\n'), /deeper than 10,000 levels/);
  });

  it('one function: formatCount, and formatNumber and formatPerCall for numbers with decimals', () => {
    assert.deepEqual([0, 999, 1000, 1500, 1234567, -1500, 999.5].map(formatCount), ['0', '999', '1,000', '1,500', '1,234,567', '-1,500', '1,000']);
    assert.deepEqual([20, 1500, 12.25, 1234.5678, 0.5].map(formatNumber), ['20', '1,500', '12.25', '1,234.5678', '0.5']);
    assert.deepEqual([1501, 1.5, 1234.56, 2.04].map(formatPerCall), ['1,501', '1.5', '1,234.6', '2.0']);
  });

  it('the HTML report\'s script counts as formatCount does', () => {
    const source = /^\s*function fmtCount\(n\) \{(.*)\}$/m.exec(reportClientScript());
    assert.ok(source, 'fmtCount in the client script');
    const fmtCount = new Function('n', source[1]) as (n: number) => string;
    for (const n of [0, 7, 999, 1000, 1500, 65_535, 1_234_567, 999.5, 1e9]) assert.equal(fmtCount(n), formatCount(n), String(n));
  });
});
