// The one TypeORM data source of the app: SQLite (sqlite3), in memory, the schema made from the
// entities.

import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Project } from './entity/Project';
import { Task } from './entity/Task';
import { User } from './entity/User';

export const dataSource = new DataSource({
  type: 'sqlite',
  database: ':memory:',
  entities: [Project, Task, User],
  synchronize: true,
  logging: false,
});
