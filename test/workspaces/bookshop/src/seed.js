// The sample catalogue, the same on every run: 40 authors, 200 books (5 each), 12 tags (2 a
// book) and 600 reviews (3 a book), written with one bulk insert per table.

const { sequelize, Author, Book, Review, Tag } = require('./models');

const COUNTRIES = ['Argentina', 'Canada', 'France', 'Japan', 'Nigeria'];
const TAGS = ['classic', 'crime', 'essays', 'fantasy', 'history', 'humour', 'poetry', 'romance', 'science', 'travel', 'war', 'youth'];
const READERS = ['ana', 'bo', 'chen', 'dara', 'eli', 'femi', 'gus'];

const N_AUTHORS = 40;
const N_BOOKS = 200;

async function seed() {
  await Author.bulkCreate(Array.from({ length: N_AUTHORS }, (_, i) => ({ name: `Author ${pad(i + 1)}`, country: COUNTRIES[i % COUNTRIES.length] })));
  await Tag.bulkCreate(TAGS.map((name) => ({ name })));
  await Book.bulkCreate(
    Array.from({ length: N_BOOKS }, (_, i) => ({
      title: `Book ${pad(i + 1)}`,
      year: 1950 + (i % 70),
      price: (5 + (i % 20)).toFixed(2),
      authorId: (i % N_AUTHORS) + 1,
    })),
  );
  const bookTags = [];
  const reviews = [];
  for (let book = 1; book <= N_BOOKS; book++) {
    bookTags.push({ BookId: book, TagId: (book % TAGS.length) + 1 }, { BookId: book, TagId: ((book + 5) % TAGS.length) + 1 });
    for (let k = 0; k < 3; k++) reviews.push({ BookId: book, reader: READERS[(book + k) % READERS.length], rating: ((book + k) % 5) + 1 });
  }
  await sequelize.models.BookTags.bulkCreate(bookTags);
  await Review.bulkCreate(reviews);
}

function pad(n) {
  return String(n).padStart(3, '0');
}

module.exports = { seed, N_AUTHORS, N_BOOKS };
