// The projects over HTTP: a fresh in-memory database with the sample rows (made in `before`,
// outside any test, so not recorded), the app on a free port of 127.0.0.1, and the route called as
// a client would. appmap-node records the test, the SQL of its request included.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const knex = require('../src/db');
const { createTables, seed, N_PROJECTS } = require('../src/schema');

describe('knex projects', function () {
  let server;
  let base;

  before(async function () {
    await createTables();
    await seed();
    server = createApp().listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${server.address().port}`;
  });

  after(async function () {
    server.close();
    await once(server, 'close');
    await knex.destroy();
  });

  it('lists the projects with their tasks', async function () {
    const res = await fetch(`${base}/projects`);
    assert.equal(res.status, 200);
    const projects = await res.json();
    assert.equal(projects.length, N_PROJECTS);
    assert.deepEqual(projects[0], {
      id: 1,
      name: 'Project 1',
      tasks: [
        { id: 1, title: 'Task 1', done: false },
        { id: 2, title: 'Task 2', done: true },
        { id: 3, title: 'Task 3', done: false },
      ],
    });
  });
});
