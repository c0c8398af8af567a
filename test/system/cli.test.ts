// `runlens scan` as a user runs it: the real binary in a child process, on the bundled Django
// example (recordings generated in appmap-python's format), every format and exit code.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../support/corpus';
import { Run, runlens as runCli } from '../support/cli';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_FIXED = path.join(REPO, 'test/workspaces/django-meetups-fixed');
const RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';

/** The real binary; in MEETUPS unless told. */
function runlens(args: string[], cwd = MEETUPS): Run {
  return runCli(args, cwd);
}

function checkRun(args: string[], expected: Partial<Run>, cwd?: string): Run {
  const run = runlens(args, cwd);
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, run[k as keyof Run]]));
  assert.deepEqual(picked, expected);
  return run;
}

describe('runlens scan', function () {

  it('prints the N+1 on the queryset line, like a compiler, and exits 1', () => {
    checkRun(['scan'], {
      code: 1,
      stdout:
        'meetups/views.py:29:16 error N+1: 1500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n' +
        '1 recording read, 1 finding (1 error, 0 warnings)\n',
      stderr: '',
    });
  });

  it('prints nothing for the fixed version and exits 0', () => {
    checkRun(['scan'], { code: 0, stdout: '1 recording read, no findings\n', stderr: '' }, MEETUPS_FIXED);
  });

  it('takes recording paths and --root from anywhere', () => {
    checkRun(['scan', path.join(MEETUPS, RECORDING), '--root', MEETUPS, '--fail-on', 'never'], {
      code: 0,
      stdout:
        'meetups/views.py:29:16 error N+1: 1500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n' +
        '1 recording read, 1 finding (1 error, 0 warnings)\n',
    }, os.tmpdir());
  });

  it('prints exactly one JSON object with --format json', () => {
    const run = checkRun(['scan', '--format', 'json'], { code: 1, stderr: '' });
    const shape = (sql: string) => sql.replace(/^SELECT (.{30}).*? FROM ("\w+").*$/, 'SELECT $1… FROM $2 …');
    const output = JSON.parse(run.stdout);
    for (const f of output.findings) for (const r of f.related) r.sql = shape(r.sql);
    assert.deepEqual(output, {
      recordings: 1,
      problems: [],
      findings: [
        {
          rule: 'n-plus-one',
          severity: 'error',
          message: 'N+1: 1500 queries from this queryset',
          path: 'meetups/views.py',
          line: 29,
          count: 1500,
          recordings: [RECORDING],
          related: [
            { sql: 'SELECT "meetups_venue"."id", "meetups… FROM "meetups_venue" …', count: 500 },
            { sql: 'SELECT "meetups_topic"."id", "meetups… FROM "meetups_topic" …', count: 500 },
            { sql: 'SELECT "meetups_sponsor"."id", "meetu… FROM "meetups_sponsor" …', count: 500 },
          ],
        },
      ],
    });
    // One object, one line.
    assert.equal(run.stdout.trim().split('\n').length, 1);
  });

  it('writes SARIF 2.1.0 with the rule, level and region', () => {
    const run = checkRun(['scan', '--format', 'sarif', '--fail-on', 'warning'], { code: 1, stderr: '' });
    const log = JSON.parse(run.stdout);
    assert.equal(log.version, '2.1.0');
    const results = log.runs[0].results;
    assert.deepEqual(
      results.map((r: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[] }) => [r.ruleId, r.level, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region]),
      [['n-plus-one', 'error', 'meetups/views.py', { startLine: 29, startColumn: 16, endLine: 29, endColumn: 80 }]],
    );
    assert.deepEqual(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id), ['n-plus-one', 'slow-call', 'slow-request', 'slow-query', 'repeated-query', 'too-many-queries']);
  });

  it('exits 0 with --fail-on never, and 1 on warnings with --fail-on warning', () => {
    checkRun(['scan', '--fail-on', 'never'], { code: 0 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-'));
    // A recording with one slow call only (a warning), generated here.
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'job.py'), 'def run():\n    pass\n');
    fs.writeFileSync(
      path.join(dir, 'slow.generated.appmap.json'),
      JSON.stringify({ events: [{ id: 1, event: 'call', thread_id: 1, defined_class: 'app.job', method_id: 'run', path: 'app/job.py', lineno: 1 }, { id: 2, event: 'return', thread_id: 1, parent_id: 1, elapsed: 2.5 }] }),
    );
    const expected = 'app/job.py:1:1 warning slow call: job#run took 2.5 s [slow-call]\n1 recording read, 1 finding (0 errors, 1 warning)\n';
    checkRun(['scan'], { code: 0, stdout: expected }, dir);
    checkRun(['scan', '--fail-on', 'warning'], { code: 1, stdout: expected }, dir);
    // Thresholds come from --config.
    fs.writeFileSync(path.join(dir, 'lenient.json'), JSON.stringify({ slowCallMs: 5000 }));
    checkRun(['scan', '--config', 'lenient.json', '--fail-on', 'warning'], { code: 0, stdout: '1 recording read, no findings\n' }, dir);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ slowCallMs: 5000 }');
    const bad = runlens(['scan', '--config', 'broken.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^runlens: --config .*broken\.json: not valid JSON \(/);
  });

  it('reports a truncated recording with its byte offset, keeps what it holds, and scans the rest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-'));
    const whole = fs.readFileSync(path.join(MEETUPS, RECORDING));
    fs.mkdirSync(path.join(dir, 'meetups'));
    for (const f of ['models.py', 'views.py']) fs.copyFileSync(path.join(MEETUPS, 'meetups', f), path.join(dir, 'meetups', f));
    fs.writeFileSync(path.join(dir, 'cut.appmap.json'), whole.subarray(0, 200_000));
    fs.writeFileSync(path.join(dir, 'broken.appmap.json'), '{"events": [1, 2,, 3]}');
    const run = checkRun(['scan', '--format', 'json'], { code: 1, stderr: '' }, dir);
    const output = JSON.parse(run.stdout);
    assert.equal(output.recordings, 2);
    assert.deepEqual(output.problems, [
      { file: 'broken.appmap.json', message: 'byte 17: not valid JSON: expected a value, found ","; read what came before it' },
      { file: 'broken.appmap.json', message: '2 event(s) are not call or return events with an id; ignored' },
      { file: 'cut.appmap.json', message: 'byte 200000: not valid JSON: unexpected end of file inside a string that starts at byte 199992: the file is truncated; read what came before it' },
    ]);
    // The first part of the recording still shows the N+1, with the count it holds.
    assert.deepEqual(output.findings.map((f: { rule: string; path: string; line: number; count: number }) => [f.rule, f.path, f.line, f.count]), [['n-plus-one', 'meetups/views.py', 29, output.findings[0].count]]);
    assert.ok(output.findings[0].count > 100 && output.findings[0].count < 1500, String(output.findings[0].count));
  });

  it('prints the suggested change under each N+1 with --fix-hints, and puts it in SARIF as a fix', () => {
    checkRun(['scan', '--fix-hints'], {
      code: 1,
      stdout:
        'meetups/views.py:29:16 error N+1: 1500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n' +
        '    fix: append .select_related("where").prefetch_related("topics", "meeting_sponsors") to the queryset at meetups/views.py:29:16\n' +
        '1 recording read, 1 finding (1 error, 0 warnings)\n',
    });
    const log = JSON.parse(runlens(['scan', '--format', 'sarif']).stdout);
    assert.deepEqual(log.runs[0].results[0].fixes[0].artifactChanges[0].replacements, [
      {
        deletedRegion: { startLine: 29, startColumn: 16, endLine: 29, endColumn: 80 },
        insertedContent: { text: 'Meeting.objects.filter(when__lt=timezone.now()).order_by("when").select_related("where").prefetch_related("topics", "meeting_sponsors")' },
      },
    ]);
  });

  it('honours an ignore comment above the finding', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-'));
    fs.cpSync(MEETUPS, dir, { recursive: true });
    const views = path.join(dir, 'meetups/views.py');
    const lines = fs.readFileSync(views, 'utf8').split('\n');
    lines.splice(28, 0, '        # runlens: ignore n-plus-one');
    fs.writeFileSync(views, lines.join('\n'));
    checkRun(['scan'], { code: 0, stdout: '1 recording read, no findings\n', stderr: '' }, dir);
  });

  it('rejects bad usage with exit code 2 and one clear line', () => {
    checkRun(['scan', '--format', 'xml'], { code: 2, stdout: '', stderr: 'runlens: --format must be text, json or sarif, not "xml"\nRun "runlens --help" for usage.\n' });
    checkRun(['scan', '--bogus'], { code: 2, stderr: 'runlens: unknown option "--bogus"\nRun "runlens --help" for usage.\n' });
    checkRun(['scan', '--root'], { code: 2, stderr: 'runlens: --root needs a value\nRun "runlens --help" for usage.\n' });
    checkRun(['scan', 'no/such/dir'], { code: 2, stderr: `runlens: ${path.join(MEETUPS, 'no/such/dir')}: no such file or folder\nRun "runlens --help" for usage.\n` });
    checkRun(['frobnicate'], { code: 2, stderr: 'runlens: unknown command "frobnicate"\nRun "runlens --help" for usage.\n' });
    checkRun([], { code: 2 });
  });

  it('prints its version', () => {
    checkRun(['--version'], { code: 0, stdout: `${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`, stderr: '' });
  });
});
