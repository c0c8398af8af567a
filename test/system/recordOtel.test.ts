// `runlens record --otel -- node test.js` on the OpenTelemetry examples (test/workspaces/otel-apps):
// the real OpenTelemetry Node SDK runs the app, and the OTLP JSON Lines it writes to
// .runlens/traces/ hold, deterministically: the database spans per request and query text (the
// N+1 of each route, 8 per request; one per request in the fixed twin), each database and client
// span located on the exact line its `// expect:` comment marks, and nothing else located. The
// committed traces (the examples recorded by test/workspaces/otel-apps/record.sh) are held to
// the same. And neither `runlens scan` nor the language server loads an OpenTelemetry package.
// The runs need otel-apps' dependencies: skipped without them, failed under CI.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeOptionsQuote, parseRecordArgs } from '../../server/src/cli/record';
import { BIN, runlens } from '../support/cli';
import { missingNodeDependencies } from '../support/installed';
import { expectMarkers, isConnectionSpan, isDbSpan, locatedSpans, OTEL_APPS, OtlpSpan, queriesPerRoute, readOtlpDir } from '../support/otlpSpans';
import { missingPostgres, Postgres, startPostgres } from '../support/postgres';

const ROUTES = ['/projects/loop', '/projects/all-async', '/projects/all-plain', '/projects/helper', '/projects/objection'];
const PROJECTS = 'select * from `projects` order by `id` asc';
const TASKS_OF_ONE = 'select * from `tasks` where `project_id` = ? order by `id` asc';
const TASKS_OF_ALL = 'select * from `tasks` where `project_id` in (?, ?, ?, ?, ?, ?, ?, ?) order by `id` asc';

/** The database spans of each request, by query text: the N+1 of every route (8 projects). */
const KNEX_TASKS: Record<string, Record<string, number>> = {
  ...Object.fromEntries(ROUTES.slice(0, 4).map((r) => [r, { [PROJECTS]: 1, [TASKS_OF_ONE]: 8 }])),
  '/projects/objection': { 'select `projects`.* from `projects` order by `id` asc': 1, 'select `tasks`.* from `tasks` where `tasks`.`project_id` in (?) order by `id` asc': 8 },
};
/** The fixed twin: one query for the tasks of all the projects, in every route. */
const KNEX_TASKS_FIXED: Record<string, Record<string, number>> = {
  ...Object.fromEntries(ROUTES.slice(0, 4).map((r) => [r, { [PROJECTS]: 1, [TASKS_OF_ALL]: 1 }])),
  '/projects/objection': { 'select `projects`.* from `projects` order by `id` asc': 1, 'select `tasks`.* from `tasks` where `tasks`.`project_id` in (?, ?, ?, ?, ?, ?, ?, ?)': 1 },
};

const PG_PROJECTS = 'SELECT "id", "name" FROM "projects" AS "Project" ORDER BY "Project"."id" ASC;';
const PG_TASKS_OF_ONE = 'SELECT "id", "title", "projectId" FROM "tasks" AS "Task" WHERE "Task"."projectId" = ? ORDER BY "Task"."id" ASC;';
const PG_PROJECTS_WITH_TASKS =
  'SELECT "Project"."id", "Project"."name", "tasks"."id" AS "tasks.id", "tasks"."title" AS "tasks.title", "tasks"."projectId" AS "tasks.projectId" FROM "projects" AS "Project" ' +
  'LEFT OUTER JOIN "tasks" AS "tasks" ON "Project"."id" = "tasks"."projectId" ORDER BY "Project"."id" ASC, "tasks"."id" ASC;';
/** Sequelize over pg: the association's getter in a loop, findAll per row in Promise.all. */
const SEQUELIZE_PG_TASKS: Record<string, Record<string, number>> = {
  '/projects/loop': { [PG_PROJECTS]: 1, [PG_TASKS_OF_ONE]: 8 },
  '/projects/all': { [PG_PROJECTS]: 1, [PG_TASKS_OF_ONE]: 8 },
};
const SEQUELIZE_PG_TASKS_FIXED: Record<string, Record<string, number>> = {
  '/projects/loop': { [PG_PROJECTS_WITH_TASKS]: 1 },
  '/projects/all': { [PG_PROJECTS]: 1, 'SELECT "id", "title", "projectId" FROM "tasks" AS "Task" WHERE "Task"."projectId" IN (?, ?, ?, ?, ?, ?, ?, ?) ORDER BY "Task"."id" ASC;': 1 },
};

