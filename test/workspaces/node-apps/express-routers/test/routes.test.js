// The mounted routers over HTTP: a fresh in-memory database with the sample rows (seeded in
// `before`, outside any test, so not recorded), the app on a free port of 127.0.0.1, and each
// route called as a client would. appmap-node records each test, the SQL of its request included.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const { sequelize } = require('../src/models');
const { seed, N_USERS, N_POSTS } = require('../src/seed');

describe('express routers', function () {
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

  it('lists the users with their posts', async function () {
    const res = await fetch(`${base}/api/users`);
    assert.equal(res.status, 200);
    const users = await res.json();
    assert.equal(users.length, N_USERS);
    assert.deepEqual(users[0], { id: 1, name: 'User 1', posts: ['Post 1', 'Post 2'] });
  });

  it('lists the posts with their comment counts', async function () {
    const res = await fetch(`${base}/api/posts`);
    assert.equal(res.status, 200);
    const posts = await res.json();
    assert.equal(posts.length, N_POSTS);
    assert.deepEqual(posts.slice(0, 3), [
      { id: 1, title: 'Post 1', comments: 2 },
      { id: 2, title: 'Post 2', comments: 3 },
      { id: 3, title: 'Post 3', comments: 1 },
    ]);
  });
});
