// Objection: the models of the workspace (models.ts: tableName and relationMappings), where a query
// of a model is written (queries.ts: `Model.query()…`), and the `.withGraphFetched(…)` fix (fix.ts),
// plugged into placement and fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { modelByTable } from '../js/names';
import { objectionFix } from './fix';
import { objectionModels } from './models';
import { findObjectionQueries } from './queries';

export const objection: OrmSupport = {
  name: 'objection',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(objectionModels(index), table),
  findQueries: findObjectionQueries,
  fix: objectionFix,
};
