// GET /projects: the projects with their tasks, the tasks read one project at a time through the
// relation.

const { Project } = require('../models');

async function listProjects(req, res) {
  const projects = await Project.query().orderBy('id'); // expect: n-plus-one 12 × tasks
  for (const project of projects) {
    project.tasks = await project.$relatedQuery('tasks').orderBy('id'); // expect: per-row tasks
  }
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.map((t) => ({ id: t.id, title: t.title, done: Boolean(t.done) })) })));
}

module.exports = { listProjects };
