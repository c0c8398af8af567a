// The tables, made afresh, and the sample rows: 8 projects with 3 tasks each.

const sequelize = require('./db');
const { Project, Task } = require('./models');

const N_PROJECTS = 8;
const TASKS_PER_PROJECT = 3;

async function createTables() {
  await sequelize.sync({ force: true }); // expect: db 13
}

async function seed() {
  const projects = [];
  const tasks = [];
  for (let p = 1; p <= N_PROJECTS; p++) {
    projects.push({ id: p, name: `Project ${p}` });
    for (let k = 0; k < TASKS_PER_PROJECT; k++) {
      const id = (p - 1) * TASKS_PER_PROJECT + k + 1;
      tasks.push({ id, projectId: p, title: `Task ${id}` });
    }
  }
  await Project.bulkCreate(projects); // expect: db 1
  await Task.bulkCreate(tasks); // expect: db 1
}

module.exports = { createTables, seed, N_PROJECTS, TASKS_PER_PROJECT };
