// A task of a project, perhaps assigned to a user; the ids of both are loaded with the task
// (@RelationId), the rows themselves only when asked for.

import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, RelationId } from 'typeorm';
import { Project } from './Project';
import { User } from './User';

@Entity('tasks')
export class Task {
  @PrimaryColumn('integer')
  id: number;

  @Column('text')
  title: string;

  @Column('boolean')
  done: boolean;

  @ManyToOne(() => Project, (project) => project.tasks)
  @JoinColumn({ name: 'project_id' })
  project: Project;

  @RelationId((task: Task) => task.project)
  projectId: number;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'assignee_id' })
  assignee: User;

  @RelationId((task: Task) => task.assignee)
  assigneeId: number;
}
