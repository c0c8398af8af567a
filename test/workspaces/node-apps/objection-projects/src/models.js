// The Objection models over the app's Knex instance: projects and their tasks.

const { Model } = require('objection');
const knex = require('./db');

Model.knex(knex);

class Project extends Model {
  static tableName = 'projects';

  static get relationMappings() {
    return {
      tasks: {
        relation: Model.HasManyRelation,
        modelClass: Task,
        join: { from: 'projects.id', to: 'tasks.project_id' },
      },
    };
  }
}

class Task extends Model {
  static tableName = 'tasks';
}

module.exports = { Project, Task };
