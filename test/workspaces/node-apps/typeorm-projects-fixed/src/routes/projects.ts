// GET /projects: the projects with their tasks, loaded with the projects (relations). GET /tasks:
// the tasks with their assignees, loaded with the tasks.

import { Request, Response } from 'express';
import { dataSource } from '../data-source';
import { Project } from '../entity/Project';
import { Task } from '../entity/Task';

export async function listProjects(req: Request, res: Response) {
  const projects = await dataSource.getRepository(Project).find({ relations: { tasks: true }, order: { id: 'ASC' } });
  res.json(projects.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks.map((t) => t.title).sort() })));
}

export async function listTasks(req: Request, res: Response) {
  const tasks = await dataSource.getRepository(Task).find({ relations: { assignee: true }, order: { id: 'ASC' } });
  const out = [];
  for (const task of tasks) {
    const assignee = task.assignee;
    out.push({ id: task.id, title: task.title, assignee: assignee?.name ?? null });
  }
  res.json(out);
}
