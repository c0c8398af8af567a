// The one Sequelize instance of the app: SQLite, in memory unless BOOKSHOP_DATABASE names a file.

const { Sequelize } = require('sequelize');

const sequelize = new Sequelize({
  dialect: 'sqlite',
  storage: process.env.BOOKSHOP_DATABASE || ':memory:',
  logging: false,
});

module.exports = sequelize;
