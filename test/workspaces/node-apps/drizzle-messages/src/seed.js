// The tables and the sample rows, with explicit ids: 12 users, and 12 messages, message i posted
// by user i.

const { db, sqlite } = require('./db');
const { users, messages } = require('./schema');

const N_MESSAGES = 12;

function createTables() {
  sqlite.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  sqlite.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), text TEXT NOT NULL)');
}

function seed() {
  const rows = Array.from({ length: N_MESSAGES }, (_, i) => i + 1);
  db.insert(users).values(rows.map((id) => ({ id, name: `User ${id}` }))).run();
  db.insert(messages).values(rows.map((id) => ({ id, userId: id, text: `Message ${id}` }))).run();
}

module.exports = { createTables, seed, N_MESSAGES };
