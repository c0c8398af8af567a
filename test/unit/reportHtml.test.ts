// The HTML report (`runlens report --format html`): its data model from the bookshop's real
// recordings (requests slowest first, the N+1 linked to its frames, SQL by shape), the folding of
// large and deep trees, and the page itself: self-contained (no reference outside the file) and
// escaped so that no recorded string can end a script. The page in a real browser is
// test/system/reportHtmlBrowser.test.ts.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { mergeFindings } from '../../server/src/core/findings/finding';
import { CONTENT_SECURITY_POLICY, InlineLibrary, renderHtml } from '../../server/src/core/report/html';
import { CompactTree, createSideBuilder, FrameKind, REPORT_LIMITS, ReportModel, reportModel } from '../../server/src/core/report/model';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { htmlReportModel, renderHtmlReportFromFiles } from '../../server/src/node/reportAssets';
import { memoryFiles } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';
import { AUTHORS_SQL, BOOKS_RECORDING, BOOKS_SQL, BOOKSHOP, RECORDINGS, REVIEWS_SQL, TAGS_SQL } from '../support/bookshop';


/** A tree as indented text: name, ×calls when more than one, SQL below, and kind when not a function. */
function renderTree(model: ReportModel, tree: CompactTree, options: { ms?: boolean } = {}): string {
  const depth: number[] = [];
  const lines: string[] = [];
  for (let i = 0; i < tree.name.length; i++) {
    depth[i] = tree.parent[i] === -1 ? 0 : depth[tree.parent[i]] + 1;
    const kind = tree.kind[i] === FrameKind.Function ? '' : ` [${['fn', 'sql', 'http', 'client', 'more', 'test'][tree.kind[i]]}]`;
    const calls = tree.calls[i] > 1 ? ` ×${tree.calls[i]}` : '';
    const sql = tree.kind[i] !== FrameKind.Sql && tree.sql[i] ? ` (${tree.sql[i]} SQL)` : '';
    const ms = options.ms ? ` ${tree.us[i] / 1000} ms` : '';
    lines.push(`${'  '.repeat(depth[i])}${model.strings[tree.name[i]]}${kind}${calls}${sql}${ms}`);
  }
  return lines.join('\n');
}

