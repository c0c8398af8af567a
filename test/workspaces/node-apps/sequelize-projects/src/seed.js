// The sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses `lastID`): 12
// projects with 3 tasks each.

const { Project, Task } = require('./models');

const N_PROJECTS = 12;
const TASKS_PER_PROJECT = 3;

async function seed() {
  const projects = [];
  const tasks = [];
  for (let p = 1; p <= N_PROJECTS; p++) {
    projects.push({ id: p, name: `Project ${p}` });
    for (let k = 0; k < TASKS_PER_PROJECT; k++) {
      const id = (p - 1) * TASKS_PER_PROJECT + k + 1;
      tasks.push({ id, projectId: p, title: `Task ${id}`, done: id % 2 === 0 });
    }
  }
  await Project.bulkCreate(projects);
  await Task.bulkCreate(tasks);
}

module.exports = { seed, N_PROJECTS, TASKS_PER_PROJECT };
