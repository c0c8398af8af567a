// The Express app: its routers mounted under /api, without a server (the tests start one).

const express = require('express');
const usersRouter = require('./routes/users');
const postsRouter = require('./routes/posts');

function createApp() {
  const app = express();
  app.use('/api/users', usersRouter);
  app.use('/api/posts', postsRouter);
  return app;
}

module.exports = { createApp };
