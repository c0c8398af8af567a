// `runlens compare`: the Django example before and after its N+1 fix (text, Markdown and JSON,
// whole outputs, exit codes both ways, from recordings and from a saved baseline), the noise
// verdicts and thresholds on synthetic recordings whose times are chosen, and the before → after
// the language server shows.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { Baseline, baselineOf } from '../../server/src/core/baseline/baseline';
import { compare, Comparison } from '../../server/src/core/baseline/compare';
import { changeNote, changeSince, changeTitle, newSince, resolvedSince } from '../../server/src/core/baseline/live';
import { compareText } from '../../server/src/core/baseline/report';
import { CompareConfig, DEFAULT_CONFIG, resolveConfig } from '../../server/src/core/config';
import { RecordingSummary, summarize } from '../../server/src/core/index/summary';
import { Snapshot } from '../../server/src/core/index/workspaceIndex';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { findRecordings, scan } from '../../server/src/cli/scan';
import { memoryFiles } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';
import { REPO } from '../support/corpus';
import { runlens } from '../support/cli';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_FIXED = path.join(REPO, 'test/workspaces/django-meetups-fixed');
const TEMPLATE = '<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render';

const NOISE_LEGEND =
  "Noise: a time change within 2 × the spread of one call's time (± in the noise column) claims nothing.\n" +
  '"1 sample each": one timed call on each side, so noise cannot be told from change; record more runs for a verdict.\n' +
  'SQL counts and findings are not noisy.\n';
const THRESHOLDS = 'A regression is: time per call up more than 20% and 10 ms beyond the noise, SQL per call up more than 0, or a new error finding.\n';

const FIXED_TEXT =
  'runlens compare: before ../django-meetups (1 recording), after . (1 recording)\n' +
  '\n' +
  'Routes (1 route)       time per request  change          SQL per request     requests  noise\n' +
  '  GET /meetings/past/  643 ms → 112 ms   −531 ms (−83%)  1,501 → 3 (−1,498)  1         1 sample each\n' +
  '\n' +
  'Tests (1 test)                       time per run     change          SQL per run         runs  noise\n' +
  '  Past meetings lists past meetings  643 ms → 112 ms  −531 ms (−83%)  1,501 → 3 (−1,498)  1     1 sample each\n' +
  '\n' +
  'Functions (2 functions)                                        time per call    change          SQL per call        calls  noise\n' +
  '  <templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render  638 ms → 108 ms  −530 ms (−83%)  1,501 → 3 (−1,498)  1      1 sample each\n' +
  '  1 more unchanged, within noise or under the thresholds\n' +
  '\n' +
  'Findings: 1 resolved, 0 new\n' +
  '  resolved  meetups/views.py:29 error N+1: 1,500 queries from this queryset [n-plus-one]\n' +
  '\n' +
  'No regression.\n' +
  THRESHOLDS +
  '\n' +
  NOISE_LEGEND;

