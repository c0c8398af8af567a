// Where a finding sits. No agent records the line of a SQL call, so the place is worked out:
// 1. an ORM query: the expression that built the source query (Django's `Model.objects…`), looked
//    up from the source query's table through the workspace's models (core/orm/), in the recorded
//    project functions of the request (those on the source query's stack first, then the latest
//    to run);
// 2. code that runs SQL itself: the line of the recorded function whose text holds the statement;
// 3. the definition of the nearest recorded project function above the queries;
// 4. the recorded test (metadata.recording.source_location);
// 5. the recording file itself.
// A place is kept as a reference by identity (function, model, table), not as a line, so that it
// can be resolved again against the current text while the developer edits.

import { dialectOf, sqlFacts } from '../sql/normalize';
import { ORMS, ormByName } from '../orm/index';
import { OrmName, OrmSupport } from './orm';
import { languageOfPath } from '../source/definitions';
import { FunctionIdentity, SourceIndex, SourceLocation } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { countWork } from '../workCounter';

/** The largest line an editor can be sent (LSP positions are 0-based unsigned 32-bit integers, at most 2^31 − 1). */
const MAX_RECORDED_LINE = 2 ** 31 - 1;

/** Where a finding sits, by identity; `resolveAnchor` turns it into a location in the current source. */
export type AnchorRef =
  /** The ORM expression that builds the query (Django `Model.objects…`) in a recorded function. */
  | { kind: 'queryset'; orm: OrmName; fn: FunctionIdentity; model: string }
  /** The line in a recorded function that runs the SQL itself. */
  | { kind: 'sql-statement'; fn: FunctionIdentity; table: string }
  /** The definition of a recorded project function. */
  | { kind: 'function'; fn: FunctionIdentity }
  /** The recorded test (metadata.recording.source_location), or nowhere in the project: the recording. */
  | { kind: 'test' | 'recording'; location: SourceLocation };

export type AnchorKind = AnchorRef['kind'];

/** The current location of an anchor; a queryset or statement edited away falls back to its function. */
export function resolveAnchor(ref: AnchorRef, index: SourceIndex): SourceLocation | undefined {
  switch (ref.kind) {
    case 'queryset': {
      const orm = ormByName(ref.orm);
      return (orm && querysetIn(orm, ref.fn, ref.model, index)) ?? index.locate(ref.fn)?.location;
    }
    case 'sql-statement':
      return statementIn(ref.fn, ref.table, index) ?? index.locate(ref.fn)?.location;
    case 'function':
      return index.locate(ref.fn)?.location;
    default:
      return ref.location;
  }
}

export interface Anchor {
  location: SourceLocation;
  ref: AnchorRef;
}

/**
 * Placing the findings of one recording. The walks placing takes (up the call tree to a project
 * function, back through a request for the function that built a queryset, through a function's
 * text for a statement) are remembered across findings, so each call and each file is walked
 * once however many findings sit under it: thousands of N+1s in one request, each walking the
 * whole request or a deep chain again, made placing quadratic.
 */
export interface Anchoring {
  /** The place of an N+1 group: its source query (if known) and the repeated calls. */
  repeatedQueries(scopeCall: Call | undefined, source: Call | undefined, repeated: Call[]): Anchor;
  /** The place of a finding about one call (or the calls under `call`): nearest project function, test, recording. */
  calls(call: Call | undefined): Anchor;
  /** The place of a finding about a whole request: the first project function under it (its handler). */
  request(request: Call): Anchor;
  /** The recorded test, else the recording. */
  test(): Anchor;
}

