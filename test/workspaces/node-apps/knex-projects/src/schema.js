// The tables and the sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses
// `lastID`): 12 projects with 3 tasks each.

const knex = require('./db');

const N_PROJECTS = 12;
const TASKS_PER_PROJECT = 3;

async function createTables() {
  await knex.schema.createTable('projects', (t) => {
    t.integer('id').primary();
    t.string('name').notNullable();
  });
  await knex.schema.createTable('tasks', (t) => {
    t.integer('id').primary();
    t.integer('project_id').notNullable().references('projects.id');
    t.string('title').notNullable();
    t.boolean('done').notNullable();
  });
}

async function seed() {
  const projects = [];
  const tasks = [];
  for (let p = 1; p <= N_PROJECTS; p++) {
    projects.push({ id: p, name: `Project ${p}` });
    for (let k = 0; k < TASKS_PER_PROJECT; k++) {
      const id = (p - 1) * TASKS_PER_PROJECT + k + 1;
      tasks.push({ id, project_id: p, title: `Task ${id}`, done: id % 2 === 0 });
    }
  }
  await knex('projects').insert(projects);
  await knex('tasks').insert(tasks);
}

module.exports = { createTables, seed, N_PROJECTS, TASKS_PER_PROJECT };