describe('runlens compare, the Django example before and after its N+1 fix', function () {

  it('prints the SQL drop, the time change with its noise verdict and the resolved N+1, and exits 0', () => {
    assert.deepEqual(runlens(['compare', '../django-meetups', '.'], MEETUPS_FIXED), { code: 0, stdout: FIXED_TEXT, stderr: '' });
  });

  it('prints Markdown tables for a ticket or pull request', () => {
    assert.deepEqual(runlens(['compare', '../django-meetups', '.', '--format', 'markdown'], MEETUPS_FIXED), {
      code: 0,
      stderr: '',
      stdout:
        '## runlens compare\n' +
        '\n' +
        'before ../django-meetups (1 recording), after . (1 recording). **No regression.**\n' +
        '\n' +
        '### Routes\n' +
        '\n' +
        '| route | time per request | change | SQL per request | requests | noise |\n' +
        '| --- | ---: | ---: | ---: | ---: | --- |\n' +
        '| `GET /meetings/past/` | 643 ms → 112 ms | −531 ms (−83%) | 1,501 → 3 (−1,498) | 1 | 1 sample each |\n' +
        '\n' +
        '### Tests\n' +
        '\n' +
        '| test | time per run | change | SQL per run | runs | noise |\n' +
        '| --- | ---: | ---: | ---: | ---: | --- |\n' +
        '| `Past meetings lists past meetings` | 643 ms → 112 ms | −531 ms (−83%) | 1,501 → 3 (−1,498) | 1 | 1 sample each |\n' +
        '\n' +
        '### Functions\n' +
        '\n' +
        '| function | time per call | change | SQL per call | calls | noise |\n' +
        '| --- | ---: | ---: | ---: | ---: | --- |\n' +
        '| `<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render` | 638 ms → 108 ms | −530 ms (−83%) | 1,501 → 3 (−1,498) | 1 | 1 sample each |\n' +
        '\n' +
        '1 more unchanged, within noise or under the thresholds.\n' +
        '\n' +
        '### Findings\n' +
        '\n' +
        '- **resolved**: `meetups/views.py:29` error N+1: 1,500 queries from this queryset (`n-plus-one`)\n' +
        '\n' +
        '<sub>A regression is: time per call up more than 20% and 10 ms beyond the noise, SQL per call up more than 0, or a new error finding. ' +
        "Noise: a time change within 2 × the spread of one call's time (± in the noise column) claims nothing. " +
        '"1 sample each": one timed call on each side, so noise cannot be told from change; record more runs for a verdict. SQL counts and findings are not noisy.</sub>\n',
    });
  });

  it('prints exactly one JSON object with --format json', () => {
    const run = runlens(['compare', '../django-meetups', '.', '--format', 'json'], MEETUPS_FIXED);
    assert.deepEqual({ code: run.code, stderr: run.stderr, lines: run.stdout.split('\n').length }, { code: 0, stderr: '', lines: 2 });
    const one = (ms: number, sql: number) => ({ calls: 1, timed: 1, totalMs: ms, meanMs: ms, minMs: ms, maxMs: ms, sql });
    const unknown = 'one timed call on each side: cannot tell noise from change';
    const same = { before: 1, after: 1, change: 0 };
    assert.deepEqual(JSON.parse(run.stdout), {
      regressed: false,
      regressions: [],
      before: { source: '../django-meetups', recordings: 1 },
      after: { source: '.', recordings: 1 },
      thresholds: { maxTimeIncreasePercent: 20, maxTimeIncreaseMs: 10, maxSqlIncrease: 0, failOnNewFinding: 'error', noiseFactor: 2 },
      routes: [
        {
          key: 'GET /meetings/past/',
          status: 'compared',
          before: one(643, 1501),
          after: one(112, 3),
          time: { beforeMs: 643, afterMs: 112, changeMs: -531, changeRatio: -0.8258, noise: 'unknown', reason: unknown },
          sql: { before: 1501, after: 3, change: -1498 },
          calls: same,
          notable: true,
          regressions: [],
        },
      ],
      tests: [
        {
          key: 'Past meetings lists past meetings',
          status: 'compared',
          before: one(643, 1501),
          after: one(112, 3),
          time: { beforeMs: 643, afterMs: 112, changeMs: -531, changeRatio: -0.8258, noise: 'unknown', reason: unknown },
          sql: { before: 1501, after: 3, change: -1498 },
          calls: same,
          notable: true,
          regressions: [],
        },
      ],
      functions: [
        {
          key: TEMPLATE,
          status: 'compared',
          before: one(638, 1501),
          after: one(108, 3),
          time: { beforeMs: 638, afterMs: 108, changeMs: -530, changeRatio: -0.8307, noise: 'unknown', reason: unknown },
          sql: { before: 1501, after: 3, change: -1498 },
          calls: same,
          notable: true,
          regressions: [],
        },
        {
          key: 'meetups.views.PastMeetingsView#get_queryset',
          status: 'compared',
          before: one(0.393, 0),
          after: one(0.452, 0),
          time: { beforeMs: 0.393, afterMs: 0.452, changeMs: 0.059, changeRatio: 0.1501, noise: 'unknown', reason: unknown },
          sql: { before: 0, after: 0, change: 0 },
          calls: same,
          notable: false,
          regressions: [],
        },
      ],
      findings: {
        new: [],
        resolved: [
          {
            id: 'n-plus-one meetups/views.py queryset meetups.views.PastMeetingsView#get_queryset Meeting',
            rule: 'n-plus-one',
            severity: 'error',
            message: 'N+1: 1,500 queries from this queryset',
            path: 'meetups/views.py',
            line: 29,
            count: 1500,
            scope: 'GET /meetings/past/',
          },
        ],
        changed: [],
      },
      problems: [],
    });
  });

  it('regresses the other way round, after → before: SQL up and a new N+1, exit 1; single-sample times do not regress', () => {
    assert.deepEqual(runlens(['compare', '.', '../django-meetups'], MEETUPS_FIXED), {
      code: 1,
      stderr: '',
      stdout:
        'runlens compare: before . (1 recording), after ../django-meetups (1 recording)\n' +
        '\n' +
        'Routes (1 route)       time per request  change           SQL per request     requests  noise\n' +
        '  GET /meetings/past/  112 ms → 643 ms   +531 ms (+474%)  3 → 1,501 (+1,498)  1         1 sample each\n' +
        '\n' +
        'Tests (1 test)                       time per run     change           SQL per run         runs  noise\n' +
        '  Past meetings lists past meetings  112 ms → 643 ms  +531 ms (+474%)  3 → 1,501 (+1,498)  1     1 sample each\n' +
        '\n' +
        'Functions (2 functions)                                        time per call    change           SQL per call        calls  noise\n' +
        '  <templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render  108 ms → 638 ms  +530 ms (+491%)  3 → 1,501 (+1,498)  1      1 sample each\n' +
        '  1 more unchanged, within noise or under the thresholds\n' +
        '\n' +
        'Findings: 0 resolved, 1 new\n' +
        '  new       meetups/views.py:29 error N+1: 1,500 queries from this queryset [n-plus-one]\n' +
        '\n' +
        'Regressed (4 reasons):\n' +
        '  route GET /meetings/past/: SQL per request 3 → 1,501 (+1,498), more than 0\n' +
        '  test Past meetings lists past meetings: SQL per run 3 → 1,501 (+1,498), more than 0\n' +
        `  function ${TEMPLATE}: SQL per call 3 → 1,501 (+1,498), more than 0\n` +
        '  new error n-plus-one at meetups/views.py:29: N+1: 1,500 queries from this queryset\n' +
        THRESHOLDS +
        '\n' +
        NOISE_LEGEND,
    });
    // Thresholds from --config, flags over them: SQL allowed up to 2,000 more, new findings never fail.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-compare-'));
    fs.writeFileSync(path.join(dir, 'lenient.json'), JSON.stringify({ compare: { maxSqlIncrease: 2000, failOnNewFinding: 'warning' } }));
    const lenient = ['compare', '.', '../django-meetups', '--config', path.join(dir, 'lenient.json'), '--format', 'json'];
    assert.deepEqual(JSON.parse(runlens(lenient, MEETUPS_FIXED).stdout).regressions, ['new error n-plus-one at meetups/views.py:29: N+1: 1,500 queries from this queryset']);
    assert.equal(runlens([...lenient, '--fail-on-new', 'never'], MEETUPS_FIXED).code, 0);
    assert.equal(runlens([...lenient, '--fail-on-new', 'never', '--max-sql-increase', '1000'], MEETUPS_FIXED).code, 1);
  });

  it('compares a saved baseline with the recordings under the root', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-compare-'));
    const saved = path.join(dir, 'before.json');
    assert.equal(runlens(['baseline', 'save', '-o', saved], MEETUPS).code, 0);
    const run = runlens(['compare', '--baseline', saved], MEETUPS_FIXED);
    assert.deepEqual(run, { code: 0, stderr: '', stdout: FIXED_TEXT.replace('before ../django-meetups (1 recording), after .', `before ${saved} (1 recording), after .`) });
    // A baseline on either side; the same baseline on both: nothing changed.
    assert.equal(runlens(['compare', saved, saved], MEETUPS_FIXED).stdout.split('\n').slice(2, 9).join('\n'), [
      'Routes: 1 route, unchanged, within noise or under the thresholds',
      '',
      'Tests: 1 test, unchanged, within noise or under the thresholds',
      '',
      'Functions: 2 functions, all unchanged, within noise or under the thresholds',
      '',
      'Findings: 0 resolved, 0 new',
    ].join('\n'));
  });

  it('rejects bad usage and broken baselines with exit code 2 and a clear message', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-compare-'));
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"format": "runlens-baseline", "version": 1, "routes": {');
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "shop"}');
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `runlens: ${message}\nRun "runlens --help" for usage.\n` });
    assert.deepEqual(runlens(['compare', '.'], MEETUPS_FIXED), usage('compare needs two paths, BEFORE and AFTER (or --baseline FILE); 1 given'));
    assert.deepEqual(runlens(['compare'], MEETUPS_FIXED), usage('compare needs two paths, BEFORE and AFTER (or --baseline FILE); none given'));
    assert.deepEqual(runlens(['compare', '../django-meetups', '.', '--max-time-increase', '20'], MEETUPS_FIXED), usage('--max-time-increase takes a percentage or milliseconds (20% or 10ms), not "20"'));
    assert.deepEqual(runlens(['compare', '../django-meetups', '.', '--format', 'html'], MEETUPS_FIXED), usage('--format must be text, markdown or json, not "html"'));
    assert.deepEqual(runlens(['compare', '--baseline', path.join(dir, 'broken.json')], MEETUPS_FIXED), usage(`${path.join(dir, 'broken.json')}: byte 56: not valid JSON: unexpected end of file with 2 containers still open: the file is truncated`));
    assert.deepEqual(runlens(['compare', '--baseline', path.join(dir, 'package.json')], MEETUPS_FIXED), usage(`${path.join(dir, 'package.json')}: not a runlens baseline: "format" is missing, expected "runlens-baseline"`));
    assert.deepEqual(runlens(['compare', '--baseline', path.join(dir, 'none.json')], MEETUPS_FIXED), usage(`BEFORE ${path.join(dir, 'none.json')}: cannot read the baseline (ENOENT)`));
    // No recordings on one side: said as scan says it, without the usage line (it points to record's help), never compared with nothing.
    const none = (side: string, where: string) => ({ code: 2, stdout: '', stderr: `runlens: ${side}: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${where}: record your tests first (see runlens record --help)\n` });
    assert.deepEqual(runlens(['compare', dir, '.'], MEETUPS_FIXED), none('BEFORE', dir));
    assert.deepEqual(runlens(['compare', '.', dir], MEETUPS_FIXED), none('AFTER', dir));
    assert.deepEqual(runlens(['compare', '--before', '.', '--after', dir], MEETUPS_FIXED), none('AFTER', dir));
  });
});

