// Prisma: the models of the workspace's schema (models.ts), where a query of a model is written
// (queries.ts), and the `include: {…}` fix (fix.ts), plugged into placement and fixes as one
// OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { JS_LANGUAGES } from '../js/syntax';
import { modelByTable } from '../js/names';
import { prismaFix } from './fix';
import { prismaModels } from './models';
import { findPrismaQueries } from './queries';

export const prisma: OrmSupport = {
  name: 'prisma',
  languages: JS_LANGUAGES,
  noun: 'query',
  modelOfTable: (index, table) => modelByTable(prismaModels(index), table),
  findQueries: findPrismaQueries,
  fix: prismaFix,
};
