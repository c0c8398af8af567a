// Baselines: what the bundled Django example's recording makes (the whole file, byte for byte),
// identity across runs (another file name, other event ids: the same baseline), stable bytes,
// reading broken, truncated and foreign files as problems (never an exception), and
// `runlens baseline save` writing under the root only.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Baseline, baselineOf, DEFAULT_BASELINE_PATH } from '../../server/src/core/baseline/baseline';
import { parseBaseline, serializeBaseline } from '../../server/src/core/baseline/serialize';
import { resolveConfig } from '../../server/src/core/config';
import { RecordingSummary } from '../../server/src/core/index/summary';
import { Snapshot } from '../../server/src/core/index/workspaceIndex';
import { formatProblem } from '../../server/src/core/problem';
import { findRecordings, scan } from '../../server/src/cli/scan';
import { REPO } from '../support/corpus';

const BIN = path.join(REPO, 'server/bin/runlens.js');
const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';

/** The Django example's baseline file, as `runlens baseline save` writes it. */
const MEETUPS_BASELINE = `{
  "format": "runlens-baseline",
  "version": 1,
  "recordings": 1,
  "routes": {
    "GET /meetings/past/": {"calls":1,"maxMs":643,"meanMs":643,"minMs":643,"sql":1501,"totalMs":643}
  },
  "tests": {
    "Past meetings lists past meetings": {"calls":1,"maxMs":643,"meanMs":643,"minMs":643,"sql":1501,"totalMs":643}
  },
  "functions": {
    "<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render": {"calls":1,"maxMs":638,"meanMs":638,"minMs":638,"sql":1501,"totalMs":638},
    "meetups.views.PastMeetingsView#get_queryset": {"calls":1,"maxMs":0.393,"meanMs":0.393,"minMs":0.393,"sql":0,"totalMs":0.393}
  },
  "sql": {
    "SELECT \\"meetups_meeting\\".\\"id\\", \\"meetups_meeting\\".\\"when\\", \\"meetups_meeting\\".\\"title\\", \\"meetups_meeting\\".\\"where_id\\" FROM \\"meetups_meeting\\" WHERE \\"meetups_meeting\\".\\"when\\" < ? ORDER BY \\"meetups_meeting\\".\\"when\\" ASC": {"calls":1,"maxMs":0.373,"meanMs":0.373,"minMs":0.373,"totalMs":0.373},
    "SELECT \\"meetups_sponsor\\".\\"id\\", \\"meetups_sponsor\\".\\"name\\" FROM \\"meetups_sponsor\\" INNER JOIN \\"meetups_meeting_meeting_sponsors\\" ON (\\"meetups_sponsor\\".\\"id\\" = \\"meetups_meeting_meeting_sponsors\\".\\"sponsor_id\\") WHERE \\"meetups_meeting_meeting_sponsors\\".\\"meeting_id\\" = ?": {"calls":500,"maxMs":0.117,"meanMs":0.025,"minMs":0.017,"sdMs":0.008,"totalMs":12.6},
    "SELECT \\"meetups_topic\\".\\"id\\", \\"meetups_topic\\".\\"title\\" FROM \\"meetups_topic\\" INNER JOIN \\"meetups_meeting_topics\\" ON (\\"meetups_topic\\".\\"id\\" = \\"meetups_meeting_topics\\".\\"topic_id\\") WHERE \\"meetups_meeting_topics\\".\\"meeting_id\\" = ?": {"calls":500,"maxMs":0.105,"meanMs":0.025,"minMs":0.017,"sdMs":0.007,"totalMs":12.5},
    "SELECT \\"meetups_venue\\".\\"id\\", \\"meetups_venue\\".\\"name\\", \\"meetups_venue\\".\\"address\\" FROM \\"meetups_venue\\" WHERE \\"meetups_venue\\".\\"id\\" = ? LIMIT ?": {"calls":500,"maxMs":0.153,"meanMs":0.024,"minMs":0.015,"sdMs":0.011,"totalMs":12.1}
  },
  "findings": [
    {"count":1500,"id":"n-plus-one meetups/views.py queryset meetups.views.PastMeetingsView#get_queryset Meeting","line":29,"message":"N+1: 1,500 queries from this queryset","path":"meetups/views.py","rule":"n-plus-one","scope":"GET /meetings/past/","severity":"error"}
  ]
}
`;

/** The summaries and kept findings of the recordings under `root`, read as the CLI reads them. */
async function summariesOf(root: string): Promise<{ summaries: RecordingSummary[]; baseline: Baseline }> {
  const output = await scan(root, findRecordings([root]), resolveConfig({}), { withSummaries: true });
  assert.deepEqual(output.problems, []);
  return { summaries: output.summaries, baseline: baselineOf(output.summaries, { findings: output.findings }) };
}

/** A copy of the Django example's sources (not its recordings) in a new temporary folder. */
function copyOfMeetups(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-baseline-'));
  fs.cpSync(MEETUPS, dir, { recursive: true, filter: (src) => !src.startsWith(path.join(MEETUPS, 'tmp')) });
  return dir;
}

