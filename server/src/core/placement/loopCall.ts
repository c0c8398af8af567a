// Where an N+1 is written, whatever the ORM: in the host function's text (JavaScript and
// TypeScript), the call inside a loop (`for`, `while`, `.map`/`.forEach`/`.flatMap`, so
// `Promise.all(rows.map(…))` too) whose names best match the repeated SQL's tables and filter
// columns (`getTasks` ~ tasks, `where({ project_id })` ~ tasks.project_id), or that calls the
// recorded per-row wrapper (`senderOf`); and the query before the loop that produced the rows it
// iterates (`const projects = await …`). Read with tree-sitter, once per file and text.

import type { Node } from 'web-tree-sitter';
import { descendants, languageOfPath, withTree } from '../source/language';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { countWork } from '../workCounter';

/** A call in a loop that may run once per row. */
interface Candidate {
  location: SourceLocation;
  /** The name of the function called (`getTasks`, `senderOf`, `loadMany`). */
  callee: string;
  /** The words of the call's text, lower case and singular (`project`, `task`, `get`). */
  words: Set<string>;
}

/** A loop of a file: its lines, the rows it iterates, the calls it makes per row. */
interface Loop {
  line: number;
  endLine: number;
  /** The variable whose rows it iterates (`projects` of `for (const p of projects)`). */
  rows: string | undefined;
  candidates: Candidate[];
}

interface FileLoops {
  text: string;
  loops: Loop[];
  /** The calls of the loops by each word they hold and by the name they call: a search looks only at those of its words. */
  byWord: Map<string, Array<{ candidate: Candidate; loop: Loop }>>;
  byCallee: Map<string, Array<{ candidate: Candidate; loop: Loop }>>;
  /** Per variable name, where it is given a value (`const projects = await …`: the value after await). */
  declarations: Map<string, SourceLocation[]>;
}

/** What an N+1's loop is, in a host function. */
export interface LoopPlace {
  /** The call in the loop that runs once per row. */
  perRow: SourceLocation;
  /** The query before the loop whose rows it iterates, when written in the host. */
  source: SourceLocation | undefined;
}

/** What the repeated queries say of themselves, to match against the code's names. */
export interface RepeatedNames {
  tables: readonly string[];
  columns: readonly string[];
  /** The recorded function that wraps each repeat (`senderOf`), if there is one. */
  wrapper?: string | undefined;
}

const cache = new WeakMap<SourceIndex, Map<string, FileLoops | null>>();

/**
 * The loop of `names`' N+1 in lines `fromLine`–`toLine` of `path` (a host function's body): the
 * per-row call whose names match best (one only: a tie is no certainty), and its source query.
 * Each file is read once per text; each call is looked at once per search.
 */
export function loopPlaceIn(index: SourceIndex, path: string, fromLine: number, toLine: number, names: RepeatedNames): LoopPlace | undefined {
  const file = fileLoops(index, path);
  if (!file) return undefined;
  const wanted = new Set<string>();
  for (const t of names.tables) for (const w of wordsOf(t)) wanted.add(w);
  const columns = new Set<string>();
  for (const c of names.columns) for (const w of wordsOf(c.slice(c.lastIndexOf('.') + 1))) if (!wanted.has(w)) columns.add(w);
  let best: { candidate: Candidate; loop: Loop; score: number } | undefined;
  let tie = false;
  // Every word of the table must match, so the calls holding its first word are all there is to
  // score (and those calling the wrapper): not every call of the file for every finding.
  const first = wanted.values().next().value;
  const lists = [names.wrapper !== undefined ? file.byCallee.get(names.wrapper) : undefined, first !== undefined ? file.byWord.get(first) : undefined];
  for (const list of lists) {
    for (const { candidate, loop } of list ?? []) {
      countWork();
      if (loop.line < fromLine || loop.endLine > toLine) continue;
      const score = scoreOf(candidate, wanted, columns, names.wrapper);
      if (score === 0 || best?.candidate === candidate) continue;
      if (!best || score > best.score) {
        best = { candidate, loop, score };
        tie = false;
      } else if (score === best.score && candidate.location.line !== best.candidate.location.line) tie = true;
    }
  }
  if (!best || tie) return undefined;
  const source = sourceOf(file, best.loop, fromLine);
  return { perRow: { ...best.candidate.location, path }, source: source && { ...source, path } };
}

