// Fixes that remove the N+1 (issue 16 item 3): the Sequelize and TypeORM edits load the relation
// eagerly AND rewrite the per-row loaders of the loops over the query's rows to read it, where that
// is certain; where it is not, the title (the code action's and SARIF's description) says what
// remains. On the real recordings of test/workspaces/node-apps (appmap-node 2.27, committed by
// record.sh): first the apps as they are, each edit exactly; then the same recording over variants
// of the handler's source, each written here, for what is certain and what is not.
// system/fixRowReads.test.ts applies these edits, records the apps again and finds no N+1.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { applyEdit, eagerLoadingFix, Fix } from '../../server/src/core/fixes/index';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { loadParsers } from '../../server/src/node/treeSitter';
import { findRecordings } from '../../server/src/cli/scan';
import * as fs from 'node:fs';
import { Workspace, loadWorkspace, memoryFiles } from '../support/fixture';
import { NODE_APPS } from '../support/nodeApps';

let parsers: SourceParsers;

const SEQUELIZE_ROUTES = 'src/routes/projects.js';
const TYPEORM_ROUTES = 'src/routes/projects.ts';

/** The app's sources (src/) in memory. */
function loadApp(app: string): Workspace {
  return loadWorkspace(path.join(NODE_APPS, app), (f) => f.startsWith('src/') && /\.(js|ts)$/.test(f));
}

/**
 * The one caller of eagerLoadingFix here: the N+1 findings of the app's committed recordings over
 * `workspace`, each with its fix, in the order of their lines.
 */
function checkFixes(app: string, workspace: Workspace): Array<{ at: string; fix: Fix }> {
  const index = new SourceIndex(memoryFiles(workspace), parsers, resolveConfig({}));
  const out: Array<{ at: string; fix: Fix }> = [];
  for (const file of findRecordings([path.join(NODE_APPS, app, 'tmp/appmap')])) {
    const { trace } = readRecording(file, fs.readFileSync(file, 'utf8'));
    for (const f of findingsIn(trace, index, resolveConfig({}))) {
      if (f.rule !== 'n-plus-one') continue;
      const fix = eagerLoadingFix(f, index);
      assert.ok(fix, f.message);
      out.push({ at: `${f.location.path}:${f.location.line}`, fix });
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true }));
}

/** The handler file with `replacements` made, each of which must be there exactly once. */
function edited(text: string, replacements: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of replacements) {
    assert.equal(out.split(from).length, 2, `once: ${from}`);
    out = out.replace(from, to);
  }
  return out;
}

