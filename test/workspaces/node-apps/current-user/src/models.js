// The models: users and the comments they write (Sequelize over SQLite, in memory).

const { DataTypes, Sequelize } = require('sequelize');

const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });

const User = sequelize.define('User', {
  name: { type: DataTypes.STRING, allowNull: false },
  admin: { type: DataTypes.BOOLEAN, allowNull: false },
});

const Comment = sequelize.define('Comment', {
  body: { type: DataTypes.STRING, allowNull: false },
});

Comment.belongsTo(User, { as: 'author', foreignKey: 'authorId' });

module.exports = { sequelize, User, Comment };
