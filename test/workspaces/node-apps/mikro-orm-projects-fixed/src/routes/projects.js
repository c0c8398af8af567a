// GET /projects: the projects with their tasks, populated with the projects. GET /projects/owners:
// the projects with their owners, all owners found by one query.

const { em } = require('../db');
const { Project, User } = require('../entities');

async function listProjects(req, res) {
  const projects = await em().find(Project, {}, { populate: ['tasks'], orderBy: { id: 'asc', tasks: { id: 'asc' } } });
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.getItems().map((t) => ({ id: t.id, title: t.title, done: t.done })) })));
}

async function listOwners(req, res) {
  const manager = em();
  const projects = await manager.find(Project, {}, { orderBy: { id: 'asc' } });
  const owners = await manager.find(User, { id: { $in: projects.map((p) => p.ownerId) } });
  const byId = new Map(owners.map((u) => [u.id, u]));
  const out = [];
  for (const project of projects) {
    out.push({ id: project.id, name: project.name, owner: byId.get(project.ownerId).name });
  }
  res.json(out);
}

module.exports = { listProjects, listOwners };
