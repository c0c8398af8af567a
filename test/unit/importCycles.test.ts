// No import cycle anywhere in server/src: each module can be read, tested and replaced after the
// ones it imports, and a layer never reaches back into the one above it (core/findings and
// core/orm once imported each other over RelatedEntry and AnchorRef, eleven files in one loop).
// Imports are read with the TypeScript parser, type-only imports and `export … from` included
// (a type cycle is a cycle of the design even when the compiled code has none), and relative
// specifiers resolved as Node resolves them (`x.ts`, `x/index.ts`).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO } from '../support/corpus';

/** The relative modules a file imports or re-exports, as written. */
function importsOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) ? statement.moduleSpecifier : ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) ? statement.moduleReference.expression : undefined;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) specifiers.push(specifier.text);
  }
  return specifiers;
}

/** The file a relative specifier names, as Node and TypeScript resolve it; undefined when there is none. */
function resolve(from: string, specifier: string, exists: (file: string) => boolean): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), specifier);
  return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')].find(exists);
}

/** The graph of relative imports between `files` (workspace-relative POSIX paths). */
function importGraph(files: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = importsOf(file, text).map((s) => resolve(file, s, (f) => files.has(f))).filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * Every strongly connected component of more than one file (or a file importing itself), each
 * shown as one cycle through it, `a → b → c → a`, starting at its first file in sorted order.
 * Tarjan's algorithm with an explicit stack: the graph is small, but nothing here recurses.
 */
function importCycles(graph: Map<string, string[]>): string[] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (order.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    order.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const targets = graph.get(top.node) ?? [];
      if (top.next < targets.length) {
        const t = targets[top.next++];
        if (!order.has(t)) {
          order.set(t, counter);
          low.set(t, counter++);
          stack.push(t);
          onStack.add(t);
          work.push({ node: t, next: 0 });
        } else if (onStack.has(t)) low.set(top.node, Math.min(low.get(top.node)!, order.get(t)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === order.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== top.node);
        if (component.length > 1 || (graph.get(top.node) ?? []).includes(top.node)) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((c) => `${cycleThrough(graph, new Set(c), c[0]).join(' → ')} (${c.length === 1 ? 'a file importing itself' : `${c.length} files in the loop`})`);
}

/** A shortest path from `start` back to itself inside `members` (breadth first). */
function cycleThrough(graph: Map<string, string[]>, members: Set<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const t of graph.get(node) ?? []) {
      if (!members.has(t)) continue;
      if (t === start) {
        const path = [start];
        for (let n: string | undefined = node; n !== undefined && n !== start; n = cameFrom.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!cameFrom.has(t)) {
        cameFrom.set(t, node);
        queue.push(t);
      }
    }
  }
  return [start, start];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('no import cycle', () => {
  it('the guard finds a cycle through type-only imports, re-exports and index files, and lists it', () => {
    const files = new Map([
      ['src/a.ts', "import { b } from './b';\nexport const a = b;"],
      ['src/b.ts', "import type { C } from './c/index';\nexport const b = 1;"],
      ['src/c/index.ts', "export { a } from '../a';\nexport type C = number;"],
      ['src/d.ts', "import { a } from './a';\nimport * as fs from 'fs';"],
      ['src/e.ts', "import { e } from './e';"],
      ['src/f.ts', "import { d } from './d';"],
    ]);
    assert.deepEqual(importCycles(importGraph(files)), ['src/a.ts → src/b.ts → src/c/index.ts → src/a.ts (3 files in the loop)', 'src/e.ts → src/e.ts (a file importing itself)']);
    files.set('src/c/index.ts', 'export type C = number;');
    files.set('src/e.ts', '');
    assert.deepEqual(importCycles(importGraph(files)), []);
  });

  it('server/src has none', () => {
    const root = path.join(REPO, 'server/src');
    const files = new Map(sourceFiles(root).map((f) => [path.relative(REPO, f).split(path.sep).join('/'), fs.readFileSync(f, 'utf8')]));
    assert.ok(files.size > 80, `only ${files.size} source files under ${root}`);
    const graph = importGraph(files);
    // The guard reads real imports: every relative specifier of the server resolves to one of its files.
    const unresolved = [...files].flatMap(([file, text]) => importsOf(file, text).filter((s) => !resolve(file, s, (f) => files.has(f))).map((s) => `${file}: ${s}`));
    assert.deepEqual(unresolved, []);
    assert.deepEqual(importCycles(graph), []);
  });
});
