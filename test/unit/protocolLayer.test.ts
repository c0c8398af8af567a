// The protocol layer stays thin and declared once: only server/src/lsp/ imports the protocol
// library (vscode-languageserver and its -protocol, -types, -textdocument, -jsonrpc packages);
// server/src/protocol/, the commands and custom methods that the server and the VS Code client
// share, imports nothing, and is all the client takes from the server; and the commands the
// server says it runs, and those the client's manifest offers, are the declared ones.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { COMMAND_IDS, COMMANDS, CommandId } from '../../server/src/protocol/commands';
import { INDEX_CHANGED_METHOD, STATUS_METHOD } from '../../server/src/protocol/ext';
import { startInProcess } from '../support/lspClient';
import { REPO } from '../support/corpus';

/** Every module a file names: imports, re-exports, `import x = require()`, `import()` and `require()` calls, type-only ones included. */
function modulesOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = node.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) specifier = node.moduleReference.expression;
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) specifier = node.arguments[0];
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier = node.argument.literal;
    if (specifier && ts.isStringLiteralLike(specifier)) found.push(specifier.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The protocol library: the packages vscode-languageserver is made of. */
function isProtocolLibrary(specifier: string): boolean {
  return /^vscode-(languageserver|jsonrpc)(-[a-z]+)?($|\/)/.test(specifier);
}

/** `file: module` for each protocol library import of the files outside `allowed` (workspace-relative POSIX paths). */
function protocolImportsOutside(files: Map<string, string>, allowed: string): string[] {
  return [...files].filter(([file]) => !file.startsWith(allowed)).flatMap(([file, text]) => modulesOf(file, text).filter(isProtocolLibrary).map((m) => `${file}: ${m}`));
}

function sourceFiles(dir: string): Map<string, string> {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(d, e.name);
      return e.isDirectory() ? walk(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
    });
  return new Map(walk(dir).map((f) => [path.relative(REPO, f).split(path.sep).join('/'), fs.readFileSync(f, 'utf8')]));
}

const VSCODE = path.join(REPO, 'clients/vscode');

describe('the protocol layer', () => {
  it('the guard finds the protocol library however a file names it, and nothing else', () => {
    const files = new Map([
      ['src/lsp/ok.ts', "import { Connection } from 'vscode-languageserver/node';"],
      ['src/a.ts', "import { TextDocument } from 'vscode-languageserver-textdocument';\nimport * as fs from 'node:fs';"],
      ['src/b.ts', "export type { Range } from 'vscode-languageserver-types';"],
      ['src/c.ts', "async function f() { return import('vscode-languageserver/node'); }"],
      ['src/d.ts', "import rpc = require('vscode-jsonrpc');\nconst p = require('vscode-languageserver-protocol');"],
      ['src/e.ts', "let t: import('vscode-languageserver').Hover;"],
      ['src/f.ts', "// import 'vscode-languageserver'\nconst s = 'vscode-languageserver';\nimport { x } from './vscode-languageserver';\nimport 'vscode-uri';"],
    ]);
    assert.deepEqual(protocolImportsOutside(files, 'src/lsp/'), [
      'src/a.ts: vscode-languageserver-textdocument',
      'src/b.ts: vscode-languageserver-types',
      'src/c.ts: vscode-languageserver/node',
      'src/d.ts: vscode-jsonrpc',
      'src/d.ts: vscode-languageserver-protocol',
      'src/e.ts: vscode-languageserver',
    ]);
  });

  it('only server/src/lsp/ imports the protocol library', () => {
    const files = sourceFiles(path.join(REPO, 'server/src'));
    assert.ok([...files.keys()].some((f) => f.startsWith('server/src/lsp/') && modulesOf(f, files.get(f)!).some(isProtocolLibrary)), 'the guard sees the imports of server/src/lsp/');
    assert.deepEqual(protocolImportsOutside(files, 'server/src/lsp/'), []);
  });

  it('server/src/protocol/ imports nothing, and is all the VS Code client takes from the server', () => {
    const shared = sourceFiles(path.join(REPO, 'server/src/protocol'));
    assert.deepEqual([...shared.keys()].sort(), ['server/src/protocol/commands.ts', 'server/src/protocol/ext.ts']);
    assert.deepEqual([...shared].flatMap(([file, text]) => modulesOf(file, text).map((m) => `${file}: ${m}`)), []);
    // The client's relative imports that leave its folder, resolved in the repository.
    const client = sourceFiles(path.join(VSCODE, 'src'));
    const outside = [...client].flatMap(([file, text]) =>
      modulesOf(file, text)
        .filter((m) => m.startsWith('.'))
        .map((m) => path.posix.join(path.posix.dirname(file), m))
        .filter((target) => !target.startsWith('clients/vscode/')),
    );
    assert.deepEqual(outside.sort(), ['server/src/protocol/commands', 'server/src/protocol/ext']);
  });

  it('the server runs exactly the declared commands, and the VS Code manifest offers those that take no arguments', async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-commands-')));
    const client = await startInProcess(root, {}, { watch: false });
    try {
      assert.deepEqual(client.initializeResult.capabilities.executeCommandProvider?.commands, COMMAND_IDS);
    } finally {
      await client.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
    assert.deepEqual(COMMAND_IDS, Object.keys(COMMANDS));
    const manifest = JSON.parse(fs.readFileSync(path.join(VSCODE, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    // The client's own commands: registered by extension.ts itself.
    const extension = fs.readFileSync(path.join(VSCODE, 'src/extension.ts'), 'utf8');
    const own = [...extension.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(own, ['runlens.restartServer', 'runlens.status']);
    // vscode-languageclient registers the server's commands; one registered twice fails the extension's activation.
    assert.deepEqual(own.filter((c) => COMMAND_IDS.includes(c as CommandId)), []);
    const noArguments = COMMAND_IDS.filter((c) => COMMANDS[c].arguments === '[]');
    assert.deepEqual(contributed.filter((c) => !own.includes(c)).sort(), [...noArguments].sort());
    assert.deepEqual(contributed.filter((c) => own.includes(c)).sort(), own);
  });

  it('the Neovim and Emacs clients, which cannot import the declarations, name only declared commands and methods', () => {
    for (const file of ['clients/nvim/lua/runlens/init.lua', 'clients/emacs/runlens.el']) {
      const text = fs.readFileSync(path.join(REPO, file), 'utf8');
      const commands = new Set([...text.matchAll(/["'](runlens\.[A-Za-z]+)["']/g)].map((m) => m[1]));
      const methods = new Set([...text.matchAll(/["'](runlens\/[A-Za-z]+)["']/g)].map((m) => m[1]));
      assert.ok(commands.size >= 4 && methods.size >= 1, `${file}: ${[...commands, ...methods].join(', ')}`);
      assert.deepEqual([...commands].filter((c) => !COMMAND_IDS.includes(c as CommandId)), [], file);
      assert.deepEqual([...methods].filter((m) => m !== STATUS_METHOD && m !== INDEX_CHANGED_METHOD), [], file);
    }
  });
});
