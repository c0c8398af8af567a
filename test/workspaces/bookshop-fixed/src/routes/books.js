// GET /books: the catalogue, each book with its author, tags and average rating.

const { Book } = require('../models');

/** A book as the API returns it; uses the author, tags and reviews when the query loaded them. */
async function present(book) {
  const author = book.author ?? (await book.getAuthor());
  const tags = book.Tags ?? (await book.getTags());
  const reviews = book.Reviews ?? (await book.getReviews());
  return {
    id: book.id,
    title: book.title,
    year: book.year,
    author: author.name,
    tags: tags.map((t) => t.name).sort(),
    rating: reviews.length ? reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length : null,
  };
}

async function listBooks(req, res) {
  const books = await Book.findAll({
    order: [['id', 'ASC']],
    include: ['author', 'Tags', 'Reviews'],
  });
  const out = [];
  for (const book of books) out.push(await present(book));
  res.json(out);
}

module.exports = { listBooks };