function checkParse(text: string, expected: string[]): Baseline | undefined {
  const { baseline, problems } = parseBaseline(text, 'b.json');
  assert.deepEqual(problems.map(formatProblem), expected);
  return baseline;
}

function runlens(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('baseline', function () {

  it('of the Django example: routes, tests, functions, SQL shapes and the N+1, small and exact', async () => {
    const { baseline } = await summariesOf(MEETUPS);
    assert.equal(serializeBaseline(baseline), MEETUPS_BASELINE);
  });

  it('is the same from a snapshot as from summaries', async () => {
    const { summaries, baseline } = await summariesOf(MEETUPS);
    const snapshot = new Snapshot(new Map(summaries.map((s) => [s.recordingPath, s])));
    assert.equal(serializeBaseline(baselineOf(snapshot)), serializeBaseline(baseline));
  });

  it('knows entries by route, test, function and finding identity: another file name and other event ids make the same baseline', async () => {
    const dir = copyOfMeetups();
    // The same run under another name, its event ids shifted as another run would number them.
    const recording = JSON.parse(fs.readFileSync(path.join(MEETUPS, RECORDING), 'utf8'));
    for (const e of recording.events) {
      e.id += 1000;
      if (e.parent_id !== undefined) e.parent_id += 1000;
    }
    fs.mkdirSync(path.join(dir, 'recordings/run-2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'recordings/run-2/renamed.appmap.json'), JSON.stringify(recording));
    const { summaries, baseline } = await summariesOf(dir);
    assert.deepEqual(summaries.map((s) => s.recordingPath), ['recordings/run-2/renamed.appmap.json']);
    assert.equal(serializeBaseline(baseline), MEETUPS_BASELINE);
  });

  it('serializes stably: the same baseline, however built, gives the same bytes, and reads back equal', async () => {
    const { summaries, baseline } = await summariesOf(MEETUPS);
    const twice = baselineOf([...summaries, ...summaries]);
    const reversed = baselineOf([...summaries, ...summaries].reverse());
    assert.equal(serializeBaseline(twice), serializeBaseline(reversed));
    assert.equal(serializeBaseline(baseline), serializeBaseline(baselineOf(summaries)));
    const read = checkParse(serializeBaseline(twice), []);
    assert.deepEqual(read, twice);
    // Two runs of the test: two samples, so a spread (identical runs: none).
    assert.deepEqual(twice.routes['GET /meetings/past/'], { calls: 2, timed: 2, totalMs: 1290, meanMs: 643, minMs: 643, maxMs: 643, sdMs: 0, sql: 3002 });
  });

  it('reads broken, truncated and foreign files as problems, never throwing', () => {
    checkParse('', ['b.json: the file is empty, not a baseline']);
    checkParse(' \n', ['b.json: the file is empty, not a baseline']);
    checkParse(MEETUPS_BASELINE.slice(0, 300), ['b.json: byte 300: not valid JSON: unexpected end of file inside a value that starts at byte 297: the file is truncated']);
    checkParse('{"format": "runlens-baseline", "version": 1,, }', ['b.json: byte 44: not valid JSON: expected a member name after ",", found ","']);
    checkParse('[1, 2]', ['b.json: not a runlens baseline: the file holds no JSON object']);
    checkParse('"runlens-baseline"', ['b.json: not a runlens baseline: the file holds no JSON object']);
    checkParse('{"version": "1.9", "metadata": {}, "events": [], "classMap": []}', [
      'b.json: this is an AppMap recording, not a baseline; compare recordings directly, or save a baseline of them with `runlens baseline save`',
    ]);
    checkParse('{"name": "my-app", "version": "1.0.0"}', ['b.json: not a runlens baseline: "format" is missing, expected "runlens-baseline"']);
    checkParse('{"format": "runlens-baseline"}', ['b.json: "version" is missing, expected 1']);
    checkParse('{"format": "runlens-baseline", "version": 2}', ['b.json: baseline format version 2 is newer than this runlens reads (1): update runlens, or save the baseline again with this one']);
    // Entries that are wrong are left out one by one, the rest kept.
    const partial = checkParse(
      JSON.stringify({
        format: 'runlens-baseline',
        version: 1,
        recordings: 2,
        routes: { 'GET /a': { calls: 1, sql: 3, totalMs: 5, meanMs: 5, minMs: 5, maxMs: 5 }, 'GET /b': { calls: 'many', sql: 0 }, 'GET /c': { calls: 2, timed: 0, sql: 1 } },
        tests: [],
        functions: { 'a#b': { calls: 1, sql: 0, meanMs: 1 } },
        findings: [{ id: 'x', rule: 'slow-call', severity: 'fatal', message: 'm', path: 'a.py', line: 1, count: 1 }],
      }),
      [
        'b.json: "tests" is a list, expected an object of entries; left out',
        'b.json: routes "GET /b": "calls" is "many"; left out',
        'b.json: functions "a#b": "totalMs" is missing; left out',
        'b.json: findings[0]: "severity" is "fatal"; left out',
      ],
    );
    assert.deepEqual(partial, {
      format: 'runlens-baseline',
      version: 1,
      recordings: 2,
      routes: { 'GET /a': { calls: 1, timed: 1, sql: 3, totalMs: 5, meanMs: 5, minMs: 5, maxMs: 5 }, 'GET /c': { calls: 2, timed: 0, sql: 1 } },
      tests: {},
      functions: {},
      sql: {},
      findings: [],
    });
    // A route named like a property of every object is an entry like any other.
    const odd = checkParse('{"format": "runlens-baseline", "version": 1, "recordings": 1, "routes": {"__proto__": {"calls": 1, "timed": 0, "sql": 2}}}', []);
    assert.deepEqual(Object.keys(odd?.routes ?? {}), ['__proto__']);
    assert.equal(Object.getPrototypeOf(odd?.routes), Object.prototype);
    // Every prefix of a real baseline short of its closing brace is a problem, never an exception.
    for (let n = 0; n < MEETUPS_BASELINE.trimEnd().length; n++) {
      const { baseline, problems } = parseBaseline(MEETUPS_BASELINE.slice(0, n));
      assert.ok(problems.length > 0 && baseline === undefined, `prefix of ${n} characters`);
    }
  });

  it('is saved under the root, .runlens/baseline.json, and never written outside it without -o', () => {
    const root = copyOfMeetups();
    fs.mkdirSync(path.join(root, 'tmp/appmap/pytest'), { recursive: true });
    fs.copyFileSync(path.join(MEETUPS, RECORDING), path.join(root, RECORDING));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-elsewhere-'));
    const file = path.join(root, DEFAULT_BASELINE_PATH);
    const said = `baseline of 1 recording (1 route, 1 test, 2 functions, 4 SQL shapes, 1 finding; 2,204 bytes) written to `;

    // From another folder with --root: under the root, not the current folder.
    assert.deepEqual(runlens(['baseline', 'save', '--root', root], elsewhere), { code: 0, stdout: `${said}${file}\n`, stderr: '' });
    assert.equal(fs.readFileSync(file, 'utf8'), MEETUPS_BASELINE);
    assert.deepEqual(fs.readdirSync(elsewhere), []);
    // In the root: the path as the user sees it.
    assert.deepEqual(runlens(['baseline', 'save'], root), { code: 0, stdout: `${said}.runlens/baseline.json\n`, stderr: '' });

    // baseline.json a symlink out of the root: the link is replaced, its target untouched.
    const target = path.join(elsewhere, 'target.json');
    fs.writeFileSync(target, 'keep');
    fs.rmSync(file);
    fs.symlinkSync(target, file);
    assert.equal(runlens(['baseline', 'save'], root).code, 0);
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep');
    assert.ok(!fs.lstatSync(file).isSymbolicLink());
    assert.equal(fs.readFileSync(file, 'utf8'), MEETUPS_BASELINE);

    // .runlens a symlink out of the root: refused.
    fs.rmSync(path.join(root, '.runlens'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(root, '.runlens'));
    assert.deepEqual(runlens(['baseline', 'save'], root), {
      code: 2,
      stdout: '',
      stderr: `runlens: ${path.join(fs.realpathSync(root), '.runlens')} is not a folder of the root (a symlink or a file): not writing outside the root; give -o FILE to choose where\nRun "runlens --help" for usage.\n`,
    });
    assert.deepEqual(fs.readdirSync(elsewhere), ['target.json']);

    // -o says where, explicitly, even outside; - is stdout.
    assert.deepEqual(runlens(['baseline', 'save', '-o', path.join(elsewhere, 'b/saved.json')], root), { code: 0, stdout: `${said}${path.join(elsewhere, 'b/saved.json')}\n`, stderr: '' });
    assert.equal(fs.readFileSync(path.join(elsewhere, 'b/saved.json'), 'utf8'), MEETUPS_BASELINE);
    assert.deepEqual(runlens(['baseline', 'save', '-o', '-'], root), { code: 0, stdout: MEETUPS_BASELINE, stderr: 'baseline of 1 recording (1 route, 1 test, 2 functions, 4 SQL shapes, 1 finding; 2,204 bytes)\n' });
  });

  it('rejects bad usage with exit code 2 and one clear line', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-empty-'));
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `runlens: ${message}\nRun "runlens --help" for usage.\n` });
    assert.deepEqual(runlens(['baseline'], empty), usage('baseline needs a subcommand: save'));
    assert.deepEqual(runlens(['baseline', 'load'], empty), usage('unknown baseline subcommand "load" (there is: save)'));
    assert.deepEqual(runlens(['baseline', 'save', '--bogus'], empty), usage('unknown option "--bogus"'));
    // No recordings: an empty baseline would make every later comparison pass; said as scan says it.
    assert.deepEqual(runlens(['baseline', 'save'], empty), { code: 2, stdout: '', stderr: `runlens: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${empty}: record your tests first (see runlens record --help)\n` });
    assert.deepEqual(runlens(['baseline', 'save', '--allow-empty'], empty), usage('unknown option "--allow-empty"'));
    assert.deepEqual(fs.readdirSync(empty), []);
  });
});