interface App {
  app: string;
  perRoute: Record<string, Record<string, number>>;
  /** The database spans outside the requests (tables made, rows inserted), connections' left out. */
  outside: number;
}
const SQLITE_APPS: App[] = [
  { app: 'knex-tasks', perRoute: KNEX_TASKS, outside: 4 },
  { app: 'knex-tasks-fixed', perRoute: KNEX_TASKS_FIXED, outside: 4 },
];
/** Sequelize's sync({ force: true }): 13 queries (drops, creates, the catalog read), then the two inserts. */
const PG_APPS: App[] = [
  { app: 'sequelize-pg-tasks', perRoute: SEQUELIZE_PG_TASKS, outside: 15 },
  { app: 'sequelize-pg-tasks-fixed', perRoute: SEQUELIZE_PG_TASKS_FIXED, outside: 15 },
];

/** What every trace of an example holds, whether recorded now or committed. */
function checkTraces({ app, perRoute, outside }: App, spans: OtlpSpan[]): void {
  const { '-': before, ...requests } = queriesPerRoute(spans);
  assert.deepEqual(requests, perRoute, `${app}: database spans per request`);
  assert.equal(Object.values(before).reduce((a, b) => a + b, 0), outside, `${app}: database spans outside the requests`);
  // Every database span, and every client span (fetch), is on the line its `// expect:` marks.
  const markers = expectMarkers(path.join(OTEL_APPS, app));
  assert.deepEqual(sorted(locatedSpans(spans)), sorted(markers), `${app}: spans per line`);
  // A connection's spans are on the line of a query (the one that opened it), or on none when the
  // pool's factory opened it outside the application's async chain (sequelize-pool's do).
  for (const s of spans.filter(isConnectionSpan)) {
    if (s.attributes['code.file.path'] === undefined) continue;
    const at = `${s.attributes['code.file.path']}:${s.attributes['code.line.number']}`;
    assert.ok(markers.get(at)?.db, `${app}: ${s.name} at ${at}`);
  }
  for (const s of spans.filter((s) => !isConnectionSpan(s) && (isDbSpan(s) || s.kind === 3))) {
    const a = s.attributes;
    const where = `${app}: ${s.name} at ${a['code.file.path']}:${a['code.line.number']}`;
    assert.equal(typeof a['code.line.number'], 'number', where);
    // The stack goes from the traced library down to the application's frame, whose position it shows.
    const stack = String(a['code.stacktrace']);
    assert.ok(stack.includes(`${a['code.file.path']}:${a['code.line.number']}:${a['code.column.number']})`) || stack.includes(` ${a['code.file.path']}:${a['code.line.number']}:`), `${where}: ${stack}`);
    assert.ok(!stack.includes('@opentelemetry/'), `${where}: the SDK's own frames are left out`);
  }
  // In the fixed twin no request repeats a query.
  if (app.endsWith('-fixed')) {
    for (const [route, queries] of Object.entries(requests)) assert.ok(Object.values(queries).every((n) => n === 1), `${app} ${route}: a query repeated`);
  }
  for (const s of spans) {
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
  }
}

