// `runlens scan --format sarif` against the official SARIF 2.1.0 JSON schema (vendored in
// test/system/schemas/, with its origin): the bookshop, Django and Rails examples' logs are valid,
// the bookshop's is exactly as expected (rules with their help, the result with its fingerprint and
// fix), problems reading recordings are notifications, and fingerprints survive edits.

import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CORPUS, REPO } from '../support/corpus';
import { runlens } from '../support/cli';
import { BOOKSHOP } from '../support/bookshop';

const SCHEMA_FILE = path.join(REPO, 'test/system/schemas/sarif-2.1.0.json');
/** The digest of the published file (test/system/schemas/README.md): the copy is byte for byte. */
const SCHEMA_SHA256 = '1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const RAILS_APP = path.join(REPO, 'test/workspaces/rails-sample-app');
/** A real appmap-ruby recording (as in test/e2e/workspace.ts): GET /users/{id} with an N+1. */
const RAILS_RECORDING = path.join(CORPUS, 'appmaps/ruby/minitest-rails6-users-profile-anonymous-nplus1.appmap.json');
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;

/** The log's schema errors as `path: message` lines; none when it is valid. */
function schemaErrors(log: unknown): string[] {
  const ok = validate(log);
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
}

/**
 * The schema declares JSON Schema 2020-12, hence Ajv2020. Formats (uri, uri-reference, date-time)
 * are checked (ajv-formats); an unknown format would fail compilation. Two of Ajv's strict checks
 * are about how the schema is written, not what it allows, and the published schema trips them.
 */
const validate = (() => {
  const ajv = new Ajv2020({ allErrors: true, strictRequired: false, strictTypes: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
})();

/** The parts of a log the tests read (and spoil). */
interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { region: { startLine: number } } }[];
  partialFingerprints: Record<string, string>;
  [other: string]: unknown;
}
interface SarifLog {
  runs: { tool: { driver: { informationUri: string } }; invocations: unknown[]; results: SarifResult[] }[];
}

function sarifOf(args: string[], cwd = REPO): { code: number | null; log: SarifLog; text: string } {
  const run = runlens(['scan', '--format', 'sarif', ...args], cwd);
  assert.equal(run.stderr, '');
  return { code: run.code, log: JSON.parse(run.stdout), text: run.stdout };
}

function rule(id: string, name: string, precision: string, tags: string[], h: { short: string; full: string; markdown: string[]; text: string[] }): object {
  return {
    id,
    name,
    shortDescription: { text: h.short },
    fullDescription: { text: h.full },
    help: { text: h.text.join('\n'), markdown: h.markdown.join('\n') },
    defaultConfiguration: { level: 'warning' },
    properties: { tags, precision },
  };
}

