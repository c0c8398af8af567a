// The tables and the sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses
// `lastID`): 12 users, 12 threads, and 24 messages, message i sent by user ((i - 1) mod 12) + 1
// in thread ((i - 1) mod 12) + 1.

const knex = require('./db');

const N = 12;

async function createTables() {
  await knex.schema.createTable('users', (t) => {
    t.integer('id').primary();
    t.string('name').notNullable();
  });
  await knex.schema.createTable('threads', (t) => {
    t.integer('id').primary();
    t.string('subject').notNullable();
  });
  await knex.schema.createTable('messages', (t) => {
    t.integer('id').primary();
    t.integer('sender_id').notNullable().references('users.id');
    t.integer('thread_id').notNullable().references('threads.id');
    t.string('text').notNullable();
  });
}

async function seed() {
  const users = [];
  const threads = [];
  const messages = [];
  for (let i = 1; i <= N; i++) {
    users.push({ id: i, name: `User ${i}` });
    threads.push({ id: i, subject: `Thread ${i}` });
  }
  for (let i = 1; i <= 2 * N; i++) messages.push({ id: i, sender_id: ((i - 1) % N) + 1, thread_id: ((i - 1) % N) + 1, text: `Message ${i}` });
  await knex('users').insert(users);
  await knex('threads').insert(threads);
  await knex('messages').insert(messages);
}

module.exports = { createTables, seed, N_USERS: N, N_THREADS: N, N_MESSAGES: 2 * N };
