// GET /projects: the projects with their tasks, the tasks read one project at a time.

const knex = require('../db');

async function listProjects(req, res) {
  const projects = await knex('projects').select('id', 'name').orderBy('id'); // expect: n-plus-one 12 × tasks
  for (const p of projects) {
    p.tasks = await knex('tasks').where({ project_id: p.id }).orderBy('id').select('id', 'title', 'done'); // expect: per-row tasks
  }
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.map((t) => ({ id: t.id, title: t.title, done: Boolean(t.done) })) })));
}

module.exports = { listProjects };
