// Objection's models of the two tables.

const { Model } = require('objection');

class Project extends Model {
  static get tableName() {
    return 'projects';
  }

  static get relationMappings() {
    return {
      tasks: { relation: Model.HasManyRelation, modelClass: Task, join: { from: 'projects.id', to: 'tasks.project_id' } },
    };
  }
}

class Task extends Model {
  static get tableName() {
    return 'tasks';
  }
}

module.exports = { Project, Task };
