// Fixes that remove the N+1 (issue 16 item 3), proved with the REAL agent: each eager-loading edit
// runlens gives for the ORM apps of test/workspaces/node-apps (Sequelize, TypeORM, Objection,
// MikroORM, Drizzle; on their
// committed recordings) is applied to a copy of the app, which is then recorded again by
// appmap-node through the apps' own record.sh (-o into a temporary folder, the copy's node_modules
// a link to the apps' install). The app's own mocha tests pass on the edited code (record.sh fails
// otherwise), the fresh recordings hold no n-plus-one finding but the one whose fix is a hint
// (MikroORM's owners, read by a plain key column), and each request with an edit runs exactly as
// many SELECTs as the hand-fixed twin's (recorded in the same run). Only deterministic things are
// compared: findings and counts, never times or the order of events. Without the apps'
// dependencies this is skipped, except under CI, where it fails.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRecordings, scan } from '../../server/src/cli/scan';
import { resolveConfig } from '../../server/src/core/config';
import { applyEdit, Fix } from '../../server/src/core/fixes/index';
import { readRecordingJson, runBounded } from '../support/recordingShape';
import { missingDependencies, NODE_APPS } from '../support/nodeApps';

const APPS = ['sequelize-projects', 'typeorm-projects', 'objection-projects', 'mikro-orm-projects', 'drizzle-messages'];

/** Per recording (by test), the SELECTs of its request: before the edit (the committed recordings), and after. */
const SELECTS_BEFORE: Record<string, Record<string, number>> = {
  'sequelize-projects': { lists_the_projects_with_their_open_tasks: 13 },
  'typeorm-projects': { lists_the_projects_with_their_tasks: 13, lists_the_tasks_with_their_assignees: 37 },
  'objection-projects': { lists_the_projects_with_their_tasks: 13 },
  'mikro-orm-projects': { lists_the_projects_with_their_owners: 13, lists_the_projects_with_their_tasks: 13 },
  'drizzle-messages': { lists_the_messages_with_their_authors: 13 },
};
const N_PLUS_ONES_BEFORE: Record<string, string[]> = {
  'sequelize-projects': ['src/routes/projects.js:7 N+1: 12 queries from this query'],
  'typeorm-projects': ['src/routes/projects.ts:12 N+1: 12 queries from this query', 'src/routes/projects.ts:20 N+1: 36 queries from this query'],
  'objection-projects': ['src/routes/projects.js:7 N+1: 12 queries from this query'],
  'mikro-orm-projects': ['src/routes/projects.js:9 N+1: 12 queries from this query', 'src/routes/projects.js:18 N+1: 12 queries from this query'],
  'drizzle-messages': ['src/routes/messages.js:8 N+1: 12 queries from this query'],
};
/** After the edits: the edited app's SELECTs and N+1s (in the edited sources), and its fixed twin's SELECTs. */
const SELECTS_AFTER: Record<string, Record<string, number>> = {
  'sequelize-projects': { lists_the_projects_with_their_open_tasks: 1 },
  'typeorm-projects': { lists_the_projects_with_their_tasks: 1, lists_the_tasks_with_their_assignees: 1 },
  // withGraphFetched: one more query for all the tasks, as the twin.
  'objection-projects': { lists_the_projects_with_their_tasks: 2 },
  // The owners' fix is a hint (one $in query, written by hand in the twin): the edit leaves them.
  'mikro-orm-projects': { lists_the_projects_with_their_owners: 13, lists_the_projects_with_their_tasks: 1 },
  'drizzle-messages': { lists_the_messages_with_their_authors: 1 },
};
const N_PLUS_ONES_AFTER: Record<string, string[]> = {
  'mikro-orm-projects': ['src/routes/projects.js:15 N+1: 12 queries from this query'],
};
const SELECTS_TWIN: Record<string, Record<string, number>> = {
  ...SELECTS_AFTER,
  'mikro-orm-projects': { lists_the_projects_with_their_owners: 2, lists_the_projects_with_their_tasks: 1 },
};

