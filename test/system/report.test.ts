// `runlens report`: the whole rendered Markdown on the bookshop, before and after its N+1 fix
// (--before), on the Django example, and with a saved baseline (--baseline); where links point
// (-o, --link-base); usage errors; the hand-over of --format html to the HTML report; and, on
// synthetic data, escaping and folding.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Baseline, EntryStats } from '../../server/src/core/baseline/baseline';
import { Finding } from '../../server/src/core/findings/finding';
import { Fix } from '../../server/src/core/fixes/index';
import { MarkdownReportInput, reportMarkdown } from '../../server/src/core/report/markdown';
import { Run, runlens } from '../support/cli';
import { REPO } from '../support/corpus';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_FIXED = path.join(REPO, 'test/workspaces/django-meetups-fixed');

const lines = (...l: string[]) => l.join('\n') + '\n';

const BOOKSHOP = lines(
  '## runlens report: bookshop',
  '',
  '2 recordings, 1 finding (1 error).',
  '',
  '### Findings',
  '',
  '| severity | where | finding | rule | in |',
  '| --- | --- | --- | --- | --- |',
  '| error | [`src/routes/books.js:21`](src/routes/books.js#L21) | N+1: 600 queries from this query (200 × Authors, 200 × tags, 200 × Reviews) | `n-plus-one` | GET /books |',
  '',
  '<details><summary>src/routes/books.js:21: the 3 repeated queries and the fix</summary>',
  '',
  '**Fix** at [`src/routes/books.js:21-23`](src/routes/books.js#L21):',
  '',
  '```diff',
  '-  const books = await Book.findAll({',
  '-    order: [[\'id\', \'ASC\']],',
  '-  });',
  '+  const books = await Book.findAll({',
  '+    order: [[\'id\', \'ASC\']],',
  '+    include: [\'author\', \'Tags\', \'Reviews\'],',
  '+  });',
  '```',
  '',
  '| queries | SQL |',
  '| ---: | --- |',
  '| 200 | `` SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ? `` |',
  '| 200 | `` SELECT `Tag`.`id`, `Tag`.`name`, `BookTags`.`createdAt` AS `BookTags.createdAt`, `BookTags`.`updatedAt` AS `BookTags.updatedAt`, `BookTags`.`BookId` AS `BookTags.BookId`, `BookTags`.`TagId` AS `BookTags.TagId` FROM `tags` AS `Tag` INNER JOIN `BookTags` AS `BookTags` ON `Tag`.`id` = `BookTags`.`TagId` AND `BookTags`.`BookId` = ? `` |',
  '| 200 | `` SELECT `id`, `reader`, `rating`, `createdAt`, `updatedAt`, `BookId` FROM `Reviews` AS `Review` WHERE `Review`.`BookId` = ? `` |',
  '',
  '</details>',
  '',
  '### Routes by time',
  '',
  '| route | requests | time per request | total time | SQL per request |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| `GET /books` | 1 | 531 ms | 531 ms | 1,402 |',
  '| `GET /authors` | 1 | 13 ms | 13 ms | 3 |',
  '',
  '### Functions by time',
  '',
  '| function | where | calls | time per call | total time | SQL |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  '| `books.listBooks` | [`src/routes/books.js:20`](src/routes/books.js#L20) | 1 | 529 ms | 529 ms | 1,402 |',
  '| `books.present` | [`src/routes/books.js:6`](src/routes/books.js#L6) | 200 | 2 ms | 497 ms | 1,400 |',
  '| `authors.listAuthors` | [`src/routes/authors.js:5`](src/routes/authors.js#L5) | 1 | 13 ms | 13 ms | 3 |',
);

const BOOKSHOP_BEFORE_AFTER = lines(
  '## runlens report: bookshop',
  '',
  '2 recordings, no findings. Since before: **no regression**, 1 finding resolved, 0 new.',
  '',
  '### Findings',
  '',
  'No findings.',
  '',
  '### Before and after',
  '',
  'before test/workspaces/bookshop/tmp/appmap (2 recordings), after test/workspaces/bookshop-fixed/tmp/appmap (2 recordings). **No regression.**',
  '',
  '#### Routes',
  '',
  '| route | time per request | change | SQL per request | requests | noise |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  '| `GET /books` | 531 ms → 172 ms | −359 ms (−68%) | 1,402 → 7 (−1,395) | 1 | 1 sample each |',
  '',
  '1 more unchanged, within noise or under the thresholds.',
  '',
  '#### Tests',
  '',
  '| test | time per run | change | SQL per run | runs | noise |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  '| `bookshop lists the books with their authors and tags and ratings` | 531 ms → 172 ms | −359 ms (−68%) | 1,402 → 7 (−1,395) | 1 | 1 sample each |',
  '',
  '1 more unchanged, within noise or under the thresholds.',
  '',
  '#### Functions',
  '',
  '| function | time per call | change | SQL per call | calls | noise |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  '| `books.present` | 2 ms → <0.1 ms | within noise | 7 → 0 (−7) | 200 | ±3 ms |',
  '| `books.listBooks` | 529 ms → 170 ms | −359 ms (−68%) | 1,402 → 7 (−1,395) | 1 | 1 sample each |',
  '',
  '1 more unchanged, within noise or under the thresholds.',
  '',
  '#### Findings',
  '',
  '- **resolved**: `src/routes/books.js:21` error N+1: 600 queries from this query (`n-plus-one`)',
  '',
  '<sub>A regression is: time per call up more than 20% and 10 ms beyond the noise, SQL per call up more than 0, or a new error finding. Noise: a time change within 2 × the spread of one call\'s time (± in the noise column) claims nothing. "1 sample each": one timed call on each side, so noise cannot be told from change; record more runs for a verdict. SQL counts and findings are not noisy.</sub>',
  '',
  '### Routes by time',
  '',
  '| route | requests | time per request | total time | SQL per request |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| `GET /books` | 1 | 172 ms | 172 ms | 7 |',
  '| `GET /authors` | 1 | 21 ms | 21 ms | 3 |',
  '',
  '### Functions by time',
  '',
  '| function | where | calls | time per call | total time | SQL |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  '| `books.listBooks` | [`src/routes/books.js:20`](src/routes/books.js#L20) | 1 | 170 ms | 170 ms | 7 |',
  '| `authors.listAuthors` | [`src/routes/authors.js:5`](src/routes/authors.js#L5) | 1 | 21 ms | 21 ms | 3 |',
  '| `books.present` | [`src/routes/books.js:6`](src/routes/books.js#L6) | 200 | <0.1 ms | 11 ms | 0 |',
);

const MEETUPS_REPORT = lines(
  '## runlens report: django-meetups',
  '',
  '1 recording, 1 finding (1 error).',
  '',
  '### Findings',
  '',
  '| severity | where | finding | rule | in |',
  '| --- | --- | --- | --- | --- |',
  '| error | [`meetups/views.py:29`](meetups/views.py#L29) | N+1: 1,500 queries from this queryset (500 × meetups\\_venue, 500 × meetups\\_topic, 500 × meetups\\_sponsor) | `n-plus-one` | GET /meetings/past/ |',
  '',
  '<details><summary>meetups/views.py:29: the 3 repeated queries and the fix</summary>',
  '',
  '**Fix** at [`meetups/views.py:29`](meetups/views.py#L29):',
  '',
  '```diff',
  '-        return Meeting.objects.filter(when__lt=timezone.now()).order_by("when")',
  '+        return Meeting.objects.filter(when__lt=timezone.now()).order_by("when").select_related("where").prefetch_related("topics", "meeting_sponsors")',
  '```',
  '',
  '| queries | SQL |',
  '| ---: | --- |',
  '| 500 | `SELECT "meetups_venue"."id", "meetups_venue"."name", "meetups_venue"."address" FROM "meetups_venue" WHERE "meetups_venue"."id" = ? LIMIT ?` |',
  '| 500 | `SELECT "meetups_topic"."id", "meetups_topic"."title" FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."topic_id") WHERE "meetups_meeting_topics"."meeting_id" = ?` |',
  '| 500 | `SELECT "meetups_sponsor"."id", "meetups_sponsor"."name" FROM "meetups_sponsor" INNER JOIN "meetups_meeting_meeting_sponsors" ON ("meetups_sponsor"."id" = "meetups_meeting_meeting_sponsors"."sponsor_id") WHERE "meetups_meeting_meeting_sponsors"."meeting_id" = ?` |',
  '',
  '</details>',
  '',
  '### Routes by time',
  '',
  '| route | requests | time per request | total time | SQL per request |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| `GET /meetings/past/` | 1 | 643 ms | 643 ms | 1,501 |',
  '',
  '### Functions by time',
  '',
  '| function | where | calls | time per call | total time | SQL |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  '| `<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render` | [`meetups/templates/meetups/past_meetings.html:1`](meetups/templates/meetups/past_meetings.html#L1) | 1 | 638 ms | 638 ms | 1,501 |',
  '| `meetups.views.PastMeetingsView#get_queryset` | [`meetups/views.py:28`](meetups/views.py#L28) | 1 | 0.4 ms | 0.4 ms | 0 |',
);

/** django-meetups-fixed against a baseline saved from django-meetups (BASELINE: where it was saved). */
const MEETUPS_FIXED_SINCE_BASELINE = lines(
  '## runlens report: django-meetups-fixed',
  '',
  '1 recording, no findings. Since before: **no regression**, 1 finding resolved, 0 new.',
  '',
  '### Findings',
  '',
  'No findings.',
  '',
  '### Before and after',
  '',
  'before BASELINE (1 recording), after . (1 recording). **No regression.**',
  '',
  '#### Routes',
  '',
  '| route | time per request | change | SQL per request | requests | noise |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  '| `GET /meetings/past/` | 643 ms → 112 ms | −531 ms (−83%) | 1,501 → 3 (−1,498) | 1 | 1 sample each |',
  '',
  '#### Tests',
  '',
  '| test | time per run | change | SQL per run | runs | noise |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  '| `Past meetings lists past meetings` | 643 ms → 112 ms | −531 ms (−83%) | 1,501 → 3 (−1,498) | 1 | 1 sample each |',
  '',
  '#### Functions',
  '',
  '| function | time per call | change | SQL per call | calls | noise |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  '| `<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render` | 638 ms → 108 ms | −530 ms (−83%) | 1,501 → 3 (−1,498) | 1 | 1 sample each |',
  '',
  '1 more unchanged, within noise or under the thresholds.',
  '',
  '#### Findings',
  '',
  '- **resolved**: `meetups/views.py:29` error N+1: 1,500 queries from this queryset (`n-plus-one`)',
  '',
  '<sub>A regression is: time per call up more than 20% and 10 ms beyond the noise, SQL per call up more than 0, or a new error finding. Noise: a time change within 2 × the spread of one call\'s time (± in the noise column) claims nothing. "1 sample each": one timed call on each side, so noise cannot be told from change; record more runs for a verdict. SQL counts and findings are not noisy.</sub>',
  '',
  '### Routes by time',
  '',
  '| route | requests | time per request | total time | SQL per request |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| `GET /meetings/past/` | 1 | 112 ms | 112 ms | 3 |',
  '',
  '### Functions by time',
  '',
  '| function | where | calls | time per call | total time | SQL |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  '| `<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render` | [`meetups/templates/meetups/past_meetings.html:1`](meetups/templates/meetups/past_meetings.html#L1) | 1 | 108 ms | 108 ms | 3 |',
  '| `meetups.views.PastMeetingsView#get_queryset` | [`meetups/views.py:28`](meetups/views.py#L28) | 1 | 0.5 ms | 0.5 ms | 0 |',
);

describe('runlens report', function () {

  it('reports the bookshop N+1 with its fix as a diff of the lines it changes, and its repeated queries', () => {
    assert.deepEqual(runlens(['report', '--root', 'test/workspaces/bookshop'], REPO), { code: 0, stdout: BOOKSHOP, stderr: '' });
  });

  it('reports the bookshop before and after its N+1 fix: findings, the comparison, routes and functions by time', () => {
    const run = runlens(['report', 'test/workspaces/bookshop-fixed/tmp/appmap', '--before', 'test/workspaces/bookshop/tmp/appmap', '--root', 'test/workspaces/bookshop'], REPO);
    assert.deepEqual(run, { code: 0, stdout: BOOKSHOP_BEFORE_AFTER, stderr: '' });
  });

  it('reports the Django example: the N+1 linked to its line, its fix as a diff and its queries folded', () => {
    assert.deepEqual(runlens(['report'], MEETUPS), { code: 0, stdout: MEETUPS_REPORT, stderr: '' });
    // The format is the default; naming it changes nothing.
    assert.deepEqual(runlens(['report', '--format', 'markdown'], MEETUPS), { code: 0, stdout: MEETUPS_REPORT, stderr: '' });
  });

  it('says a wrong root apart from the problems reading recordings, on stderr as scan does and in the summary line', () => {
    const run = runlens(['report', 'test/workspaces/bookshop/tmp/appmap', '--root', 'test/workspaces/django-meetups'], REPO);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, `(runlens): warning: 0 of 2 recorded source files exist under --root ${MEETUPS}: is it the project folder?\n`);
    // Not `1 problem reading recordings`: no recording had one.
    assert.deepEqual(run.stdout.split('\n').slice(0, 3), ['## runlens report: django-meetups', '', '2 recordings, 1 finding (1 error), --root may be the wrong folder.']);
  });

  it('compares with a saved baseline (--baseline)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-'));
    const saved = path.join(dir, 'baseline.json');
    assert.equal(runlens(['baseline', 'save', '--root', MEETUPS, '-o', saved], REPO).code, 0);
    const run = runlens(['report', '--baseline', saved], MEETUPS_FIXED);
    assert.deepEqual({ ...run, stdout: run.stdout.replace(saved, 'BASELINE') }, { code: 0, stdout: MEETUPS_FIXED_SINCE_BASELINE, stderr: '' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes -o FILE, creating its folders, with links relative to where the file is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-'));
    fs.cpSync(MEETUPS, dir, { recursive: true });
    const run = runlens(['report', '-o', 'docs/perf/report.md'], dir);
    assert.deepEqual(run, { code: 0, stdout: 'report written to docs/perf/report.md\n', stderr: '' });
    assert.equal(fs.readFileSync(path.join(dir, 'docs/perf/report.md'), 'utf8'), MEETUPS_REPORT.replace(/\]\(meetups\//g, '](../../meetups/').replace('## runlens report: django-meetups', `## runlens report: ${path.basename(dir)}`));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('links to a repository browser with --link-base (the slash after it is added)', () => {
    const run = runlens(['report', '--link-base', 'https://github.com/acme/meetups/blob/0123abc', '--title', 'Performance of #42'], MEETUPS);
    const expected = MEETUPS_REPORT.replace(/\]\(meetups\//g, '](https://github.com/acme/meetups/blob/0123abc/meetups/').replace('## runlens report: django-meetups', '## Performance of #42');
    assert.deepEqual(run, { code: 0, stdout: expected, stderr: '' });
  });

  it('rejects bad usage with exit code 2 and one clear line', () => {
    const usage = (args: string[], stderr: string, cwd = MEETUPS) => assert.deepEqual(runlens(['report', ...args], cwd), { code: 2, stdout: '', stderr: `runlens: ${stderr}\nRun "runlens --help" for usage.\n` } satisfies Run);
    usage(['--format', 'pdf'], '--format must be markdown or html, not "pdf"');
    usage(['--baseline', 'a.json', '--before', 'tmp'], '--baseline and --before both give the earlier run: use one');
    usage(['--bogus'], 'unknown option "--bogus"');
    usage(['--baseline', 'no-such.json'], '--baseline no-such.json: cannot read the baseline (ENOENT)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-'));
    fs.writeFileSync(path.join(dir, 'foreign.json'), '{"name": "not a baseline"}');
    usage(['--baseline', 'foreign.json', '--root', MEETUPS], 'foreign.json: not a runlens baseline: "format" is missing, expected "runlens-baseline"', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    // No recordings: said as scan says it, without the usage line (it points to record's help).
    const none = (args: string[], message: string) => assert.deepEqual(runlens(['report', ...args], MEETUPS), { code: 2, stdout: '', stderr: `runlens: ${message}\n` } satisfies Run);
    const hint = 'record your tests first (see runlens record --help)';
    none(['--root', 'meetups', '--before', '../tmp'], `no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${path.join(MEETUPS, 'meetups')}: ${hint}`);
    none(['--format', 'html', '--before', 'meetups'], `--before: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${path.join(MEETUPS, 'meetups')}: ${hint}`);
    none(['--before', 'meetups'], `--before: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${path.join(MEETUPS, 'meetups')}: ${hint}`);
    none(['--allow-empty', '--before', 'meetups'], `--before: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${path.join(MEETUPS, 'meetups')}: ${hint}`);
  });

  it('writes the report of no recordings with --allow-empty, exit 0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-empty-'));
    assert.deepEqual(runlens(['report', '--allow-empty', '--title', 'nothing yet'], dir), {
      code: 0,
      stdout: ['## nothing yet', '', '0 recordings, no findings.', '', '### Findings', '', 'No findings.', '', '### Routes by time', '', 'No HTTP requests recorded.', '', '### Functions by time', '', 'No functions recorded.', ''].join('\n'),
      stderr: '',
    } satisfies Run);
    assert.deepEqual(runlens(['report', '--allow-empty', '--format', 'html', '-o', 'r.html'], dir), { code: 0, stdout: 'report written to r.html\n', stderr: '' } satisfies Run);
    assert.match(fs.readFileSync(path.join(dir, 'r.html'), 'utf8'), /^<!DOCTYPE html>\n/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands --format html to the HTML report, with the title, the recordings and the before side', () => {
    // What the page holds is the HTML report's own tests' business; here: that it is called, and with what.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-'));
    const run = runlens(['report', 'test/workspaces/bookshop-fixed/tmp/appmap', '--before', 'test/workspaces/bookshop/tmp/appmap', '--root', 'test/workspaces/bookshop', '--format', 'html', '--title', 'bookshop: before and after', '-o', path.join(dir, 'html/report.html')], REPO);
    assert.deepEqual(run, { code: 0, stdout: `report written to ${path.join(dir, 'html/report.html')}\n`, stderr: '' });
    const page = fs.readFileSync(path.join(dir, 'html/report.html'), 'utf8');
    assert.deepEqual([page.slice(0, 16), /<title>(.*?)<\/title>/.exec(page)?.[1]], ['<!DOCTYPE html>\n', 'bookshop: before and after']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('links the HTML report\'s findings as the Markdown report does: relative from the page\'s folder, or --link-base', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-report-'));
    const links = (args: string[]) => {
      const out = path.join(dir, 'html/report.html');
      assert.equal(runlens(['report', '--root', 'test/workspaces/bookshop', '--format', 'html', '-o', out, ...args], REPO).code, 0);
      const data = JSON.parse(/<script type="application\/json" id="runlens-data">(.*?)<\/script>/s.exec(fs.readFileSync(out, 'utf8'))![1]) as { findings: { href?: string; fix?: { href?: string } }[] };
      return data.findings.map((f) => [f.href, f.fix?.href]);
    };
    const up = path.relative(path.join(dir, 'html'), path.join(REPO, 'test/workspaces/bookshop')).split(path.sep).join('/');
    assert.deepEqual(links([]), [[`${up}/src/routes/books.js#L21`, `${up}/src/routes/books.js#L21`]]);
    assert.deepEqual(links(['--link-base', 'https://x/blob/abc']), [['https://x/blob/abc/src/routes/books.js#L21', 'https://x/blob/abc/src/routes/books.js#L21']]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('escapes what Markdown would read, folds long lists and links only paths in the workspace', () => {
    assert.equal(
      reportMarkdown(syntheticInput(), { linkBase: 'https://example.com/r/blob/abc/', top: 2, maxListed: 4 }),
      lines(
        '## runlens report: \\<synthetic\\>',
        '',
        '2 recordings, 5 findings (1 error, 3 warnings, 1 info), 1 problem reading recordings.',
        '',
        '### Findings',
        '',
        '| severity | where | finding | rule | in |',
        '| --- | --- | --- | --- | --- |',
        '| error | [`app/views/list (old).rb:3`](https://example.com/r/blob/abc/app/views/list%20%28old%29.rb#L3) | N+1: 12 queries from this query (12 × items) | `n-plus-one` | GET /lists/\\<id\\> |',
        '| warning | `/elsewhere/job.appmap.json:1` | slow call: Job#run took 1.2 s | `slow-call` | 2 recordings |',
        '| warning | [`app/b.rb:5`](https://example.com/r/blob/abc/app/b.rb#L5) | repeated query: the same query on \\*notes\\* ran 2 times | `repeated-query` | a test |',
        '| warning | [`app/d.rb:9`](https://example.com/r/blob/abc/app/d.rb#L9) | slow query: 300 ms on notes | `slow-query` | 1 recording |',
        '',
        '<details><summary>1 more finding</summary>',
        '',
        '| severity | where | finding | rule | in |',
        '| --- | --- | --- | --- | --- |',
        '| info | [`app/c.rb:7`](https://example.com/r/blob/abc/app/c.rb#L7) | too many queries: a test ran 120 SQL queries | `too-many-queries` | a test |',
        '',
        '</details>',
        '',
        '<details><summary>app/views/list (old).rb:3: the repeated query and how to fix it</summary>',
        '',
        '**Fix (hint):** where the list is queried, add .includes(:items).',
        '',
        '| queries | SQL |',
        '| ---: | --- |',
        '| 12 | `` SELECT `items`.* FROM `items` WHERE `items`.`list_id` = ? OR flags \\| ? = 1 `` |',
        '',
        '</details>',
        '',
        '<details><summary>app/b.rb:5: the repeated query</summary>',
        '',
        '| queries | SQL |',
        '| ---: | --- |',
        '| 2 | `SELECT 1` |',
        '',
        '</details>',
        '',
        '### Routes by time',
        '',
        '| route | requests | time per request | total time | SQL per request |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| `GET /c\\|d` | 4 | 100 ms | 400 ms | 2 |',
        '| `GET /a` | 2 | 20 ms | 40 ms | 3 |',
        '',
        '<details><summary>1 more route</summary>',
        '',
        '| route | requests | time per request | total time | SQL per request |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| `GET /b` | 1 | – | – | 1 |',
        '',
        '</details>',
        '',
        '### Functions by time',
        '',
        '| function | where | calls | time per call | total time | SQL |',
        '| --- | --- | ---: | ---: | ---: | ---: |',
        '| `A#four` | [`app/a.rb:12`](https://example.com/r/blob/abc/app/a.rb#L12) | 1 | 40 ms | 40 ms | 0 |',
        '| `A#three` | – | 3 | 10 ms | 30 ms | 3 |',
        '',
        '<details><summary>3 more functions</summary>',
        '',
        '| function | where | calls | time per call | total time | SQL |',
        '| --- | --- | ---: | ---: | ---: | ---: |',
        '| `A#two` | – | 1 | 20 ms | 20 ms | 0 |',
        '| `A#one` | – | 1 | 10 ms | 10 ms | 0 |',
        '',
        '1 more function not listed.',
        '',
        '</details>',
      ),
    );
  });
});

/** A finding as the rules make them; `recording` anchors need no workspace. */
function finding(f: Pick<Finding, 'rule' | 'severity' | 'message'> & Partial<Finding> & { path: string; line: number }): Finding {
  const { path, line, ...rest } = f;
  return { count: 1, related: [], recordings: ['tmp/appmap/a.appmap.json'], ref: { kind: 'recording', location: { path, line, column: 1 } }, location: { path, line, column: 1 }, ...rest };
}

function entry(calls: number, totalMs: number | undefined, sql: number): EntryStats {
  return totalMs === undefined ? { calls, timed: 0, sql } : { calls, timed: calls, totalMs, meanMs: totalMs / calls, minMs: 0, maxMs: totalMs, sql };
}

function syntheticInput(): MarkdownReportInput {
  const items = finding({
    rule: 'n-plus-one',
    severity: 'error',
    message: 'N+1: 12 queries from this query',
    detail: '12 × items',
    path: 'app/views/list (old).rb',
    line: 3,
    count: 12,
    scope: 'GET /lists/<id>',
    related: [{ sql: 'SELECT `items`.* FROM `items` WHERE `items`.`list_id` = ? OR flags | ? = 1', count: 12, table: 'items' }],
  });
  const findings = [
    items,
    finding({ rule: 'slow-call', severity: 'warning', message: 'slow call: Job#run took 1.2 s', path: '/elsewhere/job.appmap.json', line: 1, recordings: ['/elsewhere/job.appmap.json', '/elsewhere/job2.appmap.json'] }),
    finding({ rule: 'repeated-query', severity: 'warning', message: 'repeated query: the same query on *notes* ran 2 times', path: 'app/b.rb', line: 5, scope: 'a test', related: [{ sql: 'SELECT 1', count: 2 }] }),
    finding({ rule: 'too-many-queries', severity: 'info', message: 'too many queries: a test ran 120 SQL queries', path: 'app/c.rb', line: 7, scope: 'a test' }),
    finding({ rule: 'slow-query', severity: 'warning', message: 'slow query: 300 ms on notes', path: 'app/d.rb', line: 9 }),
  ];
  const fixes = new Map<Finding, Fix>([[items, { title: 'How to load eagerly (hint)', hint: 'where the list is queried, add .includes(:items)' }]]);
  const current: Baseline = {
    format: 'runlens-baseline',
    version: 1,
    recordings: 2,
    routes: { 'GET /a': entry(2, 40, 6), 'GET /b': entry(1, undefined, 1), 'GET /c|d': entry(4, 400, 8) },
    tests: {},
    functions: { 'A#one': entry(1, 10, 0), 'A#two': entry(1, 20, 0), 'A#three': entry(3, 30, 3), 'A#four': entry(1, 40, 0), 'A#five': entry(1, 5, 0) },
    sql: {},
    findings: [],
  };
  return { title: 'runlens report: <synthetic>', nRecordings: 2, nProblems: 1, findings, fixes, current, functionLocations: new Map([['A#four', { path: 'app/a.rb', line: 12, column: 3 }]]) };
}
