// Names as the Node ORMs form them from one another (tables from models, properties from columns)
// and as recorded SQL writes them: case, plurals, and matching a query's filter columns.

/** Table and column names compared as SQL does for unquoted names: ignoring case. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The column of a filter column from sqlFacts ("authors.id" → "id"). */
export function columnOf(filter: string): string {
  return filter.slice(filter.lastIndexOf('.') + 1);
}

/** True when a filter column from sqlFacts is on `table` (or is not qualified). */
export function onTable(filter: string, table: string): boolean {
  const dot = filter.lastIndexOf('.');
  return dot < 0 || sameName(filter.slice(0, dot), table);
}

/** True when the query filters `table.column` (or the bare column) by a value. */
export function filtersOn(filters: readonly string[], table: string, column: string): boolean {
  return filters.some((f) => sameName(columnOf(f), column) && onTable(f, table));
}

/** `Book` → `book`, `BookReview` → `bookReview` (Prisma's client property of a model). */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `tasks` → `Tasks` (Sequelize's accessors, a Java getter's name). */
export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `BookReview` → `book_review`, `HTTPLog` → `http_log` (TypeORM's and inflection's snake case). */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z])([A-Z])([a-z])/g, '$1_$2$3')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
}

/** `author_id` → `authorId`, `Book_id` → `BookId` (the first letter is kept as it is). */
export function camelCase(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * English plural as Sequelize (through the inflection package) forms table names: `Book` → `Books`,
 * `Category` → `Categories`, `Address` → `Addresses`, `BookPerson` → `BookPeople`. The common rules
 * only; modelOfTable also matches ignoring case, and `tableName` settles any doubt.
 */
export function pluralize(word: string): string {
  // Irregular and uncountable words are whole words or the last part of a CamelCase name
  // (`Price` is not `rice`, `Human` is not `man`).
  const last = /[A-Z]?[a-z0-9]*$/.exec(word)?.[0] ?? word;
  const lower = last.toLowerCase();
  if (UNCOUNTABLE.has(lower)) return word;
  const irregular = IRREGULAR.get(lower);
  if (irregular) {
    const plural = last.charAt(0) === last.charAt(0).toUpperCase() ? irregular.charAt(0).toUpperCase() + irregular.slice(1) : irregular;
    return word.slice(0, word.length - last.length) + plural;
  }
  if (/[^aeiou]y$/i.test(word)) return word.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/i.test(word)) return word + 'es';
  if (/[^f]fe$/i.test(word)) return word.slice(0, -2) + 'ves';
  if (/(?:[lr]|ea)f$/i.test(word)) return word.slice(0, -1) + 'ves';
  return word + 's';
}

const UNCOUNTABLE = new Set(['equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'news', 'data', 'metadata']);

const IRREGULAR = new Map([
  ['person', 'people'],
  ['child', 'children'],
  ['woman', 'women'],
  ['man', 'men'],
  ['mouse', 'mice'],
  ['goose', 'geese'],
  ['tooth', 'teeth'],
  ['foot', 'feet'],
  ['quiz', 'quizzes'],
]);

/** The model whose table is `table`: exactly, else ignoring case (SQLite and MySQL fold it). */
export function modelByTable(models: { name: string; table: string }[], table: string): string | undefined {
  return (models.find((m) => m.table === table) ?? models.find((m) => m.table.toLowerCase() === table.toLowerCase()))?.name;
}
