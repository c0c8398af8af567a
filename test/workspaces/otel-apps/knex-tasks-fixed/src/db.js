// The one Knex instance of the app (SQLite through sqlite3, in memory), bound to Objection's models.

const { Model } = require('objection');

const knex = require('knex')({
  client: 'sqlite3',
  connection: { filename: ':memory:' },
  useNullAsDefault: true,
});
Model.knex(knex);

module.exports = knex;
