// Loads web-tree-sitter and the grammars shipped in @vscode/tree-sitter-wasm, once per process,
// and hands the core a SourceParsers that parses with them.

import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { Problem } from '../core/problem';
import type { SourceLanguage, SourceParsers } from '../core/source/language';

/** The parsers for every SourceLanguage; the first call loads them, later calls share the result. */
export function loadParsers(): Promise<SourceParsers> {
  // A failed load is not kept, so a later call can try again.
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

let loading: Promise<SourceParsers> | undefined;

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

const GRAMMARS: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  java: 'tree-sitter-java.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
};

async function load(): Promise<SourceParsers> {
  await Parser.init();
  const folder = path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
  const entries = await Promise.all(
    (Object.keys(GRAMMARS) as SourceLanguage[]).map(async (language) => {
      const parser = new Parser();
      parser.setLanguage(await Language.load(path.join(folder, GRAMMARS[language])));
      return [language, parser] as const;
    }),
  );
  const parsers = new Map<SourceLanguage, Parser>(entries);
  return {
    parse: (language, text) => parsers.get(language)?.parse(text) ?? undefined,
  };
}
