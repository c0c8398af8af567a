// GET /authors: every author with the titles of their books, loaded with one query.

const { Author, Book } = require('../models');

async function listAuthors(req, res) {
  const authors = await Author.findAll({
    include: [{ model: Book, as: 'books' }],
    order: [
      ['name', 'ASC'],
      [{ model: Book, as: 'books' }, 'title', 'ASC'],
    ],
  });
  res.json(authors.map((a) => ({ name: a.name, country: a.country, books: a.books.map((b) => b.title) })));
}

module.exports = { listAuthors };
