// `npm start`: creates the tables, adds the sample catalogue and serves the app on PORT (3000).

const { createApp } = require('./app');
const { sequelize } = require('./models');
const { seed } = require('./seed');

async function main() {
  await sequelize.sync({ force: true });
  await seed();
  const port = Number(process.env.PORT || 3000);
  createApp().listen(port, () => console.log(`bookshop on http://localhost:${port}`));
}

main();
