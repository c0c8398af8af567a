// The tests reach each feature of the core through its checker in test/support/check.ts: no other
// test file calls findingsOf, so a change of how findings are computed or compared has one place.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../support/corpus';

/** The TypeScript files under test/, workspaces and dot folders aside, relative to the repository. */
function testSources(): string[] {
  const out: string[] = [];
  const stack = ['test'];
  while (stack.length) {
    const dir = stack.pop() as string;
    for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules' && rel !== 'test/workspaces') stack.push(rel);
      } else if (e.isFile() && e.name.endsWith('.ts')) out.push(rel);
    }
  }
  return out.sort();
}

describe('one door per feature in the tests', () => {
  it('only test/support/check.ts calls findingsOf (the others use findingsIn or checkFindings)', () => {
    // An import of it or a call (findingsOf followed by its parenthesis), not a mention in prose.
    const callers = testSources().filter((f) => /\bfindingsOf\(|import\s*\{[^}]*\bfindingsOf\b/.test(fs.readFileSync(path.join(REPO, f), 'utf8')));
    assert.deepEqual(callers, ['test/support/check.ts']);
  });
});
