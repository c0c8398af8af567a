// The one Sequelize instance of the app.

const { Sequelize } = require('sequelize');

const sequelize = new Sequelize(process.env.DATABASE_URL || 'sqlite:bookshop.sqlite', {
  logging: false,
});

module.exports = sequelize;
