// The ORMs runlens knows, in the order they are tried when placing an N+1 (each only recognises
// its own kind of model classes, so Django and SQLAlchemy never mix). Placement and fixes are handed
// this list; each ORM is one folder holding all it knows: models, queries, fix.

import { OrmName } from '../findings/finding';
import { OrmSupport } from '../placement/orm';
import { django } from './django/index';
import { drizzle } from './drizzle/index';
import { jpa } from './jpa/index';
import { knex } from './knex/index';
import { mikroOrm } from './mikroorm/index';
import { objection } from './objection/index';
import { prisma } from './prisma/index';
import { rails } from './rails/index';
import { sequelize } from './sequelize/index';
import { sqlalchemy } from './sqlalchemy/index';
import { typeorm } from './typeorm/index';

// MikroORM before TypeORM (both decorate entities with @Entity; MikroORM's are read only in files
// that import @mikro-orm), Objection before any query builder (its models are read on Knex's tables), and Knex, which knows
// tables only, last.
export const ORMS: readonly OrmSupport[] = [django, rails, sqlalchemy, sequelize, prisma, mikroOrm, typeorm, objection, drizzle, knex, jpa];

export function ormByName(name: OrmName): OrmSupport | undefined {
  return ORMS.find((o) => o.name === name);
}