function dedent(s: string): string {
  const lines = s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Every reference a page makes outside itself: src=, href=, url( and @import with a scheme or `//`. */
function externalReferences(html: string): string[] {
  const refs = [
    ...html.matchAll(/\b(?:src|href)\s*=\s*["']?\s*([^"'\s>]*)/gi),
    ...html.matchAll(/url\(\s*["']?\s*([^"')\s]*)/gi),
    ...html.matchAll(/@import\s+["']?\s*([^"'\s;]*)/gi),
  ].map((m) => m[1]);
  return refs.filter((r) => /^([a-z][\w+.-]*:|\/\/)/i.test(r) && !/^data:/i.test(r));
}

/** The report's JSON, read back from the page as the browser will. */
function pageData(html: string): ReportModel {
  const m = /<script type="application\/json" id="runlens-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the page has its data block');
  return JSON.parse(m[1]) as ReportModel;
}

/** Side and model of recordings made in memory, with the rules' findings. */
function modelOf(recordings: RecordingBuilder[], limits: Partial<typeof REPORT_LIMITS> = {}): ReportModel {
  const config = resolveConfig({});
  const index = new SourceIndex(memoryFiles({ files: new Map() }), undefined, config);
  const side = createSideBuilder({ limits });
  const all = [];
  for (const [k, r] of recordings.entries()) {
    const { trace } = readRecording(`r${k}.generated.appmap.json`, r.json());
    const findings = findingsIn(trace, index, config);
    all.push(...findings);
    side.addRecording(trace, findings);
  }
  return reportModel({ title: 'test', after: side.finish(), findings: mergeFindings(all), problems: [] });
}

describe('HTML report', () => {
  describe('the bookshop', () => {
    let model: ReportModel;
    before(async () => {
      model = await htmlReportModel({ root: BOOKSHOP, recordings: [path.join(BOOKSHOP, RECORDINGS)], config: resolveConfig({}), title: 'bookshop' });
    });

    it('lists requests slowest first, with their time, SQL and calls', () => {
      assert.deepEqual(
        model.after.entries.map((e) => [e.id, e.kind, e.label, e.ms, e.sql, e.calls, e.recording]),
        [
          [0, 'request', 'GET /books', 530.759, 1402, 1604, BOOKS_RECORDING],
          [1, 'request', 'GET /authors', 13.308, 3, 5, 'tmp/appmap/mocha/bookshop/lists_the_authors_with_their_books.appmap.json'],
        ],
      );
      assert.equal(model.after.nEntries, 2);
      assert.deepEqual(model.after.unlisted, []);
      assert.deepEqual(model.notes, []);
    });

    it('embeds the merged tree of GET /books: 200 calls of books.present, its queries by shape', () => {
      assert.equal(
        renderTree(model, model.after.entries[0].merged!),
        dedent(`
          GET /books [http] (1402 SQL)
            books.listBooks (1402 SQL)
              PRAGMA table_info(\`Books\`) [sql]
              ${BOOKS_SQL} [sql]
              books.present ×200 (1400 SQL)
                PRAGMA table_info(\`Authors\`) [sql] ×200
                ${AUTHORS_SQL} [sql] ×200
                PRAGMA table_info(\`tags\`) [sql] ×200
                PRAGMA table_info(\`BookTags\`) [sql] ×200
                ${TAGS_SQL} [sql] ×200
                PRAGMA table_info(\`Reviews\`) [sql] ×200
                ${REVIEWS_SQL} [sql] ×200`),
      );
      const tree = model.after.entries[0].tree!;
      assert.equal(tree.name.length, 1604, 'every call, in call order');
      assert.equal(tree.folded, 0);
      assert.equal(model.strings[tree.name[4]], 'books.present');
      assert.equal(tree.parent[4], 1);
      assert.equal(model.locations[tree.name[1]], 'src/routes/books.js:20');
    });

    it('links the N+1 to books.listBooks and its 600 repeated queries', () => {
      assert.equal(model.findings.length, 1);
      const f = model.findings[0];
      assert.equal(`${f.path}:${f.line} ${f.message} in ${f.scope}`, 'src/routes/books.js:21 N+1: 600 queries from this query in GET /books');
      assert.equal(f.targets.length, 1);
      const t = f.targets[0];
      const entry = model.after.entries[t.entry];
      assert.equal(entry.label, 'GET /books');
      assert.deepEqual(entry.findings, [0]);
      // Merged: the function, and the three repeated shapes under books.present.
      assert.equal(t.mergedFocus, 1);
      assert.equal(model.strings[entry.merged!.name[1]], 'books.listBooks');
      assert.deepEqual(t.mergedFrames, [6, 9, 11]);
      assert.deepEqual(t.mergedFrames.map((i) => [model.strings[entry.merged!.name[i]], entry.merged!.calls[i]]), [[AUTHORS_SQL, 200], [TAGS_SQL, 200], [REVIEWS_SQL, 200]]);
      // In call order: the same function, and exactly the calls of those shapes.
      const tree = entry.tree!;
      assert.equal(t.focus, 1);
      assert.equal(model.strings[tree.name[t.focus]], 'books.listBooks');
      const expected = tree.name.map((n, i) => ([AUTHORS_SQL, TAGS_SQL, REVIEWS_SQL].includes(model.strings[n]) ? i : -1)).filter((i) => i >= 0);
      assert.equal(expected.length, 600);
      assert.deepEqual(t.frames, expected);
      assert.deepEqual(t.frames.slice(0, 3), [6, 9, 11]);
      assert.equal(t.nFrames, 600);
      assert.ok(t.frames.every((i) => model.strings[tree.name[tree.parent[i]]] === 'books.present'));
    });

    it('groups the SQL of each request by shape, the most time first', () => {
      const shapes = model.after.entries[0].sqlShapes.map((g) => [model.strings[g.shape], g.count]);
      assert.deepEqual(shapes, [
        ['PRAGMA table_info(`BookTags`)', 200],
        ['PRAGMA table_info(`tags`)', 200],
        ['PRAGMA table_info(`Reviews`)', 200],
        [REVIEWS_SQL, 200],
        ['PRAGMA table_info(`Authors`)', 200],
        [TAGS_SQL, 200],
        [AUTHORS_SQL, 200],
        [BOOKS_SQL, 1],
        ['PRAGMA table_info(`Books`)', 1],
      ]);
      assert.deepEqual(model.after.entries[0].sqlShapes[0], { shape: model.after.entries[0].sqlShapes[0].shape, count: 200, totalMs: 58.162, maxMs: 4.958 });
      assert.equal(model.after.entries[0].sqlShapes.reduce((n, g) => n + g.count, 0), 1402);
      assert.deepEqual(model.after.entries[0].moreSqlShapes, { shapes: 0, count: 0 });
    });
  });

  describe('the page', () => {
    let html: string;
    before(async () => {
      html = await renderHtmlReportFromFiles({ root: BOOKSHOP, recordings: [path.join(BOOKSHOP, RECORDINGS)], config: resolveConfig({}), title: 'bookshop <report>' });
    });

    it('refers to nothing outside itself, and its policy forbids fetching anything', () => {
      // The check itself finds what it must.
      assert.deepEqual(externalReferences('<img src="https://x.example/a.png"><a href=//cdn.example/x>x</a><style>b{background:url( "http://x.example/b")}</style>'), [
        'https://x.example/a.png',
        '//cdn.example/x',
        'http://x.example/b',
      ]);
      assert.deepEqual(externalReferences(html), []);
      assert.doesNotMatch(html, /<link\b|<script\b[^>]*\bsrc\s*=|<iframe\b|<img\b/i);
      assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`));
      assert.equal(CONTENT_SECURITY_POLICY, "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:");
      assert.ok(html.includes('<title>bookshop &#60;report&#62;</title>'));
    });

    it('inlines d3-flame-graph and the d3 modules it needs, each with its licence', () => {
      const notices = [...html.matchAll(/<script>\/\*! (\S+) (\S+) \((\S+)\), inlined by runlens/g)].map((m) => `${m[1]} ${m[3]}`);
      assert.deepEqual(notices, [
        'd3-array ISC', 'd3-color ISC', 'd3-dispatch ISC', 'd3-ease BSD-3-Clause', 'd3-format ISC', 'd3-interpolate ISC', 'd3-timer ISC', 'd3-time ISC',
        'd3-time-format ISC', 'd3-scale ISC', 'd3-selection ISC', 'd3-transition ISC', 'd3-hierarchy ISC', 'd3-flame-graph Apache-2.0',
      ]);
      assert.ok(html.includes('Apache License'), 'the Apache licence text of d3-flame-graph');
      assert.deepEqual(pageData(html).findings.map((f) => f.message), ['N+1: 600 queries from this query']);
    });
  });

  describe('escaping', () => {
    const EVIL = '</script><script>window.pwned=1</script><!--';

    it('keeps recorded strings with </script> inside the data, and library code inside its script', () => {
      const r = new RecordingBuilder({ name: `test ${EVIL}`, client: { name: 'runlens-test-builder' } });
      r.request('GET', `/x${EVIL}`, 10, () => r.call('app.Evil', `run${EVIL}`, 'app/evil.py', 1, 5, () => r.sql(`SELECT '${EVIL}' FROM t`, 1)));
      const model = modelOf([r]);
      const lib: InlineLibrary = { name: 'lib', version: '1.0.0', license: 'MIT', licenseText: 'MIT licence */ </script> <!--', code: 'var s = "</script><!--"; /* </SCRIPT> */' };
      const html = renderHtml(model, [lib]);
      const opens = (html.match(/<script\b/gi) ?? []).length;
      const closes = (html.match(/<\/script/gi) ?? []).length;
      assert.equal(opens, 3, 'data, the library, the page script');
      assert.equal(closes, opens, 'each script ends once, where it should');
      for (const body of html.split(/<script\b[^>]*>/i).slice(1).map((s) => s.split(/<\/script>/i)[0])) assert.doesNotMatch(body, /<!--/);
      const data = pageData(html);
      assert.ok(data.strings.includes(`app.Evil#run${EVIL}`));
      assert.ok(data.strings.includes(`SELECT ? FROM t`));
      assert.equal(data.after.entries[0].label, `GET /x${EVIL}`);
      assert.ok(html.includes('var s = "<\\/script><\\!--"; /* <\\/SCRIPT> */'), 'the same string to JavaScript');
    });
  });

  describe('requests, tests and findings', () => {
    it('lists a test when it ran code outside requests, and links an N+1 to the common parent of its queries', () => {
      const r = new RecordingBuilder({ name: 'lists books', client: { name: 'runlens-test-builder' } });
      r.call('tests.TestBooks', 'test_list', 'tests/test_books.py', 3, 100, () => {
        r.sql('SELECT * FROM users WHERE id = 1', 1);
        r.request('GET', '/books', 60, () => {
          r.sql('SELECT * FROM books', 2);
          r.call('app.Views', 'list', 'app/views.py', 10, 50, () => {
            for (let i = 0; i < 6; i++) r.call('app.Views', 'present', 'app/views.py', 20, 5, () => r.sql(`SELECT * FROM authors WHERE id = ${i}`, 1));
          });
        });
      });
      const model = modelOf([r]);
      assert.deepEqual(model.after.entries.map((e) => [e.kind, e.label, e.ms, e.sql, e.calls]), [
        ['test', 'lists books', 100, 8, 17],
        ['request', 'GET /books', 60, 7, 15],
      ]);
      assert.equal(
        renderTree(model, model.after.entries[0].merged!),
        dedent(`
          lists books [test] (8 SQL)
            tests.TestBooks#test_list (8 SQL)
              SELECT * FROM users WHERE id = ? [sql]
              GET /books [http] (7 SQL)
                SELECT * FROM books [sql]
                app.Views#list (6 SQL)
                  app.Views#present ×6 (6 SQL)
                    SELECT * FROM authors WHERE id = ? [sql] ×6`),
      );
      const f = model.findings.find((x) => x.rule === 'n-plus-one');
      assert.ok(f, JSON.stringify(model.findings.map((x) => x.message)));
      assert.equal(f.scope, 'GET /books');
      const [t] = f.targets;
      const entry = model.after.entries[t.entry];
      assert.equal(entry.label, 'GET /books');
      // No source here, so no function of the finding's own: the queries' common parent.
      assert.equal(model.strings[entry.tree!.name[t.focus]], 'app.Views#list');
      assert.deepEqual(t.frames.map((i) => model.strings[entry.tree!.name[i]]), Array(6).fill('SELECT * FROM authors WHERE id = ?'));
      assert.equal(model.strings[entry.merged!.name[t.mergedFocus]], 'app.Views#list');
      assert.deepEqual(t.mergedFrames.map((i) => `${model.strings[entry.merged!.name[i]]} ×${entry.merged!.calls[i]}`), ['SELECT * FROM authors WHERE id = ? ×6']);
    });
  });

  describe('large recordings', () => {
    it('folds the smallest frames past the budget into one frame per parent, keeping time, SQL and calls', () => {
      const r = new RecordingBuilder();
      r.request('GET', '/big', 300, () => {
        r.call('app.Views', 'list', 'app/views.py', 1, 250, () => {
          for (let i = 1; i <= 20; i++) r.sql(`SELECT * FROM t${i}`, i);
        });
        r.call('app.Views', 'log', 'app/views.py', 9, 30);
      });
      const model = modelOf([r], { framesPerTree: 6, mergedFramesPerTree: 6 });
      const entry = model.after.entries[0];
      assert.equal(
        renderTree(model, entry.tree!, { ms: true }),
        dedent(`
          GET /big [http] (20 SQL) 300 ms
            app.Views#list (20 SQL) 250 ms
              SELECT * FROM t18 [sql] 18 ms
              SELECT * FROM t19 [sql] 19 ms
              SELECT * FROM t20 [sql] 20 ms
              … 17 more calls (17 frames of 17 ms or less) [more] ×17 (17 SQL) 153 ms
            app.Views#log 30 ms`),
      );
      assert.equal(entry.tree!.folded, 17);
      assert.match(model.notes.join('\n'), /17 calls of the embedded trees are folded into "… more calls" frames/);
    });

    it('folds what is deeper than the depth limit, without recursion', () => {
      const depth = 20_000;
      const events: string[] = ['{"id":1,"event":"call","thread_id":1,"http_server_request":{"request_method":"GET","path_info":"/deep","normalized_path_info":"/deep"}}'];
      for (let d = 0; d < depth; d++) events.push(`{"id":${d + 2},"event":"call","thread_id":1,"defined_class":"app.Deep","method_id":"down","path":"app/deep.py","lineno":1,"static":false}`);
      for (let d = depth - 1; d >= 0; d--) events.push(`{"id":${depth + 2 + d},"event":"return","thread_id":1,"parent_id":${d + 2},"elapsed":0.001}`);
      events.push(`{"id":${2 * depth + 2},"event":"return","thread_id":1,"parent_id":1,"elapsed":0.002,"http_server_response":{"status_code":200}}`);
      const json = `{"version":"1.9","metadata":{"name":"deep"},"events":[${events.join(',')}],"classMap":[]}`;
      const { trace } = readRecording('deep.generated.appmap.json', json);
      const side = createSideBuilder();
      side.addRecording(trace, []);
      const model = reportModel({ title: 'deep', after: side.finish(), findings: [], problems: [] });
      for (const tree of [model.after.entries[0].tree!, model.after.entries[0].merged!]) {
        assert.equal(tree.name.length, REPORT_LIMITS.maxDepth + 2, 'the request, 400 levels and one folded frame');
        const last = tree.name.length - 1;
        assert.equal(tree.parent[last], last - 1);
        assert.equal(tree.kind[last], FrameKind.More);
        assert.equal(model.strings[tree.name[last]], '… 19,600 deeper calls not shown');
        assert.equal(tree.calls[last], depth - REPORT_LIMITS.maxDepth);
      }
    });

    it('lists the slowest requests one by one and sums up the rest per route', () => {
      const r = new RecordingBuilder();
      for (let i = 1; i <= 8; i++) r.request('GET', i % 2 ? '/odd' : '/even', i, () => r.sql('SELECT 1', 0.5));
      const model = modelOf([r], { listedEntries: 3, slowestTrees: 2 });
      assert.deepEqual(model.after.entries.map((e) => [e.label, e.ms, Boolean(e.tree)]), [['GET /even', 8, true], ['GET /odd', 7, true], ['GET /even', 6, false]]);
      assert.deepEqual(model.after.unlisted, [
        { kind: 'request', label: 'GET /odd', count: 3, totalMs: 9, maxMs: 5, sql: 3 },
        { kind: 'request', label: 'GET /even', count: 2, totalMs: 6, maxMs: 4, sql: 2 },
      ]);
      assert.deepEqual(model.notes, [
        '3 requests and tests of 8 are listed (the slowest); the others are summed up per route or test at the end of the list.',
        'Call trees are embedded for 2 requests and tests: the 2 slowest and those with findings.',
      ]);
    });
  });
});
