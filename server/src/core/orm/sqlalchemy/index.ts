// SQLAlchemy: the declarative models of the workspace (models.ts, from the classes of
// declarations.ts), where a query of a model is written (queries.ts), and the `.options(…)` fix
// (fix.ts), plugged into placement and fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { sqlalchemyFix } from './fix';
import { sqlaModels } from './models';
import { findQueryExpressions } from './queries';

export const sqlalchemy: OrmSupport = {
  name: 'sqlalchemy',
  languages: ['python'],
  noun: 'query',
  modelOfTable(index, table) {
    const models = sqlaModels(index).filter((m) => m.table === table);
    return (models.find((m) => !m.parent) ?? models[0])?.name;
  },
  findQueries(index, path, model, within) {
    const text = index.text(path);
    return text === undefined || !index.parsers ? [] : findQueryExpressions(index.parsers, text, { model }, within);
  },
  fix: sqlalchemyFix,
};
