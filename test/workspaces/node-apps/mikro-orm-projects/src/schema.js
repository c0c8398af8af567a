// The tables and the sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses
// `lastID`): 12 users, 12 projects (project i owned by user i) with 3 tasks each.

const N_PROJECTS = 12;
const TASKS_PER_PROJECT = 3;

async function createTables(orm) {
  await orm.schema.createSchema();
}

async function seed(orm) {
  const knex = orm.em.getKnex();
  const users = [];
  const projects = [];
  const tasks = [];
  for (let p = 1; p <= N_PROJECTS; p++) {
    users.push({ id: p, name: `User ${p}` });
    projects.push({ id: p, name: `Project ${p}`, owner_id: p });
    for (let k = 0; k < TASKS_PER_PROJECT; k++) {
      const id = (p - 1) * TASKS_PER_PROJECT + k + 1;
      tasks.push({ id, project_id: p, title: `Task ${id}`, done: id % 2 === 0 });
    }
  }
  await knex('users').insert(users);
  await knex('projects').insert(projects);
  await knex('tasks').insert(tasks);
}

module.exports = { createTables, seed, N_PROJECTS, TASKS_PER_PROJECT };
