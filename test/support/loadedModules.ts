// Preloaded into a runlens process by tests (NODE_OPTIONS=--require): when the process exits, it
// writes which of runlens's own modules were loaded and which grammars, as JSON, to the file that
// RUNLENS_LOADED_OUT names. What start-up costs is proved by counting what is loaded, not by timing.
// With RUNLENS_STUB_COMPILE_CACHE set, node:module's enableCompileCache (Node 22.1 and later) is
// replaced by a stub that counts its calls, on any Node: whether the launcher asks for the cache.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Loaded {
  /** runlens's compiled modules, relative to server/out/server/src (`cli/scan.js`), sorted. */
  modules: string[];
  /** The languages whose tree-sitter grammar was loaded (node/treeSitter.ts), sorted. */
  grammars: string[];
  /** How many times enableCompileCache was called (with RUNLENS_STUB_COMPILE_CACHE; else absent). */
  compileCacheCalls?: number;
}

const SRC = `${path.sep}out${path.sep}server${path.sep}src${path.sep}`;

let compileCacheCalls: number | undefined;
if (process.env.RUNLENS_STUB_COMPILE_CACHE) {
  compileCacheCalls = 0;
  (require('node:module') as { enableCompileCache?: () => void }).enableCompileCache = () => {
    compileCacheCalls = (compileCacheCalls ?? 0) + 1;
  };
}

const out = process.env.RUNLENS_LOADED_OUT;
if (out) {
  process.on('exit', () => {
    const own = Object.keys(require.cache).filter((f) => f.includes(SRC));
    const treeSitter = own.find((f) => f.endsWith(`${path.sep}node${path.sep}treeSitter.js`));
    const grammars: string[] = treeSitter ? (require(treeSitter) as { loadedGrammars(): string[] }).loadedGrammars() : [];
    const loaded: Loaded = {
      modules: own.map((f) => f.slice(f.indexOf(SRC) + SRC.length).split(path.sep).join('/')).sort(),
      grammars: [...grammars].sort(),
      ...(compileCacheCalls === undefined ? {} : { compileCacheCalls }),
    };
    fs.writeFileSync(out, JSON.stringify(loaded));
  });
}
