// The chat over HTTP: a fresh in-memory database with the sample rows (seeded in `before`, outside
// any test, so not recorded), the app on a free port of 127.0.0.1, and each route called as a
// client would. appmap-node records each test, the SQL of its request included.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const knex = require('../src/db');
const { createTables, seed, N_MESSAGES, N_THREADS } = require('../src/schema');

describe('knex chat', function () {
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

  it('lists the messages with their senders', async function () {
    const res = await fetch(`${base}/messages`);
    assert.equal(res.status, 200);
    const messages = await res.json();
    assert.equal(messages.length, N_MESSAGES);
    assert.deepEqual(messages[0], { id: 1, text: 'Message 1', sender: 'User 1' });
    assert.deepEqual(messages[N_MESSAGES - 1], { id: 24, text: 'Message 24', sender: 'User 12' });
  });

  it('lists the threads with their latest message', async function () {
    const res = await fetch(`${base}/threads`);
    assert.equal(res.status, 200);
    const threads = await res.json();
    assert.equal(threads.length, N_THREADS);
    assert.deepEqual(threads[0], { id: 1, subject: 'Thread 1', last: 'Message 13' });
  });
});
