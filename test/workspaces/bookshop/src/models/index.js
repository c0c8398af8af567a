// The models and how they are associated; everything else requires them from here.

const sequelize = require('../db');
const Author = require('./author');
const Book = require('./book');
const Review = require('./review');
const Tag = require('./tag');

Book.belongsTo(Author, { as: 'author', foreignKey: 'authorId' });
Author.hasMany(Book, { as: 'books', foreignKey: 'authorId' });
Book.hasMany(Review);
Review.belongsTo(Book);
Book.belongsToMany(Tag, { through: 'BookTags' });
Tag.belongsToMany(Book, { through: 'BookTags' });

module.exports = { sequelize, Author, Book, Review, Tag };
