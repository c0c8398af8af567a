// Code lenses of a file with many recorded functions: more than LENSES_WITH_TITLES are sent without
// their command, each with the data that codeLens/resolve turns into the command the lens would
// have carried (the same title and command as the core's lens); a lens of a function recorded no
// more resolves to a command that does nothing. The workspace is generated (the server bench's
// shape, test/bench/generate.ts): app/service.py with 150 methods, 80 small pytest recordings.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens } from 'vscode-languageserver-protocol';
import { codeLenses } from '../../server/src/core/ide/codeLens';
import { LENSES_WITH_TITLES } from '../../server/src/lsp/codeLens';
import { commandOf, SHOW_DETAILS_COMMAND } from '../../server/src/protocol/commands';
import { serviceSource, writeServiceRecording } from '../bench/generate';
import { checkParsers, recordedFolder } from '../support/check';
import { startInProcess } from '../support/lspClient';

const HANDLERS = 150;
const RECORDINGS = 80;
const SERVICE = 'app/service.py';

describe('code lenses of a file with many functions: resolved on request', function () {
  this.timeout(120_000);
  let root: string;
  let recordings: string[];

  before(async () => {
    await checkParsers();
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-lens-resolve-')));
    fs.mkdirSync(path.join(root, 'app'));
    fs.mkdirSync(path.join(root, 'tmp/appmap/pytest'), { recursive: true });
    fs.writeFileSync(path.join(root, 'app/__init__.py'), '');
    fs.writeFileSync(path.join(root, SERVICE), serviceSource(HANDLERS));
    recordings = [];
    for (let r = 0; r < RECORDINGS; r++) {
      const rel = `tmp/appmap/pytest/test_case_${String(r).padStart(4, '0')}.generated.appmap.json`;
      writeServiceRecording(path.join(root, rel), { index: r, targetBytes: 20_000, handlers: HANDLERS, nPlusOne: r % 10 === 3 ? { handler: 7, count: 12 } : undefined });
      recordings.push(rel);
    }
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('sends the lenses without commands, and resolves each to the command the core gives', async () => {
    // What the lenses say, from the core over the same files.
    const r = recordedFolder(root, (rel) => rel.endsWith('.py'), recordings);
    const expected = codeLenses(r.snapshot, r.index, SERVICE).map((l) => {
      const position = { line: l.line - 1, character: l.column - 1 };
      return { range: { start: position, end: position }, command: commandOf(l.title, SHOW_DETAILS_COMMAND, { fnKey: l.fnKey }) };
    });
    assert.ok(expected.length > LENSES_WITH_TITLES, `${expected.length} lenses`);

    const client = await startInProcess(root, { capabilities: { textDocument: { codeLens: {} } } });
    try {
      const sent = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: client.uri(SERVICE) } });
      assert.deepEqual(
        sent.map((l) => ({ range: l.range, command: l.command })),
        expected.map((l) => ({ range: l.range, command: undefined })),
      );
      const resolved: CodeLens[] = [];
      for (const lens of sent) resolved.push(await client.connection.sendRequest<CodeLens>('codeLens/resolve', lens));
      assert.deepEqual(
        resolved.map((l) => ({ range: l.range, command: l.command })),
        expected,
      );
      // A lens already resolved comes back as it is; one of a function recorded no more says so.
      assert.deepEqual(await client.connection.sendRequest<CodeLens>('codeLens/resolve', resolved[0]), resolved[0]);
      const gone = { range: sent[0].range, data: ['app/service.py:Service.no_such_method'] };
      assert.deepEqual(await client.connection.sendRequest<CodeLens>('codeLens/resolve', gone), { ...gone, command: { title: 'not recorded any more', command: '' } });
    } finally {
      await client.close();
    }
  });
});
