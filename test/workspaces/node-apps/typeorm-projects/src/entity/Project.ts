// A project and its tasks.

import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { Task } from './Task';

@Entity('projects')
export class Project {
  @PrimaryColumn('integer')
  id: number;

  @Column('text')
  name: string;

  @OneToMany(() => Task, (task) => task.project)
  tasks: Task[];
}