// ---- noise and thresholds, on synthetic recordings -----------------------------------------------

const FILES = memoryFiles({ files: new Map([['shop/views.py', '']]) });

/** A recording of `requests`: route → the time of each request (its handler 5 ms less) and SQL per request. */
function recording(name: string, requests: Record<string, { ms: number[]; sql?: number }>, extra?: (r: RecordingBuilder) => void): RecordingSummary {
  const r = new RecordingBuilder({ name, recorder: { type: 'tests' }, client: { name: 'runlens-test-builder' } });
  for (const [route, { ms, sql = 0 }] of Object.entries(requests)) {
    const handler = route.split('/')[1] || 'root';
    for (const t of ms) {
      r.request('GET', route, t, () =>
        r.call(`shop.${handler}`, 'index', 'shop/views.py', 1, t - 5, () => {
          for (let i = 0; i < sql; i++) r.sql(`SELECT * FROM ${handler} WHERE id = ${i}`, 0.1);
        }),
      );
    }
  }
  extra?.(r);
  const { trace, problems } = readRecording(`${name}.appmap.json`, r.json());
  const config = resolveConfig({});
  return summarize(trace, problems, new SourceIndex(FILES, undefined, config), config);
}

function checkCompare(before: RecordingSummary[], after: RecordingSummary[], expected: string, thresholds: Partial<CompareConfig> = {}): Comparison {
  const c = compare(baselineOf(before), baselineOf(after), { ...DEFAULT_CONFIG.compare, ...thresholds });
  assert.equal(compareText(c, { all: true }), expected);
  return c;
}

