// `runlens scan` as a user runs it: the real binary in a child process, on the bundled Django
// example (recordings generated in appmap-python's format), every format and exit code.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../support/corpus';
import { BIN, Run, runlens as runCli } from '../support/cli';
import { spawnSync } from 'node:child_process';
import { main } from '../../server/src/cli/main';
import { didYouMean, editDistance } from '../../server/src/cli/usage';
import { rootProblem } from '../../server/src/core/rootCheck';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_FIXED = path.join(REPO, 'test/workspaces/django-meetups-fixed');
const RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';

/** The real binary; in MEETUPS unless told. */
function runlens(args: string[], cwd = MEETUPS, env: Record<string, string> = {}): Run {
  return runCli(args, cwd, env);
}

function checkRun(args: string[], expected: Partial<Run>, cwd?: string, env: Record<string, string> = {}): Run {
  const run = runlens(args, cwd, env);
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, run[k as keyof Run]]));
  assert.deepEqual(picked, expected);
  return run;
}

describe('runlens scan', function () {

  it('prints the N+1 on the queryset line, like a compiler, and exits 1', () => {
    checkRun(['scan'], {
      code: 1,
      stdout:
        'meetups/views.py:29:16 error N+1: 1,500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n' +
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
        'meetups/views.py:29:16 error N+1: 1,500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n' +
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
          message: 'N+1: 1,500 queries from this queryset',
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
        'meetups/views.py:29:16 error N+1: 1,500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n' +
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

  it('exits 2 when it finds no recording, saying where it looked and how to record; 0 with --allow-empty', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-none-'));
    fs.mkdirSync(path.join(dir, 'tmp/appmap'), { recursive: true });
    const none = (where: string) => ({ code: 2, stdout: '', stderr: `runlens: no recordings (*.appmap.json, *.otlp.json, *.otlp.jsonl) under ${where}: record your tests first (see runlens record --help)\n` });
    checkRun(['scan'], none(dir), dir);
    checkRun(['scan', '--format', 'sarif'], none(dir), dir);
    checkRun(['scan', 'tmp/appmap', '.'], none(`${path.join(dir, 'tmp/appmap')}, ${dir}`), dir);
    checkRun(['scan', '--root', dir], none(dir), os.tmpdir());
    checkRun(['scan', '--allow-empty'], { code: 0, stdout: '0 recordings read, no findings\n', stderr: '' }, dir);
    checkRun(['scan', '--allow-empty', '--format', 'json'], { code: 0, stdout: '{"recordings":0,"problems":[],"findings":[]}\n', stderr: '' }, dir);
    // The pointer is real.
    checkRun(['record', '--help'], { code: 0, stderr: '' }, dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says once that a wrong --root holds none of the recorded files, and prints findings in files it does not hold without a line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-wrong-root-'));
    const problem = `0 of 2 recorded source files exist under --root ${dir}: is it the project folder?`;
    // Before: meetups/templates/meetups/past_meetings.html:1:1, a line of the right project's file, from the wrong root.
    const finding = 'meetups/templates/meetups/past_meetings.html: error N+1: 1,500 queries in this function, exact line unknown (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor) [n-plus-one]\n';
    checkRun(['scan', '.', '--root', dir], {
      code: 1,
      // The wrong root is said apart from the problems reading recordings (there is none here).
      stdout: `${finding}1 recording read, 1 finding (1 error, 0 warnings), --root may be the wrong folder\n`,
      stderr: `(runlens): warning: ${problem} Findings in files not under it are shown without a line.\n`,
    });
    const json = JSON.parse(checkRun(['scan', '.', '--root', dir, '--format', 'json'], { code: 1, stderr: '' }).stdout);
    assert.deepEqual(json.problems, [{ file: '(runlens)', message: `${problem} Findings in files not under it are shown without a line.` }]);
    assert.deepEqual(json.findings.map((f: { path: string; line: number | null }) => [f.path, f.line]), [['meetups/templates/meetups/past_meetings.html', null]]);
    const sarif = JSON.parse(checkRun(['scan', '.', '--root', dir, '--format', 'sarif'], { code: 1, stderr: '' }).stdout).runs[0];
    assert.deepEqual(sarif.results[0].locations, [{ physicalLocation: { artifactLocation: { uri: 'meetups/templates/meetups/past_meetings.html', uriBaseId: '%SRCROOT%' } } }]);
    assert.deepEqual(sarif.invocations[0].toolExecutionNotifications, [{ level: 'warning', message: { text: `${problem} Findings in files not under it are shown without a line.` } }]);
    // The commands that read recordings through scan say it too (their findings keep the recorded lines).
    checkRun(['baseline', 'save', '-o', '-', '--root', dir, '.'], { code: 0, stderr: `(runlens): warning: ${problem}\nbaseline of 1 recording (1 route, 1 test, 2 functions, 4 SQL shapes, 1 finding; 2,304 bytes)\n` });
    // The right root: nothing said.
    checkRun(['scan'], { code: 1, stderr: '' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('calls a root wrong when fewer than half of the recorded source files are under it', () => {
    const files = (present: number, missing: number) => new Map([...Array(present + missing)].map((_, i) => [`f${i}.py`, i < present]));
    const said = (present: number, missing: number) => rootProblem(files(present, missing), '--root /x')?.message;
    assert.deepEqual(
      [said(0, 14), said(6, 8), said(7, 7), said(14, 0), said(0, 0), said(0, 1), said(999, 1001)],
      [
        '0 of 14 recorded source files exist under --root /x: is it the project folder?',
        '6 of 14 recorded source files exist under --root /x: is it the project folder?',
        undefined,
        undefined,
        undefined,
        '0 of 1 recorded source file exists under --root /x: is it the project folder?',
        '999 of 2,000 recorded source files exist under --root /x: is it the project folder?',
      ],
    );
  });

  describe('colours', () => {
    const N_PLUS_ONE = 'N+1: 1,500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor)';
    const PLAIN_TEXT = `meetups/views.py:29:16 error ${N_PLUS_ONE} [n-plus-one]\n1 recording read, 1 finding (1 error, 0 warnings)\n`;
    // Bold path, red severity, dim rule; each ended by its own reset.
    const COLOURED = `\x1b[1mmeetups/views.py:29:16\x1b[22m \x1b[31merror\x1b[39m ${N_PLUS_ONE} \x1b[2m[n-plus-one]\x1b[22m\n1 recording read, 1 finding (1 error, 0 warnings)\n`;

    it('marks paths, severities and rules with FORCE_COLOR, on a pipe too; FORCE_COLOR=0 and NO_COLOR leave text plain', () => {
      checkRun(['scan'], { code: 1, stdout: COLOURED, stderr: '' }, MEETUPS, { FORCE_COLOR: '1' });
      checkRun(['scan'], { code: 1, stdout: COLOURED }, MEETUPS, { FORCE_COLOR: '' });
      checkRun(['scan'], { code: 1, stdout: PLAIN_TEXT }, MEETUPS, { FORCE_COLOR: '0' });
      checkRun(['scan'], { code: 1, stdout: PLAIN_TEXT }, MEETUPS, { FORCE_COLOR: 'false' });
      checkRun(['scan'], { code: 1, stdout: PLAIN_TEXT }, MEETUPS, { NO_COLOR: '1' });
      checkRun(['scan'], { code: 1, stdout: PLAIN_TEXT }, MEETUPS, {});
      // FORCE_COLOR wins over NO_COLOR, as in Node.
      checkRun(['scan'], { code: 1, stdout: COLOURED }, MEETUPS, { FORCE_COLOR: '1', NO_COLOR: '1' });
    });

    it('never colours JSON or SARIF', () => {
      for (const format of ['json', 'sarif']) {
        assert.equal(runlens(['scan', '--format', format], MEETUPS, { FORCE_COLOR: '1' }).stdout, runlens(['scan', '--format', format]).stdout);
      }
      assert.doesNotMatch(runlens(['scan', '--format', 'json'], MEETUPS, { FORCE_COLOR: '1' }).stdout, /\x1b/);
    });

    it('marks the file and severity of a problem on stderr', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-wrong-root-'));
      const run = runlens(['scan', '.', '--root', dir], MEETUPS, { FORCE_COLOR: '1' });
      assert.equal(run.stderr, `\x1b[1m(runlens):\x1b[22m \x1b[33mwarning\x1b[39m: 0 of 2 recorded source files exist under --root ${dir}: is it the project folder? Findings in files not under it are shown without a line.\n`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('colours a terminal by itself, unless NO_COLOR is set (a real pseudo-terminal, through script)', function () {
      if (spawnSync('script', ['--version']).status !== 0) {
        if (process.env.CI) throw new Error('script (util-linux) is missing');
        this.skip();
      }
      const atTerminal = (env: Record<string, string>) => {
        const childEnv: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...env };
        delete childEnv.FORCE_COLOR;
        if (!('NO_COLOR' in env)) delete childEnv.NO_COLOR;
        // The terminal turns each \n into \r\n.
        return spawnSync('script', ['-qec', `${process.execPath} ${BIN} scan`, '/dev/null'], { cwd: MEETUPS, env: childEnv, encoding: 'utf8', timeout: 60_000 }).stdout.replace(/\r\n/g, '\n');
      };
      assert.equal(atTerminal({}), COLOURED);
      assert.equal(atTerminal({ NO_COLOR: '1' }), PLAIN_TEXT);
      // NO_COLOR set but empty is not set.
      assert.equal(atTerminal({ NO_COLOR: '' }), COLOURED);
      assert.equal(atTerminal({ TERM: 'dumb' }), PLAIN_TEXT);
    });

    it('draws the progress bar on a terminal for 20 recordings or more, and erases it when done', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-progress-'));
      fs.cpSync(path.join(MEETUPS, 'meetups'), path.join(dir, 'meetups'), { recursive: true });
      // Copies of the generated recording.
      for (let i = 1; i <= 20; i++) fs.copyFileSync(path.join(MEETUPS, RECORDING), path.join(dir, `copy-${String(i).padStart(2, '0')}.generated.appmap.json`));
      let stdout = '';
      let stderr = '';
      const code = await main(['scan'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrIsTTY: true, cwd: dir });
      const bar = (done: number) => `\r[${'#'.repeat(Math.round((done / 20) * 30)).padEnd(30)}] ${done}/20 recordings`;
      assert.deepEqual({ code, stdout, stderr }, {
        code: 1,
        stdout: `meetups/views.py:29:16 error ${N_PLUS_ONE} [n-plus-one]\n20 recordings read, 1 finding (1 error, 0 warnings)\n`,
        stderr: `${[...Array(19)].map((_, i) => bar(i + 1)).join('')}\r\x1b[K`,
      });
      // Not a terminal: no bar.
      assert.equal(runlens(['scan'], dir).stderr, '');
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  it('suggests the nearest command or option for a misspelt one, exit code 2', () => {
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `runlens: ${message}\nRun "runlens --help" for usage.\n` });
    checkRun(['scna'], usage('unknown command "scna": did you mean scan?'));
    checkRun(['reprot', '--format', 'html'], usage('unknown command "reprot": did you mean report?'));
    checkRun(['--stdo'], usage('unknown command "--stdo": did you mean --stdio?'));
    checkRun(['scan', '--rot', 'x'], usage('unknown option "--rot": did you mean --root?'));
    checkRun(['scan', '--fail-on=warning', '--formt=json'], usage('unknown option "--formt": did you mean --format?'));
    checkRun(['scan', '--fix-hint'], usage('unknown option "--fix-hint": did you mean --fix-hints?'));
    checkRun(['scan', '--allow-emty'], usage('unknown option "--allow-emty": did you mean --allow-empty?'));
    checkRun(['compare', 'a', 'b', '--max-sql-incr', '3'], usage('unknown option "--max-sql-incr": did you mean --max-sql-increase?'));
    checkRun(['report', '--titel', 'x'], usage('unknown option "--titel": did you mean --title?'));
    checkRun(['baseline', 'sav'], usage('unknown baseline subcommand "sav": did you mean save?'));
    checkRun(['baseline', 'save', '--roto', 'x'], usage('unknown option "--roto": did you mean --root?'));
    checkRun(['record', '--rot', 'x', '--', 'npm', 'test'], usage('record: unknown option "--rot": did you mean --root?'));
    // Nothing near: no guess.
    checkRun(['scan', '--verbose'], usage('unknown option "--verbose"'));
  });

  it('measures edits as insertions, deletions, substitutions and swaps of neighbours', () => {
    const cases: [string, string, number][] = [
      ['', '', 0], ['', 'scan', 4], ['scan', '', 4], ['scan', 'scan', 0], ['scna', 'scan', 1], ['rot', 'root', 1],
      ['root', 'rot', 1], ['kitten', 'sitting', 3], ['ca', 'abc', 3], ['baseline', 'basline', 1], ['fromat', 'format', 1],
    ];
    assert.deepEqual(cases.map(([a, b]) => [a, b, editDistance(a, b)]), cases);
    assert.equal(didYouMean('--ROOT', ['--root']), ': did you mean --root?');
    // The nearest wins; of equals, the first.
    assert.equal(didYouMean('--form', ['--fail-on', '--format', '--from']), ': did you mean --from?');
    assert.equal(didYouMean('--x', ['--root']), '');
  });

  it('prints its version', () => {
    checkRun(['--version'], { code: 0, stdout: `${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`, stderr: '' });
  });
});
