// Hostile and broken traffic never hurts the language server. The real binary (`runlens --stdio`)
// on a copy of the bookshop gets, byte by byte: malformed JSON-RPC, unknown methods, wrong
// parameters for every method it serves and every command it advertises, requests for files that
// are not there, cancellations, and a flood of requests while it re-indexes. After each, it must
// still be up and give the GET /books lenses exactly, every request id sent must have had exactly
// one response (a result or a proper JSON-RPC error), and nothing but protocol may be on stdout.
// Broken framing gets a fresh server per case, since it may leave a server deaf.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { BOOKS_RECORDING, BOOKSHOP, RECORDINGS } from '../support/bookshop';
import { copyWorkspaceWithoutDependencies, frame, Id, Message, RawServer } from '../support/rawServer';

const BOOKS = 'src/routes/books.js';
/** The lenses of src/routes/books.js from the bookshop's two committed recordings. */
const BOOKS_LENSES = [
  '5:0 497 ms · 200 calls · 1,400 SQL (runlens.showDetails)',
  '19:0 GET /books · 531 ms · 1,402 SQL (runlens.showCallTree)',
  '19:0 529 ms · 1 call · 1,402 SQL (runlens.showDetails)',
];
/** What the server answers when a handler fails: the empty result of each method. */
const EMPTY: Record<string, unknown> = {
  'textDocument/codeLens': [],
  'textDocument/hover': null,
  'textDocument/codeAction': [],
  'textDocument/prepareCallHierarchy': null,
  'callHierarchy/incomingCalls': [],
  'callHierarchy/outgoingCalls': [],
  'workspace/symbol': [],
  'workspace/executeCommand': null,
  'codeLens/resolve': null,
};
const METHODS = Object.keys(EMPTY);

/** Totals over every server this file starts, for the closing line. */
const tally = { requests: 0, answered: 0, results: 0, errors: 0, extraResponses: 0, malformed: 0, crashes: 0, servers: 0 };

