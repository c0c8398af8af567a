// The bundled Node example, test/workspaces/bookshop: an Express and Sequelize (sqlite3) bookshop
// whose mocha tests the REAL appmap-node agent records (record.sh wrote the committed recordings,
// unedited). Before the fix, `runlens scan` puts exactly one N+1 on Book.findAll of GET /books, and
// its quick fix is bookshop-fixed/src/routes/books.js byte for byte; after the fix, no finding.
// Then the example is recorded again with the real agent (record.sh into a temporary folder): the
// fresh recordings give the same findings, timings aside, and have the same shape as the committed
// ones: per call, the same calls the same number of times, and per request the same queries (by
// SQL shape), in whatever order, since appmap-node writes Sequelize's parallel queries in the order
// they happened to run, and an async handler's return before or after its queries. Without the example's dependencies that part is skipped, except under CI,
// where it fails: CI installs them with `(cd test/workspaces/bookshop && npm ci)`.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRecordings, scan } from '../../server/src/cli/scan';
import { resolveConfig } from '../../server/src/core/config';
import { applyEdit } from '../../server/src/core/fixes/index';
import { REPO } from '../support/corpus';
import { Run, runlens as runCli } from '../support/cli';
import { readRecordingJson, RecordingJson, runBounded, shapeOf } from '../support/recordingShape';

/** Queries counted per request: appmap-node closed listAuthors before its queries in one busy run. */
const BY_REQUEST = { sqlUnder: 'request' } as const;
import { AUTHORS_RECORDING, BOOKS_RECORDING, BOOKSHOP, BOOKSHOP_FIXED, missingDependencies, RECORDINGS } from '../support/bookshop';


// GET /books also runs 801 `PRAGMA table_info(…)` queries (Sequelize's sqlite dialect, before each
// SELECT): catalog queries, which no rule counts, so 601 queries and no too-many-queries warning.
const BEFORE_FINDINGS = ['src/routes/books.js:21:23 error N+1: 600 queries from this query (200 × Authors, 200 × tags, 200 × Reviews) [n-plus-one]'];
const BEFORE = [...BEFORE_FINDINGS, '2 recordings read, 1 finding (1 error, 0 warnings)'].join('\n') + '\n';
const AFTER = '2 recordings read, no findings\n';

const N_PLUS_ONE_JSON = {
  rule: 'n-plus-one',
  severity: 'error',
  message: 'N+1: 600 queries from this query',
  path: 'src/routes/books.js',
  line: 21,
  count: 600,
  related: [
    { sql: 'SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ?', count: 200 },
    {
      sql:
        'SELECT `Tag`.`id`, `Tag`.`name`, `BookTags`.`createdAt` AS `BookTags.createdAt`, `BookTags`.`updatedAt` AS `BookTags.updatedAt`, ' +
        '`BookTags`.`BookId` AS `BookTags.BookId`, `BookTags`.`TagId` AS `BookTags.TagId` FROM `tags` AS `Tag` INNER JOIN `BookTags` AS `BookTags` ' +
        'ON `Tag`.`id` = `BookTags`.`TagId` AND `BookTags`.`BookId` = ?',
      count: 200,
    },
    { sql: 'SELECT `id`, `reader`, `rating`, `createdAt`, `updatedAt`, `BookId` FROM `Reviews` AS `Review` WHERE `Review`.`BookId` = ?', count: 200 },
  ],
  // Issue 16: the per-row call of the loop, present(book) in the for…of.
  also: [{ what: 'the per-row call', path: 'src/routes/books.js', line: 25 }],
};

/** The rules whose findings depend on recorded times: left out where a fresh recording is compared. */
const TIMING_RULES = new Set(['slow-call', 'slow-request', 'slow-query']);

/** The real binary; in REPO unless told. */
function runlens(args: string[], cwd = REPO): Run {
  return runCli(args, cwd);
}

interface JsonFinding {
  rule: string;
  severity: string;
  message: string;
  path: string;
  line: number;
  count: number;
  recordings: string[];
  related: Array<{ sql: string; count: number }>;
}

