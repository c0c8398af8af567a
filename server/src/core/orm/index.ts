// The ORMs runlens knows, in the order they are tried when placing an N+1.

import { django } from './django/fix';
import { rails } from './rails/models';
import { prisma } from './prisma/models';
import { sequelize } from './sequelize/models';
import { sqlalchemy } from './sqlalchemy/models';
import { typeorm } from './typeorm/models';
import { OrmName, OrmSupport } from '../placement/orm';

export const ORMS: OrmSupport[] = [django, rails, sqlalchemy, sequelize, prisma, typeorm];

export function ormByName(name: OrmName): OrmSupport | undefined {
  return ORMS.find((o) => o.name === name);
}
