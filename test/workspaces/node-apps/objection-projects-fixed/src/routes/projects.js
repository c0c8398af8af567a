// GET /projects: the projects with their tasks, the tasks fetched with the projects
// (withGraphFetched: one more query for all of them).

const { Project } = require('../models');

async function listProjects(req, res) {
  const projects = await Project.query().withGraphFetched('tasks(byId)').modifiers({ byId: (q) => q.orderBy('id') }).orderBy('id');
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.map((t) => ({ id: t.id, title: t.title, done: Boolean(t.done) })) })));
}

module.exports = { listProjects };