describe('protocol abuse: the real binary over stdio', function () {
  // Hang guards, generous enough for a busy machine (the whole file takes about 20 s on a quiet one).
  this.timeout(300_000);
  let root: string;
  let server: RawServer;
  /** Recordings indexed at the start; each test leaves the index as it found it. */
  let recordings: number;

  before(async () => {
    root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-abuse-');
    // A link out of the workspace, named like a source file and like a recording.
    fs.symlinkSync('/etc/passwd', path.join(root, 'src/evil.js'));
    fs.symlinkSync('/etc/passwd', path.join(root, RECORDINGS, 'evil.appmap.json'));
    server = await RawServer.start(root);
    tally.servers++;
    assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
    recordings = (await status(server)).recordings;
  });

  afterEach(async () => {
    await checkHealthy(server);
  });

  after(async () => {
    try {
      if (server) {
        const crashed = server.crashed;
        await retire(server);
        assert.ok(!crashed, `the server crashed: ${JSON.stringify(server.exited)}\n${server.stderr.slice(-3000)}`);
        assert.deepEqual(server.exited, { code: 0, signal: null }, 'shutdown and exit end the server with status 0');
      }
    } finally {
      if (root) fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('ignores bodies that are not JSON, and answers the next request', async () => {
    const bodies: (string | Buffer)[] = [
      '{bad json',
      '',
      '{"jsonrpc":"2.0","id":',
      '{"jsonrpc":"2.0","id":1,"method":"runlens/status"}}',
      Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3]),
      'x'.repeat(1 << 20),
      // Nesting deeper than a parser's stack, unbalanced: not JSON (balanced, see below).
      '['.repeat(200_000),
    ];
    for (const body of bodies) server.sendBody(body);
    tally.malformed += bodies.length;
    await expectProperAnswer(server, 'runlens/status');
    assert.equal(server.counts().nullIdErrors, 0, 'not answered: JSON-RPC 2.0 would answer a parse error with -32700 and id null; the server logs it and reads on (an answer no request is waiting for confuses clients more). If that changes, count them here.');
  });

  it('ignores bodies that are JSON but not a message: an array, a number, null, a string, true, {}', async () => {
    const before = server.counts();
    const bodies = ['[]', '[1,2,3]', '42', 'null', '"runlens/status"', 'true', '{}', '{"jsonrpc":"2.0"}', '{"jsonrpc":"2.0","method":5}', '{"jsonrpc":"2.0","id":7777,"method":null}'];
    for (const body of bodies) server.sendBody(body);
    tally.malformed += bodies.length;
    await expectProperAnswer(server, 'runlens/status');
    assert.deepEqual(server.responsesTo(7777), []);
    assert.equal(server.counts().nullIdErrors, before.nullIdErrors);
  });

  it('a batch: not answered, logged (LSP has no batches; JSON-RPC 2.0 wants an array of responses)', async () => {
    const ids = [8001, 8002, 8003];
    server.sendBody(JSON.stringify(ids.map((id) => ({ jsonrpc: '2.0', id, method: 'runlens/status' }))));
    server.sendBody(JSON.stringify([{ jsonrpc: '2.0', method: 'initialized', params: {} }]));
    tally.malformed += 2;
    await expectProperAnswer(server, 'runlens/status');
    // Today's behaviour, asserted so that a change is seen: no response to any id in the batch.
    for (const id of ids) assert.deepEqual(server.responsesTo(id), []);
  });

  it('answers once per id, of any number or string, with the id as sent; ids of other types are not requests', async () => {
    const ids: Id[] = [0, -1, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER, '', '7', 'x'.repeat(10_000), 'ünïcödé ✓ \u0000 "quoted"', '__proto__'];
    const answers = await Promise.all(ids.map((id) => server.request('runlens/status', undefined, { id })));
    answers.forEach((a, i) => {
      assert.ok(Object.is(a.id, ids[i]) || a.id === ids[i], `response id ${JSON.stringify(a.id)} for ${JSON.stringify(ids[i])}`);
      assert.equal((a.result as { recordings: number }).recordings, recordings);
    });
    // A number and the same digits as a string are different requests.
    const seven = await server.request('runlens/status', undefined, { id: 7_000_007 });
    const sevenText = await server.request('runlens/status', undefined, { id: '7000007' });
    assert.equal(typeof seven.id, 'number');
    assert.equal(typeof sevenText.id, 'string');
    // null, booleans, objects and arrays are not ids (JSON-RPC 2.0): no answer bears them.
    // Not answered, logged (JSON-RPC 2.0 would answer -32600 Invalid Request with id null).
    const badIds: unknown[] = [null, true, { id: 1 }, [1]];
    for (const id of badIds) server.sendBody(JSON.stringify({ jsonrpc: '2.0', id, method: 'runlens/status' }));
    tally.malformed += badIds.length;
    await expectProperAnswer(server, 'runlens/status');
    for (const id of badIds.slice(1)) assert.deepEqual(server.responsesTo(id), [], JSON.stringify(id));
  });

  it('answers requests without a jsonrpc member or with another version (lenient)', async () => {
    for (const jsonrpc of [undefined, '1.0', 2, null]) {
      const answer = await server.request('runlens/status', undefined, { message: { jsonrpc } });
      assert.equal((answer.result as { recordings: number }).recordings, recordings, JSON.stringify(jsonrpc));
    }
  });

  it('answers unknown requests with -32601 MethodNotFound and ignores unknown notifications', async () => {
    const unknown = ['foo/bar', '$/unknown', 'runlens/nope', 'RUNLENS/STATUS', 'textDocument/definition', 'textDocument/semanticTokens/full', 'codeLens/unknown', '', ' ', 'x'.repeat(10_000), '__proto__', 'constructor'];
    for (const method of unknown) {
      const answer = await server.request(method, { textDocument: { uri: server.uri(BOOKS) }, position: { line: 0, character: 0 } });
      assert.equal(answer.error?.code, -32601, `${JSON.stringify(method).slice(0, 40)}: ${JSON.stringify(answer).slice(0, 200)}`);
      assert.equal(typeof answer.error?.message, 'string');
      assert.ok(!('result' in answer));
    }
    const before = server.counts();
    for (const method of unknown) server.notify(method, { x: 1 });
    // Notifications of the server's own, sent to it.
    server.notify('runlens/indexChanged', { recordings: ['../../etc/passwd'] });
    server.notify('textDocument/publishDiagnostics', { uri: server.uri(BOOKS), diagnostics: [] });
    server.notify('window/logMessage', { type: 1, message: 'hello' });
    // A response to a request the server never sent.
    server.sendBody(JSON.stringify({ jsonrpc: '2.0', id: 99_999, result: { ok: true } }));
    server.sendBody(JSON.stringify({ jsonrpc: '2.0', id: 'stray', error: { code: 1, message: 'stray' } }));
    await expectProperAnswer(server, 'runlens/status');
    const after = server.counts();
    assert.equal(after.answered - before.answered, 1, 'only the status request is answered');
    assert.equal(after.extraResponses, 0);
  });

  it('answers every supported method (runlens/status too) with a result or a proper error, whatever the parameters', async () => {
    const books = server.uri(BOOKS);
    const sent: Promise<void>[] = [];
    for (const method of [...METHODS, 'runlens/status']) {
      for (const params of hostileParams(books)) sent.push(expectProperAnswer(server, method, params).then(() => undefined));
    }
    // Members named like Object.prototype's, as JSON.parse makes them: own properties.
    for (const method of [...METHODS, 'runlens/status']) {
      const params = JSON.parse(`{"__proto__": {"textDocument": {"uri": ${JSON.stringify(books)}}}, "textDocument": {"__proto__": {"uri": 5}, "uri": ${JSON.stringify(books)}}, "position": {"line": 19, "character": 0}}`);
      sent.push(expectProperAnswer(server, method, params).then(() => undefined));
    }
    await Promise.all(sent);
  });

  it('answers every advertised command with a result or a proper error, whatever the arguments, and opens nothing outside the workspace', async () => {
    const commands = (server.initializeResult?.capabilities.executeCommandProvider as { commands: string[] }).commands;
    assert.ok(commands.length >= 6, JSON.stringify(commands));
    // saveBaseline takes no arguments and writes a file: it has its own test below.
    for (const command of [...commands.filter((c) => c !== 'runlens.saveBaseline'), 'runlens.nope', '', 5, null, { command: 'runlens.showDetails' }]) {
      for (const args of hostileArguments(server)) {
        const params = args === NO_ARGUMENTS ? { command } : { command, arguments: args };
        const answer = await expectProperAnswer(server, 'workspace/executeCommand', params);
        // No path that leaves the workspace is ever read: no result shows /etc/passwd.
        if (typeof answer.result === 'string') assert.ok(!/root:.*:0:0:/.test(answer.result), answer.result.slice(0, 300));
      }
    }
    // Hostile recording paths are refused.
    for (const recording of ['../../../../etc/passwd', '/etc/passwd', `${RECORDINGS}/evil.appmap.json`, `${RECORDINGS}/../../../../../../etc/passwd.appmap.json`, RECORDINGS, `${RECORDINGS}/nope.appmap.json`, 'C:\\x.appmap.json', '\u0000.appmap.json']) {
      const answer = await server.request('workspace/executeCommand', { command: 'runlens.showCallTree', arguments: [{ recording }] });
      assert.deepEqual(answer, { jsonrpc: '2.0', id: answer.id, result: null }, recording);
    }
    // And a proper call still works.
    const tree = await server.request('workspace/executeCommand', { command: 'runlens.showCallTree', arguments: [{ recording: BOOKS_RECORDING, route: 'GET /books' }] });
    assert.match(String(tree.result), /^Calls of GET \/books recorded in tmp\/appmap\/mocha\/bookshop\/lists_the_books/);
  });

  it('runlens.saveBaseline ignores the arguments in its array, and answers others properly', async () => {
    const baseline = path.join(root, '.runlens');
    try {
      for (const args of [[], [5], [null], [{ recording: '../../etc/passwd' }]]) {
        const answer = await expectProperAnswer(server, 'workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: args });
        assert.ok(String(answer.result).startsWith(`Saved the baseline of ${recordings} recordings to .runlens/baseline.json`), `${JSON.stringify(args)}: ${answer.result}`);
      }
      // `arguments` that is not an array (LSP: LSPAny[]): saved or refused, but answered.
      for (const args of [{ x: 1 }, 'text', 5, null]) await expectProperAnswer(server, 'workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: args });
    } finally {
      // The baseline is polled (once a second): wait until the server compares with nothing again.
      // It goes whenever the poll sees it (see the deleted-baseline case below).
      fs.rmSync(baseline, { recursive: true, force: true });
      await until(async () => (await status(server)).baseline === null, 'the baseline is dropped');
    }
  });

  it('answers requests for files that are not open, not there, or not files of the workspace with empty results', async () => {
    const outside = [
      'file:///nope.py',
      'file:///',
      'file:///etc/passwd',
      server.uri('nope.js'),
      server.uri('src'),
      server.uri(''),
      server.uri('src/evil.js'),
      server.uri(`${RECORDINGS}/evil.appmap.json`),
      server.uri('node_modules/sequelize/index.js'),
      `${server.uri('')}/../etc/passwd`,
      `${server.uri('src')}/../../../../etc/passwd`,
      `${server.uri('src')}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
      `${server.uri('src')}/a%00b.js`,
      `${server.uri('src')}/${'a'.repeat(5000)}.js`,
      'untitled:Untitled-1',
      'http://example.com/src/routes/books.js',
      'vscode-notebook-cell:/x.ipynb#0',
      'src/routes/books.js',
      './src/routes/books.js',
      '../src/routes/books.js',
      '/src/routes/books.js',
      '',
      'file://',
      '%%%',
      ':',
      'file:///C:/Windows/win.ini',
    ];
    for (const uri of outside) {
      for (const method of ['textDocument/codeLens', 'textDocument/hover', 'textDocument/codeAction', 'textDocument/prepareCallHierarchy']) {
        const answer = await server.request(method, { textDocument: { uri }, position: { line: 19, character: 0 }, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } }, context: { diagnostics: [] } });
        assert.deepEqual(answer, { jsonrpc: '2.0', id: answer.id, result: EMPTY[method] }, `${method} ${uri.slice(0, 120)}`);
      }
    }
    // A `..` that stays inside the workspace names the file it resolves to.
    for (const uri of [`${server.uri('src')}/../${BOOKS}`, `${server.uri('tmp')}/../src/./routes/books.js`]) assert.deepEqual(await lenses(server, uri), BOOKS_LENSES, uri);
  });

  it('survives text-document notifications with wrong or hostile content, and forgets them once closed', async () => {
    const books = server.uri(BOOKS);
    const nope = 'file:///nope.py';
    const notifications: [string, unknown][] = [
      ['textDocument/didOpen', null],
      ['textDocument/didOpen', 5],
      ['textDocument/didOpen', { textDocument: 5 }],
      ['textDocument/didOpen', { textDocument: { uri: 5, languageId: 5, version: 'x', text: 5 } }],
      ['textDocument/didOpen', { textDocument: { uri: nope, languageId: 'python', version: 1, text: 'def f():\n  pass\n' } }],
      ['textDocument/didOpen', { textDocument: { uri: 'untitled:1', languageId: 'javascript', version: 1, text: 'x' } }],
      ['textDocument/didChange', { textDocument: { uri: server.uri('src/app.js'), version: 2 }, contentChanges: [{ text: 'x' }] }],
      ['textDocument/didChange', { textDocument: { uri: nope, version: 2 }, contentChanges: 5 }],
      ['textDocument/didChange', { textDocument: { uri: nope, version: 3 }, contentChanges: [{ range: { start: { line: -5, character: -5 }, end: { line: 1e9, character: 1e9 } }, text: 'y' }] }],
      ['textDocument/didChange', { textDocument: { uri: nope, version: 4 }, contentChanges: [null, 5, { range: null, text: 5 }] }],
      ['textDocument/didClose', { textDocument: { uri: server.uri('src/app.js') } }],
      ['textDocument/didClose', null],
      ['textDocument/didClose', { textDocument: { uri: nope } }],
      ['textDocument/didClose', { textDocument: { uri: nope } }],
      ['textDocument/didSave', { textDocument: { uri: books } }],
      ['workspace/didChangeWatchedFiles', { changes: [{ uri: books, type: 99 }, null] }],
      ['workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: 'file:///', name: 'root' }], removed: 5 } }],
    ];
    for (const [method, params] of notifications) server.notify(method, params);
    await expectProperAnswer(server, 'runlens/status');

    // The edited file's text, as hostile as text gets, then closed: the disk counts again.
    const hostileTexts = ['', '('.repeat(200_000), '\u0000'.repeat(10_000), 'async function listBooks(req, res) {\n'.repeat(2_000), '\ud800'.repeat(1000) + '\n'.repeat(100_000)];
    let version = 1;
    server.notify('textDocument/didOpen', { textDocument: { uri: books, languageId: 'javascript', version: version++, text: hostileTexts[0] } });
    for (const text of hostileTexts) {
      server.notify('textDocument/didChange', { textDocument: { uri: books, version: version++ }, contentChanges: [{ text }] });
      for (const method of METHODS.slice(0, 4)) await expectProperAnswer(server, method, { textDocument: { uri: books }, position: { line: 19, character: 0 }, range: { start: { line: 0, character: 0 }, end: { line: 1e6, character: 0 } }, context: { diagnostics: [] } });
    }
    server.notify('textDocument/didChange', { textDocument: { uri: books, version: version++ }, contentChanges: [{ range: { start: { line: 1e6, character: 0 }, end: { line: -1, character: -1 } }, text: 'z' }] });
    await expectProperAnswer(server, 'textDocument/codeLens', { textDocument: { uri: books } });
    // Opened twice and closed once: the client said it is closed.
    server.notify('textDocument/didOpen', { textDocument: { uri: books, languageId: 'javascript', version: 1, text: '' } });
    server.notify('textDocument/didClose', { textDocument: { uri: books } });
  });

  it('survives hostile settings, and re-reads everything when a setting really changes', async () => {
    for (const settings of [null, 5, 'x', [], { runlens: 5 }, { runlens: null }, { runlens: { recordingFolders: ['/', '../..', '../../../../etc'] } }, { runlens: { recordingFolders: 5, sourceRoots: [5, null], nPlusOne: { warningCount: -1, errorCount: 'x' }, rules: { 'n-plus-one': 'fatal', __proto__: 'off' }, pathMappings: 5, lenses: 'yes' } }]) {
      server.notify('workspace/didChangeConfiguration', { settings });
      await expectProperAnswer(server, 'textDocument/codeLens', { textDocument: { uri: server.uri(BOOKS) } });
    }
    server.notify('workspace/didChangeConfiguration', { settings: { runlens: {} } });
    await until(async () => (await status(server)).recordings === recordings && JSON.stringify(await lenses(server, server.uri(BOOKS))) === JSON.stringify(BOOKS_LENSES), 'the defaults are back');
  });

  it('$/cancelRequest: an in-flight request is still answered exactly once; unknown ids are ignored', async () => {
    const books = server.uri(BOOKS);
    const requests: { method: string; id: Id; response: Promise<Message> }[] = [];
    const bytes: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const method = ['textDocument/codeLens', 'textDocument/hover', 'workspace/symbol', 'runlens/status'][i % 4];
      const r = server.prepareRequest(method, { textDocument: { uri: books }, position: { line: 19, character: 0 }, query: '' });
      requests.push({ method, id: r.id, response: r.response });
      bytes.push(r.bytes, frame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: r.id } })));
      // Twice, for good measure, for some.
      if (i % 7 === 0) bytes.push(frame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: r.id } })));
    }
    server.write(Buffer.concat(bytes));
    const answers = await Promise.all(requests.map((r) => r.response));
    let cancelled = 0;
    answers.forEach((answer, i) => {
      if (answer.error) {
        assert.equal(answer.error.code, -32800, JSON.stringify(answer));
        cancelled++;
      } else assertResultShape(requests[i].method, answer.result);
    });
    // Cancelling what is unknown, answered, or not an id at all.
    const answered = requests[0].id;
    for (const params of [{ id: 424_242 }, { id: 'nope' }, { id: null }, { id: {} }, { id: -1 }, { id: answered }, {}, null, 5]) server.notify('$/cancelRequest', params);
    server.notify('$/cancelRequest');
    await expectProperAnswer(server, 'runlens/status');
    assert.equal(server.responsesTo(answered).length, 1);
    console.log(`  (${cancelled} of ${requests.length} cancelled requests answered with RequestCancelled, the rest with their result)`);
  });

  it('answers each of 2,000 or more concurrent lens and hover requests exactly once while it re-indexes', async () => {
    const dir = path.join(root, RECORDINGS);
    const booksRecording = fs.readFileSync(path.join(root, BOOKS_RECORDING));
    const copies = Array.from({ length: 12 }, (_, i) => path.join(dir, `flood-${i}.appmap.json`));
    const uris = [server.uri(BOOKS), server.uri('src/routes/authors.js'), server.uri('src/app.js')];
    const changesBefore = countOf(server, 'runlens/indexChanged');
    // Re-indexing under way: copies of GET /books land, are rewritten and broken, then a changed
    // setting re-reads everything, twice. No file is written while a setting is applied: a file
    // written while the watcher restarts is never watched (see watcherStorm.test.ts), and this
    // test is about requests. At least 20 rounds of 100 requests, and more until the index has
    // changed (on a busy machine the copies may not be read yet after 20): requests are answered
    // while it changes.
    const requests: { method: string; response: Promise<Message> }[] = [];
    const unchanged = () => countOf(server, 'runlens/indexChanged') === changesBefore;
    for (let chunk = 0; chunk < 20 || (unchanged() && chunk < 300); chunk++) {
      if (chunk === 0) for (const file of copies.slice(0, 6)) fs.writeFileSync(file, booksRecording);
      if (chunk === 4) for (const file of copies.slice(6)) fs.writeFileSync(file, booksRecording);
      if (chunk === 8) for (const file of copies.slice(0, 4)) fs.writeFileSync(file, booksRecording.subarray(0, booksRecording.length >> 1));
      if (chunk === 11) server.notify('workspace/didChangeConfiguration', { settings: { runlens: { nPlusOne: { warningCount: 7 } } } });
      if (chunk === 16) server.notify('workspace/didChangeConfiguration', { settings: { runlens: { nPlusOne: { warningCount: 8 } } } });
      const bytes: Buffer[] = [];
      for (let i = 0; i < 100; i++) {
        const n = chunk * 100 + i;
        const method = n % 2 ? 'textDocument/hover' : 'textDocument/codeLens';
        const r = server.prepareRequest(method, { textDocument: { uri: uris[n % 3] }, position: { line: (n * 7) % 30, character: 2 } }, { timeoutMs: 180_000 });
        requests.push({ method, response: r.response });
        bytes.push(r.bytes);
      }
      server.write(Buffer.concat(bytes));
      await sleep(60);
    }
    const answers = await Promise.all(requests.map((r) => r.response));
    answers.forEach((answer, i) => {
      assert.ok(!answer.error, JSON.stringify(answer).slice(0, 300));
      assertResultShape(requests[i].method, answer.result);
    });
    const changesDuring = countOf(server, 'runlens/indexChanged') - changesBefore;
    assert.ok(changesDuring > 0, `the index did not change while ${requests.length} requests were answered`);
    // Back to the start, one change at a time: the copies gone, then the defaults back.
    await until(async () => (await status(server)).recordings === recordings + copies.length, 'every copy is indexed');
    for (const file of copies) fs.rmSync(file);
    await until(async () => (await status(server)).recordings === recordings, 'the copies are gone from the index');
    server.notify('workspace/didChangeConfiguration', { settings: { runlens: {} } });
    await until(async () => JSON.stringify(await lenses(server, server.uri(BOOKS))) === JSON.stringify(BOOKS_LENSES), 'the defaults are back');
    console.log(`  (${requests.length.toLocaleString('en-US')} requests answered while the index changed ${changesDuring} times)`);
  });
});

describe('protocol abuse: what may take a server down (broken framing, deep nesting), each case on a fresh server', function () {
  let root: string;

  before(() => {
    root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-framing-');
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** The body of the badly framed message: a status request with an id of its own. */
  const BAD_ID = 1_000_001;
  const body = JSON.stringify({ jsonrpc: '2.0', id: BAD_ID, method: 'runlens/status' });
  // Each case: the bytes of one badly framed message; whether it is still a request to answer
  // (only a header too many); and whether the stream is still aligned after it (the next header
  // starts right after it). When it is not, one following message may be lost while the server
  // finds the next header; later ones must be answered.
  const cases: { name: string; bytes: string; answered?: boolean; aligned: boolean }[] = [
    { name: 'Content-Length: 0', bytes: 'Content-Length: 0\r\n\r\n', aligned: true },
    { name: 'Content-Length too long, padded with garbage', bytes: `Content-Length: ${body.length + 5}\r\n\r\n${body}xxxxx`, aligned: true },
    { name: 'an extra header (Content-Type)', bytes: `Content-Length: ${body.length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`, answered: true, aligned: true },
    { name: 'Content-Length too short', bytes: `Content-Length: ${body.length - 5}\r\n\r\n${body}`, aligned: false },
    { name: 'Content-Length too long, running into the next message', bytes: `Content-Length: ${body.length + 5}\r\n\r\n${body}`, aligned: false },
    { name: 'no header at all', bytes: body, aligned: false },
    { name: 'a header without Content-Length', bytes: `X-Length: ${body.length}\r\n\r\n${body}`, aligned: false },
    { name: 'Content-Length not a number', bytes: `Content-Length: many\r\n\r\n${body}`, aligned: false },
    { name: 'Content-Length negative', bytes: `Content-Length: -5\r\n\r\n${body}`, aligned: false },
    { name: 'a header line without a colon', bytes: `Content-Length ${body.length}\r\n\r\n${body}`, aligned: false },
    // JSON nested deeper than a recursive walk's stack, well framed: valid JSON, but not a message.
    // Found by this test: vscode-jsonrpc's connection logged a message that is not a request,
    // notification or response with JSON.stringify, which overflowed the stack, uncaught, and the
    // server exited (5,000 levels, 10 KB, were enough). lsp/stdioReader.ts now drops them first.
    { name: 'an array nested 5,000 deep', bytes: frame('['.repeat(5_000) + ']'.repeat(5_000)).toString(), aligned: true },
    { name: 'an object nested 100,000 deep', bytes: frame('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)).toString(), aligned: true },
    { name: 'a request whose id is an array nested 5,000 deep', bytes: frame(`{"jsonrpc":"2.0","id":${'['.repeat(5_000) + ']'.repeat(5_000)},"method":"runlens/status"}`).toString(), aligned: true },
    // Nested as deep, but a message: handled without walking it recursively.
    { name: 'a request whose params are nested 200,000 deep', bytes: frame(`{"jsonrpc":"2.0","id":${BAD_ID},"method":"textDocument/codeLens","params":{"textDocument":${'['.repeat(200_000) + ']'.repeat(200_000)}}}`).toString(), answered: true, aligned: true },
    { name: 'settings nested 100,000 deep', bytes: frame(`{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"runlens":${'{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)}}}}`).toString(), aligned: true },
  ];

  for (const c of cases) {
    it(`${c.name}: the server stays up and answers what follows`, async () => {
      const server = await RawServer.start(root);
      tally.servers++;
      let deaf = true;
      try {
        // One write for the bad message, then well-framed status requests, one at a time.
        const own = c.answered ? server.expectAnswer(BAD_ID, 'runlens/status') : undefined;
        server.write(c.bytes);
        if (!c.answered) tally.malformed++;
        const probes: Promise<Message | undefined>[] = [];
        for (let i = 0; i < 4; i++) {
          probes.push(server.request('runlens/status', undefined, { id: 100 + i }).catch(() => undefined));
          await sleep(150);
        }
        // The server answers status requests in the order they come: once the last probe is
        // answered, every probe that ever will be has been. (A deaf server answers none: the wait
        // for the last one ends at its timeout, as long as a busy machine may need.)
        await probes[probes.length - 1];
        const answered = probes.map((_, i) => server.responsesTo(100 + i).some((m) => typeof (m.result as { recordings?: number } | undefined)?.recordings === 'number'));
        const lost = answered.filter((a) => !a).length;
        deaf = !answered[answered.length - 1];
        assertUp(server);
        // Found by this test: after a framing error vscode-jsonrpc's reader never found the next
        // header, so the server stayed up but never answered again (fixed: lsp/stdioReader.ts).
        assert.ok(answered[answered.length - 1] && lost <= (c.aligned ? 0 : 1), `probes answered: ${JSON.stringify(answered)}`);
        assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
        if (own) assert.ok(!(await own).error, JSON.stringify(await own).slice(0, 300));
        assert.deepEqual(server.strayResponses(), []);
      } finally {
        await retire(server, { deaf });
      }
    });
  }
});

describe('protocol abuse: effects that outlive a request, on a fresh server', function () {

  it('a baseline saved and deleted within a second is dropped', async () => {
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-abuse-baseline-');
    const server = await RawServer.start(root);
    tally.servers++;
    try {
      const saved = await server.request('workspace/executeCommand', { command: 'runlens.saveBaseline', arguments: [] });
      assert.match(String(saved.result), /^Saved the baseline of 2 recordings/);
      fs.rmSync(path.join(root, '.runlens'), { recursive: true, force: true });
      // Found by this test: the poll compared each stat with the previous poll's, not with what
      // was loaded; a file that came and went between two polls was never seen to change.
      await until(async () => (await status(server)).baseline === null, 'the deleted baseline is dropped');
      assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
    } finally {
      await retire(server);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('protocol abuse: the lifecycle out of order', function () {
  let root: string;

  before(() => {
    root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-lifecycle-');
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers requests sent before initialize, then initializes normally', async () => {
    const server = RawServer.spawn(root);
    tally.servers++;
    try {
      for (const method of [...METHODS, 'runlens/status']) await expectProperAnswer(server, method, { textDocument: { uri: server.uri(BOOKS) }, position: { line: 19, character: 0 } });
      await server.initialize();
      assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
    } finally {
      await retire(server);
    }
  });

  it("indexes even when the client never answers the server's own requests (configuration, progress)", async () => {
    // Found by the lsp-mode end-to-end test: lsp-mode lost window/workDoneProgress/create (it came
    // in the same read as the answer to a request of lsp-mode's own), and the server, waiting for
    // the answer, never indexed. It waits a bounded time, then indexes without them.
    const server = RawServer.spawn(root, { ignoredRequests: ['workspace/configuration', 'window/workDoneProgress/create'] });
    tally.servers++;
    try {
      const indexed = server.waitForNotification('runlens/indexChanged');
      await server.initialize({ capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } }, waitForIndex: false });
      await indexed;
      assert.deepEqual(server.requestsReceived, ['workspace/configuration', 'window/workDoneProgress/create']);
      assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
      assert.deepEqual((await status(server)).findings, 1);
    } finally {
      await retire(server);
    }
  });

  for (const again of [true, false]) {
    it(`an initialized sent before initialize is logged, and the server indexes once initialized${again ? ' (initialized sent again)' : ' (initialized never sent again)'}`, async () => {
      const server = RawServer.spawn(root);
      tally.servers++;
      try {
        const logged = server.waitForNotification<{ message: string }>('window/logMessage', (p) => /initialized.*before.*initialize/.test(p.message));
        server.notify('initialized', {});
        // Found by the attack of issue 15: the early notification marked the server as
        // initialized, failed (no session yet), and the real one was then ignored as a second:
        // the server never indexed. It is logged, and the indexing starts once initialize is done.
        if (again) await server.initialize();
        else {
          const response = await server.request('initialize', { processId: process.pid, rootUri: URI.file(root).toString(), capabilities: {}, workspaceFolders: null });
          assert.ok(response.result, JSON.stringify(response));
          await server.indexed();
        }
        assert.match((await logged).message, /runlens: `initialized` came before `initialize`/);
        assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
        assert.equal((await status(server)).recordings, 2);
      } finally {
        await retire(server);
      }
    });
  }

  it('recording folders all outside the workspace: a logged problem, nothing indexed, and correcting the setting recovers', async () => {
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-outside-')));
    fs.cpSync(path.join(root, RECORDINGS), outside, { recursive: true });
    const server = RawServer.spawn(root, { settings: { recordingFolders: [outside, '../elsewhere'] } });
    tally.servers++;
    try {
      const logged = server.waitForNotification<{ message: string }>('window/logMessage', (p) => /outside the workspace/.test(p.message));
      // Found by the attack of issue 15: with no folder to watch, the watcher was never ready, the
      // first indexing never ended, and a corrected setting waited for it for good.
      await server.initialize({ timeoutMs: 60_000 });
      assert.match((await logged).message, /recording folder .*runlens-outside-.* is outside the workspace; it is not indexed/);
      assert.deepEqual({ recordings: (await status(server)).recordings, lenses: await lenses(server, server.uri(BOOKS)) }, { recordings: 0, lenses: [] });
      server.notify('workspace/didChangeConfiguration', { settings: { runlens: { recordingFolders: [RECORDINGS] } } });
      await until(async () => (await status(server)).recordings === 2, 'the corrected setting indexes the 2 recordings');
      assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
      // And a recording written there afterwards is seen: the folder is watched now.
      const copy = `${RECORDINGS}/copy.appmap.json`;
      fs.copyFileSync(path.join(root, BOOKS_RECORDING), path.join(root, copy));
      await until(async () => (await status(server)).recordings === 3, 'a recording written into the corrected folder is indexed');
      fs.rmSync(path.join(root, copy));
      await until(async () => (await status(server)).recordings === 2, 'its deletion is seen');
    } finally {
      await retire(server);
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('answers a second initialize, and keeps serving the first workspace', async () => {
    const other = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-other-')));
    const server = await RawServer.start(root);
    tally.servers++;
    try {
      for (const rootUri of ['file:///nonexistent-root', URI.file(other).toString()]) {
        await expectProperAnswer(server, 'initialize', { processId: null, rootUri, capabilities: {}, workspaceFolders: null });
        server.notify('initialized', {});
        await server.indexed();
        // Found by this test: a second initialize replaced the session with one on its root, and a
        // second initialized started another indexer. LSP allows initialize once: it is refused.
        assert.equal((await status(server)).root, root, rootUri);
        assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES, rootUri);
      }
    } finally {
      await retire(server);
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

after(() => {
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(
    `protocol abuse: ${n(tally.requests)} requests, ${n(tally.answered)} answered (${n(tally.results)} results, ${n(tally.errors)} errors), ` +
      `${n(tally.extraResponses)} extra responses, ${n(tally.malformed)} malformed messages, ${tally.servers} servers, ${tally.crashes} crashes`,
  );
});

// Helpers.

const NO_ARGUMENTS = Symbol('no arguments member');

/** Parameters no client should send, for any method: wrong types, missing members, odd values. */
function hostileParams(books: string): unknown[] {
  const doc = { uri: books };
  const position = { line: 19, character: 0 };
  const range = { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } };
  const item = { name: 'books.listBooks', kind: 6, uri: books, range, selectionRange: range, data: { node: 'books.listBooks' } };
  return [
    undefined,
    null,
    0,
    -1,
    1e308,
    'text',
    '',
    true,
    [],
    [1, 2],
    [{ textDocument: doc, position }],
    {},
    { textDocument: null },
    { textDocument: 5 },
    { textDocument: 'file:///x' },
    { textDocument: {} },
    { textDocument: { uri: 5 } },
    { textDocument: { uri: null } },
    { textDocument: { uri: ['x'] } },
    { textDocument: { uri: { scheme: 'file', path: '/etc/passwd' } } },
    { textDocument: doc },
    { textDocument: doc, position: null },
    { textDocument: doc, position: 5 },
    { textDocument: doc, position: { line: -1, character: -1 } },
    { textDocument: doc, position: { line: 2 ** 31, character: 2 ** 31 } },
    { textDocument: doc, position: { line: 1e308, character: -1e308 } },
    { textDocument: doc, position: { line: 1.5, character: 0.5 } },
    { textDocument: doc, position: { line: '19', character: '0' } },
    { textDocument: doc, position: { line: null, character: null } },
    { textDocument: doc, position: { line: [19], character: {} } },
    { textDocument: doc, range: null, context: null },
    { textDocument: doc, range, context: null },
    { textDocument: doc, range, context: { diagnostics: 5 } },
    { textDocument: doc, range, context: { diagnostics: [null, 5, {}, { range: null, code: {} }] } },
    { textDocument: doc, range, context: { diagnostics: [], only: 'quickfix' } },
    { textDocument: doc, range, context: { diagnostics: [], only: [5, null] } },
    { textDocument: doc, range: { start: { line: 30, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } },
    { textDocument: doc, range: { start: { line: -5, character: 0 }, end: { line: 1e9, character: 0 } }, context: { diagnostics: [] } },
    { textDocument: doc, range: { start: 5, end: 'x' }, context: { diagnostics: [] } },
    { item: null },
    { item: 5 },
    { item: {} },
    { item: { ...item, data: null } },
    { item: { ...item, data: 5 } },
    { item: { ...item, data: { node: 5 } } },
    { item: { ...item, data: { node: '__proto__' } } },
    { item: { ...item, data: { node: 'constructor' } } },
    { item: { ...item, data: { node: 'toString' } } },
    { item: { ...item, data: { node: 'route:' } } },
    { item: { ...item, data: { node: 'route:GET /nope' } } },
    { item: { ...item, data: { node: 'x'.repeat(100_000) } } },
    { item: { ...item, data: undefined, uri: 5 } },
    { item: { ...item, data: undefined, selectionRange: null } },
    { item: { ...item, data: undefined, uri: 'file:///etc/passwd' } },
    { query: 5 },
    { query: null },
    { query: {} },
    { query: '__proto__' },
    { query: 'constructor' },
    { query: '(a+)+$' },
    { query: '\u0000' },
    { query: 'x'.repeat(100_000) },
    nested(1_000),
  ];
}

/** The arguments of workspace/executeCommand, as hostile as they come. */
function hostileArguments(server: RawServer): unknown[] {
  const books = server.uri(BOOKS);
  return [
    NO_ARGUMENTS,
    null,
    5,
    'text',
    {},
    [],
    [null],
    [5],
    ['text'],
    [[]],
    [{}],
    [{ fnKey: 5 }],
    [{ fnKey: null }],
    [{ fnKey: '__proto__' }],
    [{ fnKey: 'constructor' }],
    [{ fnKey: 'hasOwnProperty' }],
    [{ fnKey: 'route:' }],
    [{ fnKey: 'route:GET /nope' }],
    [{ fnKey: 'route:__proto__' }],
    [{ fnKey: 'books.listBooks', uri: 5 }],
    [{ fnKey: 'books.listBooks', uri: 'file:///nope.py' }],
    [{ fnKey: 'books.listBooks', uri: `${server.uri('src')}/../../../etc/passwd` }],
    [{ fnKey: 'x'.repeat(100_000) }],
    [{ recording: 5 }],
    [{ recording: null, route: null }],
    [{ recording: '../../../../etc/passwd' }],
    [{ recording: '/etc/passwd' }],
    [{ recording: books }],
    [{ recording: BOOKS_RECORDING, route: 5 }],
    [{ recording: BOOKS_RECORDING, route: 'GET /nope' }],
    [{ recording: BOOKS_RECORDING, route: '__proto__' }],
    [{ recording: `${RECORDINGS}/evil.appmap.json` }],
    [{ path: 5, line: 'x', rule: null }],
    [{ path: BOOKS, line: -1, rule: 'n-plus-one' }],
    [{ path: BOOKS, line: 1e9, rule: 'n-plus-one' }],
    [{ path: BOOKS, line: 21.5, rule: 'n-plus-one' }],
    [{ path: BOOKS, line: 21, rule: '__proto__' }],
    [{ path: '../../../../etc/passwd', line: 1, rule: 'n-plus-one' }],
    [{ path: '/etc/passwd', line: 1, rule: 'n-plus-one' }],
    [{ path: 'constructor', line: 1, rule: 'constructor' }],
    [nested(1_000)],
  ];
}

/** `{ a: { a: … } }`, `depth` deep. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value, textDocument: { uri: 5 } };
  return value;
}

/** Sends a request and checks that its answer is a proper response: an error, or a result of the method's type. */
async function expectProperAnswer(server: RawServer, method: string, params?: unknown): Promise<Message> {
  const answer = await server.request(method, params);
  const what = `${method} ${JSON.stringify(params)?.slice(0, 160)} → ${JSON.stringify(answer).slice(0, 300)}`;
  assert.equal(answer.jsonrpc, '2.0', what);
  if (answer.error) {
    assert.ok(!('result' in answer), what);
    assert.ok(Number.isInteger(answer.error.code), what);
    assert.equal(typeof answer.error.message, 'string', what);
  } else {
    assert.ok('result' in answer, what);
    assertResultShape(method, answer.result, what);
  }
  return answer;
}

/** The type each method's result must have (LSP 3.17, and LSP_EXTENSIONS.md for runlens/*). */
function assertResultShape(method: string, result: unknown, what = `${method} → ${JSON.stringify(result).slice(0, 300)}`): void {
  const isArray = Array.isArray(result);
  switch (method) {
    case 'textDocument/codeLens':
      assert.ok(isArray && (result as { range?: unknown; command?: { title?: unknown } }[]).every((l) => l.range && typeof l.command?.title === 'string'), what);
      break;
    case 'codeLens/resolve':
      assert.ok(result === null || ((result as { range?: unknown }).range !== undefined && typeof (result as { command?: { title?: unknown } }).command?.title === 'string'), what);
      break;
    case 'textDocument/hover':
      assert.ok(result === null || typeof (result as { contents?: { value?: unknown } }).contents?.value === 'string', what);
      break;
    case 'textDocument/codeAction':
    case 'callHierarchy/incomingCalls':
    case 'callHierarchy/outgoingCalls':
    case 'workspace/symbol':
      assert.ok(isArray || result === null, what);
      break;
    case 'textDocument/prepareCallHierarchy':
      assert.ok(result === null || isArray, what);
      break;
    case 'workspace/executeCommand':
      assert.ok(result === null || typeof result === 'string', what);
      break;
    case 'runlens/status':
      assert.ok(result === null || typeof (result as { recordings?: unknown }).recordings === 'number', what);
      break;
    case 'initialize':
      assert.ok(typeof (result as { capabilities?: unknown }).capabilities === 'object', what);
      break;
    default:
      assert.fail(`no result shape known for ${method}`);
  }
}

async function lenses(server: RawServer, uri: string): Promise<string[]> {
  const answer = await server.request('textDocument/codeLens', { textDocument: { uri } });
  assert.ok(Array.isArray(answer.result), JSON.stringify(answer).slice(0, 300));
  return (answer.result as { range: { start: { line: number; character: number } }; command?: { title: string; command: string } }[]).map(
    (l) => `${l.range.start.line}:${l.range.start.character} ${l.command?.title} (${l.command?.command})`,
  );
}

interface Status {
  root: string;
  recordings: number;
  baseline: unknown;
  indexing: boolean;
  findings: number;
}

async function status(server: RawServer): Promise<Status> {
  const answer = await server.request('runlens/status');
  assert.ok(answer.result, JSON.stringify(answer));
  return answer.result as Status;
}

/** Up, exact lenses, every request answered exactly once, nothing but protocol on stdout. */
async function checkHealthy(server: RawServer): Promise<void> {
  assertUp(server);
  assert.deepEqual(await lenses(server, server.uri(BOOKS)), BOOKS_LENSES);
  assert.deepEqual(server.unanswered(), []);
  assert.deepEqual(server.strayResponses(), []);
  assert.deepEqual(server.outputErrors, []);
}

/** Closes a server (shutdown and exit; a deaf one is killed) and adds its counts to the tally. Never throws. */
async function retire(server: RawServer, options: { deaf?: boolean } = {}): Promise<void> {
  const counts = server.counts();
  tally.requests += counts.requests;
  tally.answered += counts.answered;
  tally.results += counts.results;
  tally.errors += counts.errors;
  tally.extraResponses += counts.extraResponses;
  if (server.crashed) tally.crashes++;
  if (options.deaf || !server.alive) await server.kill();
  else await server.close();
}

function assertUp(server: RawServer): void {
  assert.ok(server.alive, `the server exited: ${JSON.stringify(server.exited)}\n${server.stderr.slice(-3000)}`);
}

function countOf(server: RawServer, method: string): number {
  return server.notifications.filter((n) => n.method === method).length;
}

/** Polls `test` until it holds; fails after `timeoutMs`, a hang guard (generous: the machine may be busy). */
async function until(test: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
