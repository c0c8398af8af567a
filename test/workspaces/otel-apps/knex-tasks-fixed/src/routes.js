// knex-tasks' routes with their N+1 fixed: each reads the projects, then the tasks of all of them
// in one query (whereIn, or Objection's withGraphFetched), whichever way the original was written.
// Each `// expect:` says how many spans of one run of test.js carry that line as their
// code.line.number.

const knex = require('./db');
const { Project } = require('./models');

/** The tasks of the given projects, by project id, in one query. */
async function tasksByProject(projectIds) {
  const rows = await knex('tasks').whereIn('project_id', projectIds).orderBy('id'); // expect: db 3
  const byProject = new Map(projectIds.map((id) => [id, []]));
  for (const row of rows) byProject.get(row.project_id).push(row);
  return byProject;
}

async function projectsLoop(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  const tasks = await knex('tasks').whereIn('project_id', projects.map((p) => p.id)).orderBy('id'); // expect: db 1
  for (const project of projects) project.tasks = tasks.filter((t) => t.project_id === project.id);
  res.json(projects);
}

async function projectsAllAsync(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  const byProject = await tasksByProject(projects.map((p) => p.id));
  for (const project of projects) project.tasks = byProject.get(project.id);
  res.json(projects);
}

async function projectsAllPlain(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  const byProject = await tasksByProject(projects.map((p) => p.id));
  projects.forEach((project) => (project.tasks = byProject.get(project.id)));
  res.json(projects);
}

async function projectsHelper(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  const byProject = await tasksByProject(projects.map((p) => p.id));
  for (const project of projects) project.tasks = byProject.get(project.id).map((row) => ({ id: row.id, title: row.title }));
  res.json(projects);
}

async function projectsObjection(req, res) {
  const projects = await Project.query().withGraphFetched('tasks').orderBy('id'); // expect: db 2
  res.json(projects);
}

module.exports = { projectsLoop, projectsAllAsync, projectsAllPlain, projectsHelper, projectsObjection };
