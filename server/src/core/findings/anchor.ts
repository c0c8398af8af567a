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
import { OrmName, OrmSupport } from '../orm/types';
import { languageOfPath } from '../source/definitions';
import { FunctionIdentity, SourceIndex, SourceLocation } from '../sourceIndex';
import { ancestry, Call, CallKind, Trace } from '../trace';
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

/** The place of an N+1 group: its source query (if known) and the repeated calls. */
export function anchorRepeatedQueries(trace: Trace, index: SourceIndex, scopeCall: Call | undefined, source: Call | undefined, repeated: Call[]): Anchor {
  if (source) {
    const queryset = findQueryset(trace, index, scopeCall, source);
    if (queryset) return queryset;
  }
  const statement = findSqlStatement(trace, index, repeated[0]);
  if (statement) return statement;
  const enclosing = nearestProjectFunction(trace, index, commonAncestor(trace, repeated));
  if (enclosing) return enclosing;
  // No project function encloses them all (the loop runs in framework code): the project
  // function nearest to the queries themselves, the one most of them run under.
  const votes = new Map<string, { anchor: Anchor; n: number }>();
  const nearest = nearestProjectFunctions(trace, index);
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
  return best ? best.anchor : anchorTest(trace, index);
}

/** The place of a finding about one call (or the calls under `call`): nearest project function, test, recording. */
export function anchorCalls(trace: Trace, index: SourceIndex, call: Call | undefined): Anchor {
  return nearestProjectFunction(trace, index, call) ?? anchorTest(trace, index);
}

/** The place of a finding about a whole request: the first project function under it (its handler). */
export function anchorRequest(trace: Trace, index: SourceIndex, request: Call): Anchor {
  return firstProjectFunction(trace, index, request) ?? anchorCalls(trace, index, request);
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

/** `call` or its nearest ancestor that is a recorded project function. */
function nearestProjectFunction(trace: Trace, index: SourceIndex, call: Call | undefined): Anchor | undefined {
  for (let c = call; c; c = c.parent === -1 ? undefined : trace.calls[c.parent]) {
    countWork();
    const anchor = anchorFunction(trace, index, c);
    if (anchor) return anchor;
  }
  return undefined;
}

/**
 * nearestProjectFunction for many calls: each call walked is remembered with its answer, so calls
 * sharing ancestors are walked once (thousands of queries under a chain of thousands of framework
 * calls took seconds to minutes, each walked to the root: 118 s for 105,000).
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

function findQueryset(trace: Trace, index: SourceIndex, scopeCall: Call | undefined, source: Call): Anchor | undefined {
  if (!index.parsers || !source.sql) return undefined;
  const table = sqlFacts(source.sql.text, dialectOf(source.sql.databaseType)).tables[0];
  if (!table) return undefined;
  for (const orm of ORMS) {
    const model = orm.modelOfTable(index, table);
    if (!model) continue;
    const tried = new Set<number>();
    const search = (c: Call): Anchor | undefined => {
      if (c.kind !== CallKind.Function || c.fn === -1 || tried.has(c.fn)) return undefined;
      tried.add(c.fn);
      const fn = trace.functions[c.fn];
      const location = querysetIn(orm, fn, model, index);
      return location && { location, ref: { kind: 'queryset', orm: orm.name, fn, model } };
    };
    // First the functions on the source query's own stack, innermost first…
    for (const c of ancestry(trace, source).reverse()) {
      const found = search(c);
      if (found) return found;
    }
    // …then those of the same request or test that ran before it, latest first: the view that
    // returned the lazy queryset has returned by the time the template iterates it.
    const first = scopeCall ? scopeCall.index : 0;
    for (let i = source.index - 1; i >= first; i--) {
      countWork();
      const c = trace.calls[i];
      if (c.threadId !== source.threadId) continue;
      const found = search(c);
      if (found) return found;
    }
  }
  return undefined;
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

/** The statement, in the recorded function around a query, that names the query's table. */
function findSqlStatement(trace: Trace, index: SourceIndex, query: Call): Anchor | undefined {
  if (!query.sql || query.parent === -1) return undefined;
  const parent = trace.calls[query.parent];
  if (parent.kind !== CallKind.Function || parent.fn === -1) return undefined;
  const table = sqlFacts(query.sql.text, dialectOf(query.sql.databaseType)).tables[0];
  if (!table) return undefined;
  const fn = trace.functions[parent.fn];
  const location = statementIn(fn, table, index);
  return location && { location, ref: { kind: 'sql-statement', fn, table } };
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

/** The deepest call that encloses all of `calls` (undefined when they share no ancestor). */
export function commonAncestor(trace: Trace, calls: Call[]): Call | undefined {
  if (calls.length === 0) return undefined;
  const path = ancestry(trace, calls[0]).slice(0, -1); // the query itself is not its own ancestor
  // For each call walked so far, the position on `path` of the deepest path call at or above it
  // (-1: none). Each call of the tree is walked once, however many queries run under it: walking
  // every query up to the root took seconds for thousands of queries thousands of calls deep.
  const onPath = new Map<number, number>(path.map((c, i) => [c.index, i]));
  const walked: number[] = [];
  let keep = path.length;
  for (let k = 1; k < calls.length && keep > 0; k++) {
    walked.length = 0;
    let at = calls[k].index;
    let found = onPath.get(at);
    while (found === undefined) {
      countWork();
      walked.push(at);
      const parent = trace.calls[at].parent;
      found = parent === -1 ? -1 : onPath.get(parent);
      at = parent;
    }
    for (const w of walked) onPath.set(w, found);
    keep = Math.min(keep, found + 1);
  }
  return keep > 0 ? path[keep - 1] : undefined;
}

function firstNonSpace(line: string): number {
  const m = /\S/.exec(line);
  return m ? m.index + 1 : 1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
