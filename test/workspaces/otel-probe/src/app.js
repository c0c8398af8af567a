// The Express app: the books of every author, loaded three ways. Two are N+1s (a loop with await,
// and Promise.all over a map: the queries run concurrently), the third the fix (one whereIn query).

const express = require('express');
const knex = require('./db');

async function authorsInLoop(req, res) {
  const authors = await knex('authors').select('id', 'name').orderBy('id');
  for (const author of authors) {
    author.books = await knex('books').where('author_id', author.id).select('id', 'title');
  }
  res.json(authors);
}

async function authorsInParallel(req, res) {
  const authors = await knex('authors').select('id', 'name').orderBy('id');
  await Promise.all(
    authors.map(async (author) => {
      author.books = await knex('books').where({ author_id: author.id }).select('id', 'title');
    }),
  );
  res.json(authors);
}

async function authorsFixed(req, res) {
  const authors = await knex('authors').select('id', 'name').orderBy('id');
  const books = await knex('books').whereIn('author_id', authors.map((a) => a.id)).select('id', 'author_id', 'title');
  for (const author of authors) author.books = books.filter((b) => b.author_id === author.id);
  res.json(authors);
}

function createApp() {
  const app = express();
  app.get('/authors/loop', authorsInLoop);
  app.get('/authors/parallel', authorsInParallel);
  app.get('/authors/fixed', authorsFixed);
  return app;
}

module.exports = { createApp };
