// GET /projects: the projects with their open tasks, the tasks loaded with the projects and read
// from the association in the loop.

const { Project } = require('../models');

async function listProjects(req, res) {
  const projects = await Project.findAll({ include: ['tasks'], order: [['id', 'ASC'], ['tasks', 'id', 'ASC']] });
  const out = [];
  for (const project of projects) {
    const tasks = project.tasks;
    out.push({ id: project.id, name: project.name, open: tasks.filter((t) => !t.done).map((t) => t.title) });
  }
  res.json(out);
}

module.exports = { listProjects };
