// The ORMs runlens knows, in the order they are tried when placing an N+1.

import { django } from './django';
import { OrmName, OrmSupport } from './types';

export const ORMS: OrmSupport[] = [django];

export function ormByName(name: OrmName): OrmSupport | undefined {
  return ORMS.find((o) => o.name === name);
}
