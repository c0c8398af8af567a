// sequelize-pg-tasks' routes with their N+1 fixed: the tasks come with the projects (an include,
// one query with a join), or in one query for all the projects. Each `// expect:` says how many
// spans of one run of test.js carry that line as their code.line.number.

const { Project, Task } = require('./models');

async function projectsLoop(req, res) {
  const projects = await Project.findAll({ include: [{ model: Task, as: 'tasks' }], order: [['id', 'ASC'], [{ model: Task, as: 'tasks' }, 'id', 'ASC']] }); // expect: db 1
  const out = projects.map((project) => ({ id: project.id, name: project.name, tasks: project.tasks.map((t) => ({ id: t.id, title: t.title })) }));
  res.json(out);
}

async function projectsAll(req, res) {
  const projects = await Project.findAll({ order: [['id', 'ASC']] }); // expect: db 1
  const tasks = await Task.findAll({ where: { projectId: projects.map((p) => p.id) }, order: [['id', 'ASC']] }); // expect: db 1
  const out = projects.map((project) => ({
    id: project.id,
    name: project.name,
    tasks: tasks.filter((t) => t.projectId === project.id).map((t) => ({ id: t.id, title: t.title })),
  }));
  res.json(out);
}

module.exports = { projectsLoop, projectsAll };
