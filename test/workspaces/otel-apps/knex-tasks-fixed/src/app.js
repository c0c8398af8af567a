// The Express app, without a server (test.js starts one).

const express = require('express');
const routes = require('./routes');

function createApp() {
  const app = express();
  app.get('/projects/loop', routes.projectsLoop);
  app.get('/projects/all-async', routes.projectsAllAsync);
  app.get('/projects/all-plain', routes.projectsAllPlain);
  app.get('/projects/helper', routes.projectsHelper);
  app.get('/projects/objection', routes.projectsObjection);
  return app;
}

module.exports = { createApp };
