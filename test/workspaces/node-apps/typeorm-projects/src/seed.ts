// The sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses `lastID`): 12 users,
// 12 projects with 3 tasks each, task i assigned to user ((i - 1) mod 12) + 1.

import { dataSource } from './data-source';
import { Project } from './entity/Project';
import { Task } from './entity/Task';
import { User } from './entity/User';

export const N_PROJECTS = 12;
export const TASKS_PER_PROJECT = 3;

export async function seed() {
  const users = [];
  const projects = [];
  const tasks = [];
  for (let p = 1; p <= N_PROJECTS; p++) {
    users.push({ id: p, name: `User ${p}` });
    projects.push({ id: p, name: `Project ${p}` });
    for (let k = 0; k < TASKS_PER_PROJECT; k++) {
      const id = (p - 1) * TASKS_PER_PROJECT + k + 1;
      tasks.push({ id, title: `Task ${id}`, done: id % 2 === 0, project: { id: p }, assignee: { id: ((id - 1) % N_PROJECTS) + 1 } });
    }
  }
  await dataSource.getRepository(User).insert(users);
  await dataSource.getRepository(Project).insert(projects);
  await dataSource.getRepository(Task).insert(tasks);
}
