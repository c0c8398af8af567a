// The Express app, without a server (test.js starts one).

const express = require('express');
const routes = require('./routes');

function createApp() {
  const app = express();
  app.get('/projects/loop', routes.projectsLoop);
  app.get('/projects/all', routes.projectsAll);
  return app;
}

module.exports = { createApp };
