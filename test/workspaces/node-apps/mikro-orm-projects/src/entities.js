// The MikroORM entities, declared with EntitySchema (plain JavaScript): projects with a lazy
// collection of tasks, and users who own projects.

const { Collection, EntitySchema } = require('@mikro-orm/core');

class User {}

class Project {
  constructor() {
    this.tasks = new Collection(this);
  }
}

class Task {}

const UserSchema = new EntitySchema({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string' },
  },
});

const ProjectSchema = new EntitySchema({
  class: Project,
  tableName: 'projects',
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string' },
    ownerId: { type: 'number', fieldName: 'owner_id' },
    tasks: { kind: '1:m', entity: () => Task, mappedBy: 'project' },
  },
});

const TaskSchema = new EntitySchema({
  class: Task,
  tableName: 'tasks',
  properties: {
    id: { type: 'number', primary: true },
    title: { type: 'string' },
    done: { type: 'boolean' },
    project: { kind: 'm:1', entity: () => Project, fieldName: 'project_id' },
  },
});

module.exports = { User, Project, Task, schemas: [UserSchema, ProjectSchema, TaskSchema] };
