// Drizzle: the schema of the workspace (models.ts: tables and relations), where a query of a table
// is written (queries.ts: select chains and relational queries), and the `with: {…}` fix (fix.ts),
// plugged into placement and fixes as one OrmSupport. A table is known by its variable's name.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { modelByTable } from '../js/names';
import { drizzleFix } from './fix';
import { drizzleTables } from './models';
import { findDrizzleQueries } from './queries';

export const drizzle: OrmSupport = {
  name: 'drizzle',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(drizzleTables(index), table),
  findQueries: findDrizzleQueries,
  fix: drizzleFix,
};
