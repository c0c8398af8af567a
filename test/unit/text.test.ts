// Recorded text as it is written out (core/text.ts, core/markdown.ts): one escaping function per
// kind of output, each showing what was recorded and letting no recorded character start a line,
// end a table cell or a code block. And the editor's words (lens titles, hovers, diagnostics) on
// a recording whose route and names hold line breaks and terminal escapes.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { codeLenses } from '../../server/src/core/ide/codeLens';
import { hoverAt } from '../../server/src/core/ide/hover';
import { renderCallTree } from '../../server/src/core/ide/callTree';
import { summarize } from '../../server/src/core/index/summary';
import { Snapshot } from '../../server/src/core/index/workspaceIndex';
import { fencedBlock, htmlText, markdownCode, markdownCodeCell, markdownText } from '../../server/src/core/markdown';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { escapeLines, escapeText, isWellFormed } from '../../server/src/core/text';
import { loadParsers } from '../../server/src/node/treeSitter';
import { memoryFiles } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';

/** Characters no human output may hold as they are (a line break is allowed only where the output itself breaks lines). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('recorded text in outputs', () => {
  it('plain text: every control character, separator, bidi override and lone surrogate as a visible escape; the rest as written', () => {
    const cases: [string, string][] = [
      ['GET /x\n::error file=a.py,line=1::forged', 'GET /x\\n::error file=a.py,line=1::forged'],
      ['a\r\nb\tc', 'a\\r\\nb\\tc'],
      ['\u001b[31mred\u001b[0m', '\\u001b[31mred\\u001b[0m'],
      ['\u0000\u0007\u007f\u0085\u009b', '\\u0000\\u0007\\u007f\\u0085\\u009b'],
      ['a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
      ['admin\u202e\u2066txt.exe\u2069\u200e\u061c', 'admin\\u202e\\u2066txt.exe\\u2069\\u200e\\u061c'],
      ['caf\udce9.py \ud800', 'caf\\udce9.py \\ud800'],
      // Kept: printable text of any script, emoji (surrogate pairs), backslashes, Windows paths.
      ['café 💥 ünïcödé 日本 C:\\x\\y.py \\n', 'café 💥 ünïcödé 日本 C:\\x\\y.py \\n'],
    ];
    for (const [recorded, shown] of cases) assert.equal(escapeText(recorded), shown, JSON.stringify(recorded));
    assert.deepEqual([isWellFormed('caf\udce9.py'), isWellFormed('\ud800'), isWellFormed('💥 café'), isWellFormed('')], [false, false, true, true]);
  });

  it('text on several lines keeps its line breaks and tabs; a lone \\r, which ends a line for CommonMark and for log readers, is escaped', () => {
    assert.equal(escapeLines('SELECT 1\r\nFROM t\tWHERE\ra\u001b'), 'SELECT 1\nFROM t\tWHERE\\ra\\u001b');
    assert.deepEqual(fencedBlock('SELECT `a`\r\n::stop-commands::x\u001b', 'sql'), ['```sql', 'SELECT `a`', '::stop-commands::x\\u001b', '```']);
  });

  it('Markdown: prose escapes its special characters and line breaks; a code span shows any text on one line; a cell escapes pipes; a summary is HTML', () => {
    assert.equal(markdownText('GET /a|b\n::error *x* <b> `c`'), 'GET /a\\|b\\\\n::error \\*x\\* \\<b\\> \\`c\\`');
    assert.equal(markdownCode('SELECT `x` FROM "t\n::y"'), '`` SELECT `x` FROM "t\\n::y" ``');
    assert.equal(markdownCodeCell('a|b'), '`a\\|b`');
    assert.equal(htmlText('a.py:1: <b> & \n::error'), 'a.py:1: &lt;b&gt; &amp; \\n::error');
    for (const out of [markdownText, markdownCode, markdownCodeCell, htmlText].map((f) => f('x\r\n\u001b\u2028y'))) assert.ok(!RAW_CONTROL.test(out) && !out.includes('\n'), out);
  });

  it('the editor: a route and names with line breaks and escapes stay on their line in lenses, hovers and call trees', async () => {
    const r = new RecordingBuilder({ name: 'test\n::error::forged', client: { name: 'runlens-test-builder' } });
    r.request('GET', '/x\n::error file=a.py,line=1::forged\u001b[2J', 1500, () => r.call('app.views', 'show', 'app/views.py', 1, 1200, () => r.sql('SELECT 1 FROM "t\n::add-mask::x"')));
    const config = resolveConfig({});
    const index = new SourceIndex(memoryFiles({ files: new Map([['app/views.py', 'def show():\n    pass\n']]) }), await loadParsers(), config);
    const { trace, problems } = readRecording('r.generated.appmap.json', r.json());
    const summary = summarize(trace, problems, index, config);
    const snapshot = new Snapshot(new Map([[summary.recordingPath, summary]]));
    assert.deepEqual(codeLenses(snapshot, index, 'app/views.py').map((l) => l.title), ['GET /x\\n::error file=a.py,line=1::forged\\u001b[2J · 1.5 s · 1 SQL', '1.2 s · 1 call · 1 SQL']);
    const hover = hoverAt(snapshot, index, 'app/views.py', 1) ?? '';
    for (const line of [
      '**slow request: GET /x\\n::error file=a.py,line=1::forged\\u001b[2J took 1.5 s** `slow-request` (warning)',
      'In GET /x\\n::error file=a.py,line=1::forged\\u001b[2J, seen in 1 recording.',
      'Handles GET /x\\n::error file=a.py,line=1::forged\\u001b[2J · 1.5 s · 1 SQL',
      '**Recorded in** test\\n::error::forged (`r.generated.appmap.json`)',
      '**Slowest path** (1.2 s): GET /x\\n::error file=a.py,line=1::forged\\u001b[2J → views#show',
    ]) assert.ok(hover.split('\n').includes(line), `${line} is not a line of the hover:\n${hover}`);
    assert.ok(!RAW_CONTROL.test(hover), hover);
    // The query itself, in its code block, keeps its line break: a hover is no CI log.
    assert.ok(hover.includes('```sql\nSELECT ? FROM "t\n::add-mask::x"\n```'), hover);
    const tree = renderCallTree(trace, { maxLines: 10 }) ?? '';
    assert.ok(!RAW_CONTROL.test(tree) && tree.split('\n').every((l) => !l.startsWith('::')), tree);
    assert.equal(tree.split('\n').length, 4, tree);
  });
});
