// The ORMs runlens knows, in the order they are tried when placing an N+1.

import { django } from './django';
import { rails } from './rails';
import { prisma } from './prisma';
import { sequelize } from './sequelize';
import { sqlalchemy } from './sqlalchemy';
import { typeorm } from './typeorm';
import { OrmName, OrmSupport } from './types';

export const ORMS: OrmSupport[] = [django, rails, sqlalchemy, sequelize, prisma, typeorm];

export function ormByName(name: OrmName): OrmSupport | undefined {
  return ORMS.find((o) => o.name === name);
}
