// The language server over the protocol, in process (client and server over a stream pair), for
// every feature; the real `runlens --stdio` binary as a child process is test/system/lspStdio.test.ts.
// The workspace is a copy of the bundled Django example, so recordings can be replaced, deleted
// and broken on disk.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeAction, CodeLens, Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { BOOKSHOP, BOOKSHOP_FIXED } from '../support/bookshop';
import { copyWorkspace, startInProcess, TestClient } from '../support/lspClient';
import { checkDiagnostics, diagnosticsBecome, hover, lenses } from '../support/lspChecks';
import { REPO } from '../support/corpus';
import { formatJson } from '../../server/src/cli/formats';
import { resolveConfig } from '../../server/src/core/config';
import { findRecordings, scan } from '../../server/src/cli/scan';

import { FIXED_RECORDING, MEETUPS, N_PLUS_ONE, RECORDING, VIEWS } from '../support/meetups';

describe('language server, in process', function () {
  let client: TestClient;
  let root: string;

  beforeEach(async () => {
    root = copyWorkspace(MEETUPS);
    client = await startInProcess(root, { capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } } });
  });

  afterEach(async () => {
    await client.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('publishes the N+1 on the queryset line, with the rule as code and the repeated queries as related information', () => {
    checkDiagnostics(client, VIEWS, [N_PLUS_ONE]);
    const [d] = client.diagnostics.get(client.uri(VIEWS)) as Diagnostic[];
    assert.equal(d.source, 'runlens');
    assert.deepEqual(
      d.relatedInformation?.map((r) => r.message.replace(/^(\d+ × SELECT .{20}).*? FROM ("\w+").*$/, '$1… FROM $2')),
      ['500 × SELECT "meetups_venue"."id"… FROM "meetups_venue"', '500 × SELECT "meetups_topic"."id"… FROM "meetups_topic"', '500 × SELECT "meetups_sponsor"."i… FROM "meetups_sponsor"'],
    );
    // Only the files with something to say got diagnostics.
    assert.deepEqual([...client.diagnostics.keys()], [client.uri(VIEWS)]);
  });

  it('shows lenses on the recorded function, the route on its handler', async () => {
    assert.deepEqual(await lenses(client, VIEWS), ['27:4 GET /meetings/past/ · 643 ms · 1,501 SQL (runlens.showCallTree)', '27:4 0.4 ms · 1 call (runlens.showDetails)']);
    assert.deepEqual(await lenses(client, 'meetups/models.py'), []);
    // Each lens runs its own command: the route's opens the call tree of its slowest request.
    const [route]: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: client.uri(VIEWS) } });
    const tree: string | null = await client.connection.sendRequest('workspace/executeCommand', route.command);
    assert.deepEqual(tree?.split('\n').slice(0, 2), [`Calls of GET /meetings/past/ recorded in ${RECORDING}`, 'GET /meetings/past/ → 200 · 643 ms · 1,501 SQL']);
  });

  it('hovers with the numbers, the repeated queries, the recordings and the slowest path', async () => {
    const onQueryset = await hover(client, VIEWS, 28, 20);
    // Each repeated query in a code block, exactly the SQL the diagnostic's related information gives.
    const related = ((client.diagnostics.get(client.uri(VIEWS)) as Diagnostic[])[0].relatedInformation ?? []).map((r) => /^(\d+) × (.*)$/s.exec(r.message)!);
    assert.deepEqual(related.map((m) => [m[1], / FROM "(\w+)"/.exec(m[2])?.[1]]), [['500', 'meetups_venue'], ['500', 'meetups_topic'], ['500', 'meetups_sponsor']]);
    assert.equal(
      onQueryset,
      [
        '**N+1: 1,500 queries from this queryset** `n-plus-one` (error)',
        '',
        'In GET /meetings/past/, seen in 1 recording.',
        '',
        '**Repeated queries**',
        ...related.flatMap((m) => ['', `${m[1]} ×`, '```sql', m[2], '```']),
      ].join('\n'),
    );
    const onFunction = await hover(client, VIEWS, 27, 8);
    assert.equal(
      onFunction,
      [
        '**meetups.views.PastMeetingsView#get_queryset** · 0.4 ms · 1 call',
        '',
        'Handles GET /meetings/past/ · 643 ms · 1,501 SQL',
        '',
        '| calls | total | self | mean | max | SQL |',
        '| ---: | ---: | ---: | ---: | ---: | ---: |',
        '| 1 | 0.4 ms | 0.4 ms | 0.4 ms | 0.4 ms | 0 |',
        '',
        `**Recorded in** Past meetings lists past meetings (\`${RECORDING}\`)`,
        '',
        '**Slowest path** (0.4 ms): GET /meetings/past/ → PastMeetingsView#get_queryset',
      ].join('\n'),
    );
    assert.equal(await hover(client, VIEWS, 0), undefined);
  });

  it('keeps diagnostics and lenses on their functions while the file is edited, unsaved', async () => {
    const text = fs.readFileSync(path.join(root, VIEWS), 'utf8');
    const uri = client.uri(VIEWS);
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    // Three lines typed at the top, not saved.
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a\n# b\n# c\n' }] });
    await diagnosticsBecome(client, VIEWS, [N_PLUS_ONE.replace('28:15-28:79', '31:15-31:79')]);
    // Typing below the finding changes nothing: nothing is published again. (Messages are handled
    // in order, so a publish caused by the change would arrive before the status answer.)
    const before = client.publishCount.get(uri);
    const end = text.split('\n').length + 2;
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: '# more\n' }] });
    await client.connection.sendRequest('runlens/status');
    assert.equal(client.publishCount.get(uri), before);
    assert.deepEqual(await lenses(client, VIEWS), ['30:4 GET /meetings/past/ · 643 ms · 1,501 SQL (runlens.showCallTree)', '30:4 0.4 ms · 1 call (runlens.showDetails)']);
    assert.equal(fs.readFileSync(path.join(root, VIEWS), 'utf8'), text);
    // Closed without saving: back to the text on disk.
    client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await diagnosticsBecome(client, VIEWS, [N_PLUS_ONE]);
  });

  it('follows the recordings on disk: replaced by the fixed run, broken, deleted, and back', async () => {
    const recording = path.join(root, RECORDING);
    const slow = fs.readFileSync(recording);
    fs.copyFileSync(FIXED_RECORDING, recording);
    await diagnosticsBecome(client, VIEWS, []);
    // A half-written recording: its problem is shown on the recording itself.
    fs.writeFileSync(recording, slow.subarray(0, 1000));
    await diagnosticsBecome(client, RECORDING, ['0:1000-0:1000 error: byte 1000: not valid JSON: unexpected end of file inside a string that starts at byte 975: the file is truncated; read what came before it']);
    fs.rmSync(recording);
    await diagnosticsBecome(client, RECORDING, []);
    // An agent writes to a .part file and renames it when done: only the rename counts.
    fs.writeFileSync(`${recording}.part`, slow);
    await new Promise((resolve) => setTimeout(resolve, 300));
    checkDiagnostics(client, VIEWS, []);
    fs.renameSync(`${recording}.part`, recording);
    await diagnosticsBecome(client, VIEWS, [N_PLUS_ONE]);
  });

  it('offers the eager-loading fix, ignore-here and show-queries on the N+1, and the fix makes the fixed file', async () => {
    const uri = client.uri(VIEWS);
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 28, character: 0 }, end: { line: 28, character: 0 } },
      context: { diagnostics: client.diagnostics.get(uri) ?? [] },
    });
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred ?? false, a.diagnostics?.length, a.command?.command ?? null]),
      [
        ['Load eagerly: .select_related("where").prefetch_related("topics", "meeting_sponsors")', 'quickfix', true, 1, null],
        ['Ignore n-plus-one here (# runlens: ignore n-plus-one)', 'quickfix', false, 1, null],
        ['Show the 3 repeated queries', 'quickfix', false, 1, 'runlens.showRepeatedQueries'],
      ],
    );
    const text = fs.readFileSync(path.join(root, VIEWS), 'utf8');
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), actions[0].edit?.changes?.[uri] ?? []);
    assert.equal(fixed, fs.readFileSync(path.join(REPO, 'test/workspaces/django-meetups-fixed', VIEWS), 'utf8'));
    const queries: string = await client.connection.sendRequest('workspace/executeCommand', actions[2].command);
    assert.deepEqual(queries.split('\n').map((l) => l.replace(/^(\d+ × SELECT "\w+").*? FROM ("\w+").*$/, '$1… FROM $2')), [
      'N+1: 1,500 queries from this queryset at meetups/views.py:29 (GET /meetings/past/):',
      '500 × SELECT "meetups_venue"… FROM "meetups_venue"',
      '500 × SELECT "meetups_topic"… FROM "meetups_topic"',
      '500 × SELECT "meetups_sponsor"… FROM "meetups_sponsor"',
    ]);
    // Ignore here, typed into the open document: the diagnostic goes.
    const ignored = TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), actions[1].edit?.changes?.[uri] ?? []);
    assert.equal(ignored.split('\n')[28], '        # runlens: ignore n-plus-one');
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: ignored } });
    await diagnosticsBecome(client, VIEWS, []);
  });

  it('follows a source file edited on disk, not in the editor: diagnostics move, and the fix and ignore edits target the new lines', async () => {
    const uri = client.uri(VIEWS);
    const file = path.join(root, VIEWS);
    const fixedText = fs.readFileSync(path.join(REPO, 'test/workspaces/django-meetups-fixed', VIEWS), 'utf8');
    const original = fs.readFileSync(file, 'utf8');
    const header = Array.from({ length: 10 }, (_, i) => `# line ${i + 1}, added by a git pull`).join('\n') + '\n';
    const actionsAt = (line: number): Promise<CodeAction[]> =>
      client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics: [] } });
    const apply = (text: string, action: CodeAction | undefined) => TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), action?.edit?.changes?.[uri] ?? []);
    // Ten lines above the query (a git pull, a formatter), the file closed in the editor. Found by
    // the attack of issue 15: the server kept the old text until a document event, put the N+1 on
    // the old line, and its edits, applied, overwrote unrelated code of the closed file.
    // Asked at once, before any watcher event: the actions are worked out on the text on disk now.
    fs.writeFileSync(file, header + original);
    const moved = await actionsAt(38);
    assert.deepEqual(moved.map((a) => a.title), ['Load eagerly: .select_related("where").prefetch_related("topics", "meeting_sponsors")', 'Ignore n-plus-one here (# runlens: ignore n-plus-one)', 'Show the 3 repeated queries']);
    assert.equal(apply(header + original, moved[0]), header + fixedText);
    assert.equal(apply(header + original, moved[1]).split('\n')[38], '        # runlens: ignore n-plus-one');
    assert.deepEqual(await actionsAt(28), [], 'nothing is offered on the old line');
    await diagnosticsBecome(client, VIEWS, [N_PLUS_ONE.replace(/^28:15-28:79/, '38:15-38:79')]);
    // Back, as git writes a file: a new file renamed over the old one.
    fs.writeFileSync(`${file}.tmp`, original);
    fs.renameSync(`${file}.tmp`, file);
    await diagnosticsBecome(client, VIEWS, [N_PLUS_ONE]);
    assert.equal(apply(original, (await actionsAt(28))[0]), fixedText);
  });

  it('gives edits as versioned document changes to a client that takes them: the open document\'s version, or null for a closed file', async () => {
    const versioned = await startInProcess(root, { capabilities: { workspace: { workspaceEdit: { documentChanges: true } } } });
    try {
      const uri = versioned.uri(VIEWS);
      const actionsAt = (line: number): Promise<CodeAction[]> =>
        versioned.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics: [] } });
      const identifiers = (actions: CodeAction[]) => actions.flatMap((a) => (a.edit?.documentChanges ?? []).map((c) => ('textDocument' in c ? c.textDocument : c)));
      assert.deepEqual(identifiers(await actionsAt(28)), [{ uri, version: null }, { uri, version: null }]);
      versioned.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 7, text: fs.readFileSync(path.join(root, VIEWS), 'utf8') } });
      // Notifications and requests are taken in the order sent: the document is open when the actions are asked for.
      assert.deepEqual(identifiers(await actionsAt(28)), [{ uri, version: 7 }, { uri, version: 7 }]);
    } finally {
      await versioned.close();
    }
  });

  it('answers bad requests with an empty result and stays up', async () => {
    const outside: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: 'file:///etc/passwd' } });
    assert.deepEqual(outside, []);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'not a uri' } }), null);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: client.uri('no/such/file.py') }, position: { line: 3, character: 0 } }), null);
    await assert.rejects(client.connection.sendRequest('no/such/method', {}), /Unhandled method no\/such\/method/);
    const status: { recordings: number; findings: number; timings: Record<string, { errors: number }> } = await client.connection.sendRequest('runlens/status');
    assert.equal(status.recordings, 1);
    assert.equal(status.findings, 1);
    assert.equal(status.timings['textDocument/hover'].errors, 0);
  });
});

