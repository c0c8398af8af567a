// The models: projects and their tasks (Sequelize over SQLite, in memory).

const { DataTypes, Sequelize } = require('sequelize');

const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });

const Project = sequelize.define('Project', {
  name: { type: DataTypes.STRING, allowNull: false },
});

const Task = sequelize.define('Task', {
  title: { type: DataTypes.STRING, allowNull: false },
  done: { type: DataTypes.BOOLEAN, allowNull: false },
});

Project.hasMany(Task, { as: 'tasks', foreignKey: 'projectId' });
Task.belongsTo(Project, { as: 'project', foreignKey: 'projectId' });

module.exports = { sequelize, Project, Task };