/** Records a copy of the example in `work` (its dependencies linked beside it) and checks what it wrote. */
function recordAgain(work: string, app: App, nRoutes: number, env: Record<string, string> = {}): void {
  const dir = path.join(work, app.app);
  fs.cpSync(path.join(OTEL_APPS, app.app), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.runlens`) });
  const r = runlens(['record', '--otel', '--', 'node', 'test.js'], dir, { NODE_OPTIONS: '', ...env });
  assert.ok(r.stdout.includes(`${app.app}: ${nRoutes} routes answered\n`), r.stdout + r.stderr);
  // The scan's statuses (0, or 1 with an error finding), not the command's failure (its own status) nor no trace (1 with a message).
  assert.ok(r.code === 0 || r.code === 1, `status ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^runlens record: wrote one trace file: \\.runlens/traces/${app.app}-\\d{8}T\\d{9}Z-\\d+\\.otlp\\.jsonl$`, 'm'));
  const { files, spans } = readOtlpDir(path.join(dir, '.runlens/traces'));
  assert.equal(files.length, 1);
  checkTraces(app, spans);
}

function sorted(m: Map<string, Record<string, number>>): Array<[string, Record<string, number>]> {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('runlens record --otel', function () {
  it('reads --otel before the command and only there', function () {
    assert.deepEqual(parseRecordArgs(['--otel', '--', 'node', 'test.js', '--otel']), { rootArg: '.', command: ['node', 'test.js', '--otel'], otel: true });
    assert.deepEqual(parseRecordArgs(['--', 'node', '--otel']), { rootArg: '.', command: ['node', '--otel'] });
    assert.equal(nodeOptionsQuote('/opt/runlens/bootstrap.js'), '/opt/runlens/bootstrap.js');
    assert.equal(nodeOptionsQuote('/my "dir"/b\\x.js'), '"/my \\"dir\\"/b\\\\x.js"');
  });

  describe('the committed traces of the examples', function () {
    for (const app of [...SQLITE_APPS, ...PG_APPS]) {
      it(`${app.app}: real SDK output, each query on its line`, function () {
        const { files, spans } = readOtlpDir(path.join(OTEL_APPS, app.app, '.runlens/traces'));
        assert.equal(files.length, 1, `${app.app}: one trace file (node test.js is one process)`);
        checkTraces(app, spans);
      });
    }

    // What runlens makes of them: each N+1 on the exact line of its per-row query (the `await`
    // in a loop, in Promise.all(map(async …)), in a helper per row, Objection's $relatedQuery;
    // a plain `rows.map((r) => knex…)` has no frame of its own below Promise.all: that line), and
    // nothing in the fixed twins.
    const SCANNED: Record<string, string[]> = {
      'knex-tasks': ['12:5', '21:7', '31:3', '39:3', '52:5'].map((at) => `src/routes.js:${at} warning N+1: 8 queries from this query (8 × tasks) [n-plus-one]`),
      'knex-tasks-fixed': [],
      'sequelize-pg-tasks': ['12:5', '22:7'].map((at) => `src/routes.js:${at} warning N+1: 8 queries from this query (8 × tasks) [n-plus-one]`),
      'sequelize-pg-tasks-fixed': [],
    };
    for (const [app, expected] of Object.entries(SCANNED)) {
      it(`${app}: runlens scan puts each N+1 on its per-row query line, exactly`, function () {
        const dir = path.join(OTEL_APPS, app);
        const r = runlens(['scan', '--root', dir, path.join(dir, '.runlens/traces')], OTEL_APPS);
        assert.equal(r.code, 0, r.stderr);
        const found = r.stdout.split('\n').filter((l) => / \[[a-z-]+\]$/.test(l));
        assert.deepEqual(found, expected, r.stdout);
        assert.match(r.stdout, expected.length ? new RegExp(`^1 recording read, ${expected.length} findings \\(0 errors, ${expected.length} warnings\\)$`, 'm') : /^1 recording read, no findings$/m);
      });
    }
  });

  describe('recording the examples again', function () {
    this.timeout(300_000);
    let work: string;

    before(function () {
      const missing = missingNodeDependencies(OTEL_APPS, 'test/workspaces/otel-apps', [{ what: 'sqlite3', file: 'sqlite3/build/Release/node_sqlite3.node' }], { agent: false });
      if (missing) {
        // CI installs the examples' dependencies (test/setup.sh): there, missing ones are a failure.
        if (process.env.CI) throw new Error(`${missing}; run (cd test/workspaces/otel-apps && npm ci)`);
        console.log(`      skipped: ${missing} (cd test/workspaces/otel-apps && npm ci installs them)`);
        this.skip();
      }
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-otel-'));
      fs.symlinkSync(path.join(OTEL_APPS, 'node_modules'), path.join(work, 'node_modules'));
    });

    after(function () {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    for (const app of SQLITE_APPS) it(`${app.app}: node test.js under the OpenTelemetry SDK`, () => recordAgain(work, app, 5));

    describe('on PostgreSQL', function () {
      let postgres: Postgres | undefined;

      before(function () {
        const missing = missingPostgres();
        if (missing) {
          if (process.env.CI) throw new Error(missing);
          console.log(`      skipped: ${missing}`);
          this.skip();
        }
        postgres = startPostgres();
      });

      after(function () {
        postgres?.stop();
      });

      for (const app of PG_APPS) it(`${app.app}: node test.js under the OpenTelemetry SDK`, () => recordAgain(work, app, 2, postgres?.env));
    });

    // A test process often ends abruptly: what ended before is written all the same.
    for (const { how, code, said } of [
      { how: 'exit', code: 3, said: 'exited with status 3' },
      { how: 'throw', code: 1, said: 'exited with status 1' },
      { how: 'sigterm', code: 128 + 15, said: 'was stopped by SIGTERM' },
    ]) {
      it(`a process that ends by ${how} right after its query still writes the query's span`, function () {
        const dir = path.join(work, `ends-by-${how}`);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'package.json'), `{"name":"ends-by-${how}"}`);
        fs.writeFileSync(
          path.join(dir, 'ends.js'),
          "const knex = require('knex')({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });\n" +
            'async function main(how) {\n' +
            "  await knex.raw('select 1');\n" +
            "  if (how === 'exit') process.exit(3);\n" +
            "  if (how === 'throw') throw new Error('the test failed');\n" +
            "  if (how === 'sigterm') { setTimeout(() => {}, 60_000); process.kill(process.pid, 'SIGTERM'); }\n" +
            '}\n' +
            'main(process.argv[2]);\n',
        );
        const r = runlens(['record', '--otel', '--', 'node', 'ends.js', how], dir, { NODE_OPTIONS: '' });
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, new RegExp(`^runlens record: node ends.js ${how} ${said}$`, 'm'));
        const { files, spans } = readOtlpDir(path.join(dir, '.runlens/traces'));
        assert.equal(files.length, 1);
        assert.deepEqual(
          spans.map((s) => [s.attributes['db.query.text'], s.attributes['code.file.path'], s.attributes['code.line.number'], s.attributes['code.function.name']]),
          [['select 1', 'ends.js', 3, 'main']],
        );
      });
    }

    it('an ES module app (file: URLs in its stack) is located the same, relative to the project', function () {
      const dir = path.join(work, 'esm');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"esm","type":"module"}');
      fs.writeFileSync(
        path.join(dir, 'app.js'),
        "import knexFactory from 'knex';\n" +
          "const knex = knexFactory({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });\n" +
          'async function main() {\n' +
          "  await knex.raw('select 1');\n" +
          '  await knex.destroy();\n' +
          '}\n' +
          'await main();\n',
      );
      const r = runlens(['record', '--otel', '--', 'node', 'app.js'], dir, { NODE_OPTIONS: '' });
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const { spans } = readOtlpDir(path.join(dir, '.runlens/traces'));
      assert.deepEqual(
        spans.map((s) => [s.attributes['code.file.path'], s.attributes['code.line.number'], s.attributes['code.function.name']]),
        [['app.js', 4, 'main']],
      );
      assert.match(String(spans[0].attributes['code.stacktrace']), /\nat async main \(app\.js:4:3\)\nat async app\.js:7:1$/);
    });

    it('a command that traces nothing writes no file, and says so (status 1)', function () {
      const dir = path.join(work, 'quiet');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"quiet"}');
      const r = runlens(['record', '--otel', '--', 'node', '-e', 'console.log("nothing traced")'], dir, { NODE_OPTIONS: '' });
      assert.equal(r.stdout, 'nothing traced\n');
      assert.equal(r.stderr, 'runlens record: recording node -e \'console.log("nothing traced")\' with OpenTelemetry (traces to .runlens/traces/)\nrunlens record: node -e \'console.log("nothing traced")\' wrote no trace to .runlens/traces: no Node process of it made a span of the libraries traced\n');
      assert.equal(r.code, 1);
      assert.ok(!fs.existsSync(path.join(dir, '.runlens')));
    });
  });

  it('neither runlens scan nor the language server loads an OpenTelemetry package', function () {
    // A preloaded probe lists, when the process ends, every module loaded from an @opentelemetry folder.
    const probe = path.join(os.tmpdir(), `runlens-otel-probe-${process.pid}.js`);
    fs.writeFileSync(probe, "process.on('exit', () => { const m = Object.keys(require.cache).filter((k) => k.includes('@opentelemetry')); process.stderr.write(`otel modules: ${m.length}\\n`); });\n");
    try {
      const scan = runlens(['scan', '--root', path.join(OTEL_APPS, 'knex-tasks'), path.join(OTEL_APPS, 'knex-tasks/.runlens/traces')], OTEL_APPS, { NODE_OPTIONS: `--require ${probe}` });
      assert.match(scan.stderr, /^otel modules: 0$/m, scan.stderr);
      const server = spawnSync(process.execPath, ['--require', probe, BIN, '--stdio'], { input: '', encoding: 'utf8', timeout: 60_000 });
      assert.match(server.stderr, /^otel modules: 0$/m, server.stderr);
      // The probe sees them when they are loaded: the bootstrap loads them.
      const loaded = spawnSync(process.execPath, ['--require', probe, '-e', `require('@opentelemetry/sdk-node')`], { cwd: path.resolve(__dirname, '../../../..'), encoding: 'utf8', timeout: 60_000 });
      assert.doesNotMatch(loaded.stderr, /^otel modules: 0$/m, loaded.stderr);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});