describe('language server, configuration', function () {

  it('takes severities and rules from initializationOptions, and changes with didChangeConfiguration', async () => {
    const root = copyWorkspace(MEETUPS);
    const client = await startInProcess(root, { initializationOptions: { rules: { 'n-plus-one': 'warning' }, lenses: false } }, { watch: false });
    try {
      checkDiagnostics(client, VIEWS, [N_PLUS_ONE.replace('error', 'warning')]);
      assert.deepEqual(await lenses(client, VIEWS), []);
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { runlens: { rules: { 'n-plus-one': 'off' }, slowCallMs: 'soon' } } });
      await diagnosticsBecome(client, VIEWS, []);
      assert.ok(client.logs.includes('runlens: configuration: slowCallMs: expected milliseconds, a number of at least 0; the default is used'), client.logs.join('\n'));
    } finally {
      await client.close();
    }
  });

  it('merges later settings over initializationOptions, and re-reads recordings only when the config changed', async () => {
    const root = copyWorkspace(MEETUPS);
    const client = await startInProcess(root, { initializationOptions: { rules: { 'n-plus-one': 'warning' } } }, { watch: false });
    try {
      const reindexed = () => client.notificationCount.get('runlens/indexChanged') ?? 0;
      const before = reindexed();
      // lsp-mode answers a section nobody registered with {}; eglot sends the settings it started with.
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { runlens: {} } });
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { runlens: { rules: { 'n-plus-one': 'warning' } } } });
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { runlens: { slowCallMs: 500 } } });
      await client.waitFor('runlens/indexChanged');
      assert.equal(reindexed(), before + 1);
      checkDiagnostics(client, VIEWS, [N_PLUS_ONE.replace('error', 'warning')]);
    } finally {
      await client.close();
    }
  });

  it('says which version of an open document its diagnostics were computed on', async () => {
    const root = copyWorkspace(MEETUPS);
    const client = await startInProcess(root, {}, { watch: false });
    try {
      const uri = client.uri(VIEWS);
      client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(path.join(root, VIEWS), 'utf8') } });
      const moved = client.waitFor<{ uri: string; version?: number }>('textDocument/publishDiagnostics', (p) => p.uri === uri);
      client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a new first line\n' }] });
      assert.equal((await moved).version, 2);
      checkDiagnostics(client, VIEWS, [N_PLUS_ONE.replace('28:15-28:79', '29:15-29:79')]);
    } finally {
      await client.close();
    }
  });
});

