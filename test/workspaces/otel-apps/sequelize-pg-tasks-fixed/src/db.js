// The one Sequelize instance of the app: PostgreSQL through pg, at the server the standard PG*
// variables name (PGHOST, a socket folder or a host; PGPORT; PGUSER; PGDATABASE).

const { Sequelize } = require('sequelize');

const sequelize = new Sequelize({
  dialect: 'postgres',
  host: process.env.PGHOST,
  port: Number(process.env.PGPORT || 5432),
  username: process.env.PGUSER,
  database: process.env.PGDATABASE || 'postgres',
  logging: false,
  pool: { max: 4, min: 0 },
});

module.exports = sequelize;
