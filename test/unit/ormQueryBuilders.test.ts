// Objection, Knex, MikroORM and Drizzle over the REAL recordings of test/workspaces/node-apps
// (appmap-node 2.27, written by record.sh, unedited): each N+1 sits on the ORM query whose rows
// the loop walks, with the exact eager-loading edit (Objection's withGraphFetched, MikroORM's
// populate, Drizzle's `with:`) or the exact hint (Knex: one whereIn batch); where an edit is
// applied, the edited query is the fixed twin's query, character for character; and the fixed
// twins' recordings give no N+1. Then how each ORM's models and queries are read, and edits on
// variations of the apps' code.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { Finding } from '../../server/src/core/findings/finding';
import { applyEdit, eagerLoadingFix, Fix } from '../../server/src/core/fixes/index';
import { drizzle } from '../../server/src/core/orm/drizzle/index';
import { drizzleTables } from '../../server/src/core/orm/drizzle/models';
import { knex } from '../../server/src/core/orm/knex/index';
import { knexChains } from '../../server/src/core/orm/knex/models';
import { mikroOrm } from '../../server/src/core/orm/mikroorm/index';
import { mikroEntities } from '../../server/src/core/orm/mikroorm/models';
import { objection } from '../../server/src/core/orm/objection/index';
import { objectionModels } from '../../server/src/core/orm/objection/models';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { loadParsers } from '../../server/src/node/treeSitter';
import { Workspace, loadWorkspace, memoryFiles } from '../support/fixture';
import { NODE_APPS } from '../support/nodeApps';

let parsers: SourceParsers;

/** The app's sources (src/), in memory. */
function loadApp(app: string): Workspace {
  return loadWorkspace(path.join(NODE_APPS, app), (f) => f.startsWith('src/') && /\.(js|ts)$/.test(f));
}

function indexOf(workspace: Workspace): SourceIndex {
  return new SourceIndex(memoryFiles(workspace), parsers, resolveConfig({}));
}

/** The committed recordings of an app or twin, as [path, text]. */
function recordingsOf(twin: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.appmap.json')) out.push([path.relative(path.join(NODE_APPS, twin), p), fs.readFileSync(p, 'utf8')]);
    }
  };
  walk(path.join(NODE_APPS, twin, 'tmp/appmap'));
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The N+1 findings of the twin's recordings over `workspace`, each with its fix, by line. */
function nPlusOnes(twin: string, workspace: Workspace): Array<{ finding: Finding; fix: Fix }> {
  const index = indexOf(workspace);
  const found: Array<{ finding: Finding; fix: Fix }> = [];
  for (const [name, text] of recordingsOf(twin)) {
    for (const finding of findingsIn(readRecording(name, text).trace, index, resolveConfig({}))) {
      if (finding.rule !== 'n-plus-one') continue;
      const fix = eagerLoadingFix(finding, index);
      assert.ok(fix, finding.message);
      found.push({ finding, fix });
    }
  }
  return found.sort((a, b) => a.finding.location.path.localeCompare(b.finding.location.path) || a.finding.location.line - b.finding.location.line);
}

/** Where a finding sits and what it is, as compared here. */
function summary(f: Finding): string {
  const l = f.location;
  const ref = f.ref.kind === 'queryset' ? `${f.ref.orm} ${f.ref.model}` : f.ref.kind;
  return `${l.path}:${l.line}:${l.column}-${l.endLine}:${l.endColumn} ${ref}: ${f.message} (${f.detail})`;
}

/** Line `line` of the file, its `// expect:` marker taken off. */
function lineOf(text: string, line: number): string {
  return text.split('\n')[line - 1].replace(/ \/\/ expect: .*$/, '');
}

/** The line of the fixed twin's file that holds `needle`. */
function twinLine(app: string, file: string, needle: string): string {
  const lines = fs.readFileSync(path.join(NODE_APPS, `${app}-fixed`, file), 'utf8').split('\n').filter((l) => l.includes(needle));
  assert.equal(lines.length, 1, `${app}-fixed/${file}: ${needle}`);
  return lines[0];
}

