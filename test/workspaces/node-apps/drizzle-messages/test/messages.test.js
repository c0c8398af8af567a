// The messages over HTTP: a fresh in-memory database with the sample rows (made in `before`,
// outside any test, so not recorded), the app on a free port of 127.0.0.1, and the route called
// as a client would. appmap-node records the test, the SQL of its request included.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const { sqlite } = require('../src/db');
const { createTables, seed, N_MESSAGES } = require('../src/seed');

describe('drizzle messages', function () {
  let server;
  let base;

  before(async function () {
    createTables();
    seed();
    server = createApp().listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${server.address().port}`;
  });

  after(async function () {
    server.close();
    await once(server, 'close');
    sqlite.close();
  });

  it('lists the messages with their authors', async function () {
    const res = await fetch(`${base}/messages`);
    assert.equal(res.status, 200);
    const messages = await res.json();
    assert.equal(messages.length, N_MESSAGES);
    assert.deepEqual(messages[0], { id: 1, text: 'Message 1', author: 'User 1' });
    assert.deepEqual(messages[11], { id: 12, text: 'Message 12', author: 'User 12' });
  });
});
