// The HTML report (`runlens report --format html`) in real headless Chromium, offline and with
// every request but the file itself aborted: the bookshop's page draws the flame graph of
// GET /books, zooms into a frame on click, shows a frame's numbers on hover, links the N+1 finding
// to its frames, highlights search matches and expands the call tree lazily; the page of the
// bookshop before and after its fix shows both flame graphs side by side and the comparison; a
// recording whose strings hold `</script>` runs no injected script. Screenshots are written to
// $RUNLENS_TEST_ARTIFACTS when set, else to the test's temporary folder (removed afterwards); the
// test prints where. Without Chromium it is skipped, naming why, except under CI, where it fails
// (test/setup.sh installs Chromium), as in editors.test.ts.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { resolveConfig } from '../../server/src/core/config';
import { renderHtmlReportFromFiles } from '../../server/src/node/reportAssets';
import { RecordingBuilder } from '../support/recordingBuilder';
import { AUTHORS_SQL, BOOKS_RECORDING, BOOKS_SQL, BOOKSHOP, BOOKSHOP_FIXED, RECORDINGS, REVIEWS_SQL, TAGS_SQL } from '../support/bookshop';
import { traceStats } from '../../server/src/core/analysis/stats';
import { readRecordingFile } from '../../server/src/node/readRecordingFile';
import { runlens } from '../support/cli';
import { MEETUPS } from '../support/meetups';
import { REPO } from '../support/corpus';
import { writeNPlusOneRecording } from '../bench/generate';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Every wait in the page is bounded by this. */
const STEP_MS = 60_000;


// Functions passed to the page run in the browser; this project compiles without the DOM library.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One browser profile for the whole file, in a throw-away folder. */
interface Session {
  tmp: string;
  artifacts: string;
  context: BrowserContext;
  /** Every URL the pages asked for, the file itself included. */
  requests: string[];
  errors: string[];
}

