// Sequelize: the models of the workspace's JavaScript and TypeScript (models.ts), where a query of
// a model is written (queries.ts), and the `include: […]` fix (fix.ts), plugged into placement and
// fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { modelByTable } from '../js/names';
import { sequelizeFix } from './fix';
import { sequelizeModels } from './models';
import { findSequelizeQueries } from './queries';

export const sequelize: OrmSupport = {
  name: 'sequelize',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(sequelizeModels(index), table),
  findQueries: findSequelizeQueries,
  fix: sequelizeFix,
};
