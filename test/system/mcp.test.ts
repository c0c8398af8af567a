// `runlens mcp` as a coding agent uses it: the official SDK's Client over stdio against the built
// binary, on a copy of the bookshop example: list the tools, find the N+1 with its exact edit,
// apply it, switch to the recordings made after the fix, compare (1,402 → 7 SQL, resolved); and
// the malformed calls a client can make, each a clear error with the server still up.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOOKS_SQL, BOOKSHOP, BOOKSHOP_FIXED, BOOKS_RECORDING, missingDependencies, RECORDINGS } from '../support/bookshop';
import { BIN } from '../support/cli';
import { REPO } from '../support/corpus';
import { copyProject, McpTestClient, startMcp, textOf, ToolResult } from '../support/mcpClient';

/** The tools, in the order the server lists them. */
export const MCP_TOOLS = ['findings', 'explain_finding', 'hotspots', 'call_tree', 'compare', 'save_baseline', 'record'];

const BOOKS_JS = 'src/routes/books.js';

describe('runlens mcp, the SDK client over stdio on the bookshop example', function () {
  this.timeout(120_000);
  let mcp: McpTestClient;

  before(async () => {
    mcp = await startMcp(copyProject(BOOKSHOP), ['--allow-write']);
  });
  after(async () => {
    await mcp?.close();
    if (mcp) fs.rmSync(mcp.root, { recursive: true, force: true });
  });

  it('lists its tools, each with an input and an output schema', async () => {
    const { tools } = await mcp.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      MCP_TOOLS,
    );
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal(t.outputSchema?.type, 'object', t.name);
      assert.ok(t.description && t.description.length > 40, t.name);
    }
    assert.deepEqual(
      tools.filter((t) => t.annotations?.readOnlyHint).map((t) => t.name),
      MCP_TOOLS.filter((n) => n !== 'save_baseline' && n !== 'record'),
    );
  });

  it('finds the N+1 on src/routes/books.js:21 with the exact edit, applies it, and compare says 1,402 → 7 SQL, resolved', async () => {
    const found = await mcp.call('findings', {});
    assert.equal(found.isError, undefined, textOf(found));
    const s = found.structuredContent as { recordings: number; total: number; findings: Record<string, unknown>[]; problems: string[] };
    assert.deepEqual({ recordings: s.recordings, total: s.total, problems: s.problems }, { recordings: 2, total: 1, problems: [] });
    const [finding] = s.findings;
    const { id, ...rest } = finding;
    assert.match(id as string, /^n-plus-one-[0-9a-f]{10}$/);
    assert.deepEqual(rest, {
      rule: 'n-plus-one',
      severity: 'error',
      message: 'N+1: 600 queries from this query',
      detail: '200 × Authors, 200 × tags, 200 × Reviews',
      path: BOOKS_JS,
      line: 21,
      column: 23,
      count: 600,
      scope: 'GET /books',
      recordings: [BOOKS_RECORDING],
      repeatedQueries: [
        { sql: 'SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ?', count: 200, table: 'Authors' },
        {
          sql:
            'SELECT `Tag`.`id`, `Tag`.`name`, `BookTags`.`createdAt` AS `BookTags.createdAt`, `BookTags`.`updatedAt` AS `BookTags.updatedAt`, `BookTags`.`BookId` AS `BookTags.BookId`, ' +
            '`BookTags`.`TagId` AS `BookTags.TagId` FROM `tags` AS `Tag` INNER JOIN `BookTags` AS `BookTags` ON `Tag`.`id` = `BookTags`.`TagId` AND `BookTags`.`BookId` = ?',
          count: 200,
          table: 'tags',
        },
        { sql: 'SELECT `id`, `reader`, `rating`, `createdAt`, `updatedAt`, `BookId` FROM `Reviews` AS `Review` WHERE `Review`.`BookId` = ?', count: 200, table: 'Reviews' },
      ],
      also: [{ what: 'the per-row call', path: BOOKS_JS, line: 25 }],
      fix: {
        title: "Load eagerly: include: ['author', 'Tags', 'Reviews']",
        hint: "add include: ['author', 'Tags', 'Reviews'] to the query at src/routes/books.js:21:23",
        edit: {
          path: BOOKS_JS,
          range: { line: 21, column: 23, endLine: 23, endColumn: 5 },
          oldText: "Book.findAll({\n    order: [['id', 'ASC']],\n  })",
          newText: "Book.findAll({\n    order: [['id', 'ASC']],\n    include: ['author', 'Tags', 'Reviews'],\n  })",
        },
      },
    });
    assert.equal(
      textOf(found),
      `src/routes/books.js:21:23 error N+1: 600 queries from this query (200 × Authors, 200 × tags, 200 × Reviews) [n-plus-one] id ${id}\n` +
        "    fix: Load eagerly: include: ['author', 'Tags', 'Reviews']: add include: ['author', 'Tags', 'Reviews'] to the query at src/routes/books.js:21:23\n" +
        '2 recordings read, 1 finding',
    );

    // Explained: the call path from the request to the first repeated query, the source query, the diff.
    const explained = await mcp.call('explain_finding', { id });
    const e = explained.structuredContent as Record<string, unknown>;
    assert.deepEqual(e.finding, finding);
    assert.deepEqual(
      { recording: e.recording, callPath: e.callPath, sourceQuery: e.sourceQuery, diff: e.diff, problems: e.problems },
      {
        recording: BOOKS_RECORDING,
        callPath: [
          { kind: 'request', label: 'GET /books' },
          { kind: 'function', label: 'books.listBooks', path: BOOKS_JS, line: 20 },
          { kind: 'function', label: 'books.present', path: BOOKS_JS, line: 6 },
          { kind: 'sql', label: 'SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ?' },
        ],
        sourceQuery: { sql: BOOKS_SQL, count: 1 },
        diff:
          '--- a/src/routes/books.js\n' +
          '+++ b/src/routes/books.js\n' +
          '@@ -21,3 +21,4 @@\n' +
          '   const books = await Book.findAll({\n' +
          "     order: [['id', 'ASC']],\n" +
          "+    include: ['author', 'Tags', 'Reviews'],\n" +
          '   });\n',
        problems: [],
      },
    );

    // Where the time and SQL go, and the request's call tree, bounded.
    const hot = (await mcp.call('hotspots', { by: 'sql', limit: 2 })).structuredContent as Record<string, { key: string; calls: number; sql: number }[] | string>;
    const keys = (list: unknown) => (list as { key: string; calls: number; sql: number }[]).map((h) => [h.key, h.calls, h.sql]);
    assert.deepEqual(keys(hot.routes), [['GET /books', 1, 1402], ['GET /authors', 1, 3]]);
    assert.deepEqual(keys(hot.functions), [['books.listBooks', 1, 1402], ['books.present', 200, 1400]]);
    assert.equal(hot.truncated, 'truncated: 2 of 3 functions shown; raise limit to see more; truncated: 2 of 10 SQL shapes shown; raise limit to see more');
    const tree = (await mcp.call('call_tree', { route: 'GET /books', maxLines: 4 })).structuredContent as Record<string, string>;
    assert.deepEqual(tree, {
      recording: BOOKS_RECORDING,
      route: 'GET /books',
      tree:
        `Calls of GET /books recorded in ${BOOKS_RECORDING}\n` +
        'GET /books → 200 · 531 ms · 1,402 SQL\n' +
        '  books.listBooks · 529 ms · 1,402 SQL\n' +
        '    PRAGMA table_info(`Books`) · 0.2 ms\n' +
        '    SELECT … FROM `Books` AS `Book` ORDER BY `Book`.`id` ASC · 0.7 ms\n' +
        '… 1,600 more calls',
      problems: [],
      truncated: 'truncated: 4 lines shown, 1,600 more calls left out; raise maxLines (at most 500) or ask for a narrower route',
    });

    // The baseline of the recordings before the fix.
    const saved = await mcp.call('save_baseline', {});
    assert.deepEqual(saved.structuredContent, {
      path: '.runlens/baseline.json',
      recordings: 2,
      bytes: fs.statSync(path.join(mcp.root, '.runlens/baseline.json')).size,
      summary: 'baseline of 2 recordings (2 routes, 2 tests, 3 functions, 10 SQL shapes, 1 finding)',
      problems: [],
    });

    // The agent applies the edit as given (its text-replacing tool: oldText → newText): the fixed example's file.
    const edit = (finding.fix as { edit: { path: string; oldText: string; newText: string } }).edit;
    const file = path.join(mcp.root, edit.path);
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text.split(edit.oldText).length, 2, 'oldText occurs once');
    fs.writeFileSync(file, text.replace(edit.oldText, edit.newText));
    assert.equal(fs.readFileSync(file, 'utf8'), fs.readFileSync(path.join(BOOKSHOP_FIXED, BOOKS_JS), 'utf8'));

    // Re-recorded after the fix: the fixed example's recordings replace the old ones.
    fs.rmSync(path.join(mcp.root, 'tmp'), { recursive: true });
    fs.cpSync(path.join(BOOKSHOP_FIXED, 'tmp'), path.join(mcp.root, 'tmp'), { recursive: true });

    const compared = await mcp.call('compare', {});
    assert.equal(compared.isError, undefined, textOf(compared));
    const c = compared.structuredContent as {
      regressed: boolean;
      routes: { key: string; sql: unknown }[];
      tests: { key: string; sql: unknown }[];
      findings: { new: unknown[]; resolved: { rule: string; path: string; line: number; count: number }[] };
      before: unknown;
      after: unknown;
    };
    assert.equal(c.regressed, false);
    assert.deepEqual(c.before, { source: '.runlens/baseline.json', recordings: 2 });
    assert.deepEqual(c.after, { source: '.', recordings: 2 });
    assert.deepEqual(
      c.routes.map((r) => [r.key, r.sql]),
      [
        ['GET /books', { before: 1402, after: 7, change: -1395 }],
        ['GET /authors', { before: 3, after: 3, change: 0 }],
      ],
    );
    assert.deepEqual(c.findings.new, []);
    assert.deepEqual(
      c.findings.resolved.map((f) => [f.rule, f.path, f.line, f.count]),
      [['n-plus-one', BOOKS_JS, 21, 600]],
    );
    assert.match(textOf(compared), /^ {2}GET \/books {7}531 ms → 172 ms {3}−359 ms \(−68%\) {2}1,402 → 7 \(−1,395\)/m);
    assert.match(textOf(compared), /^ {2}resolved {2}src\/routes\/books\.js:21 error N\+1: 600 queries from this query \[n-plus-one\]$/m);

    // And the findings are gone.
    const after = await mcp.call('findings', {});
    assert.deepEqual(after.structuredContent, { recordings: 2, total: 0, findings: [], problems: [] });
  });

  it('server/docs/mcp.md: its tools are the listed tools, its configurations start this server, its transcript is the run above', async () => {
    const { tools } = await mcp.client.listTools();
    const doc = fs.readFileSync(DOC, 'utf8');
    const documented = [...doc.slice(doc.indexOf('## Tools')).matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(documented, tools.map((t) => t.name));
    // Each configuration runs `runlens mcp` with flags it knows.
    const blocks = configurationBlocks(doc);
    assert.deepEqual(blocks.map(([language]) => language), ['sh', 'json', 'json', 'json', 'toml', 'json']);
    const commands: string[][] = [];
    for (const [language, text] of blocks) {
      if (language === 'json') {
        const servers = JSON.parse(text).mcpServers ?? JSON.parse(text).servers;
        assert.deepEqual(Object.keys(servers), ['runlens']);
        commands.push([servers.runlens.command, ...servers.runlens.args]);
      } else if (language === 'toml') {
        const command = /^command = "(\w+)"$/m.exec(text)?.[1];
        const args = JSON.parse(/^args = (\[.*\])$/m.exec(text)?.[1] ?? 'null');
        commands.push([command, ...args]);
      } else commands.push(text.trim().split(' -- ')[1].split(' '));
    }
    const known = ['--root', '--config', '--allow-write', '--allow-record'];
    for (const c of commands) {
      assert.deepEqual(c.slice(0, 3), ['npx', 'runlens', 'mcp'], c.join(' '));
      assert.deepEqual(c.slice(3).filter((a) => a.startsWith('--') && !known.includes(a)), [], c.join(' '));
    }
    for (const flag of doc.match(/--allow-\w+/g) ?? []) assert.ok(known.includes(flag), flag);
    // The worked transcript between its markers: rewritten with UPDATE_EXPECT=1.
    const begin = doc.indexOf(TRANSCRIPT_BEGIN) + TRANSCRIPT_BEGIN.length;
    const end = doc.indexOf(TRANSCRIPT_END);
    assert.ok(begin >= TRANSCRIPT_BEGIN.length && end >= begin, 'the transcript markers');
    const transcript = transcriptMarkdown(mcp);
    if (process.env.UPDATE_EXPECT) fs.writeFileSync(DOC, doc.slice(0, begin) + transcript + doc.slice(end));
    else assert.equal(doc.slice(begin, end), transcript);
  });

  it('serves the baseline and each recording\'s summary as resources, and the two prompts (after the fix above)', async () => {
    const { resources } = await mcp.client.listResources();
    assert.deepEqual(
      resources.map((r) => [r.uri, r.name]),
      [
        ['runlens://baseline', 'baseline'],
        [`runlens://recording/${RECORDINGS}/lists_the_authors_with_their_books.appmap.json`, `${RECORDINGS}/lists_the_authors_with_their_books.appmap.json`],
        [`runlens://recording/${BOOKS_RECORDING}`, BOOKS_RECORDING],
      ],
    );
    const baseline = await mcp.client.readResource({ uri: 'runlens://baseline' });
    assert.equal((baseline.contents[0] as { text: string }).text, fs.readFileSync(path.join(mcp.root, '.runlens/baseline.json'), 'utf8'));
    const books = await mcp.client.readResource({ uri: `runlens://recording/${BOOKS_RECORDING}` });
    const summary = JSON.parse((books.contents[0] as { text: string }).text);
    assert.deepEqual(
      { recording: summary.recording, test: summary.test, sql: summary.sql, requests: summary.requests, routes: summary.routes.map((r: { route: string; sql: number }) => [r.route, r.sql]), findings: summary.findings, problems: summary.problems },
      { recording: BOOKS_RECORDING, test: { name: 'bookshop lists the books with their authors and tags and ratings', status: 'succeeded' }, sql: 7, requests: 1, routes: [['GET /books', 7]], findings: [], problems: [] },
    );
    await assert.rejects(mcp.client.readResource({ uri: 'runlens://recording/../../etc/passwd' }), /outside the root|not a recording|no such file/);
    await assert.rejects(mcp.client.readResource({ uri: 'runlens://recording/src/app.js' }), /not a recording/);

    const { prompts } = await mcp.client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name), ['fix_n_plus_one', 'verify_performance_fix']);
    const fix = await mcp.client.getPrompt({ name: 'fix_n_plus_one', arguments: { location: 'src/routes/books.js:21' } });
    const text = (fix.messages[0].content as { text: string }).text;
    assert.match(text, /^Fix the N\+1 query at src\/routes\/books\.js:21 with the runlens tools, and prove the fix:\n1\. Call findings with \{"rule": "n-plus-one", "path": "src\/routes\/books\.js"\} and take the finding on line 21\./);
    for (const tool of ['findings', 'explain_finding', 'save_baseline', 'record', 'compare']) assert.ok(text.includes(tool), tool);
    const verify = await mcp.client.getPrompt({ name: 'verify_performance_fix', arguments: {} });
    assert.match((verify.messages[0].content as { text: string }).text, /2\. Call compare \(the saved baseline against the current recordings\)/);
  });

  describe('malformed calls: a clear error each, and the server stays up', () => {
    const cases: [string, string, Record<string, unknown>, RegExp][] = [
      ['an unknown tool', 'fix_everything', {}, /^MCP error -32602: Tool fix_everything not found$/],
      ['an unknown finding id', 'explain_finding', { id: 'n-plus-one-0000000000' }, /^no finding with id "n-plus-one-0000000000" in the recordings now/],
      ['a call tree of nothing', 'call_tree', {}, /^call_tree needs route, test or recording$/],
      ['a call tree of a route never recorded', 'call_tree', { route: 'GET /nowhere' }, /^no recording of "GET \/nowhere"; the hotspots tool lists the recorded routes and tests$/],
      ['a recording outside the root', 'call_tree', { recording: '../../../../etc/hostname' }, /^recording "\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" is outside the root/],
      ['a wrong argument type', 'findings', { limit: 'ten' }, /^MCP error -32602: Input validation error: Invalid arguments for tool findings: .*expected number, received string.* at limit/s],
      ['an unknown rule', 'findings', { rule: 'n+1' }, /^MCP error -32602: Input validation error: Invalid arguments for tool findings: .*rule/s],
      ['a huge path (1 MiB)', 'findings', { path: 'a'.repeat(1 << 20) }, /^MCP error -32602: Input validation error: Invalid arguments for tool findings: .*at path/s],
      ['a huge list of paths', 'compare', { after: Array.from({ length: 20_000 }, (_, i) => `r${i}`) }, /^MCP error -32602: Invalid arguments for tool compare: arguments contain more than the maximum of 10000 elements$/],
      ['a path outside the root (..)', 'findings', { path: '../../etc' }, /^path "\.\.\/\.\.\/etc" is outside the root .*: runlens has nothing there$/],
      ['recordings outside the root (absolute)', 'findings', { recordings: ['/etc'] }, /^recordings "\/etc" is outside the root .*: runlens reads nothing there$/],
      ['a baseline outside the root', 'compare', { before: ['/etc/passwd'] }, /^before "\/etc\/passwd" is outside the root .*: runlens reads nothing there$/],
      ['recordings that do not exist', 'compare', { after: ['no/such/folder'] }, /^after "no\/such\/folder": no such file or folder under the root /],
    ];
    for (const [what, name, args, message] of cases) {
      it(`${what}`, async () => {
        const result = await mcp.client.callTool({ name, arguments: args }) as ToolResult;
        assert.equal(result.isError, true);
        assert.match(textOf(result), message);
        assert.ok(textOf(result).length < 2000, 'the error is short');
        const { tools } = await mcp.client.listTools();
        assert.equal(tools.length, MCP_TOOLS.length);
      });
    }
  });
});

