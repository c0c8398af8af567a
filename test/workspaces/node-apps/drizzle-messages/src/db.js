// The one Drizzle instance of the app: SQLite through better-sqlite3, in memory.

const Database = require('better-sqlite3');
const { drizzle } = require('drizzle-orm/better-sqlite3');
const schema = require('./schema');

const sqlite = new Database(':memory:');
const db = drizzle(sqlite, { schema });

module.exports = { db, sqlite };
