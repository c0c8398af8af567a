// The Express app, without a server (the tests start one).

import express from 'express';
import { listProjects, listTasks } from './routes/projects';

export function createApp() {
  const app = express();
  app.get('/projects', listProjects);
  app.get('/tasks', listTasks);
  return app;
}
