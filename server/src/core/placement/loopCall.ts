// Where an N+1 is written, whatever the ORM: in the host function's text, the call inside a loop
// whose names best match the repeated SQL's tables and filter columns (`getTasks` ~ tasks,
// `where({ project_id })` ~ tasks.project_id, `micropost.user` ~ users), or that calls the recorded
// per-row wrapper (`senderOf`); and the query before the loop that produced the rows it iterates
// (`const projects = await …`). Loops: JavaScript/TypeScript `for`, `while`, `.map`/`.forEach`/
// `.flatMap` (so `Promise.all(rows.map(…))` too); Python `for`, `while`, comprehensions, generator
// expressions and `map(lambda …)`; Ruby `for`, `while`, and the iterating methods with a block
// (`.each`, `.map`, `.each_with_index`, `.find_each`…); an ERB partial rendered for a collection is
// itself the body run per row, and its `render` in the template that rendered it is the loop.
// Read with tree-sitter, once per file and text (ERB: its Ruby, see erbAsRuby).

import type { Node } from 'web-tree-sitter';
import { descendants, languageOfPath, SourceLanguage, withTree } from '../source/language';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { countWork } from '../workCounter';

/** A call in a loop that may run once per row. */
interface Candidate {
  location: SourceLocation;
  /** The name of the function called (`getTasks`, `senderOf`, `loadMany`). */
  callee: string;
  /** The words of the call's text, lower case and singular (`project`, `task`, `get`). */
  words: Set<string>;
  /**
   * Python and Ruby: the members its chain reads without arguments (`micropost.user` of
   * `micropost.user.name`), each with its words. Their ORMs load a row's relation on its first
   * read and keep it, so of the same read written again in a loop, the first runs the query.
   */
  reads: Array<{ text: string; words: Set<string> }>;
  /** Under a condition inside its loop (an `if` branch, a ternary): it may not run for every row. */
  conditional: boolean;
}

/** A loop of a file: its lines, the rows it iterates, the calls it makes per row. */
interface Loop {
  line: number;
  endLine: number;
  /** The variable whose rows it iterates (`projects` of `for (const p of projects)`). */
  rows: string | undefined;
  /** Python and Ruby: the query the loop iterates, written in place (`Post.limit(50).each`, `for p in Post.objects.all()`). */
  rowsAt?: SourceLocation;
  candidates: Candidate[];
  /** An ERB partial's whole text (outside its own loops): the body a collection render runs per row. */
  partial?: boolean;
}

interface FileLoops {
  text: string;
  loops: Loop[];
  /** The calls of the loops by each word they hold and by the name they call: a search looks only at those of its words. */
  byWord: Map<string, Array<{ candidate: Candidate; loop: Loop }>>;
  byCallee: Map<string, Array<{ candidate: Candidate; loop: Loop }>>;
  /** Per variable name, where it is given a value (`const projects = await …`: the value after await). */
  declarations: Map<string, SourceLocation[]>;
  /** Ruby and ERB: the `render` calls, with their words (`render @feed_items`). */
  renders: Array<{ location: SourceLocation; words: Set<string> }>;
}

/** What an N+1's loop is, in a host function. */
export interface LoopPlace {
  /** The call in the loop that runs once per row. */
  perRow: SourceLocation;
  /** The query before the loop whose rows it iterates, when written in the host. */
  source: SourceLocation | undefined;
  /** The per-row call is in an ERB partial that is itself the loop's body (a collection render). */
  inPartial: boolean;
}

/** What the repeated queries say of themselves, to match against the code's names. */
export interface RepeatedNames {
  tables: readonly string[];
  columns: readonly string[];
  /** The recorded function that wraps each repeat (`senderOf`), if there is one. */
  wrapper?: string | undefined;
}


type Scored = { candidate: Candidate; loop: Loop; score: number; read: string | undefined };

/**
 * The loop of `names`' N+1 in lines `fromLine`–`toLine` of `path` (a host function's body): the
 * per-row call whose names match best (one only: a tie is no certainty, but for the same relation
 * read again in one loop, whose first unconditional read is the one that queries), and its source
 * query. Each file is read once per text; each call is looked at once per search.
 */