describe('language server, indexing', function () {

  it('reports work-done progress with counts while it indexes', async () => {
    const root = copyWorkspace(MEETUPS);
    fs.copyFileSync(FIXED_RECORDING, path.join(root, 'tmp/appmap/pytest/fixed.generated.appmap.json'));
    const client = await startInProcess(root, { capabilities: { window: { workDoneProgress: true } } }, { watch: false });
    try {
      const isEnd = (p: unknown) => (p as { value: { kind: string } }).value.kind === 'end';
      if (!client.progress.some(isEnd)) await client.waitFor('$/progress', isEnd);
      const values = client.progress.map((p) => (p as { value: { kind: string; title?: string; message?: string; percentage?: number } }).value);
      assert.deepEqual(values, [
        { kind: 'begin', title: 'runlens: indexing recordings', percentage: 0, cancellable: false },
        { kind: 'report', message: '0/2 recordings', percentage: 0 },
        { kind: 'report', message: '1/2 recordings', percentage: 50 },
        { kind: 'report', message: '2/2 recordings', percentage: 100 },
        { kind: 'end' },
      ]);
    } finally {
      await client.close();
    }
  });
});

describe('language server, a workspace folder that is not the recorded project', function () {
  this.timeout(60_000);

  /** The server's log once the first indexing ended (its last line says so; anything said of it comes before). */
  async function logsAfterIndexing(client: TestClient): Promise<string[]> {
    for (let waitedMs = 0; !client.logs.some((l) => l.startsWith('runlens: indexed ')); waitedMs += 20) {
      if (waitedMs > 20_000) throw new Error(`no end of indexing in the log: ${client.logs.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return client.logs.filter((l) => !l.startsWith('runlens: indexed '));
  }

  it('says once, as the CLI does, that few of the recorded source files are there', async () => {
    // The recordings alone, without the project's sources: what a wrong folder looks like.
    const root = fs.realpathSync(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'runlens-wrong-folder-')));
    fs.cpSync(path.join(MEETUPS, 'tmp'), path.join(root, 'tmp'), { recursive: true });
    const client = await startInProcess(root, {}, { watch: false });
    try {
      const message = `runlens: 0 of 2 recorded source files exist under the workspace folder ${root}: is it the project folder?`;
      assert.deepEqual(await logsAfterIndexing(client), [message]);
      assert.equal(client.notificationCount.get('window/showMessage'), 1);
    } finally {
      await client.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
    // The project itself: nothing said.
    const right = copyWorkspace(MEETUPS);
    const quiet = await startInProcess(right, {}, { watch: false });
    try {
      assert.deepEqual(await logsAfterIndexing(quiet), []);
      assert.equal(quiet.notificationCount.get('window/showMessage'), undefined);
    } finally {
      await quiet.close();
      fs.rmSync(right, { recursive: true, force: true });
    }
  });
});

describe('language server, before and after: a baseline, on the bookshop recorded by appmap-node', function () {
  const BOOKS = 'src/routes/books.js';
  const BASELINE = '.runlens/baseline.json';
  /** The example as committed: sources and the recordings made before the fix (not its node_modules). */
  const bookshop = () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'runlens-bookshop-')));
    fs.cpSync(BOOKSHOP, root, { recursive: true, filter: (from) => !from.includes(`${path.sep}node_modules`) });
    return root;
  };
  const command = (client: TestClient, name: string, args: unknown[] = []) => client.connection.sendRequest<string | null>('workspace/executeCommand', { command: name, arguments: args });

  it("relates the N+1 on Book.findAll to its per-row call in the loop, present(book), before the repeated queries, and both follow edits above them", async () => {
    const client = await startInProcess(bookshop(), { capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } } });
    try {
      const [d] = client.diagnostics.get(client.uri(BOOKS)) as Diagnostic[];
      assert.equal(d.message, 'N+1: 600 queries from this query');
      assert.deepEqual(
        d.relatedInformation?.map((r) => `${r.location.uri === client.uri(BOOKS) ? BOOKS : r.location.uri}:${r.location.range.start.line}:${r.location.range.start.character} ${r.message.slice(0, 30)}`),
        [`${BOOKS}:24:43 the per-row call`, `${BOOKS}:20:22 200 × SELECT \`id\`, \`name\`, \`co`, `${BOOKS}:20:22 200 × SELECT \`Tag\`.\`id\`, \`Tag\``, `${BOOKS}:20:22 200 × SELECT \`id\`, \`reader\`, \``],
      );
      // Two lines typed at the top, unsaved: the finding and its per-row call both move down by two
      // (each is found again in the current text), and the hover names the per-row call's new line.
      const uri = client.uri(BOOKS);
      const text = fs.readFileSync(path.join(client.root, BOOKS), 'utf8');
      client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'javascript', version: 1, text } });
      client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// a\n// b\n' }] });
      const places = (ds: Diagnostic[] | undefined) => (ds ?? []).map((x) => [`${x.range.start.line}:${x.range.start.character}`, ...(x.relatedInformation ?? []).map((r) => `${r.location.range.start.line}:${r.location.range.start.character}`)].join(' '));
      const moved = ['22:22 26:43 22:22 22:22 22:22'];
      if (JSON.stringify(places(client.diagnostics.get(uri))) !== JSON.stringify(moved)) {
        await client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && JSON.stringify(places(p.diagnostics)) === JSON.stringify(moved), 60_000).catch(() => undefined);
      }
      assert.deepEqual(places(client.diagnostics.get(uri)), moved);
      assert.equal((await hover(client, BOOKS, 22, 10))?.split('\n')[4], 'The per-row call: `src/routes/books.js:27` `for (const book of books) out.push(await present(book));`');
    } finally {
      await client.close();
      fs.rmSync(client.root, { recursive: true, force: true });
    }
  });

  it('saves a baseline; once the fix is re-recorded, lenses and hovers show the change and the N+1 shows as resolved', async () => {
    const client = await startInProcess(bookshop());
    try {
      assert.deepEqual(await lenses(client, BOOKS), [
        '5:0 497 ms · 200 calls · 1,400 SQL (runlens.showDetails)',
        '19:0 GET /books · 531 ms · 1,402 SQL (runlens.showCallTree)',
        '19:0 529 ms · 1 call · 1,402 SQL (runlens.showDetails)',
      ]);
      assert.equal(
        await command(client, 'runlens.saveBaseline'),
        'Saved the baseline of 2 recordings to .runlens/baseline.json: 2 routes, 2 tests, 3 functions, 10 SQL shapes, 1 finding. Lenses and hovers now show the change since.',
      );
      assert.ok(fs.existsSync(path.join(client.root, BASELINE)));
      assert.deepEqual(await lenses(client, BOOKS), [
        '5:0 2 ms → 2 ms (within noise) · SQL 7 · per call (runlens.showDetails)',
        '19:0 GET /books · 531 ms → 531 ms (0%) · SQL 1,402 (runlens.showCallTree)',
        '19:0 529 ms → 529 ms (0%) · SQL 1,402 (runlens.showDetails)',
      ]);
      // The developer applies the fix and records again: the fixed twin's source and recordings.
      fs.cpSync(path.join(BOOKSHOP_FIXED, 'src'), path.join(client.root, 'src'), { recursive: true });
      const reindexed = client.waitFor('runlens/indexChanged');
      fs.cpSync(path.join(BOOKSHOP_FIXED, 'tmp'), path.join(client.root, 'tmp'), { recursive: true });
      await reindexed;
      await diagnosticsBecome(client, BOOKS, ['20:2-20:36 info n-plus-one: Resolved since the baseline: N+1: 600 queries from this query']);
      assert.deepEqual(await lenses(client, BOOKS), [
        '5:0 2 ms → <0.1 ms (within noise) · SQL 7 → 0 · per call (runlens.showDetails)',
        '19:0 GET /books · 531 ms → 172 ms (−68%) · SQL 1,402 → 7 (runlens.showCallTree)',
        '19:0 529 ms → 170 ms (−68%) · SQL 1,402 → 7 (runlens.showDetails)',
      ]);
      assert.deepEqual((await hover(client, BOOKS, 19, 10))?.split('\n').slice(0, 8), [
        '**books.listBooks** · 529 ms → 170 ms (−68%) · SQL 1,402 → 7',
        '',
        'Handles GET /books · 531 ms → 172 ms (−68%) · SQL 1,402 → 7',
        '',
        '**Since the baseline**',
        '- GET /books: Time: one timed call on each side: cannot tell noise from change.',
        '- books.listBooks: Time: one timed call on each side: cannot tell noise from change.',
        '',
      ]);
    } finally {
      await client.close();
    }
  });

  it('hovers the per-row call of the N+1 and its repeated queries exactly as recorded, backticks and all (MySQL identifiers), in fenced blocks', async () => {
    const client = await startInProcess(bookshop(), {}, { watch: false });
    try {
      const onQuery = await hover(client, BOOKS, 20, 10);
      const authors = 'SELECT `id`, `name`, `country`, `createdAt`, `updatedAt` FROM `Authors` AS `Author` WHERE `Author`.`id` = ?';
      assert.deepEqual(onQuery?.split('\n').slice(0, 13), [
        '**N+1: 600 queries from this query** `n-plus-one` (error)',
        '',
        'In GET /books, seen in 1 recording.',
        '',
        // The other end of the N+1 (the diagnostic's related information): where, and its line now.
        'The per-row call: `src/routes/books.js:25` `for (const book of books) out.push(await present(book));`',
        '',
        '**Repeated queries**',
        '',
        '200 ×',
        '```sql',
        authors,
        '```',
        '',
      ]);
      // The same text as the command line's JSON gives (and the recording holds, literals aside).
      const scanned = JSON.parse(formatJson(await scan(client.root, findRecordings([client.root]), resolveConfig({}))));
      const shapes = scanned.findings[0].related.map((r: { sql: string; count: number }) => ['', `${r.count} ×`, '```sql', r.sql, '```']).flat();
      assert.deepEqual(onQuery?.split('\n').slice(7), shapes);
    } finally {
      await client.close();
    }
  });

  it('shows a broken baseline file as a problem on it and compares with nothing', async () => {
    const root = bookshop();
    fs.mkdirSync(path.join(root, '.runlens'));
    fs.writeFileSync(path.join(root, BASELINE), '{"format": "runlens-baseline", "version": 1, "routes": {');
    const client = await startInProcess(root, {}, { watch: false });
    try {
      checkDiagnostics(client, BASELINE, ['0:56-0:56 error: byte 56: not valid JSON: unexpected end of file with 2 containers still open: the file is truncated']);
      assert.deepEqual((await lenses(client, BOOKS)).slice(1), ['19:0 GET /books · 531 ms · 1,402 SQL (runlens.showCallTree)', '19:0 529 ms · 1 call · 1,402 SQL (runlens.showDetails)']);
      checkDiagnostics(client, BOOKS, ['20:22-22:4 error n-plus-one: N+1: 600 queries from this query']);
    } finally {
      await client.close();
    }
  });

  it('never writes the baseline through a symlink out of the workspace, nor shows findings of paths outside it', async () => {
    const root = bookshop();
    const outside = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'runlens-outside-'));
    fs.symlinkSync(outside, path.join(root, '.runlens'));
    const client = await startInProcess(root, {}, { watch: false });
    try {
      assert.equal(await command(client, 'runlens.saveBaseline'), null);
      assert.deepEqual(fs.readdirSync(outside), []);
      assert.ok(client.logs.some((l) => l.includes('is not a folder of the root (a symlink or a file): not writing outside the root')), client.logs.join('\n'));
    } finally {
      await client.close();
    }
    // A baseline from elsewhere whose findings name paths out of the workspace: none is shown.
    fs.unlinkSync(path.join(root, '.runlens'));
    fs.mkdirSync(path.join(root, '.runlens'));
    const foreign = { format: 'runlens-baseline', version: 1, recordings: 1, routes: {}, tests: {}, functions: {}, sql: {}, findings: ['../../etc/passwd', '/etc/passwd'].map((p, i) => ({ id: `x${i}`, rule: 'n-plus-one', severity: 'error', message: 'N+1', path: p, line: 1, count: 9 })) };
    fs.writeFileSync(path.join(root, BASELINE), JSON.stringify(foreign));
    const again = await startInProcess(root, {}, { watch: false });
    try {
      assert.deepEqual([...again.diagnostics.keys()], [again.uri(BOOKS)]);
    } finally {
      await again.close();
    }
  });
});
