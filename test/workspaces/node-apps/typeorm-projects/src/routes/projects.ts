// GET /projects: the projects with their tasks, each project's tasks loaded through the relation
// query builder in the loop. GET /tasks: the tasks with their assignees, each assignee loaded from
// the task's relation id.

import { Request, Response } from 'express';
import { dataSource } from '../data-source';
import { Project } from '../entity/Project';
import { Task } from '../entity/Task';
import { User } from '../entity/User';

export async function listProjects(req: Request, res: Response) {
  const projects = await dataSource.getRepository(Project).find({ order: { id: 'ASC' } }); // expect: n-plus-one 12 × tasks
  for (const project of projects) {
    project.tasks = await dataSource.createQueryBuilder().relation(Project, 'tasks').of(project).loadMany(); // expect: per-row tasks
  }
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.map((t) => t.title).sort() })));
}

export async function listTasks(req: Request, res: Response) {
  const tasks = await dataSource.getRepository(Task).find({ order: { id: 'ASC' } }); // expect: n-plus-one 36 × users
  const users = dataSource.getRepository(User);
  const out = [];
  for (const task of tasks) {
    const assignee = await users.findOneBy({ id: task.assigneeId }); // expect: per-row users
    out.push({ id: task.id, title: task.title, assignee: assignee?.name ?? null });
  }
  res.json(out);
}