export function loopPlaceIn(index: SourceIndex, path: string, fromLine: number, toLine: number, names: RepeatedNames): LoopPlace | undefined {
  const file = fileLoops(index, path);
  if (!file) return undefined;
  const wanted = new Set<string>();
  for (const t of names.tables) for (const w of wordsOf(t)) wanted.add(w);
  // Python: a Django table is named `app_model` (`meetups_venue`), its rows read `.venue`.
  const unprefixed = languageOfPath(path) === 'python' && wanted.size > 1 ? new Set([...wanted].slice(1)) : undefined;
  const columns = new Set<string>();
  for (const c of names.columns) for (const w of wordsOf(c.slice(c.lastIndexOf('.') + 1))) if (!wanted.has(w)) columns.add(w);
  // Every word of the table must match, so the calls holding its first word are all there is to
  // score (and those calling the wrapper): not every call of the file for every finding.
  const first = wanted.values().next().value;
  const firstUnprefixed = unprefixed?.values().next().value;
  const lists = [
    names.wrapper !== undefined ? file.byCallee.get(names.wrapper) : undefined,
    first !== undefined ? file.byWord.get(first) : undefined,
    firstUnprefixed !== undefined ? file.byWord.get(firstUnprefixed) : undefined,
  ];
  const best: Scored[] = [];
  const seen = new Set<Candidate>();
  for (const list of lists) {
    for (const { candidate, loop } of list ?? []) {
      countWork();
      if (loop.line < fromLine || loop.endLine > toLine || seen.has(candidate)) continue;
      seen.add(candidate);
      const { score, read } = scoreOf(candidate, wanted, unprefixed, columns, names.wrapper);
      if (score === 0 || (best.length > 0 && score < best[0].score)) continue;
      if (best.length > 0 && score > best[0].score) best.length = 0;
      best.push({ candidate, loop, score, read });
    }
  }
  const chosen = certainOf(best);
  if (!chosen) return undefined;
  const source = sourceOf(file, chosen.loop, fromLine);
  return { perRow: { ...chosen.candidate.location, path }, source: source && { ...source, path }, inPartial: chosen.loop.partial === true };
}

/**
 * The one call of the best: all on one line (the first found), or all the same relation read in
 * one loop (its first read, if that one runs for every row); else nothing is certain.
 */
function certainOf(best: Scored[]): Scored | undefined {
  if (best.length === 0) return undefined;
  const line = best[0].candidate.location.line;
  if (best.every((b) => b.candidate.location.line === line)) return best[0];
  const read = best[0].read;
  if (read === undefined || !best.every((b) => b.read === read && b.loop === best[0].loop)) return undefined;
  let firstRead = best[0];
  for (const b of best) {
    const at = b.candidate.location;
    const was = firstRead.candidate.location;
    if (at.line < was.line || (at.line === was.line && at.column < was.column)) firstRead = b;
  }
  return firstRead.candidate.conditional ? undefined : firstRead;
}

/**
 * How well a call's names match: the wrapper called by name wins; else every word of the table
 * (3; Python, every word but a Django app's label: 2) plus each filter column word (1), plus 1 when
 * the call reads the relation itself (`micropost.user` ~ users); a call naming no table word is no
 * match.
 */
function scoreOf(candidate: Candidate, table: Set<string>, unprefixed: Set<string> | undefined, columns: Set<string>, wrapper: string | undefined): { score: number; read: string | undefined } {
  if (wrapper !== undefined && candidate.callee === wrapper) return { score: 100, read: undefined };
  if (table.size === 0) return { score: 0, read: undefined };
  let matched: Set<string> | undefined;
  let score = 0;
  if (containsAll(candidate.words, table)) {
    matched = table;
    score = 3;
  } else if (unprefixed && containsAll(candidate.words, unprefixed)) {
    matched = unprefixed;
    score = 2;
  } else return { score: 0, read: undefined };
  for (const w of columns) if (candidate.words.has(w)) score++;
  const read = candidate.reads.find((r) => r.words.size === matched.size && containsAll(r.words, matched));
  return { score: read ? score + 1 : score, read: read?.text };
}

