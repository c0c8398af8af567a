// The projects with their tasks, one route per way an N+1 is commonly written: a loop with await,
// Promise.all over a map (with an async callback, and with a plain one), a helper called per row,
// and Objection's $relatedQuery per row. Each `// expect:` says how many spans of one run of
// test.js carry that line as their code.line.number.

const knex = require('./db');
const { Project } = require('./models');

async function projectsLoop(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  for (const project of projects) {
    project.tasks = await knex('tasks').where({ project_id: project.id }).orderBy('id'); // expect: db 8
  }
  res.json(projects);
}

async function projectsAllAsync(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  await Promise.all(
    projects.map(async (project) => {
      project.tasks = await knex('tasks').where({ project_id: project.id }).orderBy('id'); // expect: db 8
    }),
  );
  res.json(projects);
}

async function projectsAllPlain(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  // The callback is not async: it returns the builder and is gone when the query starts, so the
  // first application frame is the line that awaits Promise.all.
  const lists = await Promise.all( // expect: db 8
    projects.map((project) => knex('tasks').where({ project_id: project.id }).orderBy('id')),
  );
  projects.forEach((project, i) => (project.tasks = lists[i]));
  res.json(projects);
}

async function tasksOf(projectId) {
  const rows = await knex('tasks').where({ project_id: projectId }).orderBy('id'); // expect: db 8
  return rows.map((row) => ({ id: row.id, title: row.title }));
}

async function projectsHelper(req, res) {
  const projects = await knex('projects').orderBy('id'); // expect: db 1
  for (const project of projects) project.tasks = await tasksOf(project.id);
  res.json(projects);
}

async function projectsObjection(req, res) {
  const projects = await Project.query().orderBy('id'); // expect: db 1
  for (const project of projects) {
    project.tasks = await project.$relatedQuery('tasks').orderBy('id'); // expect: db 8
  }
  res.json(projects);
}

module.exports = { projectsLoop, projectsAllAsync, projectsAllPlain, projectsHelper, projectsObjection };
