// The Express app, without a server (the tests start one).

const express = require('express');
const { authenticate } = require('./auth');
const { listComments } = require('./routes/comments');

function createApp() {
  const app = express();
  app.use(authenticate);
  app.get('/comments', listComments);
  return app;
}

module.exports = { createApp };
