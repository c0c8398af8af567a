// Fixes that remove the N+1 (issue 16 item 3): the Sequelize, TypeORM, Objection, MikroORM and
// Drizzle edits load the relation
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
const PROJECTS_JS = 'src/routes/projects.js';
const DRIZZLE_ROUTES = 'src/routes/messages.js';

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

  /** The app's fixes over its handler file with `replacements` made: [the handler's text, its fixes]. */
  const variant = (app: string, file: string, replacements: Array<[string, string]>): [string, Array<{ at: string; fix: Fix }>] => {
    const workspace = loadApp(app);
    const routes = edited(workspace.files.get(file) as string, replacements);
    workspace.files.set(file, routes);
    return [routes, checkFixes(app, workspace)];
  };

  describe('Objection (objection-projects)', () => {
    const app = 'objection-projects';
    const query = "Project.query().orderBy('id')";
    const loop = "  for (const project of projects) {\n    project.tasks = await project.$relatedQuery('tasks').orderBy('id'); // expect: per-row tasks\n  }\n";
    const fetched = "Project.query().withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }).orderBy('id')";

    it('removes the loop that only assigned $relatedQuery\'s rows, and reads project.tasks where the rows are used', () => {
      const [routes, [{ fix }]] = variant(app, PROJECTS_JS, []);
      assert.equal(applyEdit(routes, fix.edit!), edited(routes, [[query, fetched], [loop, '']]));
      const [used, [{ fix: second }]] = variant(app, PROJECTS_JS, [["project.tasks = await project.$relatedQuery('tasks').orderBy('id');", "const tasks = await project.$relatedQuery('tasks').orderBy('id');\n    console.log(tasks.length);"]]);
      assert.equal(second.title, "Load eagerly: .withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }) and read project.tasks instead of calling $relatedQuery('tasks') per row");
      assert.equal(applyEdit(used, second.edit!), edited(used, [[query, fetched], ["await project.$relatedQuery('tasks').orderBy('id')", 'project.tasks']]));
    });

    it('leaves a per-row query that filters, and one not awaited, saying what remains', () => {
      const cases: Array<[string, string]> = [
        ["$relatedQuery('tasks').orderBy('id')", "$relatedQuery('tasks').where('done', false).orderBy('id')"],
        ["await project.$relatedQuery('tasks').orderBy('id')", "project.$relatedQuery('tasks').orderBy('id')"],
      ];
      for (const [from, to] of cases) {
        const [routes, [{ fix }]] = variant(app, PROJECTS_JS, [[from, to]]);
        const graph = to.includes('where') ? ".withGraphFetched('tasks')" : ".withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') })";
        assert.equal(fix.title, `Load eagerly: ${graph}, then read project.tasks instead of calling $relatedQuery('tasks') per row`, to);
        assert.equal(fix.hint, `add ${graph} to the query at src/routes/projects.js:7:26, then read project.tasks instead of calling $relatedQuery('tasks') per row`, to);
        assert.equal(applyEdit(routes, fix.edit!), edited(routes, [[query, `Project.query()${graph}.orderBy('id')`]]), to);
      }
    });
  });

  describe('MikroORM (mikro-orm-projects)', () => {
    const app = 'mikro-orm-projects';
    const query = "em().find(Project, {}, { orderBy: { id: 'asc' } }); // expect: n-plus-one 12 × tasks";
    const populated = "em().find(Project, {}, { orderBy: { id: 'asc' }, populate: ['tasks'] }); // expect: n-plus-one 12 × tasks";

    it('removes the loop that only initialised each collection, and reads the populated items for loadItems()', () => {
      const [routes, [tasks]] = variant(app, PROJECTS_JS, []);
      assert.equal(applyEdit(routes, tasks.fix.edit!), edited(routes, [[query, populated], ['  for (const project of projects) {\n    await project.tasks.init(); // expect: per-row tasks\n  }\n', '']]));
      const [items, [{ fix }]] = variant(app, PROJECTS_JS, [['await project.tasks.init();', 'const items = await project.tasks.loadItems();\n    console.log(items.length);']]);
      assert.equal(fix.title, "Load eagerly: populate: ['tasks'] and read project.tasks instead of calling project.tasks.loadItems() per row");
      assert.equal(applyEdit(items, fix.edit!), edited(items, [[query, populated], ['await project.tasks.loadItems()', 'project.tasks.getItems()']]));
    });

    it('leaves a loader with options, and a collection loaded in a helper, saying what remains', () => {
      const [withOptions, [{ fix }]] = variant(app, PROJECTS_JS, [['await project.tasks.init();', "await project.tasks.init({ where: { done: false } });"]]);
      assert.equal(fix.title, "Load eagerly: populate: ['tasks'], then read project.tasks instead of calling project.tasks.init() per row");
      assert.equal(applyEdit(withOptions, fix.edit!), edited(withOptions, [[query, populated]]));
      const [helper, [{ fix: second }]] = variant(app, PROJECTS_JS, [
        ['await project.tasks.init();', 'await loadTasks(project);'],
        ['async function listProjects', 'async function loadTasks(p) {\n  await p.tasks.init();\n}\n\nasync function listProjects'],
      ]);
      assert.equal(second.title, "Load eagerly: populate: ['tasks'], then read p.tasks instead of calling p.tasks.init() per row");
      assert.equal(applyEdit(helper, second.edit!), edited(helper, [[query, populated]]));
    });
  });

  describe('Drizzle (drizzle-messages)', () => {
    const app = 'drizzle-messages';
    const query = 'db.select().from(messages).orderBy(messages.id)';
    const relational = 'db.query.messages.findMany({ with: { user: true }, orderBy: (messages, { asc }) => [asc(messages.id)] })';
    const perRow = 'const [user] = await db.select().from(users).where(eq(users.id, m.userId));';

    it('reads m.user for a per-row select or findFirst by the relation\'s key, either way round', () => {
      const [routes, [{ fix }]] = variant(app, DRIZZLE_ROUTES, []);
      assert.equal(applyEdit(routes, fix.edit!), edited(routes, [[query, relational], [perRow, 'const user = m.user;']]));
      const [first, [{ fix: second }]] = variant(app, DRIZZLE_ROUTES, [[perRow, 'const user = await db.query.users.findFirst({ where: eq(m.userId, users.id) });']]);
      assert.equal(second.title, 'Load eagerly: a relational query with with: { user: true } and read m.user instead of calling query.users.findFirst() per row');
      assert.equal(applyEdit(first, second.edit!), edited(first, [[query, relational], ['await db.query.users.findFirst({ where: eq(m.userId, users.id) })', 'm.user']]));
    });

    it('leaves a per-row query by another column, one with more links, and one whose rows are not destructured, saying what remains', () => {
      const cases = [
        'const [user] = await db.select().from(users).where(eq(users.id, m.id));',
        'const [user] = await db.select().from(users).where(eq(users.id, m.userId)).limit(1);',
        'const user = (await db.select().from(users).where(eq(users.id, m.userId)))[0];',
      ];
      for (const to of cases) {
        const [routes, [{ fix }]] = variant(app, DRIZZLE_ROUTES, [[perRow, to]]);
        assert.equal(fix.title, 'Load eagerly: a relational query with with: { user: true }, then read m.user instead of querying per row', to);
        assert.equal(applyEdit(routes, fix.edit!), edited(routes, [[query, relational]]), to);
      }
    });
  });
});
