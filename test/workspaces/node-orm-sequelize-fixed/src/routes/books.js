// The catalogue: books with their author and reviews, authors with their books, new reviews.

const { Author, Book, Review } = require('../models');

/** A book as the API returns it; uses the author and reviews when the query loaded them. */
async function present(book) {
  const author = book.author ?? (await book.getAuthor());
  const reviews = book.Reviews ?? (await book.getReviews());
  return {
    id: book.id,
    title: book.title,
    author: author.name,
    rating: reviews.length ? reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length : null,
  };
}

async function listBooks(req, res) {
  const books = await Book.findAll({
    where: { published: true },
    order: [['title', 'ASC']],
    include: [{ model: Author, as: 'author' }, Review],
  });
  const out = [];
  for (const book of books) out.push(await present(book));
  res.json(out);
}

async function listAuthors(req, res) {
  const options = { order: [['name', 'ASC']] };
  const authors = await Author.findAll(options);
  const out = [];
  for (const author of authors) {
    const books = author.books ?? (await author.getBooks());
    out.push({ name: author.name, books: books.map((b) => b.title) });
  }
  res.json(out);
}

async function addReview(req, res) {
  const review = await Review.create({ BookId: Number(req.params.id), body: req.body.body, rating: req.body.rating });
  res.status(201).json({ id: review.id });
}

module.exports = { listBooks, listAuthors, addReview };
