// The language server as users run it: the real `runlens --stdio` binary as a child process,
// on a copy of the bundled Django example and on a real appmap-ruby recording. Every feature in
// detail is test/unit/lsp.test.ts (in process).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeAction } from 'vscode-languageserver-protocol';
import { copyWorkspace, startChildProcess } from '../support/lspClient';
import { checkDiagnostics, diagnosticsBecome, hover, lenses } from '../support/lspChecks';
import { CORPUS, REPO } from '../support/corpus';

import { FIXED_RECORDING, MEETUPS, N_PLUS_ONE, RECORDING, VIEWS } from '../support/meetups';

describe('language server, the real binary over stdio', function () {

  it('serves diagnostics, lenses and hovers, and follows a replaced recording', async () => {
    const root = copyWorkspace(MEETUPS);
    const client = await startChildProcess(path.join(REPO, 'server/bin/runlens.js'), root);
    try {
      checkDiagnostics(client, VIEWS, [N_PLUS_ONE]);
      assert.deepEqual(await lenses(client, VIEWS), ['27:4 GET /meetings/past/ · 643 ms · 1,501 SQL (runlens.showCallTree)', '27:4 0.4 ms · 1 call (runlens.showDetails)']);
      assert.match((await hover(client, VIEWS, 28, 20)) ?? '', /^\*\*N\+1: 1,500 queries from this queryset\*\*/);
      fs.copyFileSync(FIXED_RECORDING, path.join(root, RECORDING));
      await diagnosticsBecome(client, VIEWS, []);
    } finally {
      await client.close();
    }
    assert.equal(client.child.exitCode, 0, client.stderr());
  });
});

describe('language server on a real agent recording (appmap-ruby, Rails)', function () {

  it('publishes its N+1s and finds the recorded action in the current source', async () => {
    // The recording is real; the sources are stubs at its recorded paths (the app is not in the corpus).
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-rails-')));
    fs.mkdirSync(path.join(root, 'tmp/appmap/minitest'), { recursive: true });
    fs.copyFileSync(path.join(CORPUS, 'appmaps/ruby/minitest-rails6-microposts-interface-nplus1.appmap.json'), path.join(root, 'tmp/appmap/minitest/microposts_interface.appmap.json'));
    fs.mkdirSync(path.join(root, 'app/controllers'), { recursive: true });
    fs.mkdirSync(path.join(root, 'app/views/microposts'), { recursive: true });
    // `home` was recorded at line 3; here it moved to line 2.
    fs.writeFileSync(path.join(root, 'app/controllers/static_pages_controller.rb'), 'class StaticPagesController < ApplicationController\n  def home\n    @feed_items = current_user.feed.paginate(page: params[:page])\n  end\nend\n');
    fs.writeFileSync(path.join(root, 'app/views/microposts/_micropost.html.erb'), '<li id="micropost-<%= micropost.id %>">\n  <%= link_to micropost.user.name, micropost.user %>\n</li>\n');
    const client = await startChildProcess(path.join(REPO, 'server/bin/runlens.js'), root);
    try {
      // One N+1: the users and the attachments of each micropost of the feed. (The stub app has no
      // models, so it sits in the partial rendered per micropost, on its first read of
      // micropost.user, rather than on the feed's query.)
      checkDiagnostics(client, 'app/views/microposts/_micropost.html.erb', ['1:14-1:14 error n-plus-one: N+1: 61 queries from this per-row call']);
      const titles = await lenses(client, 'app/controllers/static_pages_controller.rb');
      assert.deepEqual(titles, ['1:2 GET / · 2 requests · 245 ms · 133 SQL (runlens.showCallTree)', '1:2 6 ms · 2 calls · 2 SQL (runlens.showDetails)']);
      const controller = 'app/controllers/static_pages_controller.rb';
      assert.match((await hover(client, controller, 1, 4)) ?? '', /^\*\*StaticPagesController#home\*\* · 6 ms · 2 calls · 2 SQL\n\nHandles GET \/ · 2 requests · 245 ms · 133 SQL\n\n\| calls \| total \| self \| mean \| max \| SQL \|/);
      // The recorded call hierarchy of the action.
      const [item] = await client.connection.sendRequest<{ name: string; data: unknown }[]>('textDocument/prepareCallHierarchy', { textDocument: { uri: client.uri(controller) }, position: { line: 1, character: 4 } });
      assert.equal(item.name, 'StaticPagesController#home');
      const outgoing = await client.connection.sendRequest<{ to: { name: string } }[]>('callHierarchy/outgoingCalls', { item });
      assert.deepEqual(outgoing.map((c) => c.to.name).sort(), ['SessionsHelper#current_user', 'SessionsHelper#logged_in?', 'User#feed']);
      const incoming = await client.connection.sendRequest<{ from: { name: string } }[]>('callHierarchy/incomingCalls', { item });
      assert.deepEqual(incoming.map((c) => c.from.name), ['GET /']);
      // No edit is certain for Rails yet: a hint, shown by a command the server runs.
      const partial = 'app/views/microposts/_micropost.html.erb';
      const hintActions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: client.uri(partial) }, range: { start: { line: 1, character: 14 }, end: { line: 1, character: 14 } }, context: { diagnostics: [] } });
      const hint = hintActions.find((a) => a.command?.command === 'runlens.showFixHint');
      assert.ok(hint, hintActions.map((a) => a.title).join('\n'));
      const hintText: string = await client.connection.sendRequest('workspace/executeCommand', hint.command);
      assert.equal(
        hintText,
        'the code around app/views/microposts/_micropost.html.erb:2 loads users, active_storage_attachments (by users.id, active_storage_attachments.record_id, active_storage_attachments.record_type, active_storage_attachments.name) one query per row; where that collection is queried, add .includes(:user, :active_storage_attachment) (check the association names in the models)',
      );
      // Replaced by another real run of the same test (a later Rails version, fewer microposts on the page).
      fs.copyFileSync(path.join(CORPUS, 'appmaps/ruby/minitest-rails7-microposts-interface-failed.appmap.json'), path.join(root, 'tmp/appmap/minitest/microposts_interface.appmap.json'));
      await diagnosticsBecome(client, 'app/views/microposts/_micropost.html.erb', []);
      await diagnosticsBecome(client, 'app/helpers/sessions_helper.rb', ['18:0-18:0 error n-plus-one: N+1: 11 queries in this function, exact line unknown']);
    } finally {
      await client.close();
    }
  });
});