describe('fixes that remove the N+1: the loops read the loaded relation (node-apps, real recordings)', function () {
  this.timeout(60_000);
  before(async () => {
    parsers = await loadParsers();
  });

  describe('Sequelize (sequelize-projects)', () => {
    const app = 'sequelize-projects';
    const original = () => loadApp(app).files.get(SEQUELIZE_ROUTES) as string;
    /** The one fix, over the handler's text `routes`. */
    const fixOf = (routes: string) => {
      const workspace = loadApp(app);
      workspace.files.set(SEQUELIZE_ROUTES, routes);
      const fixes = checkFixes(app, workspace);
      assert.equal(fixes.length, 1);
      return fixes[0].fix;
    };

    it("adds include: ['tasks'], moves the getter's order into the query's and reads project.tasks in the loop", () => {
      const routes = original();
      const fix = fixOf(routes);
      assert.equal(fix.title, "Load eagerly: include: ['tasks'] and read project.tasks instead of calling project.getTasks()");
      assert.equal(fix.hint, "add include: ['tasks'] to the query at src/routes/projects.js:7:26 and read project.tasks instead of calling project.getTasks() (src/routes/projects.js:10)");
      assert.deepEqual(fix.edit?.range, { path: SEQUELIZE_ROUTES, line: 7, column: 26, endLine: 10, endColumn: 69 });
      assert.equal(
        applyEdit(routes, fix.edit!),
        edited(routes, [
          ["Project.findAll({ order: [['id', 'ASC']] })", "Project.findAll({ order: [['id', 'ASC'], ['tasks', 'id', 'ASC']], include: ['tasks'] })"],
          ["await project.getTasks({ order: [['id', 'ASC']] })", 'project.tasks'],
        ]),
      );
    });

    it('reads the loaded rows in a .map callback too, and adds an order when the query has none', () => {
      const routes = edited(original(), [
        ["Project.findAll({ order: [['id', 'ASC']] })", 'Project.findAll()'],
        ['for (const project of projects) {', 'await Promise.all(projects.map(async (project) => {'],
        ["await project.getTasks({ order: [['id', 'ASC']] })", "await project.getTasks({ order: [['title', 'DESC']] })"],
        ['  }\n  res.json', '  }));\n  res.json'],
      ]);
      const fix = fixOf(routes);
      assert.equal(fix.title, "Load eagerly: include: ['tasks'] and read project.tasks instead of calling project.getTasks()");
      assert.equal(
        applyEdit(routes, fix.edit!),
        edited(routes, [
          ['Project.findAll()', "Project.findAll({ include: ['tasks'], order: [['tasks', 'title', 'DESC']] })"],
          ["await project.getTasks({ order: [['title', 'DESC']] })", 'project.tasks'],
        ]),
      );
    });

    it('leaves a getter with a where, one not awaited, and one on a row the loop reassigns, and says what remains', () => {
      const cases: Array<[string, string]> = [
        ["await project.getTasks({ order: [['id', 'ASC']] })", "await project.getTasks({ where: { done: false } })"],
        ["await project.getTasks({ order: [['id', 'ASC']] })", "await project.getTasks().then((t) => t)"],
        ['for (const project of projects) {', 'for (let project of projects) {\n    project = projects[0];'],
      ];
      for (const [from, to] of cases) {
        const routes = edited(original(), [[from, to]]);
        const fix = fixOf(routes);
        assert.equal(fix.title, "Load eagerly: include: ['tasks'], then read project.tasks instead of calling getTasks()", to);
        assert.equal(applyEdit(routes, fix.edit!), edited(routes, [["Project.findAll({ order: [['id', 'ASC']] })", "Project.findAll({ order: [['id', 'ASC']], include: ['tasks'] })"]]), to);
      }
    });

    it('leaves the getter of a row handed to another function, and its order where the query takes its order from elsewhere', () => {
      const helper = edited(original(), [
        ["const tasks = await project.getTasks({ order: [['id', 'ASC']] });", 'const tasks = await tasksOf(project);'],
        ['async function listProjects', "async function tasksOf(p) {\n  return p.getTasks();\n}\n\nasync function listProjects"],
      ]);
      const first = fixOf(helper);
      assert.equal(first.title, "Load eagerly: include: ['tasks'], then read p.tasks instead of calling getTasks()");
      assert.equal(first.edit?.range.line, 11);
      const ordered = edited(original(), [
        ['async function listProjects', "const BY_ID = [['id', 'ASC']];\n\nasync function listProjects"],
        ["Project.findAll({ order: [['id', 'ASC']] })", 'Project.findAll({ order: BY_ID })'],
      ]);
      const second = fixOf(ordered);
      assert.equal(second.title, "Load eagerly: include: ['tasks'], then read project.tasks instead of calling getTasks()");
      assert.equal(applyEdit(ordered, second.edit!), edited(ordered, [['Project.findAll({ order: BY_ID })', "Project.findAll({ order: BY_ID, include: ['tasks'] })"]]));
      // A getter with no arguments needs no order: it is read from the loaded rows.
      const bare = edited(ordered, [["await project.getTasks({ order: [['id', 'ASC']] })", 'await project.getTasks()']]);
      assert.equal(applyEdit(bare, fixOf(bare).edit!), edited(bare, [['Project.findAll({ order: BY_ID })', "Project.findAll({ order: BY_ID, include: ['tasks'] })"], ['await project.getTasks()', 'project.tasks']]));
    });
  });

  describe('TypeORM (typeorm-projects)', () => {
    const app = 'typeorm-projects';
    const original = () => loadApp(app).files.get(TYPEORM_ROUTES) as string;
    const fixesOf = (routes: string) => {
      const workspace = loadApp(app);
      workspace.files.set(TYPEORM_ROUTES, routes);
      return checkFixes(app, workspace);
    };

    it("adds relations: ['tasks'] and removes the loop that assigned loadMany()'s rows; adds relations: ['assignee'] and reads task.assignee for findOneBy by its @RelationId", () => {
      const routes = original();
      const [projects, tasks] = fixesOf(routes);
      assert.equal(projects.at, 'src/routes/projects.ts:12');
      assert.equal(projects.fix.title, "Load eagerly: relations: ['tasks'] and read project.tasks instead of calling loadMany() per row");
      assert.equal(projects.fix.hint, "add relations: ['tasks'] to the query at src/routes/projects.ts:12:26 and read project.tasks instead of calling loadMany() per row (src/routes/projects.ts:14)");
      assert.equal(
        applyEdit(routes, projects.fix.edit!),
        edited(routes, [
          ["find({ order: { id: 'ASC' } }); // expect: n-plus-one 12 × tasks", "find({ order: { id: 'ASC' }, relations: ['tasks'] }); // expect: n-plus-one 12 × tasks"],
          ["  for (const project of projects) {\n    project.tasks = await dataSource.createQueryBuilder().relation(Project, 'tasks').of(project).loadMany(); // expect: per-row tasks\n  }\n", ''],
        ]),
      );
      assert.equal(tasks.at, 'src/routes/projects.ts:20');
      assert.equal(tasks.fix.title, "Load eagerly: relations: ['assignee'] and read task.assignee instead of calling findOneBy() per row");
      assert.equal(
        applyEdit(routes, tasks.fix.edit!),
        edited(routes, [
          ["find({ order: { id: 'ASC' } }); // expect: n-plus-one 36 × users", "find({ order: { id: 'ASC' }, relations: ['assignee'] }); // expect: n-plus-one 36 × users"],
          ['await users.findOneBy({ id: task.assigneeId })', 'task.assignee'],
        ]),
      );
    });

    it('keeps a loop that does more than load, and leaves a lookup by a column that is no @RelationId, saying what remains', () => {
      const routes = edited(original(), [
        ["loadMany(); // expect: per-row tasks\n", "loadMany(); // expect: per-row tasks\n    console.log(project.id);\n"],
        ['findOneBy({ id: task.assigneeId })', 'findOneBy({ id: task.id })'],
      ]);
      const [projects, tasks] = fixesOf(routes);
      assert.equal(
        applyEdit(routes, projects.fix.edit!),
        edited(routes, [
          ["find({ order: { id: 'ASC' } }); // expect: n-plus-one 12 × tasks", "find({ order: { id: 'ASC' }, relations: ['tasks'] }); // expect: n-plus-one 12 × tasks"],
          ["    project.tasks = await dataSource.createQueryBuilder().relation(Project, 'tasks').of(project).loadMany(); // expect: per-row tasks\n", ''],
        ]),
      );
      assert.equal(tasks.fix.title, "Load eagerly: relations: ['assignee'], then read task.assignee instead of querying per row");
      assert.equal(
        applyEdit(routes, tasks.fix.edit!),
        edited(routes, [["find({ order: { id: 'ASC' } }); // expect: n-plus-one 36 × users", "find({ order: { id: 'ASC' }, relations: ['assignee'] }); // expect: n-plus-one 36 × users"]]),
      );
    });
  });
});
