// The bundled example as tests see it (test/workspaces/bookshop, recorded by appmap-node): where
// it is, where its recordings are, the SQL shapes of its N+1 as the recordings have them, and
// whether its own dependencies (the real agent) are installed.

import * as path from 'node:path';
import { missingNodeDependencies } from './installed';

const REPO = path.resolve(__dirname, '../../../..');
export const BOOKSHOP = path.join(REPO, 'test/workspaces/bookshop');
/** The fixed twin: the changed file over BOOKSHOP, and its own recordings. */
export const BOOKSHOP_FIXED = path.join(REPO, 'test/workspaces/bookshop-fixed');
/** Where appmap-node wrote the recordings of the mocha tests, relative to either twin. */
export const RECORDINGS = 'tmp/appmap/mocha/bookshop';
export const BOOKS_RECORDING = `${RECORDINGS}/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json`;
export const AUTHORS_RECORDING = `${RECORDINGS}/lists_the_authors_with_their_books.appmap.json`;

/** GET /books: the books, then per book its author, tags and reviews (the N+1). */
export const BOOKS_SQL = 'SELECT `id`, `title`, `year`, `price`, `createdAt`, `updatedAt`, `authorId` FROM `Books` AS `Book` ORDER BY `Book`.`id` ASC';
export const AUTHORS_SQL = 'SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ?';
export const TAGS_SQL =
  'SELECT `Tag`.`id`, `Tag`.`name`, `BookTags`.`createdAt` AS `BookTags.createdAt`, `BookTags`.`updatedAt` AS `BookTags.updatedAt`, ' +
  '`BookTags`.`BookId` AS `BookTags.BookId`, `BookTags`.`TagId` AS `BookTags.TagId` FROM `tags` AS `Tag` INNER JOIN `BookTags` AS `BookTags` ' +
  'ON `Tag`.`id` = `BookTags`.`TagId` AND `BookTags`.`BookId` = ?';
export const REVIEWS_SQL = 'SELECT `id`, `reader`, `rating`, `createdAt`, `updatedAt`, `BookId` FROM `Reviews` AS `Review` WHERE `Review`.`BookId` = ?';

/**
 * Why the example cannot be recorded here, or undefined when it can: appmap-node and sqlite3
 * installed and built, at the versions its package-lock.json names.
 */
export function missingDependencies(): string | undefined {
  return missingNodeDependencies(BOOKSHOP, 'test/workspaces/bookshop', [{ what: 'sqlite3', file: 'sqlite3/build/Release/node_sqlite3.node' }]);
}
