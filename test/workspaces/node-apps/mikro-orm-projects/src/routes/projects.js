// GET /projects: the projects with their tasks, each project's lazy collection initialised in
// turn. GET /projects/owners: the projects with their owners, each owner found by a query of its
// own.

const { em } = require('../db');
const { Project, User } = require('../entities');

async function listProjects(req, res) {
  const projects = await em().find(Project, {}, { orderBy: { id: 'asc' } }); // expect: n-plus-one 12 × tasks
  for (const project of projects) {
    await project.tasks.init(); // expect: per-row tasks
  }
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.getItems().map((t) => ({ id: t.id, title: t.title, done: t.done })) })));
}

async function listOwners(req, res) {
  const manager = em();
  const projects = await manager.find(Project, {}, { orderBy: { id: 'asc' } }); // expect: n-plus-one 12 × users
  const out = [];
  for (const project of projects) {
    const [owner] = await manager.find(User, { id: project.ownerId }); // expect: per-row users
    out.push({ id: project.id, name: project.name, owner: owner.name });
  }
  res.json(out);
}

module.exports = { listProjects, listOwners };