export function anchoringOf(trace: Trace, index: SourceIndex): Anchoring {
  const nearest = nearestProjectFunctions(trace, index);
  const querysets = querysetSearch(trace, index);
  const statements = new Map<string, SourceLocation | null>();
  let test: Anchor | undefined;
  const anchoring: Anchoring = {
    repeatedQueries(scopeCall, source, repeated) {
      if (source) {
        const queryset = querysets(scopeCall, source);
        if (queryset) return queryset;
      }
      const statement = findSqlStatement(trace, index, repeated[0], statements);
      if (statement) return statement;
      const enclosing = nearest(commonAncestor(trace, repeated));
      if (enclosing) return enclosing;
      // No project function encloses them all (the loop runs in framework code): the project
      // function nearest to the queries themselves, the one most of them run under.
      const votes = new Map<string, { anchor: Anchor; n: number }>();
      for (const c of repeated) {
        const near = nearest(c.parent === -1 ? undefined : trace.calls[c.parent]);
        if (!near) continue;
        const key = `${near.location.path}:${near.location.line}`;
        const v = votes.get(key);
        if (v) v.n++;
        else votes.set(key, { anchor: near, n: 1 });
      }
      let best: { anchor: Anchor; n: number } | undefined;
      for (const v of votes.values()) if (!best || v.n > best.n) best = v;
      return best ? best.anchor : anchoring.test();
    },
    calls(call) {
      return nearest(call) ?? anchoring.test();
    },
    request(request) {
      return firstProjectFunction(trace, index, request) ?? anchoring.calls(request);
    },
    test() {
      return (test ??= anchorTest(trace, index));
    },
  };
  return anchoring;
}

export function anchorTest(trace: Trace, index: SourceIndex): Anchor {
  const sourceLocation = trace.metadata.sourceLocation;
  const m = sourceLocation ? /^(.*?)(?::(\d+))?$/.exec(sourceLocation) : null;
  if (m && index.isProjectPath(m[1])) {
    const r = index.resolve(m[1]);
    if (r.kind !== 'outside') {
      // A line no editor can show (`:99999999999`, hundreds of digits) is no line: the file's first.
      const line = Number(m[2]);
      const location = { path: r.relPath, line: line >= 1 && line <= MAX_RECORDED_LINE ? line : 1, column: 1 };
      return { location, ref: { kind: 'test', location } };
    }
  }
  const location = { path: trace.recordingPath, line: 1, column: 1 };
  return { location, ref: { kind: 'recording', location } };
}

/** The anchor of a recorded project function call, if it is one. */
export function anchorFunction(trace: Trace, index: SourceIndex, call: Call): Anchor | undefined {
  if (call.kind !== CallKind.Function || call.fn === -1) return undefined;
  const fn = trace.functions[call.fn];
  const location = index.locate(fn)?.location;
  return location && { location, ref: { kind: 'function', fn } };
}

// ---- helpers ----------------------------------------------------------------------------------

/**
 * `call` or its nearest ancestor that is a recorded project function, for many calls: each call
 * walked is remembered with its answer, so calls sharing ancestors are walked once (thousands of
 * queries under a chain of thousands of framework calls took seconds to minutes, each walked to
 * the root: 118 s for 105,000).
 */
function nearestProjectFunctions(trace: Trace, index: SourceIndex): (call: Call | undefined) => Anchor | undefined {
  const known = new Map<number, Anchor | null>();
  const walked: number[] = [];
  return (call) => {
    walked.length = 0;
    let found: Anchor | null | undefined;
    for (let c = call; c && found === undefined; c = c.parent === -1 ? undefined : trace.calls[c.parent]) {
      countWork();
      found = known.get(c.index);
      if (found !== undefined) break;
      walked.push(c.index);
      found = anchorFunction(trace, index, c);
    }
    const answer = found ?? null;
    for (const i of walked) known.set(i, answer);
    return answer ?? undefined;
  };
}

/**
 * The ORM expression that built a source query: first in the functions on the query's own stack,
 * innermost first, then in those of the same request or test that ran before it, latest first
 * (the view that returned the lazy queryset has returned by the time the template iterates it).
 * Both walks remember, per model, where they ended for every call they passed, and each function
 * is searched once per model: the searches of thousands of source queries in one request walk
 * each call once.
 */
