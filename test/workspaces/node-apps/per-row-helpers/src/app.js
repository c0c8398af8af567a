// The Express app: named handlers from src/routes/, without a server (the tests start one).

const express = require('express');
const { listMessages } = require('./routes/messages');
const { listThreads } = require('./routes/threads');

function createApp() {
  const app = express();
  app.get('/messages', listMessages);
  app.get('/threads', listThreads);
  return app;
}

module.exports = { createApp };
