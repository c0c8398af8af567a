// TypeORM: the entities of the workspace (models.ts), where a query of an entity is written
// (queries.ts), and the `relations: […]` fix (fix.ts), plugged into placement and fixes as one
// OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { modelByTable } from '../js/names';
import { typeormFix } from './fix';
import { typeormEntities } from './models';
import { findTypeormQueries } from './queries';

export const typeorm: OrmSupport = {
  name: 'typeorm',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(typeormEntities(index), table),
  findQueries: findTypeormQueries,
  fix: typeormFix,
};
