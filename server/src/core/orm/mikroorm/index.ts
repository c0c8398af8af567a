// MikroORM: the entities of the workspace (models.ts: EntitySchema and decorators), where a query
// of an entity is written (queries.ts: `em.find(Project, …)`), and the `populate: […]` fix
// (fix.ts), plugged into placement and fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { modelByTable } from '../js/names';
import { mikroFix } from './fix';
import { mikroEntities } from './models';
import { findMikroQueries } from './queries';

export const mikroOrm: OrmSupport = {
  name: 'mikro-orm',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(mikroEntities(index), table),
  findQueries: findMikroQueries,
  fix: mikroFix,
};