describe('compare: noise and thresholds', () => {
  // Five requests of /books, /authors and /stable before; after: /books as fast (within the noise)
  // but with one query more each, /authors 100 ms slower (beyond it), /stable once each way,
  // five times slower (one sample: unknown), /old gone, /new added; shop.loader#load called ten
  // times at about 10 ms before, once at 50 ms after (slower per call, faster in all).
  const loader = (times: number[]) => (r: RecordingBuilder) => r.call('shop.loader', 'run', 'shop/views.py', 9, times.reduce((a, b) => a + b, 0) + 1, () => times.forEach((t) => r.call('shop.loader', 'load', 'shop/views.py', 5, t)));
  const before = recording('books test', { '/books': { ms: [100, 110, 90, 105, 95], sql: 1 }, '/authors': { ms: [50, 52, 48, 51, 49] }, '/stable': { ms: [40] }, '/old': { ms: [10] } }, loader([10, 11, 9, 10, 10, 10, 11, 9, 10, 10]));
  const after = recording('books test', { '/books': { ms: [104, 100, 110, 94, 102], sql: 2 }, '/authors': { ms: [150, 152, 148, 151, 149] }, '/stable': { ms: [200] }, '/new': { ms: [10] } }, loader([50]));

  it('says within noise, beyond it, or that one sample cannot tell; regresses on time beyond noise and on SQL', () => {
    checkCompare(
      [before],
      [after],
      'runlens compare: before (1 recording), after (1 recording)\n' +
        '\n' +
        'Routes (5 routes)  time per request  change           SQL per request  requests  noise\n' +
        '  GET /authors     50 ms → 150 ms    +100 ms (+200%)  0                5         ±3 ms\n' +
        '  GET /books       100 ms → 102 ms   within noise     1 → 2 (+1)       5         ±16 ms\n' +
        '  GET /stable      40 ms → 200 ms    +160 ms (+400%)  0                1         1 sample each\n' +
        '  GET /new         – → 10 ms         new              – → 0            – → 1\n' +
        '  GET /old         10 ms → –         gone             0 → –            1 → –\n' +
        '\n' +
        'Tests (1 test)  time per run    change          SQL per run  runs  noise\n' +
        '  books test    901 ms → 1.5 s  +619 ms (+69%)  5 → 10 (+5)  1     1 sample each\n' +
        '\n' +
        'Functions (7 functions)  time per call   change           SQL per call  calls   noise\n' +
        '  shop.authors#index     45 ms → 145 ms  +100 ms (+222%)  0             5       ±3 ms\n' +
        '  shop.books#index       95 ms → 97 ms   within noise     1 → 2 (+1)    5       ±16 ms\n' +
        '  shop.stable#index      35 ms → 195 ms  +160 ms (+457%)  0             1       1 sample each\n' +
        '  shop.loader#load       10 ms → 50 ms   +40 ms (+400%)   0             10 → 1  ±1 ms\n' +
        '  shop.loader#run        101 ms → 51 ms  −50 ms (−50%)    0             1       1 sample each\n' +
        '  shop.new#index         – → 5 ms        new              – → 0         – → 1\n' +
        '  shop.old#index         5 ms → –        gone             0 → –         1 → –\n' +
        '\n' +
        'Findings: 0 resolved, 0 new\n' +
        '\n' +
        'Regressed (5 reasons):\n' +
        '  route GET /authors: time per request +100 ms (+200%), more than 20% and 10 ms, beyond the noise (±3 ms)\n' +
        '  route GET /books: SQL per request 1 → 2 (+1), more than 0\n' +
        '  test books test: SQL per run 5 → 10 (+5), more than 0\n' +
        '  function shop.authors#index: time per call +100 ms (+222%), more than 20% and 10 ms, beyond the noise (±3 ms)\n' +
        '  function shop.books#index: SQL per call 1 → 2 (+1), more than 0\n' +
        THRESHOLDS +
        '\n' +
        NOISE_LEGEND,
    );
  });

  it('regresses only past every threshold: percent and milliseconds, the noise, SQL, and new findings by severity', () => {
    // After, also one call of 1.2 s: a new slow-call warning.
    const slower = recording('books test', { '/books': { ms: [104, 100, 110, 94, 102], sql: 2 }, '/authors': { ms: [150, 152, 148, 151, 149] } }, (r) => r.call('shop.report', 'build', 'shop/views.py', 20, 1200));
    const regressions = (thresholds: Partial<CompareConfig>) => compare(baselineOf([before]), baselineOf([slower]), { ...DEFAULT_CONFIG.compare, ...thresholds }).regressions.map((r) => r.replace(/: .*/, ''));
    assert.deepEqual(regressions({}), ['route GET /authors', 'route GET /books', 'test books test', 'function shop.authors#index', 'function shop.books#index']);
    assert.deepEqual(regressions({ maxSqlIncrease: 5 }), ['route GET /authors', 'function shop.authors#index']);
    // +200% and +222% are not more than 250%; +100 ms is not more than 100 ms; ±316 ms of noise holds +100 ms.
    assert.deepEqual(regressions({ maxSqlIncrease: 5, maxTimeIncreasePercent: 250 }), []);
    assert.deepEqual(regressions({ maxSqlIncrease: 5, maxTimeIncreaseMs: 100 }), []);
    assert.deepEqual(regressions({ maxSqlIncrease: 5, noiseFactor: 100 }), []);
    assert.deepEqual(regressions({ maxSqlIncrease: 5, noiseFactor: 100, failOnNewFinding: 'warning' }), ['new warning slow-call at shop/views.py:20']);
    assert.deepEqual(regressions({ maxSqlIncrease: 5, noiseFactor: 100, failOnNewFinding: 'info' }), ['new warning slow-call at shop/views.py:20']);
    assert.deepEqual(regressions({ maxSqlIncrease: 5, noiseFactor: 100, failOnNewFinding: 'error' }), []);
  });
});