function querysetSearch(trace: Trace, index: SourceIndex): (scopeCall: Call | undefined, source: Call) => Anchor | undefined {
  /** Per ORM and model: the queryset in each function (by function index), null for none. */
  const inFunction = new Map<string, Map<number, Anchor | null>>();
  /** Per ORM and model: for each call walked up, the nearest call at or above it whose function holds one (-1: none). */
  const upward = new Map<string, Map<number, number>>();
  /** Per ORM, model, thread and scope: for each call walked back, the latest call at or before it whose function holds one. */
  const backward = new Map<string, Map<number, number>>();
  return (scopeCall, source) => {
    if (!index.parsers || !source.sql) return undefined;
    const table = sqlFacts(source.sql.text, dialectOf(source.sql.databaseType)).tables[0];
    if (!table) return undefined;
    for (const orm of ORMS) {
      const model = orm.modelOfTable(index, table);
      if (!model) continue;
      const key = `${orm.name}\u0000${model}`;
      const known = memoOf(inFunction, key);
      const querysetOf = (i: number): Anchor | null => {
        const c = trace.calls[i];
        if (c.kind !== CallKind.Function || c.fn === -1) return null;
        let found = known.get(c.fn);
        if (found === undefined) {
          const fn = trace.functions[c.fn];
          const location = querysetIn(orm, fn, model, index);
          found = location ? { location, ref: { kind: 'queryset', orm: orm.name, fn, model } } : null;
          known.set(c.fn, found);
        }
        return found;
      };
      const onStack = walkRemembering(memoOf(upward, key), source.index, (i) => trace.calls[i].parent, (i) => querysetOf(i) !== null);
      if (onStack !== -1) return querysetOf(onStack) as Anchor;
      const first = scopeCall ? scopeCall.index : 0;
      const before = walkRemembering(
        memoOf(backward, `${key}\u0000${source.threadId}\u0000${first}`),
        source.index - 1,
        (i) => (i > first ? i - 1 : -1),
        (i) => i >= first && trace.calls[i].threadId === source.threadId && querysetOf(i) !== null,
      );
      if (before !== -1) return querysetOf(before) as Anchor;
    }
    return undefined;
  };
}

/**
 * Walks from `from` by `next` (-1 ends) to the first node where `stop` holds, and returns it (-1:
 * none). Every node walked is remembered with that answer, so a later walk that reaches one stops
 * there: over many walks, each node is walked once.
 */
function walkRemembering(memo: Map<number, number>, from: number, next: (i: number) => number, stop: (i: number) => boolean): number {
  const walked: number[] = [];
  let answer = -1;
  for (let i = from; i !== -1; i = next(i)) {
    countWork();
    const known = memo.get(i);
    if (known !== undefined) {
      answer = known;
      break;
    }
    walked.push(i);
    if (stop(i)) {
      answer = i;
      break;
    }
  }
  for (const w of walked) memo.set(w, answer);
  return answer;
}

function memoOf<K, V>(memos: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let memo = memos.get(key);
  if (!memo) memos.set(key, (memo = new Map()));
  return memo;
}