function containsAll(words: Set<string>, all: Set<string>): boolean {
  for (const w of all) if (!words.has(w)) return false;
  return true;
}

/** The latest value given, before the loop and inside the host, to the variable the loop iterates. */
function sourceOf(file: FileLoops, loop: Loop, fromLine: number): SourceLocation | undefined {
  if (loop.rowsAt) return loop.rowsAt;
  if (!loop.rows) return undefined;
  let found: SourceLocation | undefined;
  for (const at of file.declarations.get(loop.rows) ?? []) {
    countWork();
    if (at.line >= fromLine && at.line <= loop.line && (!found || at.line > found.line)) found = at;
  }
  return found;
}

/**
 * The collection render (`<%= render @feed_items %>`) in the template `callerPath` that rendered
 * the partial `partialPath`: its only `render`, else its only one naming the partial
 * (`render partial: "microposts/micropost", collection: …`, `render @microposts`).
 */
export function collectionRenderIn(index: SourceIndex, callerPath: string, partialPath: string): SourceLocation | undefined {
  const file = fileLoops(index, callerPath);
  if (!file || file.renders.length === 0) return undefined;
  if (file.renders.length === 1) return { ...file.renders[0].location, path: callerPath };
  const base = partialPath.slice(partialPath.lastIndexOf('/') + 1).replace(/^_/, '').replace(/\..*$/, '');
  const named = new Set(wordsOf(base));
  const naming = file.renders.filter((r) => named.size > 0 && containsAll(r.words, named));
  return naming.length === 1 ? { ...naming[0].location, path: callerPath } : undefined;
}

/** An ERB file (`.erb`, `.html.erb`): read as the Ruby of its tags. */
export function isErb(path: string): boolean {
  return /\.erb$/i.test(path);
}

/** An ERB partial (`_micropost.html.erb`): rendered by `render`, once per row for a collection. */
function isPartial(path: string): boolean {
  return isErb(path) && path.slice(path.lastIndexOf('/') + 1).startsWith('_');
}

function fileLoops(index: SourceIndex, path: string): FileLoops | undefined {
  const erb = isErb(path);
  const language: SourceLanguage | undefined = erb ? 'ruby' : languageOfPath(path);
  if (!index.parsers || !language || language === 'java') return undefined;
  const parsers = index.parsers;
  // Derived once per text of the file (core/derived.ts through the source index). The table's
  // first declaration holds for every file: all it needs is worked out from the file's own path.
  const loops = index.perText('placement.loops', (file, text) => {
    const isTemplate = isErb(file);
    const lang: SourceLanguage | undefined = isTemplate ? 'ruby' : languageOfPath(file);
    if (!lang || lang === 'java') return undefined;
    const syntax = lang === 'python' ? PYTHON : lang === 'ruby' ? RUBY : JAVASCRIPT;
    return withTree(parsers, lang, isTemplate ? erbAsRuby(text) : text, (root) => readLoops(root, text, syntax, isPartial(file)));
  });
  return loops.get(path);
}

/**
 * The Ruby of an ERB template, at the same lines and columns: the text outside the tags, the tags'
 * delimiters and comments become spaces, and each tag ends with `;` (two tags on one line are two
 * statements). Chosen over the embedded-template grammar, which @vscode/tree-sitter-wasm does not
 * ship and which would split the same tags: the Ruby of every tag is then parsed at once, so a
 * block opened in one tag (`<% rows.each do |r| %>`) ends in another, as Rails compiles it.
 */