/**
 * How well a call's names match: the wrapper called by name wins; else every word of the table
 * (3) plus each filter column word (1); a call naming no table word is no match.
 */
function scoreOf(candidate: Candidate, table: Set<string>, columns: Set<string>, wrapper: string | undefined): number {
  if (wrapper !== undefined && candidate.callee === wrapper) return 100;
  if (table.size === 0) return 0;
  for (const w of table) if (!candidate.words.has(w)) return 0;
  let score = 3;
  for (const w of columns) if (candidate.words.has(w)) score++;
  return score;
}

/** The latest value given, before the loop and inside the host, to the variable the loop iterates. */
function sourceOf(file: FileLoops, loop: Loop, fromLine: number): SourceLocation | undefined {
  if (!loop.rows) return undefined;
  let found: SourceLocation | undefined;
  for (const at of file.declarations.get(loop.rows) ?? []) {
    countWork();
    if (at.line >= fromLine && at.line <= loop.line && (!found || at.line > found.line)) found = at;
  }
  return found;
}

function fileLoops(index: SourceIndex, path: string): FileLoops | undefined {
  const language = languageOfPath(path);
  if (!index.parsers || (language !== 'javascript' && language !== 'typescript' && language !== 'tsx')) return undefined;
  const text = index.text(path);
  if (text === undefined) return undefined;
  let files = cache.get(index);
  if (!files) cache.set(index, (files = new Map()));
  const known = files.get(path);
  if (known !== undefined && (known === null || known.text === text)) return known ?? undefined;
  const parsers = index.parsers;
  const read = withTree(parsers, language, text, (root) => readLoops(root, text)) ?? null;
  files.set(path, read);
  return read ?? undefined;
}

/** Every loop of a file with its per-row calls, and every declaration with its value. */
function readLoops(root: Node, text: string): FileLoops {
  const loops: Loop[] = [];
  const declarations = new Map<string, SourceLocation[]>();
  for (const node of descendants(root)) {
    countWork();
    if (node.type === 'variable_declarator' || node.type === 'assignment_expression') {
      const name = node.childForFieldName(node.type === 'variable_declarator' ? 'name' : 'left');
      const value = node.childForFieldName(node.type === 'variable_declarator' ? 'value' : 'right');
      if (name?.type === 'identifier' && value) {
        const list = declarations.get(name.text) ?? [];
        list.push(locationOf(unwrapAwait(value)));
        declarations.set(name.text, list);
      }
      continue;
    }
    const loop = loopOf(node);
    if (!loop) continue;
    loops.push({ line: node.startPosition.row + 1, endLine: node.endPosition.row + 1, rows: loop.rows, candidates: candidatesIn(loop.body) });
  }
  const byWord = new Map<string, Array<{ candidate: Candidate; loop: Loop }>>();
  const byCallee = new Map<string, Array<{ candidate: Candidate; loop: Loop }>>();
  const add = (map: Map<string, Array<{ candidate: Candidate; loop: Loop }>>, key: string, entry: { candidate: Candidate; loop: Loop }) => {
    const list = map.get(key);
    if (list) list.push(entry);
    else map.set(key, [entry]);
  };
  for (const loop of loops) {
    for (const candidate of loop.candidates) {
      add(byCallee, candidate.callee, { candidate, loop });
      for (const w of candidate.words) {
        countWork();
        add(byWord, w, { candidate, loop });
      }
    }
  }
  return { text, loops, declarations, byWord, byCallee };
}

