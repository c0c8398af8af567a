// The Express app: its routes, without a server (the tests and src/server.js start one).

const express = require('express');
const { listAuthors } = require('./routes/authors');
const { listBooks } = require('./routes/books');

function createApp() {
  const app = express();
  app.get('/books', listBooks);
  app.get('/authors', listAuthors);
  return app;
}

module.exports = { createApp };