/** The first query of `model` in the function's body, or in its class's body (`queryset = …`). */
function querysetIn(orm: OrmSupport, fn: FunctionIdentity, model: string, index: SourceIndex): Required<SourceLocation> | undefined {
  const located = index.locate(fn);
  const def = located?.definition;
  if (!located || !def) return undefined;
  const language = languageOfPath(located.location.path);
  if (!language || !orm.languages.includes(language)) return undefined;
  let ranges = orm.findQueries(index, located.location.path, model, { fromLine: def.line, toLine: def.endLine });
  if (ranges.length === 0 && def.container.length) {
    const cls = index.definitionsOf(located.location.path)?.find((d) => d.kind === 'class' && d.name === def.container[def.container.length - 1] && d.line <= def.line && d.endLine >= def.endLine);
    if (cls) ranges = orm.findQueries(index, located.location.path, model, { fromLine: cls.line, toLine: cls.endLine });
  }
  const r = ranges[0];
  return r && { path: located.location.path, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

/** The statement, in the recorded function around a query, that names the query's table; `known` holds the answers per function and table. */
function findSqlStatement(trace: Trace, index: SourceIndex, query: Call, known: Map<string, SourceLocation | null>): Anchor | undefined {
  if (!query.sql || query.parent === -1) return undefined;
  const parent = trace.calls[query.parent];
  if (parent.kind !== CallKind.Function || parent.fn === -1) return undefined;
  const table = sqlFacts(query.sql.text, dialectOf(query.sql.databaseType)).tables[0];
  if (!table) return undefined;
  const fn = trace.functions[parent.fn];
  // Each search reads the function's file line by line: once per function and table, not once per finding.
  const key = `${parent.fn}\u0000${table}`;
  let location = known.get(key);
  if (location === undefined) known.set(key, (location = statementIn(fn, table, index) ?? null));
  return location ? { location, ref: { kind: 'sql-statement', fn, table } } : undefined;
}

function statementIn(fn: FunctionIdentity, table: string, index: SourceIndex): SourceLocation | undefined {
  const located = index.locate(fn);
  if (!located?.definition) return undefined;
  const text = index.text(located.location.path);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const to = Math.min(located.definition.endLine, lines.length);
  const mentionsTable = new RegExp(`\\b(from|join|into|update)\\s+[\`"'\\[]?${escapeRegExp(table)}\\b`, 'i');
  for (let l = located.definition.line; l <= to; l++) {
    const line = lines[l - 1];
    if (mentionsTable.test(line)) return { path: located.location.path, line: l, column: firstNonSpace(line) };
  }
  return undefined;
}

function firstProjectFunction(trace: Trace, index: SourceIndex, root: Call): Anchor | undefined {
  // Breadth first: the handler of a request is the shallowest project function under it.
  let level: Call[] = [root];
  for (let depth = 0; depth < 64 && level.length; depth++) {
    const next: Call[] = [];
    for (const c of level) {
      for (let k = c.firstChild; k !== -1; k = trace.calls[k].nextSibling) {
        countWork();
        const child = trace.calls[k];
        const anchor = anchorFunction(trace, index, child);
        if (anchor) return anchor;
        next.push(child);
      }
    }
    level = next;
  }
  return undefined;
}

/**
 * The deepest call that encloses all of `calls` (undefined when they share no ancestor): the
 * deepest strict ancestor of the first that is an ancestor, or the call itself, of each other.
 * Only the calls below the answer are walked (each once, however many queries run under it), and
 * the answer climbs from the first call's parent: never the whole chain above, so that thousands
 * of findings under one deep chain do not each walk it to the root.
 */
export function commonAncestor(trace: Trace, calls: Call[]): Call | undefined {
  if (calls.length === 0 || calls[0].parent === -1) return undefined;
  const parentOf = (c: Call): Call | undefined => (c.parent === -1 ? undefined : trace.calls[c.parent]);
  let answer = trace.calls[calls[0].parent];
  // Calls known to be under the answer (under an earlier answer, so under every later one).
  const under = new Set<number>();
  const walked: number[] = [];
  for (let k = 1; k < calls.length; k++) {
    walked.length = 0;
    let c: Call | undefined = calls[k];
    while (c.depth > answer.depth && !under.has(c.index)) {
      countWork();
      walked.push(c.index);
      c = parentOf(c) as Call; // deeper than the answer, so not a root
    }
    if (c.depth > answer.depth) {
      for (const w of walked) under.add(w);
      continue;
    }
    while (answer.depth > c.depth) {
      countWork();
      answer = parentOf(answer) as Call;
    }
    while (c !== answer) {
      countWork();
      walked.push(c.index);
      const up: Call | undefined = parentOf(c);
      const answerUp = parentOf(answer);
      if (!up || !answerUp) return undefined; // different roots: different threads or trees
      c = up;
      answer = answerUp;
    }
    for (const w of walked) under.add(w);
  }
  return answer;
}

function firstNonSpace(line: string): number {
  const m = /\S/.exec(line);
  return m ? m.index + 1 : 1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
