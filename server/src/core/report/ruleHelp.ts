// What each rule means, why it matters and how to fix what it finds, in Markdown, once: the SARIF
// rule metadata (scan --format sarif) carries it as `help`, and reports can link to it. The plain
// text form is derived from the Markdown, so the two never say different things.

import { DEFAULT_CONFIG } from '../config';
import { RULES, RuleId } from '../findings/finding';

export interface RuleHelp {
  id: RuleId;
  /** A readable identifier (SARIF `reportingDescriptor.name`). */
  name: string;
  /** One sentence (the rule table's summary). */
  summary: string;
  /** A paragraph: what is found and where the finding sits. */
  fullDescription: string;
  /** What it means, why it matters, how to fix it; Markdown. */
  helpMarkdown: string;
  /** The severity its findings get unless the configuration says otherwise. */
  defaultSeverity: 'error' | 'warning';
  tags: string[];
  /**
   * How often a finding is a real problem (SARIF's well-known `precision`): counts of queries are
   * facts of the recording; times are measured under a recording agent, which slows the code down.
   */
  precision: 'very-high' | 'high' | 'medium' | 'low';
}

const C = DEFAULT_CONFIG;

const IGNORE = (rule: string) =>
  `To silence one finding, put a comment \`runlens: ignore ${rule}\` in the file's own syntax (\`# runlens: ignore ${rule}\`, \`// runlens: ignore ${rule}\`) on its line or the line above.`;