/** The findings of `runlens scan --format json`, with their recordings named by file only. */
function jsonFindings(root: string, paths: string[] = []): JsonFinding[] {
  const run = runlens(['scan', '--root', root, '--format', 'json', '--fail-on', 'never', ...paths]);
  assert.equal(run.code, 0, run.stderr);
  const output = JSON.parse(run.stdout) as { problems: unknown[]; findings: JsonFinding[] };
  assert.deepEqual(output.problems, []);
  return output.findings.map((f) => ({ ...f, recordings: f.recordings.map((r) => path.basename(r)) }));
}

describe('bookshop: the Node example, recorded by the real appmap-node', function () {

  it('before the fix: the N+1 on Book.findAll of GET /books, and exit status 1', () => {
    assert.deepEqual(runlens(['scan', '--root', BOOKSHOP]), { code: 1, stdout: BEFORE, stderr: '' });
  });

  it('before the fix, in full: the N+1 with its repeated queries, from the GET /books recording', () => {
    const findings = jsonFindings(BOOKSHOP).filter((f) => f.rule === 'n-plus-one');
    assert.deepEqual(findings, [{ ...N_PLUS_ONE_JSON, recordings: [path.basename(BOOKS_RECORDING)] }]);
  });

  it('the quick fix adds the include that bookshop-fixed/src/routes/books.js has, byte for byte', async () => {
    const output = await scan(BOOKSHOP, findRecordings([BOOKSHOP]), resolveConfig({}), { withFixes: true });
    const nPlusOne = output.findings.filter((f) => f.rule === 'n-plus-one');
    assert.equal(nPlusOne.length, 1);
    const fix = output.fixes.get(nPlusOne[0]);
    assert.equal(fix?.title, "Load eagerly: include: ['author', 'Tags', 'Reviews']");
    assert.ok(fix.edit);
    const routes = fs.readFileSync(path.join(BOOKSHOP, fix.edit.path), 'utf8');
    assert.equal(applyEdit(routes, fix.edit), fs.readFileSync(path.join(BOOKSHOP_FIXED, 'src/routes/books.js'), 'utf8'));
  });

  it('after the fix: no findings, and exit status 0', () => {
    assert.deepEqual(runlens(['scan', '--root', BOOKSHOP_FIXED]), { code: 0, stdout: AFTER, stderr: '' });
  });

  it('runlens compare of before and after: the drop in queries and time, the N+1 resolved, no regression, exit status 0', () => {
    // The root is the project (the fixed twin holds only the changed file, over it).
    const run = runlens(['compare', 'test/workspaces/bookshop/tmp/appmap', 'test/workspaces/bookshop-fixed/tmp/appmap', '--root', BOOKSHOP]);
    assert.deepEqual(run, {
      code: 0,
      stderr: '',
      stdout: [
        'runlens compare: before test/workspaces/bookshop/tmp/appmap (2 recordings), after test/workspaces/bookshop-fixed/tmp/appmap (2 recordings)',
        '',
        'Routes (2 routes)  time per request  change          SQL per request     requests  noise',
        '  GET /books       531 ms → 172 ms   −359 ms (−68%)  1,402 → 7 (−1,395)  1         1 sample each',
        '  1 more unchanged, within noise or under the thresholds',
        '',
        'Tests (2 tests)                                                     time per run     change          SQL per run         runs  noise',
        '  bookshop lists the books with their authors and tags and ratings  531 ms → 172 ms  −359 ms (−68%)  1,402 → 7 (−1,395)  1     1 sample each',
        '  1 more unchanged, within noise or under the thresholds',
        '',
        'Functions (3 functions)  time per call    change          SQL per call        calls  noise',
        '  books.present          2 ms → <0.1 ms   within noise    7 → 0 (−7)          200    ±3 ms',
        '  books.listBooks        529 ms → 170 ms  −359 ms (−68%)  1,402 → 7 (−1,395)  1      1 sample each',
        '  1 more unchanged, within noise or under the thresholds',
        '',
        'Findings: 1 resolved, 0 new',
        '  resolved  src/routes/books.js:21 error N+1: 600 queries from this query [n-plus-one]',
        '',
        'No regression.',
        'A regression is: time per call up more than 20% and 10 ms beyond the noise, SQL per call up more than 0, or a new error finding.',
        '',
        'Noise: a time change within 2 × the spread of one call\'s time (± in the noise column) claims nothing.',
        '"1 sample each": one timed call on each side, so noise cannot be told from change; record more runs for a verdict.',
        'SQL counts and findings are not noisy.',
        '',
      ].join('\n'),
    });
    // The other way round, the fix undone, is a regression: exit status 1.
    assert.equal(runlens(['compare', 'test/workspaces/bookshop-fixed/tmp/appmap', 'test/workspaces/bookshop/tmp/appmap', '--root', BOOKSHOP]).code, 1);
  });

  it('the shape of a recording ignores the order of parallel queries and which call of a request ran a query, and changes when a query is dropped, changed or moved out of its request, or a call moved', () => {
    // The committed GET /books recording, edited as a fresh run may differ, and as it must not.
    const committed = readRecordingJson(path.join(BOOKSHOP, BOOKS_RECORDING));
    const shape = shapeOf(committed, BY_REQUEST);
    const edited = (edit: (events: RecordingJson['events']) => void) => {
      const copy = JSON.parse(JSON.stringify(committed)) as RecordingJson;
      edit(copy.events);
      return shapeOf(copy, BY_REQUEST);
    };
    const sqlAt = (events: RecordingJson['events'], text: string, nth = 0) => events.filter((e) => (e.sql_query as { sql?: string } | undefined)?.sql?.startsWith(text))[nth];
    // appmap-node writes the calls of queries run in parallel before their returns, in either order.
    assert.deepEqual(
      edited((events) => {
        const tags = events.indexOf(sqlAt(events, 'PRAGMA table_info(`tags`)'));
        assert.equal((events[tags + 1].sql_query as { sql: string }).sql, 'PRAGMA table_info(`BookTags`)');
        [events[tags], events[tags + 1]] = [events[tags + 1], events[tags]];
      }),
      shape,
    );
    // A query under another call of the same request is the same shape: appmap-node writes an
    // async function's return when its promise settles, before or after its queries.
    const moveQuery = (to: 'next present() call' | 'after the request') =>
      edited((events) => {
        // A present() call's reviews query (call and return).
        const call = sqlAt(events, 'SELECT `id`, `reader`', 7);
        const from = events.indexOf(call);
        const pair = events.splice(from, 2);
        if (to === 'after the request') events.push(...pair);
        else events.splice(events.findIndex((e, i) => i >= from && e.method_id === 'present') + 1, 0, ...pair);
      });
    assert.deepEqual(moveQuery('next present() call'), shape);
    // A query less, another query, a query outside its request: each is another shape.
    const dropped = edited((events) => {
      const call = sqlAt(events, 'SELECT `id`, `reader`', 7);
      events.splice(events.indexOf(call), 2);
    });
    assert.notDeepEqual(dropped, shape);
    assert.equal((dropped as { events: { sql: number } }).events.sql, (shape as { events: { sql: number } }).events.sql - 1);
    assert.notDeepEqual(edited((events) => ((sqlAt(events, 'SELECT `id`, `reader`', 7).sql_query as { sql: string }).sql = 'SELECT `id` FROM `Reviews` WHERE `BookId` = 8;')), shape);
    const moved = moveQuery('after the request');
    assert.notDeepEqual(moved, shape);
    assert.deepEqual((moved as { events: unknown }).events, (shape as { events: unknown }).events, 'the same events, in other places');
    // A call under another call is another shape too.
    const callMoved = edited((events) => {
      const first = events.findIndex((e) => e.method_id === 'present');
      const firstReturn = events.findIndex((e) => e.event === 'return' && e.parent_id === events[first].id);
      const whole = events.splice(first, firstReturn - first + 1);
      const next = events.findIndex((e) => e.method_id === 'present');
      events.splice(next + 1, 0, ...whole);
    });
    assert.notDeepEqual(callMoved, shape);
  });

  it("the recordings are appmap-node's, of the mocha tests, naming only the example's own files", () => {
    for (const [dir, rel] of [BOOKSHOP, BOOKSHOP_FIXED].flatMap((d) => [BOOKS_RECORDING, AUTHORS_RECORDING].map((r) => [d, r] as const))) {
      const recording = readRecordingJson(path.join(dir, rel));
      assert.deepEqual(
        { client: recording.metadata.client, recorder: recording.metadata.recorder, source_location: recording.metadata.source_location, test_status: recording.metadata.test_status },
        {
          client: { name: 'appmap-node', version: '2.27.0', url: 'https://github.com/getappmap/appmap-node' },
          recorder: { type: 'tests', name: 'mocha' },
          source_location: 'test/bookshop.test.js',
          test_status: 'succeeded',
        },
        rel,
      );
      // Every recorded path is relative and a file of the example (bookshop-fixed: over bookshop).
      const paths = new Set(recording.events.flatMap((e) => (typeof e.path === 'string' ? [e.path] : [])));
      assert.ok(paths.size > 0);
      for (const p of paths) {
        assert.ok(!path.isAbsolute(p) && !p.split('/').includes('..'), p);
        assert.ok(fs.existsSync(path.join(dir, p)) || fs.existsSync(path.join(BOOKSHOP, p)), p);
      }
    }
  });

  describe('recorded again with the real agent (record.sh)', function () {
    this.timeout(240_000);
    let out: string;

    before(async function () {
      const missing = missingDependencies();
      if (missing) {
        // CI installs the example's dependencies: there, missing ones are a failure.
        if (process.env.CI) throw new Error(`${missing}; run (cd test/workspaces/bookshop && npm ci)`);
        console.log(`      skipped: ${missing} (cd test/workspaces/bookshop && npm ci installs them)`);
        this.skip();
      }
      out = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-bookshop-'));
      // record.sh makes its working copies under TMPDIR; they must be gone when it is done.
      const work = path.join(out, 'work');
      fs.mkdirSync(work);
      const committed = committedTimes();
      const run = await runBounded('bash', [path.join(BOOKSHOP, 'record.sh'), path.join(out, 'fresh')], { ...process.env, TMPDIR: work }, 180_000);
      assert.equal(run.code, 0, `record.sh failed:\n${run.output.slice(-4000)}`);
      assert.deepEqual(fs.readdirSync(work), []);
      assert.deepEqual(committedTimes(), committed, 'record.sh with OUT must leave the committed recordings alone');
    });
    after(() => {
      if (out) fs.rmSync(out, { recursive: true, force: true });
    });

    it('before the fix: the same findings as the committed recordings, timings aside', () => {
      const fresh = jsonFindings(BOOKSHOP, [path.join(out, 'fresh/bookshop', RECORDINGS)]).filter((f) => !TIMING_RULES.has(f.rule));
      assert.deepEqual(fresh, jsonFindings(BOOKSHOP));
      assert.deepEqual(fresh.map((f) => `${f.path}:${f.line} ${f.rule}`), ['src/routes/books.js:21 n-plus-one']);
    });

    it('after the fix: no findings but timing ones', () => {
      const fresh = jsonFindings(BOOKSHOP_FIXED, [path.join(out, 'fresh/bookshop-fixed', RECORDINGS)]);
      assert.deepEqual(fresh.filter((f) => !TIMING_RULES.has(f.rule)), []);
    });

    it('writes recordings of the same shape as the committed ones: per call its calls, per request its queries by SQL shape, and the counts', () => {
      for (const [twin, dir] of [['bookshop', BOOKSHOP], ['bookshop-fixed', BOOKSHOP_FIXED]] as const) {
        const committed = findRecordings([path.join(dir, 'tmp/appmap')]).map((f) => path.relative(dir, f));
        const fresh = findRecordings([path.join(out, 'fresh', twin, 'tmp/appmap')]).map((f) => path.relative(path.join(out, 'fresh', twin), f));
        assert.deepEqual(fresh, committed, twin);
        for (const rel of committed) {
          assert.deepEqual(shapeOf(readRecordingJson(path.join(out, 'fresh', twin, rel)), BY_REQUEST), shapeOf(readRecordingJson(path.join(dir, rel)), BY_REQUEST), `${twin}/${rel}`);
        }
      }
    });
  });
});

// ---- helpers ----------------------------------------------------------------------------------------

/** The committed recordings of both twins, with their modification times. */
function committedTimes(): Record<string, number> {
  const files = findRecordings([path.join(BOOKSHOP, 'tmp/appmap'), path.join(BOOKSHOP_FIXED, 'tmp/appmap')]);
  return Object.fromEntries(files.map((f) => [f, fs.statSync(f).mtimeMs]));
}
