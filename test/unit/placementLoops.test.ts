// Placement whatever the ORM (core/placement/loopCall.ts, host.ts, routes.ts): an N+1 sits on the
// query before the loop whose rows it iterates, else on the call in the loop that runs once per
// row, with the other one as a related place; the host is the recorded function above the
// repeats, or above the per-row wrapper, or the route handler of the request when none was
// recorded. JavaScript/TypeScript, Python, Ruby and ERB. Fixtures with synthetic recordings (built here, not by an agent), checked exactly; and
// linear work, counted.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { Finding } from '../../server/src/core/findings/finding';
import { findingsIn } from '../support/check';
import { findingId } from '../../server/src/core/baseline/baseline';
import { ORMS } from '../../server/src/core/orm/index';
import { resolveAnchor } from '../../server/src/core/placement/index';
import { wordsOf } from '../../server/src/core/placement/loopCall';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { loadParsers } from '../../server/src/node/treeSitter';
import { memoryFiles } from '../support/fixture';
import { assertLinearWork } from '../support/linearWork';
import { RecordingBuilder } from '../support/recordingBuilder';

let parsers: SourceParsers;
const config = resolveConfig({});

function indexOf(files: Record<string, string>): SourceIndex {
  return new SourceIndex(memoryFiles({ files: new Map(Object.entries(files)) }), parsers, config);
}

/** The N+1 findings of a recording over the files: where, what, and the related places. */
function nPlusOnes(files: Record<string, string> | SourceIndex, recording: RecordingBuilder): string[] {
  const index = files instanceof SourceIndex ? files : indexOf(files);
  const { trace, problems } = readRecording('tmp/appmap/r.generated.appmap.json', recording.json());
  assert.deepEqual(problems, []);
  return findingsIn(trace, index, config)
    .filter((f) => f.rule === 'n-plus-one')
    .map(placeOf);
}

