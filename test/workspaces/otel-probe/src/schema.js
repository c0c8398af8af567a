// The tables and the sample rows: 12 authors, and 2 books by each (book i by author ((i - 1) mod 12) + 1).

const knex = require('./db');

const N_AUTHORS = 12;

async function createTables() {
  await knex.schema.createTable('authors', (t) => {
    t.integer('id').primary();
    t.string('name').notNullable();
  });
  await knex.schema.createTable('books', (t) => {
    t.integer('id').primary();
    t.integer('author_id').notNullable().references('authors.id');
    t.string('title').notNullable();
  });
}

async function seed() {
  const authors = [];
  const books = [];
  for (let i = 1; i <= N_AUTHORS; i++) authors.push({ id: i, name: `Author ${i}` });
  for (let i = 1; i <= 2 * N_AUTHORS; i++) books.push({ id: i, author_id: ((i - 1) % N_AUTHORS) + 1, title: `Book ${i}` });
  await knex('authors').insert(authors);
  await knex('books').insert(books);
}

module.exports = { createTables, seed, N_AUTHORS };
