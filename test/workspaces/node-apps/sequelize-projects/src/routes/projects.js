// GET /projects: the projects with their open tasks, each project's tasks read through its
// association accessor in the loop.

const { Project } = require('../models');

async function listProjects(req, res) {
  const projects = await Project.findAll({ order: [['id', 'ASC']] }); // expect: n-plus-one 12 × Tasks
  const out = [];
  for (const project of projects) {
    const tasks = await project.getTasks({ order: [['id', 'ASC']] }); // expect: per-row Tasks
    out.push({ id: project.id, name: project.name, open: tasks.filter((t) => !t.done).map((t) => t.title) });
  }
  res.json(out);
}

module.exports = { listProjects };
