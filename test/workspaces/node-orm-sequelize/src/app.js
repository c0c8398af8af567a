// The Express app: routes and the server.

const express = require('express');
const { addReview, listAuthors, listBooks } = require('./routes/books');

const app = express();
app.get('/books', listBooks);
app.get('/authors', listAuthors);
app.post('/books/:id/reviews', express.json(), addReview);

app.listen(process.env.PORT || 3000);