const RULES = [
  rule('n-plus-one', 'NPlusOneQueries', 'high', ['performance', 'database', 'n+1'], {
    short: 'The same SELECT repeated once per row of an earlier query, under one request or test.',
    full: 'The same SELECT ran once per row of an earlier query, under one HTTP request or test: the rows of a list were loaded one query at a time. The finding sits on the query (the ORM expression) whose rows the loop iterates, with the repeated queries counted together.',
    markdown: [
      '**N+1 queries.** The same SELECT ran once for each row of an earlier query, under one request or test: 6 repeats or more make a warning (`nPlusOne.warningCount`), 10 or more an error (`nPlusOne.errorCount`).',
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
      'To silence one finding, put a comment `runlens: ignore n-plus-one` in the file\'s own syntax (`# runlens: ignore n-plus-one`, `// runlens: ignore n-plus-one`) on its line or the line above.',
    ],
    text: [
      'N+1 queries. The same SELECT ran once for each row of an earlier query, under one request or test: 6 repeats or more make a warning (nPlusOne.warningCount), 10 or more an error (nPlusOne.errorCount).',
      '',
      'Why it matters. Every query is a round trip to the database. A page of 200 books that loads each book\'s author, tags and reviews on its own runs 601 queries where a handful would do, and it gets slower as the data grows.',
      '',
      'How to fix it. Load the related rows together with the rows they belong to (eager loading), on the query the finding points at:',
      '',
      '- Django: .select_related("author") for foreign keys, .prefetch_related("tags") for many-to-many and reverse relations',
      '- Rails (Active Record): .includes(:author, :tags)',
      '- SQLAlchemy: .options(joinedload(Book.author), selectinload(Book.tags))',
      '- Sequelize: findAll({ include: [Author, Tag] })',
      '- Prisma: findMany({ include: { author: true, tags: true } })',
      '- TypeORM: find({ relations: ["author", "tags"] })',
      "- Objection: Book.query().withGraphFetched('[author, tags]')",
      "- MikroORM: em.find(Book, {}, { populate: ['author', 'tags'] })",
      '- Drizzle: db.query.books.findMany({ with: { author: true, tags: true } })',
      "- Knex: one query over all the rows, knex('authors').whereIn('id', ids)",
      '- SQL of your own: one query with a JOIN, or one WHERE id IN (…) over all the rows',
      '',
      'Where the change is certain, runlens gives it as a fix (runlens scan --fix-hints prints it; the editor offers it as a quick fix).',
      '',
      'To silence one finding, put a comment runlens: ignore n-plus-one in the file\'s own syntax (# runlens: ignore n-plus-one, // runlens: ignore n-plus-one) on its line or the line above.',
    ],
  }),
  rule('slow-call', 'SlowFunctionCall', 'medium', ['performance'], {
    short: 'A call to a project function that took longer than slowCallMs (the innermost such call).',
    full: 'A call to a project function took 1000 ms or more (slowCallMs). Only the innermost such call on a path is reported: its callers are slow through it.',
    markdown: [
      '**Slow call.** A call to a function of the project took `slowCallMs` (default 1000 ms) or more while it was recorded. Only the innermost such call on a path is reported, since its callers are slow only through it.',
      '',
      '**Why it matters.** Whoever waits for this call (a request, a job, a test) waits this long.',
      '',
      '**How to fix it.** Look at what the call does in the recording (the editor\'s call tree or hover shows its slowest path and its queries): work repeated per item, queries that could be one, work that could be cached or moved out of the request. Recording agents slow code down, so compare times with each other rather than with production.',
      '',
      'To silence one finding, put a comment `runlens: ignore slow-call` in the file\'s own syntax (`# runlens: ignore slow-call`, `// runlens: ignore slow-call`) on its line or the line above.',
    ],
    text: [
      'Slow call. A call to a function of the project took slowCallMs (default 1000 ms) or more while it was recorded. Only the innermost such call on a path is reported, since its callers are slow only through it.',
      '',
      'Why it matters. Whoever waits for this call (a request, a job, a test) waits this long.',
      '',
      'How to fix it. Look at what the call does in the recording (the editor\'s call tree or hover shows its slowest path and its queries): work repeated per item, queries that could be one, work that could be cached or moved out of the request. Recording agents slow code down, so compare times with each other rather than with production.',
      '',
      'To silence one finding, put a comment runlens: ignore slow-call in the file\'s own syntax (# runlens: ignore slow-call, // runlens: ignore slow-call) on its line or the line above.',
    ],
  }),
  rule('slow-request', 'SlowHttpRequest', 'medium', ['performance', 'http'], {
    short: 'An HTTP request that took longer than slowRequestMs.',
    full: 'An HTTP request took 1000 ms or more (slowRequestMs). The finding sits on the route\'s handler.',
    markdown: [
      '**Slow request.** An HTTP request took `slowRequestMs` (default 1000 ms) or more while it was recorded. The finding sits on the handler of its route.',
      '',
      '**Why it matters.** This is the time a user or a client waits for the response.',
      '',
      '**How to fix it.** Find where the time goes below the handler: an N+1 or too many queries (their own findings), a slow query, a slow call to another service, work that could be done once or in the background. Recording agents slow code down, so compare times with each other rather than with production.',
      '',
      'To silence one finding, put a comment `runlens: ignore slow-request` in the file\'s own syntax (`# runlens: ignore slow-request`, `// runlens: ignore slow-request`) on its line or the line above.',
    ],
    text: [
      'Slow request. An HTTP request took slowRequestMs (default 1000 ms) or more while it was recorded. The finding sits on the handler of its route.',
      '',
      'Why it matters. This is the time a user or a client waits for the response.',
      '',
      'How to fix it. Find where the time goes below the handler: an N+1 or too many queries (their own findings), a slow query, a slow call to another service, work that could be done once or in the background. Recording agents slow code down, so compare times with each other rather than with production.',
      '',
      'To silence one finding, put a comment runlens: ignore slow-request in the file\'s own syntax (# runlens: ignore slow-request, // runlens: ignore slow-request) on its line or the line above.',
    ],
  }),
  rule('slow-query', 'SlowSqlQuery', 'medium', ['performance', 'database'], {
    short: 'One SQL query that took longer than slowQueryMs.',
    full: 'One SQL query took 250 ms or more (slowQueryMs).',
    markdown: [
      '**Slow query.** One SQL query took `slowQueryMs` (default 250 ms) or more while it was recorded.',
      '',
      '**Why it matters.** The caller waits for the database, and a slow query often holds locks or a connection others need.',
      '',
      '**How to fix it.** Run the query with `EXPLAIN` (`EXPLAIN ANALYZE` in PostgreSQL) on realistic data: add an index for its WHERE, JOIN or ORDER BY columns, select fewer columns or rows, paginate.',
      '',
      'To silence one finding, put a comment `runlens: ignore slow-query` in the file\'s own syntax (`# runlens: ignore slow-query`, `// runlens: ignore slow-query`) on its line or the line above.',
    ],
    text: [
      'Slow query. One SQL query took slowQueryMs (default 250 ms) or more while it was recorded.',
      '',
      'Why it matters. The caller waits for the database, and a slow query often holds locks or a connection others need.',
      '',
      'How to fix it. Run the query with EXPLAIN (EXPLAIN ANALYZE in PostgreSQL) on realistic data: add an index for its WHERE, JOIN or ORDER BY columns, select fewer columns or rows, paginate.',
      '',
      'To silence one finding, put a comment runlens: ignore slow-query in the file\'s own syntax (# runlens: ignore slow-query, // runlens: ignore slow-query) on its line or the line above.',
    ],
  }),
  rule('repeated-query', 'RepeatedQuery', 'high', ['performance', 'database'], {
    short: 'The identical query, with identical literals, run more than once in one request or test.',
    full: 'The identical query, with identical literal values, ran 2 times or more (repeatedQueryCount) in one HTTP request or test. Queries with placeholders are left out: their values are not recorded.',
    markdown: [
      '**Repeated query.** The identical query, with the same literal values, ran `repeatedQueryCount` (default 2) times or more in one request or test.',
      '',
      '**Why it matters.** Every run after the first asks the database for an answer the code already had.',
      '',
      '**How to fix it.** Keep the first result and pass it on, or memoize it for the request (e.g. an instance variable in a Rails controller or helper, `functools.cached_property` in Python).',
      '',
      'To silence one finding, put a comment `runlens: ignore repeated-query` in the file\'s own syntax (`# runlens: ignore repeated-query`, `// runlens: ignore repeated-query`) on its line or the line above.',
    ],
    text: [
      'Repeated query. The identical query, with the same literal values, ran repeatedQueryCount (default 2) times or more in one request or test.',
      '',
      'Why it matters. Every run after the first asks the database for an answer the code already had.',
      '',
      'How to fix it. Keep the first result and pass it on, or memoize it for the request (e.g. an instance variable in a Rails controller or helper, functools.cached_property in Python).',
      '',
      'To silence one finding, put a comment runlens: ignore repeated-query in the file\'s own syntax (# runlens: ignore repeated-query, // runlens: ignore repeated-query) on its line or the line above.',
    ],
  }),
  rule('too-many-queries', 'TooManyQueries', 'high', ['performance', 'database'], {
    short: 'A request or test that ran more queries than tooManyQueriesCount, not counting those of an N+1 finding.',
    full: 'An HTTP request or test ran 100 SQL queries or more (tooManyQueriesCount), not counting those of an N+1 finding nor catalog queries.',
    markdown: [
      '**Too many queries.** One request or test ran `tooManyQueriesCount` (default 100) SQL queries or more, not counting the queries of an N+1 finding (reported on their own) nor catalog queries (ORM bookkeeping such as `PRAGMA table_info`).',
      '',
      '**Why it matters.** Each query is a round trip to the database; hundreds of them add up even when each is fast.',
      '',
      '**How to fix it.** Look at the request\'s queries (the editor\'s hover lists the ones it ran most): load related rows eagerly, fetch in batches, cache what does not change within a request.',
      '',
      'To silence one finding, put a comment `runlens: ignore too-many-queries` in the file\'s own syntax (`# runlens: ignore too-many-queries`, `// runlens: ignore too-many-queries`) on its line or the line above.',
    ],
    text: [
      'Too many queries. One request or test ran tooManyQueriesCount (default 100) SQL queries or more, not counting the queries of an N+1 finding (reported on their own) nor catalog queries (ORM bookkeeping such as PRAGMA table_info).',
      '',
      'Why it matters. Each query is a round trip to the database; hundreds of them add up even when each is fast.',
      '',
      'How to fix it. Look at the request\'s queries (the editor\'s hover lists the ones it ran most): load related rows eagerly, fetch in batches, cache what does not change within a request.',
      '',
      'To silence one finding, put a comment runlens: ignore too-many-queries in the file\'s own syntax (# runlens: ignore too-many-queries, // runlens: ignore too-many-queries) on its line or the line above.',
    ],
  }),
];