function placeOf(f: Finding): string {
  const also = (f.also ?? []).map((a) => `; ${a.what} ${a.location.path}:${a.location.line}`).join('');
  return `${f.location.path}:${f.location.line}:${f.location.column} ${f.message} (${f.detail})${also}`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const KNEX_PROJECTS = [
  "const knex = require('../db');",
  '',
  'async function listProjects(req, res) {',
  "  const projects = await knex('projects').select('id', 'name');",
  '  for (const p of projects) {',
  "    p.owner = await knex('users').where({ id: p.owner_id }).first();",
  "    p.tasks = await knex('tasks').where({ project_id: p.id }).select('id');",
  '  }',
  '  res.json(projects);',
  '}',
  '',
  'module.exports = { listProjects };',
  '',
].join('\n');

/** GET /projects: the handler, the projects, then per project its tasks (and its owner, unless told). */
function projectsRecording(n: number, options: { owners?: boolean; handler?: boolean; path?: string } = {}): RecordingBuilder {
  const r = new RecordingBuilder();
  const body = () => {
    r.sql('select `id`, `name` from `projects`');
    for (const id of range(n)) {
      if (options.owners !== false) r.sql(`select * from \`users\` where \`id\` = ${id} limit 1`);
      r.sql(`select \`id\` from \`tasks\` where \`project_id\` = ${id}`);
    }
  };
  r.request('GET', options.path ?? '/projects', 20, () => {
    if (options.handler === false) body();
    else r.call('projects', 'listProjects', 'src/routes/projects.js', 3, 10, body, true);
  });
  return r;
}

describe('placement whatever the ORM: the loop of an N+1 in its host', () => {
  before(async () => {
    parsers = await loadParsers();
  });

  it('words of names: camelCase, snake_case and plurals', () => {
    assert.deepEqual(wordsOf('getTasks'), ['get', 'task']);
    assert.deepEqual(wordsOf('project_id'), ['project', 'id']);
    assert.deepEqual(wordsOf('Categories'), ['category']);
    assert.deepEqual(wordsOf('addresses'), ['address']);
  });

  it('Knex in a for…of: each N+1 on the query of the rows, the per-row call that matches its table related', () => {
    // Sibling shapes of one loop share their source query, so they are one finding.
    assert.deepEqual(nPlusOnes({ 'src/routes/projects.js': KNEX_PROJECTS }, projectsRecording(12)), [
      'src/routes/projects.js:4:26 N+1: 24 queries from this query (12 × users, 12 × tasks); the per-row call src/routes/projects.js:6',
    ]);
    assert.deepEqual(nPlusOnes({ 'src/routes/projects.js': KNEX_PROJECTS }, projectsRecording(12, { owners: false })), [
      'src/routes/projects.js:4:26 N+1: 12 queries from this query (12 × tasks); the per-row call src/routes/projects.js:7',
    ]);
  });

  it('a recorded per-row wrapper under Promise.all(rows.map(…)): its call in the loop, whatever its name says', () => {
    const files = {
      'src/routes/messages.js': [
        'async function listMessages(req, res) {',
        "  const messages = await knex('messages').orderBy('id');",
        '  const senders = await Promise.all(messages.map((m) => senderOf(m)));',
        '  res.json(senders);',
        '}',
        '',
      ].join('\n'),
      'src/helpers/people.js': ['async function senderOf(message) {', "  return knex('users').where({ id: message.user_id }).first();", '}', ''].join('\n'),
    };
    const r = new RecordingBuilder();
    r.request('GET', '/messages', 20, () =>
      r.call('messages', 'listMessages', 'src/routes/messages.js', 1, 10, () => {
        r.sql('select * from `messages` order by `id` asc');
        for (const id of range(6)) r.call('people', 'senderOf', 'src/helpers/people.js', 1, 1, () => r.sql(`select * from \`users\` where \`id\` = ${id} limit 1`), true);
      }, true),
    );
    assert.deepEqual(nPlusOnes(files, r), ['src/routes/messages.js:2:26 N+1: 6 queries from this query (6 × users); the per-row call src/routes/messages.js:3']);
  });

  it('no handler recorded (an anonymous one in a router mounted under a prefix): the route handler found from the request', () => {
    const files = {
      'src/app.js': ["const express = require('express');", 'const app = express();', "app.use('/api/projects', require('./routes/projects'));", 'module.exports = app;', ''].join('\n'),
      'src/routes/projects.js': [
        "const express = require('express');",
        'const router = express.Router();',
        "router.get('/', async function (req, res) {",
        "  const projects = await knex('projects').select('id', 'name');",
        '  for (const p of projects) {',
        "    p.tasks = await knex('tasks').where({ project_id: p.id });",
        '  }',
        '  res.json(projects);',
        '});',
        "router.get('/:id', async function (req, res) {",
        "  res.json(await knex('projects').where({ id: req.params.id }).first());",
        '});',
        'module.exports = router;',
        '',
      ].join('\n'),
    };
    assert.deepEqual(nPlusOnes(files, projectsRecording(6, { owners: false, handler: false, path: '/api/projects' })), [
      'src/routes/projects.js:4:26 N+1: 6 queries from this query (6 × tasks); the per-row call src/routes/projects.js:6',
    ]);
    // Another path: no route matches, and nothing better than the recording is certain.
    assert.deepEqual(nPlusOnes(files, projectsRecording(6, { owners: false, handler: false, path: '/elsewhere' })), [
      'tmp/appmap/r.generated.appmap.json:1:1 N+1: 6 queries in this recording (6 × tasks)',
    ]);
  });

  it('no handler recorded, Koa (a router with its own prefix, mounted under another) and Fastify: the route handler found', () => {
    const loop = ['  const projects = await knex(\'projects\');', '  for (const p of projects) p.tasks = await knex(\'tasks\').where({ project_id: p.id });'];
    const koa = {
      'src/app.js': [
        "const Router = require('@koa/router');",
        "const api = new Router({ prefix: '/api' });",
        "const projects = new Router({ prefix: '/projects' });",
        "projects.get('/', async (ctx) => {",
        ...loop,
        '  ctx.body = projects;',
        '});',
        "api.use('/v1', projects.routes());",
        '',
      ].join('\n'),
    };
    assert.deepEqual(nPlusOnes(koa, projectsRecording(6, { owners: false, handler: false, path: '/api/v1/projects' })), [
      'src/app.js:5:26 N+1: 6 queries from this query (6 × tasks); the per-row call src/app.js:6',
    ]);
    const fastify = {
      'src/server.js': ["const fastify = require('fastify')();", "fastify.get('/projects', async (request, reply) => {", ...loop, '  return projects;', '});', ''].join('\n'),
    };
    assert.deepEqual(nPlusOnes(fastify, projectsRecording(6, { owners: false, handler: false, path: '/projects' })), [
      'src/server.js:3:26 N+1: 6 queries from this query (6 × tasks); the per-row call src/server.js:4',
    ]);
  });

  it('no handler recorded, a Fastify plugin registered with a prefix and a Nest controller under a global prefix: the route handler found', () => {
    const fastify = {
      'src/server.js': ["const fastify = require('fastify')();", "fastify.register(require('./routes/projects'), { prefix: '/api/projects' });", ''].join('\n'),
      'src/routes/projects.js': [
        'module.exports = async function (app, opts) {',
        "  app.get('/', async (request, reply) => {",
        "    const projects = await app.knex('projects').select('id', 'name');",
        '    for (const p of projects) {',
        "      p.tasks = await app.knex('tasks').where({ project_id: p.id });",
        '    }',
        '    return projects;',
        '  });',
        '};',
        '',
      ].join('\n'),
    };
    assert.deepEqual(nPlusOnes(fastify, projectsRecording(6, { owners: false, handler: false, path: '/api/projects' })), [
      'src/routes/projects.js:3:28 N+1: 6 queries from this query (6 × tasks); the per-row call src/routes/projects.js:5',
    ]);
    // Without the plugin's prefix no route serves the request.
    assert.deepEqual(nPlusOnes(fastify, projectsRecording(6, { owners: false, handler: false, path: '/projects' })), [
      'tmp/appmap/r.generated.appmap.json:1:1 N+1: 6 queries in this recording (6 × tasks)',
    ]);
    const nest = {
      'src/main.ts': ['async function bootstrap() {', '  const app = await NestFactory.create(AppModule);', "  app.setGlobalPrefix('api');", '  await app.listen(3000);', '}', ''].join('\n'),
      'src/projects.controller.ts': [
        "@Controller('projects')",
        'export class ProjectsController {',
        '  constructor(private readonly knex: Knex) {}',
        '',
        '  @Get()',
        '  async list() {',
        "    const projects = await this.knex('projects').select('id', 'name');",
        '    return Promise.all(projects.map(async (p) => ({ ...p, tasks: await this.knex(\'tasks\').where({ project_id: p.id }) })));',
        '  }',
        '}',
        '',
      ].join('\n'),
    };
    assert.deepEqual(nPlusOnes(nest, projectsRecording(6, { owners: false, handler: false, path: '/api/projects' })), [
      'src/projects.controller.ts:7:28 N+1: 6 queries from this query (6 × tasks); the per-row call src/projects.controller.ts:8',
    ]);
  });

  it('rows handed in (no query before the loop in the host): on the per-row call', () => {
    const files = {
      'src/routes/projects.js': [
        'async function withTasks(projects) {',
        '  for (const p of projects) {',
        "    p.tasks = await knex('tasks').where({ project_id: p.id });",
        '  }',
        '}',
        '',
      ].join('\n'),
    };
    const r = new RecordingBuilder();
    r.request('GET', '/projects', 20, () => {
      r.sql('select `id`, `name` from `projects`');
      r.call('projects', 'withTasks', 'src/routes/projects.js', 1, 10, () => {
        for (const id of range(6)) r.sql(`select * from \`tasks\` where \`project_id\` = ${id}`);
      }, true);
    });
    assert.deepEqual(nPlusOnes(files, r), ['src/routes/projects.js:3:21 N+1: 6 queries from this per-row call (6 × tasks)']);
  });

  it('two calls in the loop that match alike: nothing is certain, the definition line as before', () => {
    const files = {
      'src/routes/projects.js': [
        'async function listProjects(req, res) {',
        "  const projects = await knex('projects');",
        '  for (const p of projects) {',
        "    p.open = await knex('tasks').where({ project_id: p.id, done: false });",
        "    p.done = await knex('tasks').where({ project_id: p.id, done: true });",
        '  }',
        '}',
        '',
      ].join('\n'),
    };
    const r = new RecordingBuilder();
    r.request('GET', '/projects', 20, () =>
      r.call('projects', 'listProjects', 'src/routes/projects.js', 1, 10, () => {
        r.sql('select * from `projects`');
        for (const id of range(6)) r.sql(`select * from \`tasks\` where \`project_id\` = ${id}`);
      }, true),
    );
    assert.deepEqual(nPlusOnes(files, r), ['src/routes/projects.js:1:1 N+1: 6 queries in this function, exact line unknown (6 × tasks)']);
  });

  it('Python: a for loop, a comprehension over a model query, map(lambda …) with a Django table: each on its source query, the per-row call related', () => {
    const files = {
      'blog/views.py': [
        'def list_posts(session):',
        '    posts = session.scalars(select(Post)).all()',
        '    for p in posts:',
        '        p.tag_list = session.scalars(select(Tag).where(Tag.post_id == p.id)).all()',
        '    return posts',
        '',
        '',
        'def front_page():',
        '    return [{"title": p.title, "author": p.author.name} for p in Post.query.all()]',
        '',
        '',
        'def owner_emails():',
        '    customers = Customer.objects.all()',
        '    return list(map(lambda c: c.owner.email, customers))',
        '',
      ].join('\n'),
    };
    const one = (fn: string, line: number, source: string, perRow: (id: number) => string) => {
      const r = new RecordingBuilder();
      r.request('GET', `/${fn}`, 20, () => r.call('blog.views', fn, 'blog/views.py', line, 10, () => {
        r.sql(source);
        for (const id of range(6)) r.sql(perRow(id));
      }));
      return nPlusOnes(files, r);
    };
    assert.deepEqual(one('list_posts', 1, 'SELECT posts.id FROM posts', (id) => `SELECT tags.id, tags.name FROM tags WHERE tags.post_id = ${id}`), [
      'blog/views.py:2:13 N+1: 6 queries from this query (6 × tags); the per-row call blog/views.py:4',
    ]);
    assert.deepEqual(one('front_page', 8, 'SELECT posts.id, posts.author_id FROM posts', (id) => `SELECT authors.id, authors.name FROM authors WHERE authors.id = ${id}`), [
      'blog/views.py:9:66 N+1: 6 queries from this query (6 × authors)',
    ]);
    assert.deepEqual(one('owner_emails', 12, 'SELECT "shop_customer"."id" FROM "shop_customer"', (id) => `SELECT "shop_owner"."id", "shop_owner"."email" FROM "shop_owner" WHERE "shop_owner"."id" = ${id}`), [
      'blog/views.py:13:17 N+1: 6 queries from this query (6 × shop_owner); the per-row call blog/views.py:14',
    ]);
  });

  it('Python: the same relation read twice per row sits on its first read; a first read under a condition is no certainty', () => {
    const text = (first: string) => ['def report(rows):', '    for m in rows:', `        ${first}`, '        print(m.venue.city)', ''].join('\n');
    const recording = () => {
      const r = new RecordingBuilder();
      r.request('GET', '/report', 20, () => r.call('shop.report', 'report', 'shop/report.py', 1, 10, () => {
        for (const id of range(6)) r.sql(`SELECT venues.id, venues.name FROM venues WHERE venues.id = ${id}`);
      }));
      return r;
    };
    assert.deepEqual(nPlusOnes({ 'shop/report.py': text('name = m.venue.name') }, recording()), ['shop/report.py:3:16 N+1: 6 queries from this per-row call (6 × venues)']);
    assert.deepEqual(nPlusOnes({ 'shop/report.py': text('name = m.venue.name if m.published else None') }, recording()), [
      'shop/report.py:1:1 N+1: 6 queries in this function, exact line unknown (6 × venues)',
    ]);
  });

  it('Ruby: .each with a block, .each_with_index, for … in, .find_each: on the source query, the per-row call related', () => {
    const files = {
      'app/controllers/orders_controller.rb': [
        'class OrdersController < ApplicationController',
        '  def index',
        '    orders = Order.where(paid: true)',
        '    orders.each do |order|',
        '      order.customer.name',
        '    end',
        '  end',
        '',
        '  def numbered',
        '    @orders = Order.recent',
        '    @orders.each_with_index { |o, i| puts "#{i} #{o.customer.name}" }',
        '  end',
        '',
        '  def listed',
        '    rows = Order.all',
        '    for r in rows',
        '      r.line_items.to_a',
        '    end',
        '  end',
        '',
        '  def batched',
        '    Order.where(paid: false).find_each do |o|',
        '      Reminder.send_to(o.customer)',
        '    end',
        '  end',
        'end',
        '',
      ].join('\n'),
    };
    const one = (action: string, line: number, perRow: (id: number) => string) => {
      const r = new RecordingBuilder();
      r.request('GET', `/orders/${action}`, 20, () => r.call('OrdersController', action, 'app/controllers/orders_controller.rb', line, 10, () => {
        r.sql('SELECT "orders".* FROM "orders"');
        for (const id of range(6)) r.sql(perRow(id));
      }));
      return nPlusOnes(files, r);
    };
    const customer = (id: number) => `SELECT "customers".* FROM "customers" WHERE "customers"."id" = ${id} LIMIT 1`;
    assert.deepEqual(one('index', 2, customer), ['app/controllers/orders_controller.rb:3:14 N+1: 6 queries from this query (6 × customers); the per-row call app/controllers/orders_controller.rb:5']);
    assert.deepEqual(one('numbered', 9, customer), ['app/controllers/orders_controller.rb:10:15 N+1: 6 queries from this query (6 × customers); the per-row call app/controllers/orders_controller.rb:11']);
    assert.deepEqual(one('listed', 14, (id) => `SELECT "line_items".* FROM "line_items" WHERE "line_items"."order_id" = ${id}`), [
      'app/controllers/orders_controller.rb:15:12 N+1: 6 queries from this query (6 × line_items); the per-row call app/controllers/orders_controller.rb:17',
    ]);
    assert.deepEqual(one('batched', 21, customer), ['app/controllers/orders_controller.rb:22:5 N+1: 6 queries from this query (6 × customers); the per-row call app/controllers/orders_controller.rb:23']);
  });

  it('ERB: a loop in a template, and a partial rendered for a collection (its first read of the relation, the collection render related)', () => {
    const files = {
      'app/views/posts/index.html.erb': ['<h1>Posts</h1>', '<% @posts.each do |post| %>', '  <p><%= post.title %> by <%= post.author.name %></p>', '<% end %>', ''].join('\n'),
      'app/views/posts/feed.html.erb': ['<ol>', '  <%= render @posts %>', '</ol>', '<%= will_paginate @posts %>', ''].join('\n'),
      'app/views/posts/_post.html.erb': ['<li id="post-<%= post.id %>">', '  <%# the author %>', '  <%= link_to post.author.name, post.author %> <%= post.title %>', '  <% if post.author == current_author %>mine<% end %>', '</li>', ''].join('\n'),
    };
    const author = (id: number) => `SELECT "authors".* FROM "authors" WHERE "authors"."id" = ${id} LIMIT 1`;
    const looped = new RecordingBuilder();
    looped.request('GET', '/posts', 20, () => looped.call('app_views_posts_index_html_erb', 'render', 'app/views/posts/index.html.erb', 1, 10, () => {
      looped.sql('SELECT "posts".* FROM "posts"');
      for (const id of range(6)) looped.sql(author(id));
    }, true));
    assert.deepEqual(nPlusOnes(files, looped), ['app/views/posts/index.html.erb:3:31 N+1: 6 queries from this per-row call (6 × authors)']);
    const collection = new RecordingBuilder();
    collection.request('GET', '/feed', 20, () => collection.call('app_views_posts_feed_html_erb', 'render', 'app/views/posts/feed.html.erb', 1, 10, () => {
      collection.call('app_views_posts__post_html_erb', 'render', 'app/views/posts/_post.html.erb', 1, 9, () => {
        collection.sql('SELECT "posts".* FROM "posts"');
        for (const id of range(6)) collection.sql(author(id));
      }, true);
    }, true));
    assert.deepEqual(nPlusOnes(files, collection), ['app/views/posts/_post.html.erb:3:15 N+1: 6 queries from this per-row call (6 × authors); the collection render app/views/posts/feed.html.erb:2']);
  });

  it('the place follows edits: resolved again against the current text', () => {
    const index = indexOf({ 'src/routes/projects.js': KNEX_PROJECTS });
    const { trace } = readRecording('r.appmap.json', projectsRecording(6, { owners: false }).json());
    const [finding] = findingsIn(trace, index, config).filter((f) => f.rule === 'n-plus-one');
    assert.equal(finding.ref.kind, 'loop');
    const edited = indexOf({ 'src/routes/projects.js': `// a comment\n// and another\n${KNEX_PROJECTS}` });
    assert.deepEqual(resolveAnchor(finding.ref, edited, ORMS), { path: 'src/routes/projects.js', line: 6, column: 26 });
  });

  it("a baseline knows the finding again after an edit moves it: its identity names the host and tables, not the line", () => {
    const found = (text: string) => findingsIn(readRecording('r.appmap.json', projectsRecording(6, { owners: false }).json()).trace, indexOf({ 'src/routes/projects.js': text }), config).filter((f) => f.rule === 'n-plus-one');
    const [before] = found(KNEX_PROJECTS);
    const [after] = found(KNEX_PROJECTS.replace('async function listProjects', '// moved\nasync function listProjects'));
    assert.deepEqual([before.location.line, after.location.line], [4, 5]);
    assert.equal(findingId(after), findingId(before));
    assert.equal(findingId(before), 'n-plus-one src/routes/projects.js loop source projects.listProjects tasks');
  });

  it('linear work: n loops in one host, each the N+1 of its own table', () => {
    assertLinearWork('findings, n loops in one host', (n) => {
      const lines = ['async function report(req, res) {'];
      for (let k = 0; k < n; k++) lines.push(`  const rows${k} = await knex('list${k}');`, `  for (const r of rows${k}) {`, `    r.x = await knex('detail${k}').where({ list${k}_id: r.id });`, '  }');
      lines.push('}', '');
      const index = indexOf({ 'src/report.js': lines.join('\n') });
      const r = new RecordingBuilder();
      r.request('GET', '/report', 20, () =>
        r.call('report', 'report', 'src/report.js', 1, 10, () => {
          for (let k = 0; k < n; k++) {
            r.sql(`select * from \`list${k}\``);
            for (const id of range(6)) r.sql(`select * from \`detail${k}\` where \`list${k}_id\` = ${id}`);
          }
        }, true),
      );
      const { trace } = readRecording('r.appmap.json', r.json());
      return () => {
        const found = findingsIn(trace, index, config).filter((f) => f.rule === 'n-plus-one');
        assert.equal(found.length, n);
        assert.equal(found[n - 1].message, 'N+1: 6 queries from this query');
      };
    }, 50);
  });

  it('linear work: n Ruby loops in one host, and one ERB partial reading one relation n times per row', () => {
    assertLinearWork('findings, n Ruby loops in one host', (n) => {
      const lines = ['class Report', '  def build'];
      for (let k = 0; k < n; k++) lines.push(`    rows${k} = List${k}.all`, `    rows${k}.each do |r|`, `      r.detail${k}.name`, '    end');
      lines.push('  end', 'end', '');
      const index = indexOf({ 'app/models/report.rb': lines.join('\n') });
      const r = new RecordingBuilder();
      r.request('GET', '/report', 20, () =>
        r.call('Report', 'build', 'app/models/report.rb', 2, 10, () => {
          for (let k = 0; k < n; k++) {
            r.sql(`SELECT * FROM "list${k}s"`);
            for (const id of range(6)) r.sql(`SELECT * FROM "detail${k}s" WHERE "detail${k}s"."id" = ${id}`);
          }
        }),
      );
      const { trace } = readRecording('r.appmap.json', r.json());
      return () => {
        const found = findingsIn(trace, index, config).filter((f) => f.rule === 'n-plus-one');
        assert.equal(found.length, n);
        assert.equal(found[n - 1].message, 'N+1: 6 queries from this query');
      };
    }, 50);
    assertLinearWork('findings, an ERB partial reading one relation n times', (n) => {
      const partial = ['<li>', ...Array.from({ length: n }, () => '  <%= link_to post.author.name, post.author %>'), '</li>', ''].join('\n');
      const index = indexOf({ 'app/views/posts/_post.html.erb': partial, 'app/views/posts/index.html.erb': '<%= render @posts %>\n' });
      const r = new RecordingBuilder();
      r.request('GET', '/posts', 20, () => r.call('app_views_posts_index_html_erb', 'render', 'app/views/posts/index.html.erb', 1, 10, () => {
        r.call('app_views_posts__post_html_erb', 'render', 'app/views/posts/_post.html.erb', 1, 9, () => {
          r.sql('SELECT "posts".* FROM "posts"');
          for (const id of range(6)) r.sql(`SELECT "authors".* FROM "authors" WHERE "authors"."id" = ${id} LIMIT 1`);
        }, true);
      }, true));
      const { trace } = readRecording('r.appmap.json', r.json());
      return () => {
        const found = findingsIn(trace, index, config).filter((f) => f.rule === 'n-plus-one');
        assert.deepEqual(found.map((f) => `${f.location.line}:${f.location.column} ${f.message}`), ['2:15 N+1: 6 queries from this per-row call']);
      };
    }, 50);
  });

  it('linear work: the route table of n mounted routers, read once for n requests', () => {
    assertLinearWork('findings, n mounted routers', (n) => {
      const files: Record<string, string> = {};
      const app = ["const express = require('express');", 'const app = express();'];
      for (let k = 0; k < n; k++) {
        app.push(`app.use('/r${k}', require('./routes/r${k}'));`);
        files[`src/routes/r${k}.js`] = [
          "const router = require('express').Router();",
          "router.get('/', async (req, res) => {",
          `  const rows = await knex('list${k}');`,
          `  for (const r of rows) r.x = await knex('detail${k}').where({ list${k}_id: r.id });`,
          '});',
          'module.exports = router;',
          '',
        ].join('\n');
      }
      files['src/app.js'] = app.join('\n');
      const index = indexOf(files);
      const r = new RecordingBuilder();
      for (let k = 0; k < n; k++) {
        r.request('GET', `/r${k}`, 20, () => {
          r.sql(`select * from \`list${k}\``);
          for (const id of range(6)) r.sql(`select * from \`detail${k}\` where \`list${k}_id\` = ${id}`);
        });
      }
      const { trace } = readRecording('r.appmap.json', r.json());
      return () => {
        const found = findingsIn(trace, index, config).filter((f) => f.rule === 'n-plus-one');
        assert.equal(found.length, n);
        assert.equal(`${found[n - 1].location.path}:${found[n - 1].location.line}`, `src/routes/r${n - 1}.js:3`);
      };
    }, 20);
  });
});
