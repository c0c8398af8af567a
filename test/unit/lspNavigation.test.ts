// Navigation over the protocol, in process: the recorded call hierarchy, workspace symbols for
// routes and tests, and the commands (call tree, queries), on a copy of the bundled Django example
// and on a workspace built around one real Ruby recording of the shared corpus.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { CallHierarchyIncomingCall, CallHierarchyItem, CallHierarchyOutgoingCall, InitializeResult, Range, SymbolInformation, SymbolKind } from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { renderCallTree } from '../../server/src/core/ide/callTree';
import { startServer } from '../../server/src/lsp/server';
import { readRecordingFileSync } from '../../server/src/node/readRecordingFile';
import { copyWorkspace, startInProcess, TestClient } from '../support/lspClient';
import { CORPUS, REPO } from '../support/corpus';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';
const VIEWS = 'meetups/views.py';
const GET_QUERYSET = 'meetups.views.PastMeetingsView#get_queryset';
const TEMPLATE = '<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml#render';
const RUBY_RECORDING = path.join(CORPUS, 'appmaps/ruby/minitest-rails6-microposts-interface-nplus1.appmap.json');

/** `l:c-l:c`, 0-based as in the protocol. */
function r(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

function kindName(kind: SymbolKind): string {
  return ({ [SymbolKind.Method]: 'method', [SymbolKind.Function]: 'function', [SymbolKind.Event]: 'event' } as Record<number, string>)[kind] ?? String(kind);
}

function relOf(client: TestClient, uri: string): string {
  return path.relative(client.root, URI.parse(uri).fsPath).split(path.sep).join('/');
}

/** An item as `name | kind | detail | file range (selection) | node`. */
function item(client: TestClient, i: CallHierarchyItem): string {
  return `${i.name} | ${kindName(i.kind)} | ${i.detail} | ${relOf(client, i.uri)} ${r(i.range)} (${r(i.selectionRange)}) | ${(i.data as { node: string }).node}`;
}

async function prepare(client: TestClient, rel: string, line: number, character = 0): Promise<CallHierarchyItem[] | null> {
  return client.connection.sendRequest('textDocument/prepareCallHierarchy', { textDocument: { uri: client.uri(rel) }, position: { line, character } });
}

async function incoming(client: TestClient, of: CallHierarchyItem): Promise<string[]> {
  const calls: CallHierarchyIncomingCall[] = await client.connection.sendRequest('callHierarchy/incomingCalls', { item: of });
  return calls.map((c) => `${item(client, c.from)} @ ${c.fromRanges.map(r).join(',')}`);
}

async function outgoingCalls(client: TestClient, of: CallHierarchyItem): Promise<CallHierarchyOutgoingCall[]> {
  return client.connection.sendRequest('callHierarchy/outgoingCalls', { item: of });
}

async function outgoing(client: TestClient, of: CallHierarchyItem): Promise<string[]> {
  return (await outgoingCalls(client, of)).map((c) => `${item(client, c.to)} @ ${c.fromRanges.map(r).join(',')}`);
}

async function symbols(client: TestClient, query: string): Promise<string[]> {
  const result: SymbolInformation[] = await client.connection.sendRequest('workspace/symbol', { query });
  return result.map((s) => `${s.name} | ${kindName(s.kind)} | ${relOf(client, s.location.uri)} ${r(s.location.range)} | ${s.containerName}`);
}

/** Runs a command that answers; its text must also have been shown with window/showMessage. */
async function command(client: TestClient, name: string, ...args: unknown[]): Promise<string | null> {
  // The message is sent before the answer, so the wait starts before the request.
  const shown = client.waitFor<{ message: string }>('window/showMessage', () => true, 10_000);
  const result: string | null = await client.connection.sendRequest('workspace/executeCommand', { command: name, arguments: args });
  assert.equal((await shown).message, result);
  return result;
}

/** Runs a command expected to answer null (nothing is shown then). */
async function refusedCommand(client: TestClient, name: string, ...args: unknown[]): Promise<string | null> {
  return client.connection.sendRequest('workspace/executeCommand', { command: name, arguments: args });
}

describe('language server navigation: call hierarchy, symbols and commands on the Django example', function () {
  let client: TestClient;
  let root: string;

  before(async () => {
    root = copyWorkspace(MEETUPS);
    client = await startInProcess(root, {}, { watch: false });
  });

  after(async () => {
    await client.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('prepares the call hierarchy on the recorded function whose definition holds the cursor', async () => {
    const expected = `PastMeetingsView#get_queryset | method | 1 call · 0.4 ms | ${VIEWS} 27:4-28:79 (27:8-27:20) | ${GET_QUERYSET}`;
    assert.deepEqual((await prepare(client, VIEWS, 27, 8))?.map((i) => item(client, i)), [expected]);
    // Anywhere in its body, too.
    assert.deepEqual((await prepare(client, VIEWS, 28, 20))?.map((i) => item(client, i)), [expected]);
    // Not on a class, a blank line, or a file without recorded functions.
    assert.equal(await prepare(client, VIEWS, 21, 6), null);
    assert.equal(await prepare(client, VIEWS, 0), null);
    assert.equal(await prepare(client, 'meetups/models.py', 5), null);
  });

  it('answers the recorded callers (the route, placed on its handler) and callees, with calls and time', async () => {
    const [getQueryset] = (await prepare(client, VIEWS, 27, 8)) ?? [];
    const route = `GET /meetings/past/ | event | 1 call · 0.4 ms | ${VIEWS} 27:4-28:79 (27:8-27:20) | route:GET /meetings/past/`;
    assert.deepEqual(await incoming(client, getQueryset), [`${route} @ 27:8-27:20`]);
    // get_queryset returns a lazy queryset: it calls nothing; the template runs the queries.
    assert.deepEqual(await outgoing(client, getQueryset), []);

    const [fromRoute] = (await client.connection.sendRequest<CallHierarchyIncomingCall[]>('callHierarchy/incomingCalls', { item: getQueryset })).map((c) => c.from);
    assert.deepEqual(await outgoing(client, fromRoute), [
      `MeetupsTemplatesMeetupsPast_MeetingsHtml#render | function | 1 call · 638 ms | meetups/templates/meetups/past_meetings.html 0:0-0:0 (0:0-0:0) | ${TEMPLATE} @ 27:8-27:20`,
      `PastMeetingsView#get_queryset | method | 1 call · 0.4 ms | ${VIEWS} 27:4-28:79 (27:8-27:20) | ${GET_QUERYSET} @ 27:8-27:20`,
    ]);
    assert.deepEqual(await incoming(client, fromRoute), []);
  });

  it('follows unsaved edits: items sit on the definition in the editor', async () => {
    const uri = client.uri(VIEWS);
    const text = fs.readFileSync(path.join(root, VIEWS), 'utf8');
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a\n# b\n' }] });
    try {
      // Notifications are handled in order, so the edit is in before the request is answered.
      assert.deepEqual((await prepare(client, VIEWS, 29, 8))?.map((i) => `${r(i.range)} (${r(i.selectionRange)})`), ['29:4-30:79 (29:8-29:20)']);
      assert.deepEqual(await symbols(client, 'GET'), [`GET /meetings/past/ | event | ${VIEWS} 29:8-29:20 | PastMeetingsView#get_queryset`]);
    } finally {
      client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
    assert.deepEqual((await prepare(client, VIEWS, 27, 8))?.map((i) => r(i.range)), ['27:4-28:79']);
  });

  it('finds the node of an item whose data the client dropped by its place', async () => {
    const [getQueryset] = (await prepare(client, VIEWS, 27, 8)) ?? [];
    const { data: _dropped, ...withoutData } = getQueryset;
    assert.deepEqual(await incoming(client, withoutData), await incoming(client, getQueryset));
  });

  it('lists recorded routes and tests as workspace symbols, filtered by the query', async () => {
    const route = `GET /meetings/past/ | event | ${VIEWS} 27:8-27:20 | PastMeetingsView#get_queryset`;
    const test = `Past meetings lists past meetings | method | meetups/tests/test_past_meetings.py 41:0-41:0 | ${RECORDING}`;
    assert.deepEqual(await symbols(client, ''), [route, test]);
    assert.deepEqual(await symbols(client, 'past'), [route, test]);
    assert.deepEqual(await symbols(client, 'MEETINGS/'), [route]);
    assert.deepEqual(await symbols(client, 'lists'), [test]);
    assert.deepEqual(await symbols(client, 'nomatch'), []);
  });

  it('shows the call tree of a request, with repeated queries grouped', async () => {
    const tree = [
      `Calls of GET /meetings/past/ recorded in ${RECORDING}`,
      'GET /meetings/past/ → 200 · 643 ms · 1,501 SQL',
      '  PastMeetingsView#get_queryset · 0.4 ms',
      '  MeetupsTemplatesMeetupsPast_MeetingsHtml#render · 638 ms · 1,501 SQL',
      '    SELECT … FROM "meetups_meeting" WHERE "meetups_meeting"."when" < ? ORDER BY "meetups_meeting"."when" ASC · 0.4 ms',
      '    500 × SELECT … FROM "meetups_venue" WHERE "meetups_venue"."id" = ? LIMIT ? · 12 ms',
      '    500 × SELECT … FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."… · 13 ms',
      '    500 × SELECT … FROM "meetups_sponsor" INNER JOIN "meetups_meeting_meeting_sponsors" ON ("meetups_sponsor"."id" = "meetups_mee… · 13 ms',
    ];
    assert.equal(await command(client, 'runlens.showCallTree', { recording: RECORDING, route: 'GET /meetings/past/' }), tree.join('\n'));
    // The whole recording: here, the same request.
    assert.equal(await command(client, 'runlens.showCallTree', { recording: RECORDING }), [`Calls recorded in ${RECORDING}`, ...tree.slice(1)].join('\n'));
  });

  it('caps the call tree and counts the calls left out', () => {
    const { trace } = readRecordingFileSync(path.join(root, RECORDING), RECORDING);
    // 1,504 calls: the request, get_queryset, the template and 1,501 queries.
    assert.deepEqual(renderCallTree(trace, { maxLines: 3 })?.split('\n').slice(1), ['GET /meetings/past/ → 200 · 643 ms · 1,501 SQL', '  PastMeetingsView#get_queryset · 0.4 ms', '  MeetupsTemplatesMeetupsPast_MeetingsHtml#render · 638 ms · 1,501 SQL', '… 1,501 more calls']);
    // A group of 500 counts 500 calls.
    assert.deepEqual(renderCallTree(trace, { maxLines: 5 })?.split('\n').slice(-2), ['    500 × SELECT … FROM "meetups_venue" WHERE "meetups_venue"."id" = ? LIMIT ? · 12 ms', '… 1,000 more calls']);
    assert.equal(renderCallTree(trace, { route: 'GET /nowhere' }), undefined);
  });

  it('shows the queries a function ran, most frequent first', async () => {
    const text = await command(client, 'runlens.showQueries', { fnKey: TEMPLATE });
    assert.deepEqual(text?.split('\n').map((l) => l.replace(/^(\d+ × SELECT "\w+").*$/, '$1…')), [
      `${TEMPLATE} ran 1,501 SQL queries of 4 shapes:`,
      '500 × SELECT "meetups_sponsor"…',
      '500 × SELECT "meetups_topic"…',
      '500 × SELECT "meetups_venue"…',
      '1 × SELECT "meetups_meeting"…',
    ]);
    assert.equal(text?.split('\n')[3], '500 × SELECT "meetups_venue"."id", "meetups_venue"."name", "meetups_venue"."address" FROM "meetups_venue" WHERE "meetups_venue"."id" = ? LIMIT ?');
    assert.equal(await command(client, 'runlens.showQueries', { fnKey: GET_QUERYSET }), `${GET_QUERYSET} ran no recorded SQL.`);
  });

  it('declares the call hierarchy, workspace symbols and every command it runs', async () => {
    // startInProcess keeps the initialize result to itself, so this one talks to a server directly.
    const clientToServer = new PassThrough();
    const serverToClient = new PassThrough();
    const server = createConnection(ProposedFeatures.all, new StreamMessageReader(clientToServer), new StreamMessageWriter(serverToClient));
    startServer(server, { watch: false });
    server.listen();
    const connection = createProtocolConnection(new StreamMessageReader(serverToClient), new StreamMessageWriter(clientToServer));
    connection.listen();
    try {
      const result: InitializeResult = await connection.sendRequest('initialize', { processId: null, rootUri: URI.file(root).toString(), capabilities: {}, workspaceFolders: null });
      assert.equal(result.capabilities.callHierarchyProvider, true);
      assert.equal(result.capabilities.workspaceSymbolProvider, true);
      assert.deepEqual(result.capabilities.executeCommandProvider?.commands, ['runlens.showDetails', 'runlens.showCallTree', 'runlens.showQueries', 'runlens.showRepeatedQueries', 'runlens.showFixHint', 'runlens.saveBaseline']);
      await connection.sendRequest('shutdown');
    } finally {
      connection.dispose();
      server.dispose();
    }
  });

  it('refuses bad arguments and paths outside the workspace with an empty result, and stays up', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-outside-'));
    try {
      fs.copyFileSync(path.join(root, RECORDING), path.join(outside, 'elsewhere.appmap.json'));
      fs.symlinkSync(path.join(outside, 'elsewhere.appmap.json'), path.join(root, 'tmp/appmap/link.appmap.json'));
      const refused: [unknown[], RegExp][] = [
        [[], /expected \[\{ recording, route\? \}\]/],
        [[{ recording: 42 }], /expected \[\{ recording, route\? \}\]/],
        [[{ recording: RECORDING, route: 7 }], /expected \[\{ recording, route\? \}\]/],
        [[{ recording: '../elsewhere.appmap.json' }], /refused "\.\.\/elsewhere\.appmap\.json": outside the workspace/],
        [[{ recording: path.join(outside, 'elsewhere.appmap.json') }], /refused ".*elsewhere\.appmap\.json": not a workspace-relative path/],
        [[{ recording: path.join(root, RECORDING) }], /refused ".*": not a workspace-relative path/],
        [[{ recording: '/etc/passwd' }], /refused "\/etc\/passwd": not a recording \(\*\.appmap\.json, \*\.otlp\.json, \*\.otlp\.jsonl\)/],
        [[{ recording: VIEWS }], /refused "meetups\/views\.py": not a recording \(\*\.appmap\.json, \*\.otlp\.json, \*\.otlp\.jsonl\)/],
        [[{ recording: 'tmp/appmap/link.appmap.json' }], /refused "tmp\/appmap\/link\.appmap\.json": its real path is not a recording inside the workspace/],
        [[{ recording: 'tmp/appmap/none.appmap.json' }], /refused "tmp\/appmap\/none\.appmap\.json": no such file/],
        [[{ recording: RECORDING, route: 'GET /nowhere' }], /GET \/nowhere was not recorded in/],
      ];
      for (const [args, why] of refused) {
        const logs = client.logs.length;
        assert.equal(await refusedCommand(client, 'runlens.showCallTree', ...args), null, JSON.stringify(args));
        assert.match(client.logs.slice(logs).join('\n'), why);
      }
      assert.equal(await refusedCommand(client, 'runlens.showQueries', { fnKey: 'no.such#function' }), null);
      assert.equal(await refusedCommand(client, 'runlens.showQueries'), null);
      assert.equal(await refusedCommand(client, 'runlens.noSuchCommand', {}), null);
      assert.equal(await refusedCommand(client, 'runlens.showDetails', { uri: 'file:///etc/passwd', fnKey: GET_QUERYSET }), null);
      assert.equal(await prepare(client, '../outside.py', 1), null);
      assert.equal(await client.connection.sendRequest('textDocument/prepareCallHierarchy', { textDocument: { uri: 'not a uri' }, position: { line: 0, character: 0 } }), null);
      assert.deepEqual(await client.connection.sendRequest('callHierarchy/incomingCalls', { item: { name: 'x', kind: 12, uri: 'file:///nowhere.py', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, selectionRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, data: { node: 'no.such#function' } } }), []);
      assert.deepEqual(await client.connection.sendRequest('callHierarchy/outgoingCalls', { item: null }), []);
      assert.deepEqual(await client.connection.sendRequest('workspace/symbol', {}), (await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: '' })));
      const status: { recordings: number; timings: Record<string, { count: number; errors: number }> } = await client.connection.sendRequest('runlens/status');
      assert.equal(status.recordings, 1);
      assert.equal(status.timings['workspace/executeCommand'].errors, refused.length + 3, JSON.stringify(status.timings['workspace/executeCommand']));
      assert.equal(status.timings['callHierarchy/outgoingCalls'].errors, 1);
    } finally {
      fs.rmSync(path.join(root, 'tmp/appmap/link.appmap.json'), { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('language server navigation on a real Rails recording', function () {
  let client: TestClient;
  let root: string;
  const HOME = 'app/controllers/static_pages_controller.rb';
  const MICROPOSTS = 'app/controllers/microposts_controller.rb';
  const RECORDED = 'tmp/appmap/microposts_interface.appmap.json';

  before(async () => {
    root = rubyWorkspace();
    client = await startInProcess(root, {}, { watch: false });
  });

  after(async () => {
    await client.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers the recorded callees and callers of a controller action', async () => {
    const [home] = (await prepare(client, HOME, 3, 6)) ?? [];
    assert.equal(item(client, home), `StaticPagesController#home | method | 2 calls · 6 ms | ${HOME} 3:2-4:5 (3:6-3:10) | StaticPagesController#home`);
    // Framework code in between (callbacks, instrumentation) is collapsed to the project functions under it.
    assert.deepEqual((await outgoingCalls(client, home)).map((c) => `${c.to.name} | ${c.to.detail} | ${relOf(client, c.to.uri)}:${c.to.selectionRange.start.line + 1}`), [
      'SessionsHelper#logged_in? | 2 calls · 2 ms | app/helpers/sessions_helper.rb:35',
      'User#feed | 2 calls · 0.4 ms | app/models/user.rb:102',
      'SessionsHelper#current_user | 4 calls · 0.3 ms | app/helpers/sessions_helper.rb:16',
    ]);
    assert.deepEqual(await incoming(client, home), [`GET / | event | 2 calls · 6 ms | ${HOME} 3:2-4:5 (3:6-3:10) | route:GET / @ 3:6-3:10`]);

    const [create] = (await prepare(client, MICROPOSTS, 5, 6)) ?? [];
    // A failed create renders the home page again: the template is a recorded callee too.
    assert.deepEqual((await outgoingCalls(client, create)).map((c) => `${c.to.name} | ${kindName(c.to.kind)} | ${c.to.detail}`), [
      'app_views_static_pages_home_html_erb.render | function | 1 call · 120 ms',
      'MicropostsController#micropost_params | method | 2 calls · 0.2 ms',
      'User#feed | method | 1 call · 0.2 ms',
      'SessionsHelper#current_user | method | 3 calls · 0.2 ms',
    ]);
  });

  it('lists the recorded routes on their handlers', async () => {
    assert.deepEqual(await symbols(client, 'o'), [
      'DELETE /microposts/{id} | event | app/helpers/logged_in_helper.rb 9:6-9:20 | LoggedInHelper#logged_in_user',
      'POST /login | event | app/controllers/sessions_controller.rb 8:6-8:12 | SessionsController#create',
      'POST /microposts | event | app/helpers/logged_in_helper.rb 9:6-9:20 | LoggedInHelper#logged_in_user',
      'Microposts_interface micropost interface | method | test/integration/microposts_interface_test.rb 8:0-8:0 | tmp/appmap/microposts_interface.appmap.json',
    ]);
    // appmap-ruby writes the test's place as metadata.source_location.
    assert.deepEqual(await symbols(client, 'interface'), [
      'Microposts_interface micropost interface | method | test/integration/microposts_interface_test.rb 8:0-8:0 | tmp/appmap/microposts_interface.appmap.json',
    ]);
  });

  it('shows the call tree of a route with several requests, and caps a whole recording at 500 lines', async () => {
    const tree = (await command(client, 'runlens.showCallTree', { recording: RECORDED, route: 'GET /' }))?.split('\n');
    assert.deepEqual(tree?.slice(0, 3), [`Calls of GET / recorded in ${RECORDED} (2 requests)`, 'GET / → 200 · 119 ms · 66 SQL', '  CallbackSequence#invoke_before · 0.7 ms']);
    assert.ok(tree?.includes('    StaticPagesController#home · 3 ms · 1 SQL'), tree?.join('\n'));
    const whole = (await command(client, 'runlens.showCallTree', { recording: RECORDED }))?.split('\n');
    assert.equal(whole?.length, 502);
    assert.equal(whole?.[0], `Calls recorded in ${RECORDED}`);
    assert.equal(whole?.[501], '… 1,320 more calls');
  });
});

/**
 * A workspace around the corpus' Rails recording: the recording under tmp/appmap/ and, at each
 * recorded project path, a stub with the class and a `def` on each recorded line (templates as
 * one-line files), so recorded functions are found where the recording says they are.
 */
function rubyWorkspace(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-rails-')));
  fs.mkdirSync(path.join(root, 'tmp/appmap'), { recursive: true });
  fs.copyFileSync(RUBY_RECORDING, path.join(root, 'tmp/appmap/microposts_interface.appmap.json'));
  const recording = JSON.parse(fs.readFileSync(RUBY_RECORDING, 'utf8')) as { events: { event: string; defined_class?: string; method_id?: string; path?: string; lineno?: number; static?: boolean }[] };
  const files = new Map<string, { cls: string; defs: Map<number, string> }>();
  for (const e of recording.events) {
    if (e.event !== 'call' || !e.defined_class || !e.method_id || !e.path?.startsWith('app/')) continue;
    let file = files.get(e.path);
    if (!file) files.set(e.path, (file = { cls: e.defined_class, defs: new Map() }));
    if (e.lineno !== undefined) file.defs.set(e.lineno, `${e.static ? 'self.' : ''}${e.method_id}`);
  }
  for (const [rel, { cls, defs }] of files) {
    const lines = [rel.endsWith('.rb') ? `class ${cls}` : '<%# a template %>'];
    for (const [line, name] of [...defs].sort((a, b) => a[0] - b[0])) {
      while (lines.length < line - 1) lines.push('');
      lines.push(`  def ${name}`, '  end');
    }
    if (rel.endsWith('.rb')) lines.push('end');
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), `${lines.join('\n')}\n`);
  }
  return root;
}
