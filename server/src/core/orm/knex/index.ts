// Knex: the tables the workspace queries through a Knex instance (models.ts), where a query of a
// table is written (queries.ts: the chain started on it), and the batch hint (fix.ts: one whereIn
// query over all rows, in exact code), plugged into placement and fixes as one OrmSupport. Tried
// last: ORMs built on Knex (Objection, MikroORM) read its tables as their models.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { sameName } from '../js/names';
import { knexFix } from './fix';
import { knexChains } from './models';
import { findKnexQueries } from './queries';

export const knex: OrmSupport = {
  name: 'knex',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => knexChains(index).find((c) => c.table === table)?.table ?? knexChains(index).find((c) => sameName(c.table, table))?.table,
  findQueries: findKnexQueries,
  fix: knexFix,
};