const HELP: Record<RuleId, Omit<RuleHelp, 'id' | 'summary'>> = {
  'n-plus-one': {
    name: 'NPlusOneQueries',
    fullDescription:
      'The same SELECT ran once per row of an earlier query, under one HTTP request or test: the rows of a list were loaded one query at a time. The finding sits on the query (the ORM expression) whose rows the loop iterates, with the repeated queries counted together.',
    helpMarkdown: [
      `**N+1 queries.** The same SELECT ran once for each row of an earlier query, under one request or test: ${C.nPlusOne.warningCount} repeats or more make a warning (\`nPlusOne.warningCount\`), ${C.nPlusOne.errorCount} or more an error (\`nPlusOne.errorCount\`).`,
      '',
      '**Why it matters.** Every query is a round trip to the database. A page of 200 books that loads each book\'s author, tags and reviews on its own runs 601 queries where a handful would do, and it gets slower as the data grows.',
      '',
      '**How to fix it.** Load the related rows together with the rows they belong to (eager loading), on the query the finding points at:',
      '',
      '- Django: `.select_related("author")` for foreign keys, `.prefetch_related("tags")` for many-to-many and reverse relations',
      '- Rails (Active Record): `.includes(:author, :tags)`',
      '- SQLAlchemy: `.options(joinedload(Book.author), selectinload(Book.tags))`',
      '- Sequelize: `findAll({ include: [Author, Tag] })`',
      '- Prisma: `findMany({ include: { author: true, tags: true } })`',
      '- TypeORM: `find({ relations: ["author", "tags"] })`',
      "- Objection: `Book.query().withGraphFetched('[author, tags]')`",
      "- MikroORM: `em.find(Book, {}, { populate: ['author', 'tags'] })`",
      '- Drizzle: `db.query.books.findMany({ with: { author: true, tags: true } })`',
      "- Knex: one query over all the rows, `knex('authors').whereIn('id', ids)`",
      '- SQL of your own: one query with a JOIN, or one `WHERE id IN (…)` over all the rows',
      '',
      'Where the change is certain, runlens gives it as a fix (`runlens scan --fix-hints` prints it; the editor offers it as a quick fix).',
      '',
      IGNORE('n-plus-one'),
    ].join('\n'),
    defaultSeverity: 'warning',
    tags: ['performance', 'database', 'n+1'],
    precision: 'high',
  },
  'slow-call': {
    name: 'SlowFunctionCall',
    fullDescription: `A call to a project function took ${C.slowCallMs} ms or more (slowCallMs). Only the innermost such call on a path is reported: its callers are slow through it.`,
    helpMarkdown: [
      `**Slow call.** A call to a function of the project took \`slowCallMs\` (default ${C.slowCallMs} ms) or more while it was recorded. Only the innermost such call on a path is reported, since its callers are slow only through it.`,
      '',
      '**Why it matters.** Whoever waits for this call (a request, a job, a test) waits this long.',
      '',
      '**How to fix it.** Look at what the call does in the recording (the editor\'s call tree or hover shows its slowest path and its queries): work repeated per item, queries that could be one, work that could be cached or moved out of the request. Recording agents slow code down, so compare times with each other rather than with production.',
      '',
      IGNORE('slow-call'),
    ].join('\n'),
    defaultSeverity: 'warning',
    tags: ['performance'],
    precision: 'medium',
  },
  'slow-request': {
    name: 'SlowHttpRequest',
    fullDescription: `An HTTP request took ${C.slowRequestMs} ms or more (slowRequestMs). The finding sits on the route's handler.`,
    helpMarkdown: [
      `**Slow request.** An HTTP request took \`slowRequestMs\` (default ${C.slowRequestMs} ms) or more while it was recorded. The finding sits on the handler of its route.`,
      '',
      '**Why it matters.** This is the time a user or a client waits for the response.',
      '',
      '**How to fix it.** Find where the time goes below the handler: an N+1 or too many queries (their own findings), a slow query, a slow call to another service, work that could be done once or in the background. Recording agents slow code down, so compare times with each other rather than with production.',
      '',
      IGNORE('slow-request'),
    ].join('\n'),
    defaultSeverity: 'warning',
    tags: ['performance', 'http'],
    precision: 'medium',
  },
  'slow-query': {
    name: 'SlowSqlQuery',
    fullDescription: `One SQL query took ${C.slowQueryMs} ms or more (slowQueryMs).`,
    helpMarkdown: [
      `**Slow query.** One SQL query took \`slowQueryMs\` (default ${C.slowQueryMs} ms) or more while it was recorded.`,
      '',
      '**Why it matters.** The caller waits for the database, and a slow query often holds locks or a connection others need.',
      '',
      '**How to fix it.** Run the query with `EXPLAIN` (`EXPLAIN ANALYZE` in PostgreSQL) on realistic data: add an index for its WHERE, JOIN or ORDER BY columns, select fewer columns or rows, paginate.',
      '',
      IGNORE('slow-query'),
    ].join('\n'),
    defaultSeverity: 'warning',
    tags: ['performance', 'database'],
    precision: 'medium',
  },
  'repeated-query': {
    name: 'RepeatedQuery',
    fullDescription: `The identical query, with identical literal values, ran ${C.repeatedQueryCount} times or more (repeatedQueryCount) in one HTTP request or test. Queries with placeholders are left out: their values are not recorded.`,
    helpMarkdown: [
      `**Repeated query.** The identical query, with the same literal values, ran \`repeatedQueryCount\` (default ${C.repeatedQueryCount}) times or more in one request or test.`,
      '',
      '**Why it matters.** Every run after the first asks the database for an answer the code already had.',
      '',
      '**How to fix it.** Keep the first result and pass it on, or memoize it for the request (e.g. an instance variable in a Rails controller or helper, `functools.cached_property` in Python).',
      '',
      IGNORE('repeated-query'),
    ].join('\n'),
    defaultSeverity: 'warning',
    tags: ['performance', 'database'],
    precision: 'high',
  },
  'too-many-queries': {
    name: 'TooManyQueries',
    fullDescription: `An HTTP request or test ran ${C.tooManyQueriesCount} SQL queries or more (tooManyQueriesCount), not counting those of an N+1 finding nor catalog queries.`,
    helpMarkdown: [
      `**Too many queries.** One request or test ran \`tooManyQueriesCount\` (default ${C.tooManyQueriesCount}) SQL queries or more, not counting the queries of an N+1 finding (reported on their own) nor catalog queries (ORM bookkeeping such as \`PRAGMA table_info\`).`,
      '',
      '**Why it matters.** Each query is a round trip to the database; hundreds of them add up even when each is fast.',
      '',
      '**How to fix it.** Look at the request\'s queries (the editor\'s hover lists the ones it ran most): load related rows eagerly, fetch in batches, cache what does not change within a request.',
      '',
      IGNORE('too-many-queries'),
    ].join('\n'),
    defaultSeverity: 'warning',
    tags: ['performance', 'database'],
    precision: 'high',
  },
};

/** Every rule's documentation, in the order of RULES. */
export const RULE_HELP: RuleHelp[] = RULES.map((r) => ({ id: r.id, summary: r.summary, ...HELP[r.id] }));

/**
 * The plain text of a help text written in the Markdown used above: code spans and emphasis lose
 * their marks, links keep their address in parentheses; lists and paragraphs stay as they are.
 */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1');
}
