// Book: a title in the catalogue, written by one author, filed under tags, with readers' reviews.

const { DataTypes, Model } = require('sequelize');
const sequelize = require('../db');

class Book extends Model {}

Book.init(
  {
    title: { type: DataTypes.STRING, allowNull: false },
    year: { type: DataTypes.INTEGER, allowNull: false },
    price: { type: DataTypes.DECIMAL(8, 2), allowNull: false },
  },
  { sequelize, modelName: 'Book' },
);

module.exports = Book;