export function erbAsRuby(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  let out = '';
  let i = 0;
  while (i < text.length) {
    countWork();
    const open = text.indexOf('<%', i);
    if (open < 0) {
      out += blank(text.slice(i));
      break;
    }
    out += blank(text.slice(i, open));
    const close = text.indexOf('%>', open + 2);
    const end = close < 0 ? text.length : close;
    const after = close < 0 ? text.length : close + 2;
    const mark = text[open + 2];
    if (mark === '%' || mark === '#') {
      // `<%%` writes `<%`; `<%#` is a comment.
      out += blank(text.slice(open, mark === '%' ? open + 3 : after));
      i = mark === '%' ? open + 3 : after;
      continue;
    }
    let code = open + 2;
    while (code < end && code < open + 4 && (text[code] === '=' || text[code] === '-')) code++;
    const trim = end > code && text[end - 1] === '-' ? 1 : 0;
    out += ' '.repeat(code - open) + text.slice(code, end - trim) + ' '.repeat(trim);
    if (close >= 0) out += '; ';
    i = after;
  }
  return out;
}

/** What a language's syntax tree says: assignments, loops, calls and the names they are made of. */
interface Syntax {
  /** The variable given a value and the value, if `node` is an assignment. */
  declaration(node: Node): { name: string; value: Node } | undefined;
  /** A loop's body and the variable it iterates, if `node` is a loop. */
  loopOf(node: Node): { body: Node; rows: string | undefined; rowsNode?: Node | null } | undefined;
  /** The calls of a loop body that may run a query per row; a partial's whole text skips its own loops. */
  candidatesIn(body: Node, skipLoops: boolean): Candidate[];
  /** A `render` call (Ruby). */
  isRender(node: Node): boolean;
  /** The node types whose text is a name or a string. */
  wordTypes: ReadonlySet<string>;
}

/** Every loop of a file with its per-row calls, and every declaration with its value. */
function readLoops(root: Node, text: string, syntax: Syntax, partial: boolean): FileLoops {
  const loops: Loop[] = [];
  const declarations = new Map<string, SourceLocation[]>();
  const renders: FileLoops['renders'] = [];
  for (const node of descendants(root)) {
    countWork();
    if (syntax.isRender(node)) renders.push({ location: locationOf(node), words: wordsOfNode(node, syntax.wordTypes) });
    const declared = syntax.declaration(node);
    if (declared) {
      const list = declarations.get(declared.name) ?? [];
      list.push(locationOf(unwrapAwait(declared.value)));
      declarations.set(declared.name, list);
      continue;
    }
    const loop = syntax.loopOf(node);
    if (!loop) continue;
    const rowsAt = loop.rowsNode && isModelQuery(loop.rowsNode) ? locationOf(loop.rowsNode) : undefined;
    loops.push({ line: node.startPosition.row + 1, endLine: node.endPosition.row + 1, rows: loop.rows, ...(rowsAt ? { rowsAt } : {}), candidates: syntax.candidatesIn(loop.body, false) });
  }
  if (partial) loops.push({ line: 1, endLine: root.endPosition.row + 1, rows: undefined, candidates: syntax.candidatesIn(root, true), partial: true });
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
  return { text, loops, declarations, byWord, byCallee, renders };
}

// JavaScript and TypeScript.

