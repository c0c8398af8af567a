// The Express app, without a server (the tests start one).

const express = require('express');
const { listMessages } = require('./routes/messages');

function createApp() {
  const app = express();
  app.get('/messages', listMessages);
  return app;
}

module.exports = { createApp };
