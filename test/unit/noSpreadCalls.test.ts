// No array is spread into a call's arguments anywhere in the server: each element of
// `push(...items)`, `Math.max(...values)` or `String.fromCharCode(...codes)` goes on the stack,
// and past about 120,000 the call throws RangeError (a recording of 130,000 findings lost them
// all; `compare` of 200,000 functions crashed). core/arrays.ts has the loops that replace them.
// The guard reads the sources with the TypeScript parser, so a spread in a call is found
// whatever the line looks like; the behaviour at the sizes that broke is tested beside it.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { append, maxOf } from '../../server/src/core/arrays';
import { fencedBlock } from '../../server/src/core/markdown';
import { REPO } from '../support/corpus';

/** `file:line: text` of each call (or `new`) with a spread argument, and of each `.apply(this, args)`. */
function spreadCalls(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const args = ts.isCallExpression(node) || ts.isNewExpression(node) ? node.arguments : undefined;
    const apply = ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'apply' && node.arguments.length === 2;
    if (apply || args?.some(ts.isSpreadElement)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${file}:${line + 1}: ${node.getText().split('\n')[0]}`);
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

describe('no array spread into a call', () => {
  it('the guard finds spreads in calls, however written, and not in array or object literals', () => {
    const text = [
      'out.push(...items);',
      'const m = Math.max(0, ...values);',
      'String.fromCharCode(\n  ...codes);',
      'f.apply(null, args);',
      'new Set(...lists);',
      'const ok = [...a, ...b];',
      'const o = { ...x };',
      'g([first, ...rest]);',
    ].join('\n');
    assert.deepEqual(spreadCalls('x.ts', text), ['x.ts:1: out.push(...items)', 'x.ts:2: Math.max(0, ...values)', 'x.ts:3: String.fromCharCode(', 'x.ts:5: f.apply(null, args)', 'x.ts:6: new Set(...lists)']);
  });

  it('server/src spreads no array into a call', () => {
    const root = path.join(REPO, 'server/src');
    const files = sourceFiles(root);
    assert.ok(files.length > 80, `only ${files.length} source files under ${root}`);
    const found = files.flatMap((f) => spreadCalls(path.relative(REPO, f), fs.readFileSync(f, 'utf8')));
    assert.deepEqual(found, []);
  });

  it('append and maxOf take 1,000,000 items (push(...) and Math.max(...) throw RangeError well before)', () => {
    const many = Array.from({ length: 1_000_000 }, (_, k) => k);
    assert.throws(() => [].push(...(many as never[])), RangeError);
    assert.equal(append([-1], many).length, 1_000_001);
    assert.equal(maxOf(many), 999_999);
    assert.equal(maxOf([], 0), 0);
    assert.equal(maxOf([]), -Infinity);
    assert.ok(Number.isNaN(maxOf([1, NaN, 2])));
  });

  it('a fenced block holds a text of 200,000 backtick runs (the longest run was found by spreading them all into Math.max)', () => {
    const text = 'a`'.repeat(199_999) + 'b```';
    const block = fencedBlock(text, 'sql');
    assert.deepEqual([block[0], block.length, block[2]], ['````sql', 3, '````']);
  });
});