const JAVASCRIPT: Syntax = {
  declaration(node) {
    if (node.type !== 'variable_declarator' && node.type !== 'assignment_expression') return undefined;
    const name = node.childForFieldName(node.type === 'variable_declarator' ? 'name' : 'left');
    const value = node.childForFieldName(node.type === 'variable_declarator' ? 'value' : 'right');
    return name?.type === 'identifier' && value ? { name: name.text, value } : undefined;
  },
  loopOf(node) {
    switch (node.type) {
      case 'for_in_statement': {
        const body = node.childForFieldName('body');
        const right = node.childForFieldName('right');
        return body ? { body, rows: right ? jsRowsName(right) : undefined } : undefined;
      }
      case 'for_statement': {
        const body = node.childForFieldName('body');
        const condition = node.childForFieldName('condition');
        let rows: string | undefined;
        for (const n of condition ? descendants(condition) : []) {
          if (n.type === 'member_expression' && n.childForFieldName('property')?.text === 'length') rows = jsRowsName(n.childForFieldName('object'));
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
        return body ? { body, rows: jsRowsName(callee.childForFieldName('object')) } : undefined;
      }
      default:
        return undefined;
    }
  },
  /**
   * An awaited call (the whole chain), and the value of an arrow function's expression body
   * (`(m) => senderOf(m)`). Calls nested in a candidate are part of it.
   */
  candidatesIn(body) {
    const out: Candidate[] = [];
    const add = (call: Node) => {
      if (call.type !== 'call_expression') return;
      out.push({ location: locationOf(call), callee: jsCalleeName(call) ?? '', words: wordsOfNode(call, JS_WORDS), reads: [], conditional: false });
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
  },
  isRender: () => false,
  wordTypes: new Set(['identifier', 'property_identifier', 'shorthand_property_identifier', 'string_fragment']),
};
const JS_WORDS = JAVASCRIPT.wordTypes;

/** `projects` of `projects`, `this.projects`, `await projects`. */
function jsRowsName(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'member_expression') return node.childForFieldName('property')?.text;
  if (node.type === 'await_expression' || node.type === 'parenthesized_expression') return jsRowsName(node.namedChild(0));
  return undefined;
}

function jsCalleeName(call: Node): string | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  if (callee.type === 'identifier') return callee.text;
  if (callee.type === 'member_expression') return callee.childForFieldName('property')?.text;
  return undefined;
}

// Python and Ruby: any call or attribute read may run a query (no `await` tells), so each chain
// in a loop body (`Tag.objects.filter(post_id=p.id)`, `micropost.user.name`) is a candidate, with
// the words of its own text: a chain written inside another's arguments is a candidate of its own.

/** How a language writes chains: which nodes are links, and each link's member, arguments and inner link. */
interface Chains {
  isLink(node: Node): boolean;
  /** The member a link reads or calls (`user` of `micropost.user`), whether it passes arguments, and what it is called on. */
  link(node: Node): { member: string | undefined; withArguments: boolean; inner: Node | null };
  /** True when `child` is the inner link of `parent` (so not a chain of its own). */
  isInnerOf(parent: Node, child: Node): boolean;
}

/** The node types whose children may run only for some rows, but for their field `except`. */
function chainCandidates(body: Node, skipLoops: boolean, chains: Chains, syntax: Syntax, conditionals: ReadonlyMap<string, string>): Candidate[] {
  const out: Candidate[] = [];
  const stack: Array<{ node: Node; conditional: boolean }> = [{ node: body, conditional: false }];
  while (stack.length > 0) {
    const { node, conditional } = stack.pop()!;
    countWork();
    if (skipLoops && node !== body && syntax.loopOf(node)) continue;
    const parent = node.parent;
    if (chains.isLink(node) && !(parent && chains.isLink(parent) && chains.isInnerOf(parent, node))) out.push(chainCandidate(node, chains, syntax.wordTypes, conditional));
    const except = conditionals.get(node.type);
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (!child) continue;
      const branch = except !== undefined && !isFieldChild(node, except, child);
      stack.push({ node: child, conditional: conditional || branch });
    }
  }
  out.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
  return out;
}

function isFieldChild(parent: Node, field: string, child: Node): boolean {
  const node = parent.childForFieldName(field);
  return node !== null && node.id === child.id;
}

/** A chain's candidate: its callee, its reads without arguments, and the words of its text but those of chains inside it. */
function chainCandidate(top: Node, chains: Chains, wordTypes: ReadonlySet<string>, conditional: boolean): Candidate {
  const reads: Candidate['reads'] = [];
  const spine = new Set<number>();
  let callee: string | undefined;
  for (let node: Node | null = top; node && chains.isLink(node); ) {
    countWork();
    spine.add(node.id);
    const { member, withArguments, inner } = chains.link(node);
    callee ??= member;
    // A read's text names it (`micropost.user`); a longer chain is no read to compare.
    if (member !== undefined && !withArguments && node.endIndex - node.startIndex <= 200) reads.push({ text: node.text, words: new Set(wordsOf(member)) });
    node = inner;
  }
  const words = new Set<string>();
  const stack: Node[] = [top];
  while (stack.length > 0) {
    const node = stack.pop()!;
    countWork();
    if (wordTypes.has(node.type)) for (const w of wordsOf(node.text)) words.add(w);
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (!child) continue;
      // A chain inside this one's arguments is its own candidate.
      if (chains.isLink(child) && !spine.has(child.id) && !(chains.isInnerOf(node, child) && spine.has(node.id))) continue;
      stack.push(child);
    }
  }
  return { location: locationOf(top), callee: callee ?? '', words, reads, conditional };
}