describe('runlens mcp, read-only by default, and broken recordings', function () {
  this.timeout(120_000);

  it('refuses save_baseline without --allow-write, writing nothing', async () => {
    const mcp = await startMcp(copyProject(BOOKSHOP));
    try {
      const result = await mcp.call('save_baseline', {});
      assert.equal(result.isError, true);
      assert.equal(textOf(result), 'save_baseline is refused: this server is read-only (start it with runlens mcp --allow-write to let it replace .runlens/baseline.json)');
      assert.equal(fs.existsSync(path.join(mcp.root, '.runlens')), false);
    } finally {
      await mcp.close();
      fs.rmSync(mcp.root, { recursive: true, force: true });
    }
  });

  it('refuses record without --allow-record, running nothing', async () => {
    const mcp = await startMcp(copyProject(BOOKSHOP));
    try {
      const result = await mcp.call('record', { command: ['node', '-e', "require('fs').writeFileSync('ran', '')"] });
      assert.equal(result.isError, true);
      assert.equal(textOf(result), 'record is refused: it runs a command, and this server was not allowed to (start it with runlens mcp --allow-record)');
      assert.equal(fs.existsSync(path.join(mcp.root, 'ran')), false);
    } finally {
      await mcp.close();
      fs.rmSync(mcp.root, { recursive: true, force: true });
    }
  });

  it('says what is wrong with a broken recording in the answer, and still gives the findings of the others', async () => {
    const root = copyProject(BOOKSHOP);
    const broken = `${RECORDINGS}/broken.appmap.json`;
    fs.writeFileSync(path.join(root, broken), '{"events": [{"id": 1, "event": "call"');
    const mcp = await startMcp(root);
    try {
      const result = await mcp.call('findings', {});
      const s = result.structuredContent as { recordings: number; total: number; problems: string[] };
      assert.deepEqual({ recordings: s.recordings, total: s.total }, { recordings: 3, total: 1 });
      assert.equal(s.problems.length, 1);
      assert.match(s.problems[0], new RegExp(`^${broken.replace(/\./g, '\\.')}: byte \\d+: error: `));
      assert.match(textOf(result), /3 recordings read, 1 finding, 1 problem reading recordings\nproblem: tmp\/appmap/);
    } finally {
      await mcp.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('runlens mcp --allow-record, with the real appmap-node', function () {
  this.timeout(300_000);
  before(function () {
    const missing = missingDependencies();
    if (missing) {
      // As test/system/record.test.ts: CI installs the example's dependencies, there a missing one fails.
      if (process.env.CI) throw new Error(`${missing}; run (cd test/workspaces/bookshop && npm ci)`);
      console.log(`      skipped: ${missing} (cd test/workspaces/bookshop && npm ci installs them)`);
      this.skip();
    }
  });

  it('records the tests (their output kept off the protocol stream) and answers the findings of the recordings written', async () => {
    const root = copyProject(BOOKSHOP);
    fs.rmSync(path.join(root, 'tmp'), { recursive: true, force: true });
    fs.symlinkSync(path.join(BOOKSHOP, 'node_modules'), path.join(root, 'node_modules'));
    const mcp = await startMcp(root, ['--allow-record']);
    try {
      const result = await mcp.call('record', { command: ['npm', 'test'] });
      assert.equal(result.isError, undefined, textOf(result));
      const s = result.structuredContent as { status: number; log: string; recordings: number; findings: { path: string; line: number; rule: string; count: number }[] };
      assert.equal(s.status, 1, s.log);
      assert.equal(s.recordings, 2);
      assert.match(s.log, /^ {2}2 passing \(\d+m?s\)$/m);
      // The N+1 of the committed recordings; timing findings vary run to run and are left out.
      assert.deepEqual(
        s.findings.filter((f) => f.rule === 'n-plus-one').map((f) => [f.path, f.line, f.count]),
        [[BOOKS_JS, 21, 600]],
      );
      // The server is still up, and the protocol stream was not written to by the tests.
      const { tools } = await mcp.client.listTools();
      assert.equal(tools.length, MCP_TOOLS.length);
    } finally {
      await mcp.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('runlens mcp on a stream that is not all protocol', function () {
  this.timeout(60_000);

  it('passes over a line that is not JSON-RPC and answers the next request; ends with status 0 when stdin closes', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp', '--root', BOOKSHOP], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const answered = (id: number) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const poll = () => {
          const line = out.split('\n').find((l) => l.includes(`"id":${id}`));
          if (line) resolve(JSON.parse(line));
          else setTimeout(poll, 20);
        };
        poll();
      });
    child.stdin.write('not json at all\n{"half": \n\n');
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + '\n');
    assert.equal(((await answered(1)).result as { serverInfo: { name: string } }).serverInfo.name, 'runlens');
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) + '\n');
    assert.deepEqual(((await answered(2)).result as { tools: { name: string }[] }).tools.map((t) => t.name), MCP_TOOLS);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.end();
    assert.equal(await exited, 0);
  });
});

describe('the MCP SDK is loaded by runlens mcp only', () => {
  /** `runlens ARGS` with a hook that says, on exit, how many modules of the SDK and of zod were loaded. */
  function loadedBy(args: string[], input = ''): { status: number | null; stdout: string; loaded: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-mcp-load-'));
    const hook = path.join(dir, 'hook.js');
    fs.writeFileSync(hook, "process.on('exit', () => process.stderr.write('LOADED ' + Object.keys(require.cache).filter((k) => /[\\\\/](@modelcontextprotocol|zod)[\\\\/]/.test(k)).length + '\\n'));\n");
    const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], { cwd: BOOKSHOP, input, encoding: 'utf8', timeout: 120_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stdout: r.stdout, loaded: /LOADED (\d+)\n/.exec(r.stderr)?.[1] ?? r.stderr };
  }

  it('runlens scan loads neither @modelcontextprotocol/sdk nor zod; runlens mcp does', () => {
    const scan = loadedBy(['scan']);
    assert.equal(scan.status, 1);
    assert.match(scan.stdout, /^src\/routes\/books\.js:21:23 error N\+1/);
    assert.equal(scan.loaded, '0');
    // The hook does see them when they are loaded: the server, its stdin closed at once, ends with them.
    const mcp = loadedBy(['mcp']);
    assert.equal(mcp.status, 0);
    assert.ok(Number(mcp.loaded) > 10, `runlens mcp loaded ${mcp.loaded}`);
  });
});

const DOC = path.join(REPO, 'server/docs/mcp.md');
const TRANSCRIPT_BEGIN = '<!-- mcp transcript: begin -->\n';
const TRANSCRIPT_END = '<!-- mcp transcript: end -->';

/**
 * The worked transcript of the flow above, for server/docs/mcp.md: each call the agent made, with
 * the text it was answered and, for the first findings, the edit it applied. Also written to
 * test-artifacts/mcp-transcript.md.
 */
function transcriptMarkdown(mcp: McpTestClient): string {
  const out: string[] = [];
  mcp.transcript.forEach(({ name, args, result }, i) => {
    out.push(`**${i + 1}.** \`${name}\` \`${JSON.stringify(args)}\`:`, '', '````text', textOf(result), '````', '');
    if (i === 0) {
      const edit = (result.structuredContent as { findings: { fix: { edit: unknown } }[] }).findings[0].fix.edit;
      out.push('Its structured content gives the edit:', '', '```json', JSON.stringify(edit, null, 2), '```', '');
    }
    if (name === 'save_baseline') out.push('The agent replaces `oldText` by `newText` in `src/routes/books.js`, and the tests are recorded again.', '');
  });
  const text = out.join('\n').split(mcp.root).join('/path/to/project');
  fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
  fs.writeFileSync(path.join(REPO, 'test-artifacts/mcp-transcript.md'), text);
  return text;
}

/** The configuration blocks of server/docs/mcp.md: [language, text] of each fenced block under "## Configuration". */
function configurationBlocks(doc: string): [string, string][] {
  const section = doc.slice(doc.indexOf('## Configuration'), doc.indexOf('## Tools'));
  return [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => [m[1], m[2]]);
}
