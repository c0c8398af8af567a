// JPA (Hibernate with Spring Data JPA or an entity manager): the entities and repositories of the
// workspace's Java (models.ts), where a query of an entity is written (queries.ts: a repository's
// query method, JPQL), and the fix (fix.ts: `@EntityGraph` on the repository method, `join fetch`
// in JPQL), plugged into placement and fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { jpaFix } from './fix';
import { entityOfTable, jpaModels } from './models';
import { findJpaQueries } from './queries';

export const jpa: OrmSupport = {
  name: 'jpa',
  languages: ['java'],
  noun: 'query',
  modelOfTable: (index, table) => entityOfTable(jpaModels(index), table)?.name,
  findQueries: findJpaQueries,
  fix: jpaFix,
};
