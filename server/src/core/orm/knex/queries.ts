// Where a Knex query is written: the whole chain started on a table (`knex('projects').select(…)
// .orderBy('id')`), writes left out.

import { SourceRange } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { knexChains } from './models';
import { sameName } from '../js/names';

export function findKnexQueries(index: SourceIndex, path: string, model: string, within: { fromLine: number; toLine: number }): SourceRange[] {
  return knexChains(index)
    .filter((c) => c.path === path && sameName(c.table, model) && c.line >= within.fromLine && c.line <= within.toLine)
    .map((c) => c.range);
}