describe('query builders and more Node ORMs, on real recordings (node-apps)', function () {
  this.timeout(60_000);
  before(async () => {
    parsers = await loadParsers();
  });

  describe('Objection', () => {
    it('puts the N+1 on Project.query(), adds withGraphFetched with the per-row order as the fixed twin has it, and the twin has no N+1', () => {
      const workspace = loadApp('objection-projects');
      const file = 'src/routes/projects.js';
      const text = workspace.files.get(file)!;
      const found = nPlusOnes('objection-projects', workspace);
      assert.deepEqual(
        found.map((f) => summary(f.finding)),
        ['src/routes/projects.js:7:26-7:55 objection Project: N+1: 12 queries from this query (12 × tasks)'],
      );
      const { fix } = found[0];
      // The loop only assigned the per-row query's rows, which the graph loads: it goes (test/unit/fixRowReads.test.ts has the variants).
      assert.equal(fix.title, "Load eagerly: .withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }) and read project.tasks instead of calling $relatedQuery('tasks') per row");
      assert.equal(
        fix.hint,
        "add .withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }) to the query at src/routes/projects.js:7:26 and read project.tasks instead of calling $relatedQuery('tasks') per row (src/routes/projects.js:9)",
      );
      const fixed = applyEdit(text, fix.edit!);
      assert.equal(lineOf(fixed, 7), twinLine('objection-projects', file, 'Project.query()'));
      assert.deepEqual(fixed.split('\n').filter((_, i) => i !== 6), text.split('\n').filter((_, i) => i !== 6 && (i < 7 || i > 9)), 'nothing but the query and the loop changes');
      assert.deepEqual(nPlusOnes('objection-projects-fixed', loadWorkspace(path.join(NODE_APPS, 'objection-projects'), (f) => f.startsWith('src/'), path.join(NODE_APPS, 'objection-projects-fixed'))), []);
    });

    it('reads tableName and relationMappings as a static field, getter or method, with a many-to-many through table', () => {
      const index = indexOf(loadApp('objection-projects'));
      assert.deepEqual(
        objectionModels(index).map((m) => [m.name, m.table, m.relations]),
        [
          ['Project', 'projects', [{ name: 'tasks', kind: 'HasManyRelation', target: 'Task', from: ['projects.id'], to: ['tasks.project_id'] }]],
          ['Task', 'tasks', []],
        ],
      );
      const other = {
        files: new Map([
          [
            'models/Book.ts',
            `import { Model } from 'objection';\nexport class Book extends BaseModel {\n  static get tableName() { return 'books'; }\n  static relationMappings = () => ({});\n}\n` +
              `export class Tag extends Model {\n  static tableName = 'tags';\n  static relationMappings() {\n    return {\n      books: { relation: Model.ManyToManyRelation, modelClass: 'Book', join: { from: 'tags.id', through: { from: 'book_tags.tag_id', to: 'book_tags.book_id' }, to: 'books.id' } },\n    };\n  }\n}\n` +
              `class NotAModel {\n  static tableName = 'nothing';\n}\n`,
          ],
        ]),
      };
      assert.deepEqual(
        objectionModels(indexOf(other)).map((m) => [m.name, m.table, m.relations.map((r) => `${r.name} ${r.kind} ${r.target} through ${r.through}`)]),
        [
          ['Book', 'books', []],
          ['Tag', 'tags', ['books ManyToManyRelation Book through book_tags']],
        ],
      );
      assert.equal(objection.modelOfTable(indexOf(other), 'TAGS'), 'Tag');
      assert.equal(objection.modelOfTable(indexOf(other), 'nothing'), undefined);
    });

    it('merges into a graph already fetched, loads without a modifier when the per-row query filters, and hints where the graph is not a string', () => {
      const workspace = loadApp('objection-projects');
      const file = 'src/routes/projects.js';
      const original = workspace.files.get(file)!;
      const cases: Array<[string, string, string | undefined]> = [
        ["Project.query().withGraphJoined('owner').orderBy('id')", "Project.query().withGraphJoined('[owner, tasks]').orderBy('id')", undefined],
        ["Project.query().withGraphFetched('[owner, notes]')", "Project.query().withGraphFetched('[owner, notes, tasks]')", undefined],
        ["Project.query().where('archived', false)", "Project.query().withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }).where('archived', false)", undefined],
        ["Project.query().withGraphFetched(graph)", '', "add tasks to the graph of withGraphFetched at src/routes/projects.js:7:26; its expression is not a string written here: merge it by hand"],
      ];
      for (const [query, expected, hint] of cases) {
        const text = original.replace("Project.query().orderBy('id')", query);
        workspace.files.set(file, text);
        const [{ fix }] = nPlusOnes('objection-projects', workspace);
        if (hint) assert.deepEqual([fix.edit, fix.hint], [undefined, hint], query);
        else assert.equal(lineOf(applyEdit(text, fix.edit!), 7), `  const projects = await ${expected};`, query);
      }
      // The per-row query filters as well as orders: the relation alone, the order left to the reader.
      const filtered = original.replace("$relatedQuery('tasks').orderBy('id')", "$relatedQuery('tasks').where('done', false).orderBy('id')");
      workspace.files.set(file, filtered);
      const [{ fix }] = nPlusOnes('objection-projects', workspace);
      assert.equal(lineOf(applyEdit(filtered, fix.edit!), 7), "  const projects = await Project.query().withGraphFetched('tasks').orderBy('id');");
    });
  });

  describe('MikroORM', () => {
    it('puts each N+1 on em.find(Project, …), adds populate to the options, hints one $in query where no relation explains the repeats, and the twin has no N+1', () => {
      const workspace = loadApp('mikro-orm-projects');
      const file = 'src/routes/projects.js';
      const text = workspace.files.get(file)!;
      const found = nPlusOnes('mikro-orm-projects', workspace);
      assert.deepEqual(
        found.map((f) => summary(f.finding)),
        [
          'src/routes/projects.js:9:26-9:76 mikro-orm Project: N+1: 12 queries from this query (12 × tasks)',
          'src/routes/projects.js:18:26-18:79 mikro-orm Project: N+1: 12 queries from this query (12 × users)',
        ],
      );
      const [tasks, owners] = found.map((f) => f.fix);
      // The loop only initialised each collection, which populate does: it goes (test/unit/fixRowReads.test.ts has the variants).
      assert.equal(tasks.title, "Load eagerly: populate: ['tasks'] and read project.tasks instead of calling project.tasks.init() per row");
      assert.equal(tasks.hint, "add populate: ['tasks'] to the query at src/routes/projects.js:9:26 and read project.tasks instead of calling project.tasks.init() per row (src/routes/projects.js:11)");
      // The fixed twin writes populate first and orders the tasks too (orderBy: { …, tasks: { id: 'asc' } }).
      const populated = applyEdit(text, tasks.edit!);
      assert.equal(lineOf(populated, 9), "  const projects = await em().find(Project, {}, { orderBy: { id: 'asc' }, populate: ['tasks'] });");
      assert.deepEqual(populated.split('\n').filter((_, i) => i !== 8), text.split('\n').filter((_, i) => i !== 8 && (i < 9 || i > 11)), 'nothing but the query and the loop changes');
      assert.ok(twinLine('mikro-orm-projects', file, "populate: ['tasks']").includes("{ populate: ['tasks'], orderBy:"));
      // ownerId is a plain column of Project, no relation: no edit, the exact code of one $in query (the twin names it owners).
      const batch = 'const users = await manager.find(User, { id: { $in: projects.map((p) => p.ownerId) } });';
      assert.deepEqual(owners, {
        title: 'Load in one query (hint): { id: { $in: … } }',
        hint: `load all users in one query after the query at src/routes/projects.js:18:26: ${batch} then match each row with a Map: const byId = new Map(users.map((u) => [u.id, u])); byId.get(p.ownerId), instead of the query per row at src/routes/projects.js:21`,
      });
      assert.equal(twinLine('mikro-orm-projects', file, '$in'), `  ${batch.replace('const users', 'const owners')}`);
      assert.deepEqual(nPlusOnes('mikro-orm-projects-fixed', loadWorkspace(path.join(NODE_APPS, 'mikro-orm-projects'), (f) => f.startsWith('src/'), path.join(NODE_APPS, 'mikro-orm-projects-fixed'))), []);
    });

    it('reads EntitySchema entities and decorated classes in files importing @mikro-orm, never TypeORM\'s', () => {
      assert.deepEqual(
        mikroEntities(indexOf(loadApp('mikro-orm-projects'))).map((e) => [e.name, e.table, e.primaryKey, e.relations]),
        [
          ['User', 'users', 'id', []],
          ['Project', 'projects', 'id', [{ name: 'tasks', kind: '1:m', target: 'Task', mappedBy: 'project' }]],
          ['Task', 'tasks', 'id', [{ name: 'project', kind: 'm:1', target: 'Project', fieldName: 'project_id' }]],
        ],
      );
      const decorated = {
        files: new Map([
          [
            'src/entities/Book.ts',
            `import { Entity, ManyToOne, OneToMany, ManyToMany, PrimaryKey, Collection } from '@mikro-orm/core';

@Entity()
export class BookReview {
  @PrimaryKey() id!: number;
  @ManyToOne(() => Book) book!: Book;
}

` +
              `@Entity({ tableName: 'books' })
export class Book {
  @PrimaryKey({ fieldName: 'book_id' }) id!: number;
  @OneToMany(() => BookReview, (r) => r.book) reviews = new Collection<BookReview>(this);
  @ManyToMany({ entity: () => Tag }) tags = new Collection<Tag>(this);
}
`,
          ],
          ['src/entities/Typeorm.ts', `import { Entity } from 'typeorm';
@Entity()
export class Shelf {}
`],
        ]),
      };
      const index = indexOf(decorated);
      assert.deepEqual(
        mikroEntities(index).map((e) => [e.name, e.table, e.primaryKey, e.relations.map((r) => `${r.name} ${r.kind} ${r.target}${r.mappedBy ? ` by ${r.mappedBy}` : ''}`)]),
        [
          ['BookReview', 'book_review', 'id', ['book m:1 Book']],
          ['Book', 'books', 'book_id', ['reviews 1:m BookReview by book', 'tags m:n Tag']],
        ],
      );
      assert.equal(mikroOrm.modelOfTable(index, 'book_review'), 'BookReview');
      assert.equal(mikroOrm.modelOfTable(index, 'shelf'), undefined);
    });

    it('fills the arguments before the options, merges into populate, and finds queries through a repository', () => {
      const workspace = loadApp('mikro-orm-projects');
      const file = 'src/routes/projects.js';
      const original = workspace.files.get(file)!;
      const cases: Array<[string, string]> = [
        ['em().find(Project)', "em().find(Project, {}, { populate: ['tasks'] })"],
        ['em().findAll(Project)', "em().findAll(Project, { populate: ['tasks'] })"],
        ["em().find(Project, {}, { populate: ['owner'] })", "em().find(Project, {}, { populate: ['owner', 'tasks'] })"],
        ["em().getRepository(Project).find({}, { orderBy: { id: 'asc' } })", "em().getRepository(Project).find({}, { orderBy: { id: 'asc' }, populate: ['tasks'] })"],
      ];
      for (const [query, expected] of cases) {
        const text = original.replace("em().find(Project, {}, { orderBy: { id: 'asc' } })", query);
        workspace.files.set(file, text);
        const [{ finding, fix }] = nPlusOnes('mikro-orm-projects', workspace);
        assert.equal(finding.location.line, 9, query);
        assert.equal(lineOf(applyEdit(text, fix.edit!), 9), `  const projects = await ${expected};`, query);
      }
    });
  });

  describe('Drizzle', () => {
    it('puts the N+1 on the select chain, rewrites it as the relational query with with: exactly as the fixed twin has it, and the twin has no N+1', () => {
      const workspace = loadApp('drizzle-messages');
      const file = 'src/routes/messages.js';
      const text = workspace.files.get(file)!;
      const found = nPlusOnes('drizzle-messages', workspace);
      assert.deepEqual(found.map((f) => summary(f.finding)), ['src/routes/messages.js:8:22-8:69 drizzle messages: N+1: 12 queries from this query (12 × users)']);
      const { fix } = found[0];
      // The per-row select by the relation's key becomes the loaded user (test/unit/fixRowReads.test.ts has the variants).
      assert.equal(fix.title, 'Load eagerly: a relational query with with: { user: true } and read m.user instead of calling select().from(users) per row');
      assert.equal(
        fix.hint,
        "write the query at src/routes/messages.js:8:22 as db.query.messages.findMany({ with: { user: true }, orderBy: (messages, { asc }) => [asc(messages.id)] }) and read m.user instead of calling select().from(users) per row (src/routes/messages.js:11)",
      );
      const fixed = applyEdit(text, fix.edit!);
      assert.equal(lineOf(fixed, 8), twinLine('drizzle-messages', file, 'db.query.messages'));
      assert.equal(lineOf(fixed, 11), '    const user = m.user;');
      assert.deepEqual(fixed.split('\n').filter((_, i) => i !== 7 && i !== 10), text.split('\n').filter((_, i) => i !== 7 && i !== 10), 'nothing but the query and the per-row query changes');
      assert.deepEqual(nPlusOnes('drizzle-messages-fixed', loadWorkspace(path.join(NODE_APPS, 'drizzle-messages'), (f) => f.startsWith('src/'), path.join(NODE_APPS, 'drizzle-messages-fixed'))), []);
    });

    it('reads the tables by their variables, column names, primary keys and relations', () => {
      const index = indexOf(loadApp('drizzle-messages'));
      assert.deepEqual(
        drizzleTables(index).map((t) => [t.name, t.table, t.columns, t.primaryKey, t.relations]),
        [
          ['users', 'users', { id: 'id', name: 'name' }, 'id', [{ name: 'messages', kind: 'many', target: 'messages', references: [], fields: [] }]],
          ['messages', 'messages', { id: 'id', userId: 'user_id', text: 'text' }, 'id', [{ name: 'user', kind: 'one', target: 'users', references: ['id'], fields: ['userId'] }]],
        ],
      );
      assert.equal(drizzle.modelOfTable(index, 'messages'), 'messages');
      assert.equal(drizzle.modelOfTable(index, 'posts'), undefined);
    });

    it('carries where, orderBy, limit and offset into the relational query, adds with to one already written, and hints where a select cannot be rewritten', () => {
      const workspace = loadApp('drizzle-messages');
      const file = 'src/routes/messages.js';
      const original = workspace.files.get(file)!;
      const cases: Array<[string, string]> = [
        [
          'db.select().from(messages).where(and(eq(messages.id, 1), gt(messages.id, 0))).orderBy(desc(messages.id), messages.text).limit(10).offset(5)',
          'db.query.messages.findMany({ with: { user: true }, where: (messages, { and, eq, gt }) => and(eq(messages.id, 1), gt(messages.id, 0)), orderBy: (messages, { desc, asc }) => [desc(messages.id), asc(messages.text)], limit: 10, offset: 5 })',
        ],
        ['db.query.messages.findMany()', 'db.query.messages.findMany({ with: { user: true } })'],
        ['db.query.messages.findMany({ limit: 5 })', 'db.query.messages.findMany({ limit: 5, with: { user: true } })'],
      ];
      for (const [query, expected] of cases) {
        const text = original.replace('db.select().from(messages).orderBy(messages.id)', query);
        workspace.files.set(file, text);
        const [{ finding, fix }] = nPlusOnes('drizzle-messages', workspace);
        assert.equal(finding.location.line, 8, query);
        assert.equal(lineOf(applyEdit(text, fix.edit!), 8), `  const rows = await ${expected};`, query);
      }
      const chosen = original.replace('db.select().from(messages)', 'db.select({ id: messages.id }).from(messages)');
      workspace.files.set(file, chosen);
      assert.deepEqual(nPlusOnes('drizzle-messages', workspace)[0].fix, {
        title: 'Load eagerly (hint): with: { user: true }',
        hint: 'load the rows with a relational query, db.query.messages.findMany({ with: { user: true } }), at src/routes/messages.js:8:22; it selects chosen columns, which a relational query names with columns: rewrite it by hand',
      });
    });
  });

  describe('Knex', () => {
    it('puts the N+1 on knex(\'projects\')…, hints the one whereIn query exactly as the fixed twin writes it, and the twin has no N+1', () => {
      const workspace = loadApp('knex-projects');
      const found = nPlusOnes('knex-projects', workspace);
      assert.deepEqual(found.map((f) => summary(f.finding)), ["src/routes/projects.js:6:26-6:77 knex projects: N+1: 12 queries from this query (12 × tasks)"]);
      const batch = "const tasks = await knex('tasks').whereIn('project_id', projects.map((p) => p.id)).orderBy('id').select('id', 'project_id', 'title', 'done');";
      assert.deepEqual(found[0].fix, {
        title: "Load in one query (hint): whereIn('project_id', …)",
        hint: `load all tasks in one query after the query at src/routes/projects.js:6:26: ${batch} then take each row's tasks from it: tasks.filter((t) => t.project_id === p.id), instead of the query per row at src/routes/projects.js:8`,
      });
      assert.equal(twinLine('knex-projects', 'src/routes/projects.js', "knex('tasks')"), `  ${batch}`);
      assert.deepEqual(nPlusOnes('knex-projects-fixed', loadWorkspace(path.join(NODE_APPS, 'knex-projects'), (f) => f.startsWith('src/'), path.join(NODE_APPS, 'knex-projects-fixed'))), []);
    });

    it('follows the per-row query into the helper it is written in: a Set of the keys rows refer to, find for a .first()', () => {
      const workspace = loadApp('knex-helpers');
      const found = nPlusOnes('knex-helpers', workspace);
      assert.deepEqual(
        found.map((f) => summary(f.finding)),
        [
          'src/routes/messages.js:8:26-8:56 knex messages: N+1: 24 queries from this query (24 × users)',
          'src/routes/threads.js:7:25-7:54 knex threads: N+1: 12 queries from this query (12 × messages)',
        ],
      );
      const users = "const users = await knex('users').whereIn('id', [...new Set(messages.map((m) => m.sender_id))]);";
      assert.deepEqual(found[0].fix, {
        title: "Load in one query (hint): whereIn('id', …)",
        hint: `load all users in one query after the query at src/routes/messages.js:8:26: ${users} then match each row with a Map: const byId = new Map(users.map((u) => [u.id, u])); byId.get(m.sender_id), instead of the query per row at src/helpers/people.js:6`,
      });
      assert.equal(twinLine('knex-helpers', 'src/routes/messages.js', "knex('users')"), `  ${users}`);
      assert.ok(twinLine('knex-helpers', 'src/routes/messages.js', 'new Map(').includes('const byId = new Map(users.map((u) => [u.id, u]));'));
      // The twin orders ascending and keeps the last per thread in a Map; the hint keeps the helper's order and takes the first.
      assert.deepEqual(found[1].fix, {
        title: "Load in one query (hint): whereIn('thread_id', …)",
        hint: "load all messages in one query after the query at src/routes/threads.js:7:25: const messages = await knex('messages').whereIn('thread_id', threads.map((t) => t.id)).orderBy('id', 'desc'); then take each row's messages from it: messages.find((m) => m.thread_id === t.id), instead of the query per row at src/helpers/threads.js:6",
      });
      assert.deepEqual(nPlusOnes('knex-helpers-fixed', loadWorkspace(path.join(NODE_APPS, 'knex-helpers'), (f) => f.startsWith('src/'), path.join(NODE_APPS, 'knex-helpers-fixed'))), []);
    });

    it('knows a table only where a Knex instance reads it in a workspace that requires knex; writes are no queries', () => {
      const index = indexOf(loadApp('knex-helpers'));
      assert.deepEqual(
        knexChains(index).map((c) => `${c.path}:${c.line} ${c.instance}(${c.table})${c.where ? ` where ${c.where.column} = .${c.where.property}` : ''}${c.first ? ' first' : ''}`),
        [
          'src/helpers/people.js:6 knex(users) where id = .sender_id first',
          'src/helpers/threads.js:6 knex(messages) where thread_id = .id first',
          'src/routes/messages.js:8 knex(messages)',
          'src/routes/threads.js:7 knex(threads)',
        ],
      );
      assert.equal(knex.modelOfTable(index, 'USERS'), 'users');
      assert.equal(knex.modelOfTable(index, 'projects'), undefined);
      const other = (db: string) => ({ files: new Map([['src/db.js', db], ['src/list.js', "const db = require('./db');\nasync function list() {\n  return db.select('id').from('tags').where('kind', row.kind);\n}\n"]]) });
      assert.equal(knex.modelOfTable(indexOf(other("module.exports = require('knex')({ client: 'pg' });\n")), 'tags'), 'tags');
      assert.equal(knex.modelOfTable(indexOf(other("module.exports = require('better-sqlite3')(':memory:');\n")), 'tags'), undefined);
    });
  });
});
