// The comments over HTTP: a fresh in-memory database with the sample rows (seeded in `before`,
// outside any test, so not recorded), the app on a free port of 127.0.0.1, and the route called as
// user 1 would. appmap-node records the test, the SQL of its request included.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const { sequelize } = require('../src/models');
const { seed, N_COMMENTS } = require('../src/seed');

describe('current user', function () {
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

  it('lists the comments with what the user may edit', async function () {
    const res = await fetch(`${base}/comments`, { headers: { 'x-user-id': '1' } });
    assert.equal(res.status, 200);
    const comments = await res.json();
    assert.equal(comments.length, N_COMMENTS);
    assert.deepEqual(comments.slice(0, 3), [
      { id: 1, body: 'Comment 1', editable: false },
      { id: 2, body: 'Comment 2', editable: false },
      { id: 3, body: 'Comment 3', editable: true },
    ]);
  });
});
