// The one MikroORM instance of the app: SQLite (sqlite3), in memory, made by openOrm().

const { MikroORM } = require('@mikro-orm/core');
const { SqliteDriver } = require('@mikro-orm/sqlite');
const { schemas } = require('./entities');

let orm;

async function openOrm() {
  orm = await MikroORM.init({ driver: SqliteDriver, dbName: ':memory:', entities: schemas, debug: false, allowGlobalContext: false });
  return orm;
}

function em() {
  return orm.em.fork();
}

module.exports = { openOrm, em };
