// The projects over HTTP: a fresh in-memory database with the sample rows (seeded in `before`,
// outside any test, so not recorded), the app on a free port of 127.0.0.1, and the route called as
// a client would. appmap-node records the test, the SQL of its request included.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const { sequelize } = require('../src/models');
const { seed, N_PROJECTS } = require('../src/seed');

describe('sequelize projects', function () {
  let server;
  let base;

  before(async function () {
    await sequelize.sync({ force: true });
    await seed();
    server = createApp().listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${server.address().port}`;
  });

  after(async function () {
    server.close();
    await once(server, 'close');
    await sequelize.close();
  });

  it('lists the projects with their open tasks', async function () {
    const res = await fetch(`${base}/projects`);
    assert.equal(res.status, 200);
    const projects = await res.json();
    assert.equal(projects.length, N_PROJECTS);
    assert.deepEqual(projects[0], { id: 1, name: 'Project 1', open: ['Task 1', 'Task 3'] });
    assert.deepEqual(projects[1], { id: 2, name: 'Project 2', open: ['Task 5'] });
  });
});