// Python.

const PYTHON_CHAINS: Chains = {
  isLink: (node) => node.type === 'call' || node.type === 'attribute',
  link(node) {
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute') {
        const member = fn.childForFieldName('attribute')?.text;
        return { member, withArguments: true, inner: fn.childForFieldName('object') };
      }
      return { member: fn?.type === 'identifier' ? fn.text : undefined, withArguments: true, inner: null };
    }
    return { member: node.childForFieldName('attribute')?.text, withArguments: false, inner: node.childForFieldName('object') };
  },
  isInnerOf(parent, child) {
    if (parent.type === 'attribute') return isFieldChild(parent, 'object', child);
    if (parent.type !== 'call') return false;
    const fn = parent.childForFieldName('function');
    // A call's function is part of its link: `session.scalars` of `session.scalars(…)`.
    return fn !== null && (fn.id === child.id || (fn.type === 'attribute' && isFieldChild(fn, 'object', child)));
  },
};

const PYTHON_CONDITIONALS = new Map([
  ['if_statement', 'condition'],
  ['conditional_expression', ''],
  ['boolean_operator', 'left'],
  ['try_statement', ''],
  ['match_statement', 'subject'],
]);

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

const PYTHON: Syntax = {
  declaration(node) {
    if (node.type !== 'assignment') return undefined;
    const name = node.childForFieldName('left');
    const value = node.childForFieldName('right');
    return name?.type === 'identifier' && value ? { name: name.text, value } : undefined;
  },
  loopOf(node) {
    if (node.type === 'for_statement') {
      const body = node.childForFieldName('body');
      const right = node.childForFieldName('right');
      return body ? { body, rows: pyRowsName(right), rowsNode: right } : undefined;
    }
    if (node.type === 'while_statement') {
      const body = node.childForFieldName('body');
      return body ? { body, rows: undefined } : undefined;
    }
    if (COMPREHENSIONS.has(node.type)) {
      const body = node.childForFieldName('body');
      let right: Node | null = null;
      for (let i = 0; i < node.namedChildCount; i++) {
        const clause = node.namedChild(i);
        if (clause?.type === 'for_in_clause') {
          right = clause.childForFieldName('right');
          break;
        }
      }
      return body ? { body, rows: pyRowsName(right), rowsNode: right } : undefined;
    }
    if (node.type === 'call' && node.childForFieldName('function')?.text === 'map') {
      const args = node.childForFieldName('arguments');
      const fn = args?.namedChild(0);
      const body = fn?.type === 'lambda' ? fn.childForFieldName('body') : null;
      const rows = args?.namedChild(1) ?? null;
      return body ? { body, rows: pyRowsName(rows), rowsNode: rows } : undefined;
    }
    return undefined;
  },
  candidatesIn: (body, skipLoops) => chainCandidates(body, skipLoops, PYTHON_CHAINS, PYTHON, PYTHON_CONDITIONALS),
  isRender: () => false,
  wordTypes: new Set(['identifier', 'string_content']),
};

/** `posts` of `posts`, `self.posts`, `await posts`, `(posts)`. */
function pyRowsName(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  if (node.type === 'await' || node.type === 'parenthesized_expression') return pyRowsName(node.namedChild(0));
  return undefined;
}

// Ruby (and the Ruby of ERB templates).

/** The methods that run their block once per row. */
const ITERATORS = new Set(['each', 'map', 'flat_map', 'collect', 'each_with_index', 'each_with_object', 'find_each', 'each_slice', 'filter_map', 'select', 'reject', 'sum', 'group_by', 'index_by', 'to_h', 'sort_by', 'each_entry', 'in_batches', 'find_in_batches']);

