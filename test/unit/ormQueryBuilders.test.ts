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
import { findingsOf } from '../../server/src/core/findings/index';
import { Finding } from '../../server/src/core/findings/finding';
import { applyEdit, eagerLoadingFix, Fix } from '../../server/src/core/fixes/index';
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
    for (const finding of findingsOf(readRecording(name, text).trace, index, resolveConfig({}))) {
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
      assert.equal(fix.title, "Load eagerly: .withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') })");
      assert.equal(
        fix.hint,
        "add .withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }) to the query at src/routes/projects.js:7:26, then read project.tasks instead of calling $relatedQuery('tasks') per row",
      );
      const fixed = applyEdit(text, fix.edit!);
      assert.equal(lineOf(fixed, 7), twinLine('objection-projects', file, 'Project.query()'));
      assert.deepEqual(fixed.split('\n').filter((_, i) => i !== 6), text.split('\n').filter((_, i) => i !== 6), 'nothing but the query changes');
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
});
