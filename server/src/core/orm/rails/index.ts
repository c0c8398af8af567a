// ActiveRecord: the models of app/models/**/*.rb and their tables (models.ts, from the class
// declarations of declarations.ts), where a relation of a model is written (queries.ts), and the
// `.includes(…)` fix (fix.ts), plugged into placement and fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { railsFix } from './fix';
import { collectionsOf, railsModels } from './models';
import { findRelationExpressions } from './queries';

export const rails: OrmSupport = {
  name: 'rails',
  languages: ['ruby'],
  noun: 'query',
  modelOfTable(index, table) {
    // The base of a single-table hierarchy first: its subclasses share the table.
    const models = railsModels(index).filter((m) => m.table === table);
    return (models.find((m) => !m.parent) ?? models[0])?.name;
  },
  findQueries(index, path, model, within) {
    const text = index.text(path);
    if (text === undefined || !index.parsers) return [];
    return findRelationExpressions(index.parsers, text, { model, associations: collectionsOf(index).get(model) ?? [] }, within);
  },
  fix: railsFix,
};
