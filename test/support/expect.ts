// Expectations written in the test file (expect-test style): `` expect`…` `` holds the exact text a
// checker must produce. With UPDATE_EXPECT=1 a checker that gets another text rewrites that
// literal in place in the test's TypeScript source (found from the stack, through the compiled
// file's source map, and the TypeScript parser), so the change is reviewed in `git diff`.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';

/** An expected text and where its literal is written (1-based line and column of the TypeScript source). */
export interface Expect {
  text: string;
  site: { file: string; line: number; column: number } | undefined;
}

/** `` expect`…` ``: the literal dedented (first line break, common indentation and trailing blank lines dropped). */
export function expect(strings: TemplateStringsArray, ...values: never[]): Expect {
  if (values.length) throw new Error('expect`…` takes no ${…}: it is rewritten in place');
  return { text: dedent(strings[0]), site: callerSite(new Error().stack ?? '', [__filename]) };
}

/** Whether checkers rewrite a differing expectation instead of failing. */
export function updating(): boolean {
  return process.env.UPDATE_EXPECT === '1';
}

/**
 * Compares `actual` with the expectation exactly; with UPDATE_EXPECT=1 a difference rewrites the
 * literal and passes, otherwise it fails with both texts.
 */
export function assertExpect(actual: string, expected: Expect): void {
  const got = actual.replace(/\n+$/, '');
  if (got === expected.text) return;
  if (updating()) {
    if (!expected.site) throw new Error('UPDATE_EXPECT=1: the expect`…` literal could not be found from the stack');
    rewrite(expected.site, got);
    return;
  }
  assert.equal(got, expected.text, `the text differs from the expectation${expected.site ? ` at ${expected.site.file}:${expected.site.line}` : ''} (UPDATE_EXPECT=1 rewrites it)`);
}

export function dedent(literal: string): string {
  const lines = literal.replace(/^[ \t]*\n/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const strip = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => (l.trim() ? l.slice(strip) : '')).join('\n');
}

/** The first frame of `stack` outside the (compiled) files of `skip`, mapped to the TypeScript source when there is a source map. */
export function callerSite(stack: string, skip: string[]): Expect['site'] {
  const skipped = new Set(skip.flatMap((f) => [f, f.replace(/\.js$/, '.ts')]));
  for (const frame of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(frame);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (skipped.has(file)) continue;
    return mapped(file, Number(m[2]), Number(m[3]));
  }
  return undefined;
}

function mapped(file: string, line: number, column: number): NonNullable<Expect['site']> {
  const mapFile = `${file}.map`;
  if (!file.endsWith('.js') || !fs.existsSync(mapFile)) return { file, line, column };
  const map = new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8')));
  const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined) return { file, line, column };
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
  return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
}

/**
 * Each file's text as first read and the literals replaced so far, by their offsets in that
 * text: several expectations of one file rewritten in one run keep the stack's positions valid.
 */
const rewrites = new Map<string, { original: string; edits: Map<number, { end: number; text: string }> }>();

function rewrite(site: NonNullable<Expect['site']>, text: string): void {
  // A text whose every line is indented, or with blank-looking lines that hold spaces, would not read back the same.
  if (dedent(`\n${text}\n`) !== text) throw new Error(`UPDATE_EXPECT=1: this text cannot be written as an expect\`…\` literal that reads back the same:\n${text}`);
  const { source, original } = sourceOf(site.file);
  const literal = literalAt(source, site.line, site.column);
  if (!literal) throw new Error(`UPDATE_EXPECT=1: no expect\`…\` literal at ${site.file}:${site.line}`);
  const lineStart = source.getPositionOfLineAndCharacter(source.getLineAndCharacterOfPosition(literal.getStart(source)).line, 0);
  const indent = /^ */.exec(original.slice(lineStart))![0];
  editSource(site.file, literal.getStart(source), literal.end, renderLiteral(text, indent));
}

/** A test file as first read in this run, parsed (positions from the stack refer to it). */
export function sourceOf(file: string): { source: TS.SourceFile; original: string } {
  const ts = typescript();
  const original = rewrites.get(file)?.original ?? fs.readFileSync(file, 'utf8');
  return { source: ts.createSourceFile(file, original, ts.ScriptTarget.Latest, true), original };
}

/** Replaces `start`…`end` of the file as first read with `text`, keeping earlier replacements, and writes the file. */
export function editSource(filePath: string, start: number, end: number, text: string): void {
  let file = rewrites.get(filePath);
  if (!file) rewrites.set(filePath, (file = { original: fs.readFileSync(filePath, 'utf8'), edits: new Map() }));
  file.edits.set(start, { end, text });
  let out = '';
  let at = 0;
  for (const [from, edit] of [...file.edits].sort((a, b) => a[0] - b[0])) {
    out += file.original.slice(at, from) + edit.text;
    at = edit.end;
  }
  fs.writeFileSync(filePath, out + file.original.slice(at));
}

/** The template of the `` expect`…` `` on `line`, the one nearest `column` when there are several. */
function literalAt(source: TS.SourceFile, line: number, column: number): TS.NoSubstitutionTemplateLiteral | undefined {
  const ts = typescript();
  let best: { node: TS.NoSubstitutionTemplateLiteral; distance: number } | undefined;
  const visit = (node: TS.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'expect' && ts.isNoSubstitutionTemplateLiteral(node.template)) {
      const at = source.getLineAndCharacterOfPosition(node.getStart(source));
      const distance = Math.abs(at.character + 1 - column);
      if (at.line + 1 === line && (!best || distance < best.distance)) best = { node: node.template, distance };
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return best?.node;
}

/** The TypeScript parser, loaded only to rewrite (it is large, and the fuzzers' workers load this file too). */
export function typescript(): typeof TS {
  return require('typescript');
}

/** The literal as written: one line per line, indented one step more than the line it starts on. */
function renderLiteral(text: string, indent: string): string {
  const raw = text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  if (!raw.includes('\n') && raw.length < 80) return `\`${raw}\``;
  const body = raw
    .split('\n')
    .map((l) => (l ? `${indent}  ${l}` : ''))
    .join('\n');
  return `\`\n${body}\n${indent}\``;
}