describe('fixes that remove the N+1: each edit applied, the app recorded again with the real agent', function () {
  this.timeout(600_000);
  let out: string;
  /** The edits applied, per app: the fix titles. */
  const titles: Record<string, string[]> = {};

  before(async function () {
    const missing = missingDependencies();
    if (missing) {
      if (process.env.CI) throw new Error(`${missing}; run (cd test/workspaces/node-apps && npm ci)`);
      console.log(`      skipped: ${missing} (cd test/workspaces/node-apps && npm ci installs them)`);
      this.skip();
    }
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-fix-row-reads-'));
    const copy = path.join(out, 'node-apps');
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(NODE_APPS, 'record.sh'), path.join(copy, 'record.sh'));
    fs.copyFileSync(path.join(NODE_APPS, 'package.json'), path.join(copy, 'package.json'));
    fs.symlinkSync(path.join(NODE_APPS, 'node_modules'), path.join(copy, 'node_modules'));
    for (const app of APPS) {
      for (const twin of [app, `${app}-fixed`]) fs.cpSync(path.join(NODE_APPS, twin), path.join(copy, twin), { recursive: true, filter: (f) => !f.split(path.sep).includes('tmp') });
      titles[app] = await applyFixes(path.join(NODE_APPS, app), path.join(copy, app));
    }
    const work = path.join(out, 'work');
    fs.mkdirSync(work);
    const run = await runBounded('bash', [path.join(copy, 'record.sh'), '-o', path.join(out, 'fresh'), ...APPS], { ...process.env, TMPDIR: work }, 540_000);
    assert.equal(run.code, 0, `record.sh failed (the app's tests on the edited code?):\n${run.output.slice(-4000)}`);
  });
  after(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('applies one edit per N+1 (but the hint of MikroORM\'s owners), each loading eagerly and reading the loaded relation in the loop', () => {
    assert.deepEqual(titles, {
      'sequelize-projects': ["Load eagerly: include: ['tasks'] and read project.tasks instead of calling project.getTasks()"],
      'typeorm-projects': [
        "Load eagerly: relations: ['tasks'] and read project.tasks instead of calling loadMany() per row",
        "Load eagerly: relations: ['assignee'] and read task.assignee instead of calling findOneBy() per row",
      ],
      'objection-projects': ["Load eagerly: .withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }) and read project.tasks instead of calling $relatedQuery('tasks') per row"],
      'mikro-orm-projects': ["Load eagerly: populate: ['tasks'] and read project.tasks instead of calling project.tasks.init() per row", 'Load in one query (hint): { id: { $in: … } }'],
      'drizzle-messages': ['Load eagerly: a relational query with with: { user: true } and read m.user instead of calling select().from(users) per row'],
    });
  });

  for (const app of APPS) {
    it(`${app}: before the edit, the committed recordings hold the N+1s and their SELECTs`, async () => {
      assert.deepEqual(selects(path.join(NODE_APPS, app)), SELECTS_BEFORE[app]);
      assert.deepEqual(await nPlusOnes(path.join(NODE_APPS, app), path.join(NODE_APPS, app)), N_PLUS_ONES_BEFORE[app]);
    });

    it(`${app}: after the edit, the app's tests pass, no n-plus-one finding left by an edit, and each request with an edit runs the SELECTs of the fixed twin`, async () => {
      const edited = path.join(out, 'node-apps', app);
      const fresh = path.join(out, 'fresh', app);
      for (const file of findRecordings([path.join(fresh, 'tmp/appmap')])) assert.equal(readRecordingJson(file).metadata.test_status, 'succeeded', file);
      assert.deepEqual(await nPlusOnes(edited, fresh), N_PLUS_ONES_AFTER[app] ?? []);
      assert.deepEqual(selects(fresh), SELECTS_AFTER[app]);
      assert.deepEqual(selects(path.join(out, 'fresh', `${app}-fixed`)), SELECTS_TWIN[app]);
    });
  }
});

// ---- helpers ----------------------------------------------------------------------------------------

/** Applies the edit of every N+1 of `app`'s committed recordings that has one to the copy's sources; the fix titles. */
async function applyFixes(app: string, copy: string): Promise<string[]> {
  const output = await scan(app, findRecordings([path.join(app, 'tmp/appmap')]), resolveConfig({}), { withFixes: true });
  const fixes = output.findings.filter((f) => f.rule === 'n-plus-one').map((f) => output.fixes.get(f));
  const edits = fixes.flatMap((fix: Fix | undefined) => {
    assert.ok(fix, 'an N+1 without a fix');
    return fix.edit ? [fix.edit] : [];
  });
  // Later edits first, so that each range still holds in the text the earlier ones leave.
  for (const edit of [...edits].sort((a, b) => b.range.line - a.range.line || b.range.column - a.range.column)) {
    const file = path.join(copy, edit.path);
    fs.writeFileSync(file, applyEdit(fs.readFileSync(file, 'utf8'), edit));
  }
  return fixes.map((f) => f!.title);
}

/** The n-plus-one findings of the recordings under `recorded`, read against the sources of `root`. */
async function nPlusOnes(root: string, recorded: string): Promise<string[]> {
  const output = await scan(root, findRecordings([path.join(recorded, 'tmp/appmap')]), resolveConfig({}));
  assert.deepEqual(output.problems, [], root);
  return output.findings.filter((f) => f.rule === 'n-plus-one').map((f) => `${f.location.path}:${f.location.line} ${f.message}`);
}

/** Per recording (named by its file), the SELECTs recorded. */
function selects(dir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of findRecordings([path.join(dir, 'tmp/appmap')])) {
    const events = readRecordingJson(file).events;
    counts[path.basename(file, '.appmap.json')] = events.filter((e) => /^\s*SELECT\b/i.test((e.sql_query as { sql?: string } | undefined)?.sql ?? '')).length;
  }
  return counts;
}
