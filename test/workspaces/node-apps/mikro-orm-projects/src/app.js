// The Express app, without a server (the tests start one).

const express = require('express');
const { listOwners, listProjects } = require('./routes/projects');

function createApp() {
  const app = express();
  app.get('/projects', listProjects);
  app.get('/projects/owners', listOwners);
  return app;
}

module.exports = { createApp };
