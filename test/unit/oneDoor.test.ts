// Confinement has one door: whether a path's real path (links resolved) stays inside the workspace
// is decided in node/workspaceFiles.ts only (`confine`, `realRoot`, and the opening of a file), so a
// fix to that check reaches every caller. It was once copied four times (the door, the server's
// recording folders, the file a command names, the baseline's writer), each a place to get it
// wrong. The guard reads the sources with the TypeScript parser: any use of `realpath` (a call, an
// import, `fs['realpathSync']`) outside workspaceFiles.ts fails, whatever the line looks like.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO } from '../support/corpus';

/** The one file allowed to resolve real paths. */
const DOOR = 'server/src/node/workspaceFiles.ts';

/** `file:line: text` of each identifier or string naming `realpath`/`realpathSync` (comments are not code). */
function realpathUses(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isIdentifier(node) || ts.isStringLiteralLike(node)) && /^realpath/i.test(node.text)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${file}:${line + 1}: ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('confinement through one door', () => {
  it('the guard finds realpath however it is reached, and not in comments or prose', () => {
    const text = [
      'const a = fs.realpathSync(p);',
      'const b = await fs.promises.realpath(p);',
      "import { realpath } from 'node:fs/promises';",
      "const c = fs['realpathSync'].native(p);",
      '// the real path (realpath) of the root',
      "const d = 'its real path leaves the root';",
    ].join('\n');
    assert.deepEqual(realpathUses('x.ts', text), ['x.ts:1: realpathSync', 'x.ts:2: realpath', 'x.ts:3: realpath', 'x.ts:4: realpathSync']);
  });

  it(`server/src resolves real paths only in ${DOOR}`, () => {
    const root = path.join(REPO, 'server/src');
    const files = sourceFiles(root).map((f) => path.relative(REPO, f).split(path.sep).join('/'));
    assert.ok(files.includes(DOOR), `${DOOR} is not under ${root}`);
    const uses = files.flatMap((f) => realpathUses(f, fs.readFileSync(path.join(REPO, f), 'utf8')));
    // The door itself does (or this guard would be looking for the wrong word).
    assert.ok(uses.some((u) => u.startsWith(`${DOOR}:`)), `no realpath in ${DOOR}`);
    assert.deepEqual(uses.filter((u) => !u.startsWith(`${DOOR}:`)), []);
  });
});