describe('HTML report in headless Chromium', function () {
  this.timeout(300_000);
  let session: Session | undefined;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      // CI installs Chromium (test/setup.sh): there, a missing one is a failure.
      if (process.env.CI) throw new Error(`no ${CHROMIUM}; test/setup.sh installs it`);
      console.log(`      skipped: no ${CHROMIUM} (test/setup.sh installs it)`);
      this.skip();
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-html-'));
    const artifacts = process.env.RUNLENS_TEST_ARTIFACTS ? path.resolve(process.env.RUNLENS_TEST_ARTIFACTS) : tmp;
    fs.mkdirSync(artifacts, { recursive: true });
    const { chromium } = await import('playwright-core');
    const requests: string[] = [];
    const errors: string[] = [];
    let context: BrowserContext;
    try {
      context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        offline: true,
        viewport: { width: 1400, height: 1000 },
        timeout: 120_000,
      });
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    session = { tmp, artifacts, context, requests, errors };
    context.setDefaultTimeout(STEP_MS);
    // Nothing but the report file itself may be loaded: everything else is aborted, and noted.
    await context.route('**', (route) => (route.request().url().startsWith('file://') && route.request().url().endsWith('.html') ? route.continue() : route.abort()));
    context.on('request', (r) => requests.push(r.url()));
  });

  after(async () => {
    if (!session) return;
    const { context, tmp, artifacts } = session;
    // Bounded: a browser that does not close in time is left to Playwright's exit handler.
    await Promise.race([context.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    // Screenshots kept only when RUNLENS_TEST_ARTIFACTS names a folder outside it.
    void artifacts;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('the bookshop', () => {
    let page: Page;
    let file: string;
    before(async function () {
      if (!session) this.skip();
      // Links relative from the page's folder to the project, as `runlens report -o` makes them.
      const linkBase = path.relative(session!.tmp, BOOKSHOP).split(path.sep).join('/') + '/';
      const html = await renderHtmlReportFromFiles({ root: BOOKSHOP, recordings: [path.join(BOOKSHOP, RECORDINGS)], config: resolveConfig({}), title: 'bookshop', linkBase });
      file = path.join(session!.tmp, 'bookshop.html');
      fs.writeFileSync(file, html);
      page = await open(session!, file);
    });

    it('lists the requests slowest first and draws the flame graph of GET /books', async () => {
      assert.deepEqual(await page.locator('#entries li').evaluateAll((lis) => lis.map((li) => li.querySelector('.label')!.textContent + ' | ' + li.querySelector('.meta')!.textContent)), [
        'GET /books | 531 ms · 1,402 SQL 1 finding',
        'GET /authors | 13 ms · 3 SQL ',
      ]);
      assert.equal(await page.textContent('#entry-title'), 'GET /books');
      assert.equal(await page.textContent('#entry-facts'), '531 ms · 1,402 SQL queries · 1 finding · 1,604 calls');
      for (const name of ['GET /books', 'books.listBooks', 'books.present', AUTHORS_SQL]) assert.equal(await frames(page, `[name="${cssString(name)}"]`).count(), 1, name);
      const graph = await graphWidth(page);
      assert.ok(Math.abs((await frameWidth(page, 'GET /books')) - graph) < 1, 'the request spans the graph');
    });

    it('draws the first paint whole: every frame at its width and labelled, with no transition to wait for', async () => {
      const fresh = await session!.context.newPage();
      await fresh.goto(`file://${file}`, { waitUntil: 'load' });
      await fresh.waitForSelector('body[data-rendered-ms]');
      // Checked at once (no waiting for the frames to settle): what a screenshot right after load shows.
      const unfinished = await fresh.evaluate(() =>
        [...document.querySelectorAll('.graph g.frame')]
          .filter((g) => g.querySelector('rect').getAttribute('width') !== g.getAttribute('width') || (Number(g.getAttribute('width')) >= 35 && g.querySelector('foreignObject div').textContent !== g.getAttribute('name')))
          .map((g) => g.getAttribute('name')),
      );
      assert.deepEqual(unfinished, []);
      await screenshot(fresh, session!, 'report-bookshop-loaded.png');
      await fresh.close();
    });

    it('draws each frame as wide as its recorded time, as tall as the tree is deep, and left-heavy on demand', async () => {
      // Widths: the time of each frame as the page's data holds it (the call tree and the hover say the same), to the pixel.
      const widths = await page.evaluate(() => {
        const data = JSON.parse(document.getElementById('runlens-data').textContent);
        const tree = data.after.entries[0].merged;
        const svg = document.querySelector('.graph[data-side="after"] svg');
        const graph = Number(svg.getAttribute('width'));
        return [...svg.querySelectorAll('g.frame')].map((g) => {
          const id = Number(g.getAttribute('data-id'));
          return { name: g.getAttribute('name'), px: Number(g.querySelector('rect').getAttribute('width')), expected: (graph * tree.us[id]) / tree.us[0], over: g.getAttribute('data-over') };
        });
      });
      assert.ok(widths.length >= 9, `${widths.length} frames`);
      for (const w of widths) assert.ok(Math.abs(w.px - w.expected) < 0.01, `${w.name}: ${w.px} px for ${w.expected}`);
      assert.deepEqual(widths.filter((w) => w.over).map((w) => w.name), [], 'no frame of the merged GET /books has children longer than itself');
      assert.ok(Math.abs(widths.find((w) => w.name === 'books.present')!.px / widths[0].px - 497.4 / 530.8) < 0.001, 'books.present: 497 ms of 531');
      // Height: the library's depth + 3 rows of 20 px, at least 8 rows (GET /books is 4 deep).
      assert.equal(await page.getAttribute('.graph[data-side="after"] svg', 'height'), '160');
      // Left-heavy: books.present, the heaviest child of books.listBooks, comes first, left of the queries run before it.
      const xOf = async (name: string) => Number(/translate\(([\d.]+)/.exec((await frames(page, `[name="${cssString(name)}"]`).getAttribute('transform'))!)![1]);
      assert.ok((await xOf('books.present')) > (await xOf(BOOKS_SQL)), 'in call order, books.present comes after the query of the books');
      await page.check('#left-heavy');
      await settled(page);
      assert.ok(Math.abs((await xOf('books.present')) - (await xOf('books.listBooks'))) < 0.01, 'left-heavy: books.present starts where books.listBooks does');
      assert.ok((await xOf(BOOKS_SQL)) > (await xOf('books.present')), 'left-heavy: the query of the books after it');
      await screenshot(page, session!, 'report-bookshop-left-heavy.png');
      await page.uncheck('#left-heavy');
      await settled(page);
    });

    it('lists functions and SQL shapes by self time with the numbers of the command line, and the picked one\'s callers and callees', async () => {
      const rows = await page.locator('#sandwich-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({ name: tr.getAttribute('data-name'), kind: tr.getAttribute('data-kind'), selfUs: Number(tr.getAttribute('data-self-us')), totalUs: Number(tr.getAttribute('data-total-us')), calls: Number(tr.getAttribute('data-calls')) })),
      );
      // The statistics the command line, the hover and the baseline count (core/analysis/stats.ts), of GET /books's recording.
      const read = await readRecordingFile(path.join(BOOKSHOP, BOOKS_RECORDING), BOOKS_RECORDING);
      const stats = traceStats(read.trace!);
      const expected = [
        ...[...stats.functions.values()].map((f) => ({ name: f.key, kind: 'function', selfMs: f.selfMs, totalMs: f.totalMs, calls: f.nCalls })),
        ...[...stats.sqlShapes.values()].map((q) => ({ name: q.shape, kind: 'SQL query', selfMs: q.totalMs, totalMs: q.totalMs, calls: q.nCalls })),
      ];
      assert.deepEqual(rows.map((r) => `${r.kind} ${r.name} ×${r.calls}`).sort(), expected.map((e) => `${e.kind} ${e.name} ×${e.calls}`).sort());
      // The page holds times in whole microseconds: each call's rounding may add half of one.
      for (const r of rows) {
        const e = expected.find((x) => x.name === r.name)!;
        const slack = 0.0005 * r.calls * 8;
        assert.ok(Math.abs(r.selfUs / 1000 - e.selfMs) <= slack, `${r.name}: self ${r.selfUs / 1000} ms, the statistics ${e.selfMs} ms`);
        assert.ok(Math.abs(r.totalUs / 1000 - e.totalMs) <= slack, `${r.name}: total ${r.totalUs / 1000} ms, the statistics ${e.totalMs} ms`);
      }
      assert.deepEqual(rows.slice(0, 4).map((r) => r.name), ['books.present', 'PRAGMA table_info(`BookTags`)', 'PRAGMA table_info(`tags`)', 'books.listBooks']);
      // And as `runlens baseline save` writes them (3 significant digits).
      const run = runlens(['baseline', 'save', '--root', BOOKSHOP, '-o', '-'], BOOKSHOP);
      const baseline = JSON.parse(run.stdout) as { functions: Record<string, { calls: number; totalMs: number }> };
      for (const key of ['books.listBooks', 'books.present']) {
        const r = rows.find((x) => x.name === key)!;
        assert.equal(r.calls, baseline.functions[key].calls, key);
        assert.equal(Number((r.totalUs / 1000).toPrecision(3)), baseline.functions[key].totalMs, key);
      }
      // Picked: books.present, called by books.listBooks, calling the N+1's queries.
      await page.click('#sandwich-table button.pick >> text="books.present"');
      assert.deepEqual(await page.locator('#sandwich-detail table.sandwich-callers tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent).join(' | '))), ['books.listBooks | 497 ms | 200']);
      assert.deepEqual(await page.locator('#sandwich-detail table.sandwich-callees tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-name'))).then((n) => n.sort()), [
        AUTHORS_SQL, REVIEWS_SQL, TAGS_SQL, 'PRAGMA table_info(`Authors`)', 'PRAGMA table_info(`BookTags`)', 'PRAGMA table_info(`Reviews`)', 'PRAGMA table_info(`tags`)',
      ].sort());
      await screenshot(page, session!, 'report-bookshop-sandwich.png', '#sandwich');
    });

    it('draws the timeline of GET /books: the N+1 as one long row of queries, and the queries that ran at once on a lane of their own', async () => {
      const rects = await page.locator('#timeline rect').evaluateAll((rs) => rs.map((r) => ({ lane: Number(r.getAttribute('data-lane')), kind: r.getAttribute('data-kind'), name: r.getAttribute('data-name') })));
      const byLane = new Map<number, Set<string>>();
      for (const r of rects) byLane.set(r.lane, new Set([...(byLane.get(r.lane) ?? []), r.kind!]));
      assert.deepEqual([...byLane.entries()].map(([lane, kinds]) => `${lane}: ${[...kinds].sort().join(', ')}`), ['0: HTTP request', '1: function', '2: SQL query, function', '3: SQL query', '4: SQL query']);
      // Sequelize describes a many-to-many's two tables at once: each PRAGMA of BookTags starts while that of tags runs (the recording's events say so), on a lane of its own.
      assert.deepEqual([...new Set(rects.filter((r) => r.lane === 4).map((r) => r.name))], ['PRAGMA table_info(`BookTags`)']);
      assert.equal(rects.filter((r) => r.lane === 4).length, 200);
      assert.equal(rects.filter((r) => r.name === 'books.present').length, 200);
      assert.ok(rects.filter((r) => r.name === 'books.present').every((r) => r.lane === 2), 'the 200 calls of books.present one after the other');
      await screenshot(page, session!, 'report-bookshop-timeline.png', '#timeline');
    });

    it('shows the numbers of the frame under the mouse', async () => {
      await frames(page, '[name="books.listBooks"]').hover();
      assert.equal(await page.textContent('.graph + .details'), 'books.listBooks · 529 ms (99.6%) · self 30.7 ms · 1 call · 1,402 SQL queries under it · src/routes/books.js:20');
    });

    it('zooms into a frame on click, and back through the breadcrumbs', async () => {
      const graph = await graphWidth(page);
      const before = await frameWidth(page, 'books.present');
      assert.ok(before < graph * 0.99, `books.present does not fill the graph before the click (${before} of ${graph})`);
      await frames(page, '[name="books.present"]').click();
      await settled(page);
      assert.ok(Math.abs((await frameWidth(page, 'books.present')) - graph) < 1, 'books.present fills the graph');
      assert.equal(await crumbs(page), 'GET /books › books.listBooks › books.present');
      assert.equal(await page.getAttribute('.crumb.current', 'title').then((t) => t?.split(' · ')[0]), 'books.present');
      await page.click('.crumb[data-id="0"]');
      await settled(page);
      assert.equal(await frameWidth(page, 'books.present'), before);
      assert.equal(await crumbs(page), 'GET /books');
    });

    it('shows each finding with its place linked, its fix as a diff, its repeated queries and a button for its frames', async () => {
      const finding = page.locator('#findings li.finding');
      assert.equal(await finding.count(), 1);
      // The place and the fix link to the file's line, relative to the page: they resolve to the project's file.
      const target = `file://${path.join(BOOKSHOP, 'src/routes/books.js')}#L21`;
      assert.deepEqual(await finding.locator('a.place').evaluateAll((as) => as.map((a) => [a.textContent, a.href])), [
        ['src/routes/books.js:21', target],
        ['src/routes/books.js:21-23', target],
      ]);
      // The diff is the Markdown report's (core/report/markdown.ts editDiff).
      assert.deepEqual(await finding.locator('pre.diff > span').evaluateAll((ss) => ss.map((x) => `${x.className} ${x.textContent}`)), [
        'del -  const books = await Book.findAll({',
        "del -    order: [['id', 'ASC']],",
        'del -  });',
        'add +  const books = await Book.findAll({',
        "add +    order: [['id', 'ASC']],",
        "add +    include: ['author', 'Tags', 'Reviews'],",
        'add +  });',
      ]);
      assert.deepEqual(await finding.locator('table.related tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent).join(' | '))), [
        `200 | ${AUTHORS_SQL}`,
        `200 | ${TAGS_SQL}`,
        `200 | ${REVIEWS_SQL}`,
      ]);
      assert.equal(await finding.locator('button.show-frames').textContent(), 'Show its 600 frames in GET /books');
      await screenshot(page, session!, 'report-bookshop-finding.png', '#findings');
    });

    it('links the N+1 finding to books.listBooks and its repeated queries', async () => {
      await page.click('#findings button.show-frames');
      await settled(page);
      assert.equal(await page.getAttribute('.graph[data-side="after"]', 'data-zoomed'), '1');
      assert.ok(Math.abs((await frameWidth(page, 'books.listBooks')) - (await graphWidth(page))) < 1, 'books.listBooks fills the graph');
      assert.equal(await crumbs(page), 'GET /books › books.listBooks');
      assert.deepEqual(await frames(page, '[data-mark="finding"]').evaluateAll((gs) => gs.map((g) => g.getAttribute('name'))), [AUTHORS_SQL, TAGS_SQL, REVIEWS_SQL]);
      assert.equal(
        await page.textContent('#finding-info'),
        'N+1: 600 queries from this query (200 × Authors, 200 × tags, 200 × Reviews): zoomed to books.listBooks; its queries in red (merged into 3 frames).',
      );
      // The call tree is opened down to them, and the zoomed frame is selected.
      assert.deepEqual(await page.locator('#calltree li[data-mark="finding"] > .row .name').allTextContents(), [AUTHORS_SQL, TAGS_SQL, REVIEWS_SQL]);
      assert.equal(await page.textContent('#calltree li[aria-selected="true"] > .row .name'), 'books.listBooks');
      await screenshot(page, session!, 'report-bookshop.png');
    });

    it('highlights the frames whose name matches the search', async () => {
      // Choosing the request again clears the finding's marks.
      await page.click('#entries li[data-entry="0"] button');
      await settled(page);
      await page.fill('#search', 'reviews');
      await page.waitForFunction(() => document.querySelectorAll('.graph g.frame[data-mark="search"]').length > 0, undefined, { timeout: STEP_MS });
      assert.deepEqual(await frames(page, '[data-mark="search"]').evaluateAll((gs) => gs.map((g) => g.getAttribute('name'))), ['PRAGMA table_info(`Reviews`)', REVIEWS_SQL]);
      assert.equal(await page.textContent('#search-info'), 'matches: 2 frames, 47 ms');
      await page.fill('#search', '');
      await page.waitForFunction(() => document.querySelectorAll('.graph g.frame[data-mark="search"]').length === 0, undefined, { timeout: STEP_MS });
    });

    it('expands the call tree one level at a time, children rendered when opened', async () => {
      await page.click('#entries li[data-entry="0"] button');
      const listBooks = page.locator('#calltree li[data-id="1"]');
      assert.equal(await listBooks.getAttribute('aria-expanded'), 'false');
      assert.equal(await listBooks.locator('ul').count(), 0, 'no children rendered before it is opened');
      await listBooks.locator('> .row .twisty').click();
      assert.deepEqual(await listBooks.locator('> ul > li > .row .name').allTextContents(), ['PRAGMA table_info(`Books`)', 'SELECT `id`, `title`, `year`, `price`, `createdAt`, `updatedAt`, `authorId` FROM `Books` AS `Book` ORDER BY `Book`.`id` ASC', 'books.present']);
      assert.equal(await listBooks.locator('> ul > li[data-id="4"] > .row .nums').textContent(), '497 msself 304 ms1,400 SQL×200');
      // In call order: 202 children, the first 200 rendered, the rest on demand.
      await page.click('#merge');
      const inOrder = page.locator('#calltree li[data-id="1"]');
      await inOrder.locator('> .row .twisty').click();
      assert.equal(await inOrder.locator('> ul > li[role="treeitem"]').count(), 200);
      await inOrder.locator('> ul > li.more button').click();
      assert.equal(await inOrder.locator('> ul > li[role="treeitem"]').count(), 202);
      assert.equal(await inOrder.locator('> ul > li.more').count(), 0);
      await inOrder.locator('> .row .twisty').click();
      assert.equal(await inOrder.getAttribute('aria-expanded'), 'false');
      await page.click('#merge');
    });

    it('is driven from the keyboard: / to the search, j and k between requests, Escape resets the zoom, arrows in the call tree', async () => {
      await page.click('#entries li[data-entry="0"] button');
      await page.keyboard.press('Escape');
      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search');
      await page.keyboard.press('Escape');
      await page.keyboard.press('j');
      assert.equal(await page.textContent('#entry-title'), 'GET /authors');
      await page.keyboard.press('k');
      assert.equal(await page.textContent('#entry-title'), 'GET /books');
      await settled(page);
      await frames(page, '[name="books.present"]').click();
      await settled(page);
      assert.equal(await crumbs(page), 'GET /books › books.listBooks › books.present');
      await page.keyboard.press('Escape');
      await settled(page);
      assert.equal(await crumbs(page), 'GET /books');
      // The call tree: → opens books.listBooks, → again goes to its first child, ↓ to the next, ← to the parent, ← closes it.
      await page.focus('#calltree li[data-id="1"] > .row .name');
      const focused = () => page.evaluate(() => document.activeElement.closest('li').getAttribute('data-id') + ' ' + document.activeElement.textContent);
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.getAttribute('#calltree li[data-id="1"]', 'aria-expanded'), 'true');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focused(), '2 PRAGMA table_info(`Books`)');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), `3 ${BOOKS_SQL}`);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await focused(), '1 books.listBooks');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.getAttribute('#calltree li[data-id="1"]', 'aria-expanded'), 'false');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focused(), '0 GET /books');
    });

    it('follows the system into dark mode', async () => {
      const colours = () => page.evaluate(() => [window.getComputedStyle(document.body).backgroundColor, window.getComputedStyle(document.querySelector('.entry-head')).color]);
      assert.deepEqual(await colours(), ['rgb(250, 250, 250)', 'rgb(29, 29, 31)']);
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.deepEqual(await colours(), ['rgb(22, 22, 22)', 'rgb(230, 230, 230)']);
      await screenshot(page, session!, 'report-bookshop-dark.png');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('prints the header, the headline and the findings on one page, without the interactive views', async () => {
      await page.emulateMedia({ media: 'print' });
      const shown = await page.evaluate(() => ['#headline', '#findings', '.finding pre.diff', '.sidebar', '#graphs', '#calltree', '#sandwich', '#sql', '.toolbar'].map((sel) => `${sel} ${document.querySelector(sel).offsetParent !== null}`));
      assert.deepEqual(shown, ['#headline true', '#findings true', '.finding pre.diff true', '.sidebar false', '#graphs false', '#calltree false', '#sandwich false', '#sql false', '.toolbar false']);
      await screenshot(page, session!, 'report-bookshop-print.png');
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      fs.writeFileSync(path.join(session!.artifacts, 'report-bookshop-print.pdf'), pdf);
      assert.equal(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length, 1, 'one page');
      await page.emulateMedia({ media: 'screen' });
    });

    it('loaded nothing but the file, and ran without errors, in its size budget', () => {
      assert.deepEqual(session!.errors, []);
      assert.deepEqual([...new Set(session!.requests)], [`file://${file}`]);
      // The budget of the bookshop's page (server/docs/reports.md): about 150 KB of it is the flame graph library with its licences.
      const size = fs.statSync(file).size;
      assert.ok(size <= 260 * 1024, `${size} bytes`);
    });
  });

  describe('the bookshop before and after its fix', () => {
    let page: Page;
    before(async function () {
      if (!session) this.skip();
      const html = await renderHtmlReportFromFiles({
        root: BOOKSHOP, // the project: the fixed twin holds only the changed file
        recordings: [path.join(BOOKSHOP_FIXED, RECORDINGS)],
        before: { recordings: [path.join(BOOKSHOP, RECORDINGS)] },
        config: resolveConfig({}),
        title: 'bookshop, before and after',
      });
      const file = path.join(session!.tmp, 'bookshop-compare.html');
      fs.writeFileSync(file, html);
      page = await open(session!, file);
    });

    it('puts the change first, in large type: the headline with its verdict and noise line, then the findings', async () => {
      await screenshot(page, session!, 'report-bookshop-compare-loaded.png');
      assert.equal(await page.textContent('#headline'), 'GET /books 531 ms → 172 ms, SQL 1,402 → 7, N+1 resolved');
      assert.equal(await page.textContent('#entry-verdict'), 'No regression.');
      assert.equal(await page.textContent('#noise'), 'time −359 ms (−68%) · noise: 1 sample each');
      assert.equal(await page.textContent('#entry-facts'), '172 ms · 7 SQL queries · no findings · 209 calls');
      assert.equal(await page.textContent('#page-verdict'), 'Since before: no regression, 1 finding resolved, 0 new.');
      assert.equal(await page.textContent('#sources'), 'before: 2 recordings · after: 2 recordings');
      const top = async (selector: string) => (await page.locator(selector).boundingBox())!.y;
      assert.ok((await top('#headline')) < (await top('#findings')), 'the headline is above the findings');
      assert.ok((await top('#findings')) < (await top('#graphs')), 'the findings are above the graphs');
      assert.ok((await top('#headline')) < 200, 'the headline is at the top of the page');
      const size = await page.locator('#headline').evaluate((e) => parseFloat(window.getComputedStyle(e).fontSize));
      assert.ok(size >= 24, `the headline is in large type (${size}px)`);
      // The other request has its own header, with its own change.
      await page.click('#entries li[data-entry="1"] button');
      assert.equal(await page.textContent('#headline'), 'GET /authors 13 ms → 21 ms, SQL 3 → 3');
      await page.click('#entries li[data-entry="0"] button');
      await settled(page);
    });

    it('draws GET /books before and after side by side, to one scale', async () => {
      assert.deepEqual(await page.locator('.side > h3').allTextContents(), ['Before: 531 ms · 1,402 SQL queries', 'After: 172 ms · 7 SQL queries']);
      // books.present runs 200 times on both sides; its queries only before the fix.
      for (const side of ['before', 'after'] as const) assert.equal(await frames(page, '[name="books.present"]', side).count(), 1, side);
      assert.equal(await frames(page, `[name="${cssString(AUTHORS_SQL)}"]`, 'before').count(), 1);
      assert.equal(await frames(page, `[name="${cssString(AUTHORS_SQL)}"]`, 'after').count(), 0);
      const before = await frameWidth(page, 'GET /books', 'before');
      const after = await frameWidth(page, 'GET /books', 'after');
      const ratio = after / before;
      assert.ok(Math.abs(ratio - 172.3 / 530.8) < 0.02, `after/before width ${ratio}`);
    });

    it('shows the comparison: GET /books faster, 1,402 → 7 queries, the N+1 resolved', async () => {
      const rows = await page.locator('#comparison table.compare tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent).join(' | ')));
      assert.ok(rows.includes('GET /books | 531 ms → 172 ms | −359 ms (−68%) | 1,402 → 7 (−1,395) | 1 | 1 sample each'), rows.join('\n'));
      // Both sides are placed in the current (fixed) source, where the old N+1's query is gone: its function remains.
      assert.equal(await page.textContent('#comparison .finding-changes'), 'resolved src/routes/books.js:21 error N+1: 600 queries from this query [n-plus-one]');
      assert.equal(await page.textContent('#comparison .verdict'), 'No regression.');
      await screenshot(page, session!, 'report-bookshop-compare.png');
    });
  });

  describe('a GENERATED N+1 of 50,000 rows (the benchmark\'s, 56 MB, 150,004 calls in one request)', () => {
    it('shows its header, its finding with the fix, and the render frame whose queries add up to more than its time, marked', async function () {
      if (!session) this.skip();
      const recording = path.join(session!.tmp, 'n-plus-one-50000.generated.appmap.json');
      writeNPlusOneRecording(recording, 50_000);
      const file = path.join(session!.tmp, 'n-plus-one-50000.html');
      fs.writeFileSync(file, await renderHtmlReportFromFiles({ root: MEETUPS, recordings: [recording], config: resolveConfig({}), title: 'generated N+1, 50,000 rows', linkBase: '' }));
      fs.rmSync(recording);
      const page = await open(session!, file);
      await screenshot(page, session!, 'report-n-plus-one-50000.png');
      assert.equal(await page.textContent('#headline'), 'GET /meetings/past/');
      assert.equal(await page.textContent('#entry-facts'), '420 ms · 150,001 SQL queries · 1 finding · 150,004 calls');
      assert.deepEqual(await page.locator('#findings pre.diff > span').evaluateAll((ss) => ss.map((x) => x.className)), ['del', 'add']);
      assert.equal(await page.getAttribute('#findings a.place', 'href'), 'meetups/views.py#L29');
      // The generator's queries add up to more than the render's recorded time: the frame says so, and keeps its own width.
      assert.deepEqual(await frames(page, '[data-over="true"]').evaluateAll((gs) => gs.map((g) => g.getAttribute('name'))), ['<templates>.Past#render']);
      assert.deepEqual(session!.errors, []);
      await page.close();
    });
  });

  describe('the timeline of a Node example whose queries run at once (node-apps/express-routers, recorded by appmap-node)', () => {
    it('puts the queries of Promise.all on lanes of their own, and sequential ones on one lane', async function () {
      if (!session) this.skip();
      const root = path.join(REPO, 'test/workspaces/node-apps/express-routers');
      const file = path.join(session!.tmp, 'express-routers.html');
      fs.writeFileSync(file, await renderHtmlReportFromFiles({ root, recordings: [path.join(root, 'tmp/appmap')], config: resolveConfig({}), title: 'express-routers' }));
      const page = await open(session!, file);
      const lanes = () => page.locator('#timeline rect').evaluateAll((rs) => rs.map((r) => ({ lane: Number(r.getAttribute('data-lane')), x: Number(r.getAttribute('x')), name: r.getAttribute('data-name') })));
      // The posts with their comment counts: posts.map(async …) under Promise.all.
      assert.equal(await page.textContent('#entry-facts'), '30 ms · 50 SQL queries · 1 finding · 51 calls');
      const concurrent = await lanes();
      const pragmas = concurrent.filter((r) => r.name === 'PRAGMA table_info(`Comments`)');
      assert.equal(pragmas.length, 24);
      assert.deepEqual(pragmas.map((r) => r.lane), Array.from({ length: 24 }, (_, k) => k + 1), 'each on a lane of its own');
      assert.equal(new Set(pragmas.map((r) => r.x)).size, 1, 'all started at once');
      const counts = concurrent.filter((r) => r.name!.startsWith('SELECT count(*)'));
      assert.equal(counts.length, 24);
      assert.ok(new Set(counts.map((r) => r.lane)).size > 1, 'the counts overlap too');
      await screenshot(page, session!, 'report-timeline-concurrent.png', '#timeline');
      // The users with their posts: one query after the other, all on one lane below the request.
      await page.click('#entries li[data-entry="1"] button');
      assert.equal(await page.textContent('#entry-facts'), '27 ms · 26 SQL queries · 1 finding · 27 calls');
      const sequential = await lanes();
      assert.deepEqual([...new Set(sequential.map((r) => r.lane))], [0, 1]);
      assert.equal(sequential.length, 27);
      assert.ok(sequential.slice(2).every((r, k) => r.x >= sequential[k + 1].x), 'in call order along the axis');
      assert.match((await page.textContent('#timeline-info'))!, /^1 lane below GET \/ over 26\.8 ms; starts estimated/);
      await screenshot(page, session!, 'report-timeline-sequential.png', '#timeline');
      assert.deepEqual(session!.errors, []);
      await page.close();
    });
  });

  describe('calls that overlap (GENERATED recording: two 8 ms calls inside a 10 ms request, as concurrent calls or skewed clocks record them)', () => {
    it('draws the request at its own time, its calls scaled to fit, and says so on the frame', async function () {
      if (!session) this.skip();
      const r = new RecordingBuilder({ name: 'overlapping calls', client: { name: 'runlens-test-builder' } });
      r.request('GET', '/both', 10, () => {
        r.call('app.Jobs', 'first', 'app/jobs.js', 1, 8);
        r.call('app.Jobs', 'second', 'app/jobs.js', 5, 8);
      });
      const root = path.join(session!.tmp, 'overlap');
      fs.mkdirSync(root);
      const recording = path.join(root, 'overlap.generated.appmap.json');
      fs.writeFileSync(recording, r.json());
      const file = path.join(session!.tmp, 'overlap.html');
      fs.writeFileSync(file, await renderHtmlReportFromFiles({ root, recordings: [recording], config: resolveConfig({}), title: 'overlap' }));
      const page = await open(session!, file);
      const graph = await graphWidth(page);
      assert.ok(Math.abs((await frameWidth(page, 'GET /both')) - graph) < 0.01);
      assert.equal(await frames(page, '[name="GET /both"]').getAttribute('data-over'), 'true');
      assert.equal(await frames(page, '[data-over]').count(), 1);
      // Each 8 ms call takes 8/16 of the request's width: the two share its 10 ms in proportion.
      for (const name of ['app.Jobs#first', 'app.Jobs#second']) assert.ok(Math.abs((await frameWidth(page, name)) - graph / 2) < 0.01, name);
      await frames(page, '[name="GET /both"]').hover();
      assert.equal(
        await page.textContent('.graph + .details'),
        'GET /both · HTTP request · 10.0 ms · self 0 ms · 1 call · 0 SQL queries under it · its calls add up to 16.0 ms, 6.0 ms more than its own time (they overlapped: concurrent calls, or clocks that disagree); drawn to its own time, its calls scaled to fit',
      );
      await page.close();
    });
  });

  describe('recorded strings that look like HTML', () => {
    it('are shown as text: no script of theirs runs', async function () {
      if (!session) this.skip();
      const EVIL = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
      const r = new RecordingBuilder({ name: `test ${EVIL}`, client: { name: 'runlens-test-builder' } });
      r.request('GET', '/x', 10, () => r.call('app.Evil', `run${EVIL}`, 'app/evil.py', 1, 5, () => r.sql(`SELECT '${EVIL}' FROM t`, 1)));
      const root = path.join(session!.tmp, 'evil');
      fs.mkdirSync(root);
      const recording = path.join(root, 'evil.generated.appmap.json');
      fs.writeFileSync(recording, r.json());
      const file = path.join(session!.tmp, 'evil.html');
      fs.writeFileSync(file, await renderHtmlReportFromFiles({ root, recordings: [recording], config: resolveConfig({}), title: EVIL }));
      const page = await open(session!, file);
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
      assert.equal(await page.title(), EVIL);
      assert.equal(await frames(page, `[name="${cssString(`app.Evil#run${EVIL}`)}"]`).count(), 1);
      assert.equal(await page.locator('img').count(), 0);
      assert.deepEqual(session!.errors, []);
      await page.close();
    });
  });
});

// ---- helpers ----------------------------------------------------------------------------------

async function open(session: Session, file: string): Promise<Page> {
  const page = await session.context.newPage();
  page.on('pageerror', (e) => session.errors.push(`${path.basename(file)}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') session.errors.push(`${path.basename(file)}: ${m.text()}`);
  });
  await page.goto(`file://${file}`, { waitUntil: 'load', timeout: 120_000 });
  await page.waitForSelector('body[data-rendered-ms]', { timeout: 120_000 });
  await settled(page);
  const failed = await page.getAttribute('body', 'data-error');
  if (failed) throw new Error(`the page failed: ${failed}`);
  console.log(`      ${path.basename(file)}: ${Math.round(fs.statSync(file).size / 1024)} KB, first render ${await page.getAttribute('body', 'data-rendered-ms')} ms after navigation`);
  return page;
}

function frames(page: Page, filter: string, side: 'before' | 'after' = 'after') {
  return page.locator(`.graph[data-side="${side}"] g.frame${filter}`);
}

async function frameWidth(page: Page, name: string, side: 'before' | 'after' = 'after'): Promise<number> {
  return Number(await frames(page, `[name="${cssString(name)}"] rect`, side).getAttribute('width'));
}

/** Waits until the flame graphs' frames stop moving: the library animates every zoom and redraw. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const frames = [...document.querySelectorAll('.graph g.frame')];
      const now = frames.map((g) => `${g.getAttribute('transform')} ${g.querySelector('rect')?.getAttribute('width')}`).join('|');
      const still = frames.length > 0 && now === window.runlensTestLast && !now.includes('undefined') && !now.includes('null');
      window.runlensTestStill = still ? (window.runlensTestStill ?? 0) + 1 : 0;
      window.runlensTestLast = now;
      return window.runlensTestStill >= 5;
    },
    undefined,
    { polling: 'raf', timeout: STEP_MS },
  );
}

async function graphWidth(page: Page, side: 'before' | 'after' = 'after'): Promise<number> {
  return Number(await page.getAttribute(`.graph[data-side="${side}"] svg`, 'width'));
}

async function crumbs(page: Page): Promise<string> {
  return (await page.locator('nav.crumbs[data-side="after"] > *').allTextContents()).join(' ');
}

/** A screenshot of the viewport, or of one element. */
async function screenshot(page: Page, session: Session, name: string, selector?: string): Promise<void> {
  const file = path.join(session.artifacts, name);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: false });
  console.log(`      screenshot: ${file}${session.artifacts === session.tmp ? ' (removed at the end; set RUNLENS_TEST_ARTIFACTS to keep it)' : ''}`);
}

/** A string for a CSS attribute selector between double quotes. */
function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