const RUBY_CHAINS: Chains = {
  isLink: (node) => node.type === 'call',
  link(node) {
    const withArguments = node.childForFieldName('arguments') !== null || node.childForFieldName('block') !== null;
    return { member: node.childForFieldName('method')?.text, withArguments, inner: node.childForFieldName('receiver') };
  },
  isInnerOf: (parent, child) => parent.type === 'call' && isFieldChild(parent, 'receiver', child),
};

const RUBY_CONDITIONALS = new Map([
  ['if', 'condition'],
  ['unless', 'condition'],
  ['if_modifier', 'condition'],
  ['unless_modifier', 'condition'],
  ['conditional', 'condition'],
  ['case', 'value'],
  ['begin', ''],
  ['binary', 'left'],
]);

const RUBY: Syntax = {
  declaration(node) {
    if (node.type !== 'assignment') return undefined;
    const name = node.childForFieldName('left');
    const value = node.childForFieldName('right');
    return (name?.type === 'identifier' || name?.type === 'instance_variable') && value ? { name: name.text, value } : undefined;
  },
  loopOf(node) {
    if (node.type === 'for') {
      const body = node.childForFieldName('body');
      const rows = node.childForFieldName('value')?.namedChild(0) ?? null;
      return body ? { body, rows: rbRowsName(rows), rowsNode: rows } : undefined;
    }
    if (node.type === 'while' || node.type === 'until') {
      const body = node.childForFieldName('body');
      return body ? { body, rows: undefined } : undefined;
    }
    if (node.type !== 'call') return undefined;
    const method = node.childForFieldName('method')?.text;
    const block = node.childForFieldName('block');
    if (!block || method === undefined || !ITERATORS.has(method)) return undefined;
    const rows = node.childForFieldName('receiver');
    return { body: block.childForFieldName('body') ?? block, rows: rbRowsName(rows), rowsNode: rows };
  },
  candidatesIn: (body, skipLoops) => chainCandidates(body, skipLoops, RUBY_CHAINS, RUBY, RUBY_CONDITIONALS),
  isRender: (node) => node.type === 'call' && node.childForFieldName('receiver') === null && node.childForFieldName('method')?.text === 'render',
  wordTypes: new Set(['identifier', 'constant', 'instance_variable', 'simple_symbol', 'hash_key_symbol', 'string_content']),
};

/** `rows` of `rows`, `@rows`, `user.microposts`. */
function rbRowsName(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier' || node.type === 'instance_variable') return node.text;
  if (node.type === 'call' && node.childForFieldName('arguments') === null) return node.childForFieldName('method')?.text;
  if (node.type === 'parenthesized_statements') return rbRowsName(node.namedChild(0));
  return undefined;
}

/**
 * A query on a model class, written where the loop iterates it: a chain of calls or attributes on
 * a class name (`Post.limit(50)`, `Post.objects.filter(…)`, `Post.query.all()`), at least one a call
 * or a read on it.
 */
function isModelQuery(node: Node): boolean {
  let links = 0;
  let at: Node | null = node;
  while (at && (at.type === 'call' || at.type === 'attribute')) {
    countWork();
    links++;
    at = at.type === 'attribute' ? at.childForFieldName('object') : (at.childForFieldName('receiver') ?? at.childForFieldName('function'));
  }
  return links > 0 && at !== null && (at.type === 'constant' || (at.type === 'identifier' && /^[A-Z]/.test(at.text) && links > 1));
}

function unwrapAwait(node: Node): Node {
  return (node.type === 'await_expression' || node.type === 'await') && node.namedChild(0) ? (node.namedChild(0) as Node) : node;
}

function locationOf(node: Node): SourceLocation {
  return { path: '', line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** The words of a node's identifiers, property names and strings. */
function wordsOfNode(node: Node, types: ReadonlySet<string>): Set<string> {
  const words = new Set<string>();
  for (const n of descendants(node)) {
    countWork();
    if (types.has(n.type)) for (const w of wordsOf(n.text)) words.add(w);
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
