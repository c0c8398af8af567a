// The Express app, without a server (the tests start one).

const express = require('express');
const { listProjects } = require('./routes/projects');

function createApp() {
  const app = express();
  app.get('/projects', listProjects);
  return app;
}

module.exports = { createApp };
