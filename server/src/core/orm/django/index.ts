// Django: the models of models.py files (models.ts), querysets `Model.objects…` (queries.ts), and
// the fix that appends `.select_related(…)`/`.prefetch_related(…)` (fix.ts), plugged into
// placement and fixes as one OrmSupport.

import { OrmSupport } from '../../placement/orm';
import { djangoFix } from './fix';
import { djangoModels } from './models';
import { findQuerysetExpressions } from './queries';

export const django: OrmSupport = {
  name: 'django',
  languages: ['python'],
  noun: 'queryset',
  modelOfTable: (index, table) => djangoModels(index).find((m) => m.dbTable === table)?.name,
  findQueries(index, path, model, within) {
    const text = index.text(path);
    return text === undefined || !index.parsers ? [] : findQuerysetExpressions(index.parsers, text, model, within);
  },
  fix: djangoFix,
};
