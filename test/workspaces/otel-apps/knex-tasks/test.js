// The app's test, a plain script: a fresh in-memory database with the sample rows, the app on a
// free port of 127.0.0.1, and each route called once as a client would (fetch), its answer
// checked. Exits non-zero on a wrong answer.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('./src/app');
const knex = require('./src/db');
const { createTables, seed, N_PROJECTS, TASKS_PER_PROJECT } = require('./src/schema');

const ROUTES = ['/projects/loop', '/projects/all-async', '/projects/all-plain', '/projects/helper', '/projects/objection'];

async function main() {
  await createTables();
  await seed();
  const server = createApp().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const route of ROUTES) {
      const res = await fetch(`${base}${route}`); // expect: http 5
      assert.equal(res.status, 200, route);
      const projects = await res.json();
      assert.equal(projects.length, N_PROJECTS, route);
      for (const project of projects) {
        assert.deepEqual(project.tasks.map((t) => t.id), [1, 2, 3].map((k) => (project.id - 1) * TASKS_PER_PROJECT + k), route);
      }
    }
  } finally {
    server.close();
    await knex.destroy();
  }
  console.log(`knex-tasks: ${ROUTES.length} routes answered`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