describe('SARIF output against the SARIF 2.1.0 JSON schema', function () {

  it('vendors the published schema byte for byte', () => {
    assert.equal(createHash('sha256').update(fs.readFileSync(SCHEMA_FILE)).digest('hex'), SCHEMA_SHA256);
  });

  it('rejects what the schema forbids (the validator is not vacuous)', () => {
    const { log } = sarifOf(['--root', 'test/workspaces/bookshop', '--fail-on', 'never']);
    const result = log.runs[0].results[0];
    result.level = 'fatal';
    result.locations[0].physicalLocation.region.startLine = 0;
    result.colour = 'red';
    log.runs[0].tool.driver.informationUri = 'not a uri';
    assert.deepEqual(schemaErrors(log), [
      '/runs/0/tool/driver/informationUri: must match format "uri"',
      '/runs/0/results/0: must NOT have additional properties',
      '/runs/0/results/0/level: must be equal to one of the allowed values ["none","note","warning","error"]',
      '/runs/0/results/0/locations/0/physicalLocation/region/startLine: must be >= 1',
    ]);
  });

  it('is valid on the bookshop, Django and Rails examples', () => {
    const logs = {
      bookshop: sarifOf(['--root', 'test/workspaces/bookshop']),
      django: sarifOf(['--root', 'test/workspaces/django-meetups']),
      rails: sarifOf([RAILS_RECORDING, '--root', RAILS_APP]),
    };
    assert.deepEqual(
      Object.entries(logs).map(([name, { code, log }]) => [name, code, log.runs[0].results.map((r) => `${r.ruleId} ${r.level}`), schemaErrors(log)]),
      [
        ['bookshop', 1, ['n-plus-one error'], []],
        ['django', 1, ['n-plus-one error'], []],
        ['rails', 1, ['n-plus-one error'], []],
      ],
    );
  });

  it('is valid with problems reading recordings, which it gives as tool execution notifications', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-sarif-'));
    fs.cpSync(path.join(MEETUPS, 'meetups'), path.join(dir, 'meetups'), { recursive: true });
    const whole = fs.readFileSync(path.join(MEETUPS, 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json'));
    fs.mkdirSync(path.join(dir, 'my recordings'));
    fs.writeFileSync(path.join(dir, 'my recordings/cut #1.appmap.json'), whole.subarray(0, 200_000));
    const { log } = sarifOf(['--fail-on', 'never'], dir);
    assert.deepEqual(schemaErrors(log), []);
    assert.deepEqual(log.runs[0].invocations, [
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'byte 200000: not valid JSON: unexpected end of file inside a string that starts at byte 199992: the file is truncated; read what came before it' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'my%20recordings/cut%20%231.appmap.json', uriBaseId: '%SRCROOT%' } } }],
          },
        ],
      },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the bookshop log exactly: rules with their help, the N+1 with its fingerprint, queries and fix', () => {
    const { text } = sarifOf(['--root', 'test/workspaces/bookshop']);
    const expected = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'runlens', version: 'VERSION', semanticVersion: 'VERSION', informationUri: 'https://github.com/runlens/runlens', rules: RULES } },
          invocations: [{ executionSuccessful: true }],
          originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(BOOKSHOP).href}/` } },
          results: [
            {
              ruleId: 'n-plus-one',
              ruleIndex: 0,
              level: 'error',
              message: { text: 'N+1: 600 queries from this query (200 × Authors, 200 × tags, 200 × Reviews)' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'src/routes/books.js', uriBaseId: '%SRCROOT%' },
                    region: { startLine: 21, startColumn: 23, endLine: 23, endColumn: 5 },
                  },
                },
              ],
              // The loop's per-row call (issue 16): present(book) in the for…of.
              relatedLocations: [
                {
                  id: 1,
                  physicalLocation: { artifactLocation: { uri: 'src/routes/books.js', uriBaseId: '%SRCROOT%' }, region: { startLine: 25, startColumn: 44 } },
                  message: { text: 'the per-row call' },
                },
              ],
              partialFingerprints: { 'runlensFindingId/v1': 'n-plus-one src/routes/books.js queryset books.listBooks Book' },
              properties: {
                count: 600,
                scope: 'GET /books',
                recordings: ['tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json'],
                repeatedQueries: [
                  { sql: 'SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ?', count: 200 },
                  {
                    sql:
                      'SELECT `Tag`.`id`, `Tag`.`name`, `BookTags`.`createdAt` AS `BookTags.createdAt`, `BookTags`.`updatedAt` AS `BookTags.updatedAt`, `BookTags`.`BookId` AS `BookTags.BookId`, `BookTags`.`TagId` AS `BookTags.TagId` FROM `tags` AS `Tag` INNER JOIN `BookTags` AS `BookTags` ON `Tag`.`id` = `BookTags`.`TagId` AND `BookTags`.`BookId` = ?',
                    count: 200,
                  },
                  { sql: 'SELECT `id`, `reader`, `rating`, `createdAt`, `updatedAt`, `BookId` FROM `Reviews` AS `Review` WHERE `Review`.`BookId` = ?', count: 200 },
                ],
              },
              fixes: [
                {
                  description: { text: "Load eagerly: include: ['author', 'Tags', 'Reviews']" },
                  artifactChanges: [
                    {
                      artifactLocation: { uri: 'src/routes/books.js', uriBaseId: '%SRCROOT%' },
                      replacements: [
                        {
                          deletedRegion: { startLine: 21, startColumn: 23, endLine: 23, endColumn: 5 },
                          insertedContent: { text: "Book.findAll({\n    order: [['id', 'ASC']],\n    include: ['author', 'Tags', 'Reviews'],\n  })" },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    // Only the tool's version is normalised: everything else, key order and layout included, is as written.
    const normalised = text.replace(new RegExp(`"(version|semanticVersion)": "${VERSION.replace(/\./g, '\\.')}"`, 'g'), '"$1": "VERSION"');
    assert.equal(normalised, JSON.stringify(expected, null, 2) + '\n');
  });

  it("fingerprints each result with its finding's identity, which survives moved lines and matches the baseline's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-sarif-'));
    for (const sub of ['src', 'tmp']) fs.cpSync(path.join(BOOKSHOP, sub), path.join(dir, sub), { recursive: true });
    const books = path.join(dir, 'src/routes/books.js');
    fs.writeFileSync(books, '// Two lines added above everything.\n\n' + fs.readFileSync(books, 'utf8'));
    const { log } = sarifOf(['--fail-on', 'never'], dir);
    const baseline = JSON.parse(runlens(['baseline', 'save', '-o', '-'], dir).stdout);
    const result = log.runs[0].results[0];
    assert.deepEqual(
      { line: result.locations[0].physicalLocation.region.startLine, fingerprint: result.partialFingerprints, baselineIds: baseline.findings.map((f: { id: string }) => f.id) },
      {
        line: 23,
        fingerprint: { 'runlensFindingId/v1': 'n-plus-one src/routes/books.js queryset books.listBooks Book' },
        baselineIds: ['n-plus-one src/routes/books.js queryset books.listBooks Book'],
      },
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('numbers the fingerprints of two findings that share one identity, so that code scanning keeps both', () => {
    const { log } = sarifOf([path.join(CORPUS, 'appmaps/ruby'), '--root', RAILS_APP, '--fail-on', 'never']);
    const onFeed = log.runs[0].results
      .filter((r) => r.partialFingerprints['runlensFindingId/v1'].includes('User#feed'))
      .map((r) => [r.message.text, r.partialFingerprints['runlensFindingId/v1']]);
    assert.deepEqual(onFeed, [
      ['N+1: 30 queries from this query (30 × active_storage_attachments)', 'n-plus-one app/models/user.rb queryset User#feed Micropost'],
      ['N+1: 61 queries from this query (31 × users, 30 × active_storage_attachments)', 'n-plus-one app/models/user.rb queryset User#feed Micropost:2'],
    ]);
    assert.deepEqual(schemaErrors(log), []);
  });
});
