// The one Knex instance of the app: SQLite (sqlite3), in memory.

const knex = require('knex')({
  client: 'sqlite3',
  connection: { filename: ':memory:' },
  useNullAsDefault: true,
});

module.exports = knex;
