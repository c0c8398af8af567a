// Book: a title in the catalogue, written by one author, with reviews and tags.

const { DataTypes, Model } = require('sequelize');
const sequelize = require('../db');

class Book extends Model {}

Book.init(
  {
    title: { type: DataTypes.STRING, allowNull: false },
    published: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
  },
  { sequelize, modelName: 'Book' },
);

module.exports = Book;
