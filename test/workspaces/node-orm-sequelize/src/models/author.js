// Author: the person a book is written by.

const { DataTypes } = require('sequelize');
const sequelize = require('../db');

const Author = sequelize.define('Author', {
  name: { type: DataTypes.STRING, allowNull: false },
});

module.exports = Author;