describe('compare: what the language server shows', function () {

  it('the before → after of a route, test or function, and the findings resolved since the baseline', async () => {
    const read = async (root: string) => (await scan(root, findRecordings([root]), resolveConfig({}), { withSummaries: true })).summaries;
    const baseline: Baseline = baselineOf(await read(MEETUPS));
    const fixed = await read(MEETUPS_FIXED);
    const snapshot = new Snapshot(new Map(fixed.map((s) => [s.recordingPath, s])));
    const t = DEFAULT_CONFIG.compare;
    const title = (kind: 'route' | 'test' | 'function', key: string) => {
      const change = changeSince(baseline, snapshot, kind, key, t);
      return change && [changeTitle(change), ...changeNote(change)].join(' | ');
    };
    assert.deepEqual(
      [title('route', 'GET /meetings/past/'), title('test', 'Past meetings lists past meetings'), title('function', TEMPLATE), title('function', 'meetups.views.PastMeetingsView#get_queryset'), title('route', 'GET /nowhere')],
      [
        '643 ms → 112 ms (−83%) · SQL 1,501 → 3 | Time: one timed call on each side: cannot tell noise from change.',
        '643 ms → 112 ms (−83%) · SQL 1,501 → 3 | Time: one timed call on each side: cannot tell noise from change.',
        '638 ms → 108 ms (−83%) · SQL 1,501 → 3 | Time: one timed call on each side: cannot tell noise from change.',
        '0.4 ms → 0.5 ms (+15%) | Time: one timed call on each side: cannot tell noise from change.',
        undefined,
      ],
    );
    assert.deepEqual(resolvedSince(baseline, snapshot.findings()).map((f) => `${f.path}:${f.line} ${f.message}`), ['meetups/views.py:29 N+1: 1,500 queries from this queryset']);
    assert.deepEqual(newSince(baseline, snapshot.findings()), []);
  });
});
