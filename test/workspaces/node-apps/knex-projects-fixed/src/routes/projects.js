// GET /projects: the projects with their tasks, all the tasks read in one query (whereIn).

const knex = require('../db');

async function listProjects(req, res) {
  const projects = await knex('projects').select('id', 'name').orderBy('id');
  const tasks = await knex('tasks').whereIn('project_id', projects.map((p) => p.id)).orderBy('id').select('id', 'project_id', 'title', 'done');
  for (const p of projects) {
    p.tasks = tasks.filter((t) => t.project_id === p.id);
  }
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.map((t) => ({ id: t.id, title: t.title, done: Boolean(t.done) })) })));
}

module.exports = { listProjects };
