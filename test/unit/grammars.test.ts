// The tree-sitter grammars are loaded when a file of their language is first parsed
// (node/treeSitter.ts): counted here, and what a grammar that cannot be loaded becomes.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatProblem } from '../../server/src/core/problem';
import { withTree } from '../../server/src/core/source/language';
import { parsersIn } from '../../server/src/node/treeSitter';

const GRAMMARS = path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
const FILES = ['python', 'ruby', 'java', 'javascript', 'typescript', 'tsx'].map((l) => `tree-sitter-${l}.wasm`);

describe('grammars loaded when first needed', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-grammars-'));
    for (const f of FILES) fs.copyFileSync(path.join(GRAMMARS, f), path.join(dir, f));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads none until a file is parsed, then the grammar of each language parsed, once', async () => {
    const parsers = await parsersIn(dir);
    assert.deepEqual(parsers.loaded(), []);
    assert.equal(withTree(parsers, 'python', 'def f():\n    pass\n', (root) => root.type), 'module');
    assert.equal(withTree(parsers, 'python', 'x = 1\n', (root) => root.type), 'module');
    assert.deepEqual(parsers.loaded(), ['python']);
    assert.equal(withTree(parsers, 'javascript', 'const x = 1;\n', (root) => root.type), 'program');
    assert.deepEqual(parsers.loaded(), ['python', 'javascript']);
    assert.deepEqual(parsers.problems(), []);
  });

  it('parses nothing of a language whose grammar cannot be loaded, says so once, and parses the others', async () => {
    fs.writeFileSync(path.join(dir, 'tree-sitter-python.wasm'), 'not WebAssembly');
    const parsers = await parsersIn(dir);
    assert.equal(parsers.parse('python', 'x = 1\n'), undefined);
    assert.equal(parsers.parse('python', 'y = 2\n'), undefined);
    assert.equal(withTree(parsers, 'ruby', 'def f; end\n', (root) => root.type), 'program');
    assert.deepEqual(parsers.loaded(), ['ruby']);
    assert.deepEqual(parsers.problems().map((p) => formatProblem(p, { severity: true }).replace(/: WebAssembly\.Module\(\).*$/, ': …')), [
      '(runlens): warning: python parser unavailable, using recorded lines: …',
    ]);
    assert.deepEqual(parsers.problems(), []);
  });

  it('refuses a folder that lacks a grammar at once, before any parse', async () => {
    fs.rmSync(path.join(dir, 'tree-sitter-tsx.wasm'));
    await assert.rejects(parsersIn(dir), /ENOENT.*tree-sitter-tsx\.wasm/);
  });
});
