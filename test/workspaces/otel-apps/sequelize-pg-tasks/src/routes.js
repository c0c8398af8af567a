// The projects with their tasks, one route per way an N+1 is commonly written with Sequelize: the
// association's getter awaited in a loop, and findAll per row in Promise.all over an async map.
// Each `// expect:` says how many spans of one run of test.js carry that line as their
// code.line.number.

const { Project, Task } = require('./models');

async function projectsLoop(req, res) {
  const projects = await Project.findAll({ order: [['id', 'ASC']] }); // expect: db 1
  const out = [];
  for (const project of projects) {
    const tasks = await project.getTasks({ order: [['id', 'ASC']] }); // expect: db 8
    out.push({ id: project.id, name: project.name, tasks: tasks.map((t) => ({ id: t.id, title: t.title })) });
  }
  res.json(out);
}

async function projectsAll(req, res) {
  const projects = await Project.findAll({ order: [['id', 'ASC']] }); // expect: db 1
  const out = await Promise.all(
    projects.map(async (project) => {
      const tasks = await Task.findAll({ where: { projectId: project.id }, order: [['id', 'ASC']] }); // expect: db 8
      return { id: project.id, name: project.name, tasks: tasks.map((t) => ({ id: t.id, title: t.title })) };
    }),
  );
  res.json(out);
}

module.exports = { projectsLoop, projectsAll };