/** A loop's body and the variable it iterates, if `node` is a loop. */
function loopOf(node: Node): { body: Node; rows: string | undefined } | undefined {
  switch (node.type) {
    case 'for_in_statement': {
      const body = node.childForFieldName('body');
      const right = node.childForFieldName('right');
      return body ? { body, rows: right ? rowsName(right) : undefined } : undefined;
    }
    case 'for_statement': {
      const body = node.childForFieldName('body');
      const condition = node.childForFieldName('condition');
      let rows: string | undefined;
      for (const n of condition ? descendants(condition) : []) {
        if (n.type === 'member_expression' && n.childForFieldName('property')?.text === 'length') rows = rowsName(n.childForFieldName('object'));
      }
      return body ? { body, rows } : undefined;
    }
    case 'while_statement':
    case 'do_statement': {
      const body = node.childForFieldName('body');
      return body ? { body, rows: undefined } : undefined;
    }
    case 'call_expression': {
      const callee = node.childForFieldName('function');
      if (callee?.type !== 'member_expression') return undefined;
      const method = callee.childForFieldName('property')?.text;
      if (method !== 'map' && method !== 'forEach' && method !== 'flatMap') return undefined;
      const fn = node.childForFieldName('arguments')?.namedChild(0);
      if (!fn || (fn.type !== 'arrow_function' && fn.type !== 'function_expression' && fn.type !== 'function')) return undefined;
      const body = fn.childForFieldName('body');
      return body ? { body, rows: rowsName(callee.childForFieldName('object')) } : undefined;
    }
    default:
      return undefined;
  }
}

/** `projects` of `projects`, `this.projects`, `await projects`. */
function rowsName(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'member_expression') return node.childForFieldName('property')?.text;
  if (node.type === 'await_expression' || node.type === 'parenthesized_expression') return rowsName(node.namedChild(0));
  return undefined;
}

/**
 * The calls in a loop body that may run a query per row: an awaited call (the whole chain), and
 * the value of an arrow function's expression body (`(m) => senderOf(m)`). Calls nested in a
 * candidate are part of it.
 */
function candidatesIn(body: Node): Candidate[] {
  const out: Candidate[] = [];
  const add = (call: Node) => {
    if (call.type !== 'call_expression') return;
    out.push({ location: locationOf(call), callee: calleeName(call) ?? '', words: wordsOfNode(call) });
  };
  if (body.type !== 'statement_block') add(body);
  for (const node of descendants(body)) {
    countWork();
    if (node.type === 'await_expression') {
      const value = node.namedChild(0);
      if (value) add(value);
    } else if (node.type === 'arrow_function') {
      const expression = node.childForFieldName('body');
      if (expression && expression.type !== 'statement_block') add(expression);
    }
  }
  return out;
}

function calleeName(call: Node): string | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  if (callee.type === 'identifier') return callee.text;
  if (callee.type === 'member_expression') return callee.childForFieldName('property')?.text;
  return undefined;
}

function unwrapAwait(node: Node): Node {
  return node.type === 'await_expression' && node.namedChild(0) ? (node.namedChild(0) as Node) : node;
}

function locationOf(node: Node): SourceLocation {
  return { path: '', line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** The words of a node's identifiers, property names and strings. */
function wordsOfNode(node: Node): Set<string> {
  const words = new Set<string>();
  for (const n of descendants(node)) {
    countWork();
    if (n.type === 'identifier' || n.type === 'property_identifier' || n.type === 'shorthand_property_identifier' || n.type === 'string_fragment') {
      for (const w of wordsOf(n.text)) words.add(w);
    }
  }
  return words;
}

/** `getTasks` → get, task; `project_id` → project, id; `Users` → user. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => singular(w.toLowerCase()));
}

function singular(word: string): string {
  if (word.length > 3 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && /(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 2 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
