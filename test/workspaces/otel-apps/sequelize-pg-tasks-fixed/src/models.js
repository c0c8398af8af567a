// The projects and their tasks.

const { DataTypes } = require('sequelize');
const sequelize = require('./db');

const Project = sequelize.define('Project', { name: { type: DataTypes.STRING, allowNull: false } }, { tableName: 'projects', timestamps: false });
const Task = sequelize.define('Task', { title: { type: DataTypes.STRING, allowNull: false } }, { tableName: 'tasks', timestamps: false });
Project.hasMany(Task, { as: 'tasks', foreignKey: 'projectId' });
Task.belongsTo(Project, { foreignKey: 'projectId' });

module.exports = { Project, Task };
