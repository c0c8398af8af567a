// Loads web-tree-sitter once per process and hands the core a SourceParsers that parses with the
// grammars shipped in @vscode/tree-sitter-wasm, each grammar loaded when a file of its language is
// first parsed (a Python workspace never compiles the 5 MB of the five others).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { Problem } from '../core/problem';
import type { SourceLanguage, SourceParsers } from '../core/source/language';

/** The parsers for every SourceLanguage; the first call loads them, later calls share the result. */
export function loadParsers(): Promise<SourceParsers> {
  // A failed load is not kept, so a later call can try again.
  loading ??= parsersIn(path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm')).then(
    (parsers) => (shared = parsers),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

let loading: Promise<SourceParsers> | undefined;
let shared: GrammarParsers | undefined;

/**
 * The parsers, or undefined with a problem added: without them runlens still works, placing
 * functions on their recorded lines (`scan`, `report`).
 */
export async function loadParsersOrProblem(problems: Problem[]): Promise<SourceParsers | undefined> {
  try {
    return await loadParsers();
  } catch (err) {
    problems.push({ file: '(runlens)', severity: 'warning', message: `source parsers unavailable, using recorded lines: ${(err as Error).message}` });
    return undefined;
  }
}

/** The languages whose grammar loadParsers' parsers have loaded so far, in the order they were (tests count them). */
export function loadedGrammars(): SourceLanguage[] {
  return shared?.loaded() ?? [];
}

/**
 * The grammars of loadParsers' parsers that could not be loaded when first needed, as problems
 * (files of those languages are placed on their recorded lines); each said once, to the first caller to ask.
 */
export function grammarProblems(): Problem[] {
  return shared?.problems() ?? [];
}

/** Parsers whose grammars are loaded when first needed, and what became of them. */
export interface GrammarParsers extends SourceParsers {
  /** The languages whose grammar is loaded, in the order they were. */
  loaded(): SourceLanguage[];
  /** A problem for each grammar that failed to load and was not said yet. */
  problems(): Problem[];
}

/** The one WebAssembly API used here (the TypeScript libraries this project compiles with leave that global out). */
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object };

const GRAMMARS: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  java: 'tree-sitter-java.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
};

/** web-tree-sitter's runtime, set up once per thread (every Language lives in it). */
let runtime: Promise<void> | undefined;

/**
 * Parsers over the grammar files of `folder` (exported for tests; the product shares loadParsers'):
 * the files are looked for now, so that a broken install is said at once, and each is compiled
 * when a file of its language is first parsed.
 */
export async function parsersIn(folder: string): Promise<GrammarParsers> {
  runtime ??= Parser.init().catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  await runtime;
  for (const file of Object.values(GRAMMARS)) fs.accessSync(path.join(folder, file), fs.constants.R_OK);
  /** Each language's parser once loaded; undefined for one that failed (failures says why), never tried again. */
  const grammars = new Map<SourceLanguage, Parser | undefined>();
  const failures = new Map<SourceLanguage, string>();
  const said = new Set<SourceLanguage>();
  // Synchronously, since parsing is: web-tree-sitter's Language.loadSync takes a compiled module.
  const parserOf = (language: SourceLanguage): Parser | undefined => {
    if (grammars.has(language) || !Object.prototype.hasOwnProperty.call(GRAMMARS, language)) return grammars.get(language);
    let parser: Parser | undefined;
    try {
      const wasm = new WebAssembly.Module(fs.readFileSync(path.join(folder, GRAMMARS[language])));
      parser = new Parser();
      parser.setLanguage(Language.loadSync(wasm));
    } catch (err) {
      parser?.delete();
      parser = undefined;
      failures.set(language, (err as Error).message);
    }
    grammars.set(language, parser);
    return parser;
  };
  return {
    parse: (language, text) => parserOf(language)?.parse(text) ?? undefined,
    loaded: () => [...grammars.keys()].filter((language) => grammars.get(language) !== undefined),
    problems: () => {
      const out: Problem[] = [];
      for (const [language, why] of failures) {
        if (said.has(language)) continue;
        said.add(language);
        out.push({ file: '(runlens)', severity: 'warning', message: `${language} parser unavailable, using recorded lines: ${why}` });
      }
      return out;
    },
  };
}
