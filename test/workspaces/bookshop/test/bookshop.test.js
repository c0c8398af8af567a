// The bookshop over HTTP: a fresh in-memory database with the sample catalogue (200 books), the
// app on a free port, and both list routes called as a client would. appmap-node records each
// test (`npx appmap-node npm test`), the SQL of its request included; the seeding runs in
// `before`, outside any test, so it is not recorded.

const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createApp } = require('../src/app');
const { sequelize } = require('../src/models');
const { seed, N_AUTHORS, N_BOOKS } = require('../src/seed');

describe('bookshop', function () {
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

  it('lists the books with their authors and tags and ratings', async function () {
    const res = await fetch(`${base}/books`);
    assert.equal(res.status, 200);
    const books = await res.json();
    assert.equal(books.length, N_BOOKS);
    assert.deepEqual(books[0], { id: 1, title: 'Book 001', year: 1950, author: 'Author 001', tags: ['crime', 'poetry'], rating: 3 });
    assert.deepEqual(books[N_BOOKS - 1], { id: 200, title: 'Book 200', year: 2009, author: 'Author 040', tags: ['crime', 'science'], rating: 2 });
  });

  it('lists the authors with their books', async function () {
    const res = await fetch(`${base}/authors`);
    assert.equal(res.status, 200);
    const authors = await res.json();
    assert.equal(authors.length, N_AUTHORS);
    assert.deepEqual(authors[0], { name: 'Author 001', country: 'Argentina', books: ['Book 001', 'Book 041', 'Book 081', 'Book 121', 'Book 161'] });
    assert.deepEqual(authors.reduce((n, a) => n + a.books.length, 0), N_BOOKS);
  });
});
