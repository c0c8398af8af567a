// The tables and the sample rows: 8 projects with 3 tasks each.

const knex = require('./db');

const N_PROJECTS = 8;
const TASKS_PER_PROJECT = 3;

async function createTables() {
  await knex.schema.createTable('projects', (t) => { // expect: db 1
    t.integer('id').primary();
    t.string('name').notNullable();
  });
  await knex.schema.createTable('tasks', (t) => { // expect: db 1
    t.integer('id').primary();
    t.integer('project_id').notNullable().references('projects.id');
    t.string('title').notNullable();
  });
}

async function seed() {
  const projects = [];
  const tasks = [];
  for (let p = 1; p <= N_PROJECTS; p++) {
    projects.push({ id: p, name: `Project ${p}` });
    for (let k = 0; k < TASKS_PER_PROJECT; k++) {
      const id = (p - 1) * TASKS_PER_PROJECT + k + 1;
      tasks.push({ id, project_id: p, title: `Task ${id}` });
    }
  }
  await knex('projects').insert(projects); // expect: db 1
  await knex('tasks').insert(tasks); // expect: db 1
}

module.exports = { createTables, seed, N_PROJECTS, TASKS_PER_PROJECT };
