// Where a finding sits. No agent records the line of a SQL call, so the place is worked out:
// 0. the line the recorder says the query was made on (OTel spans: code.stacktrace, code.file.path
//    and code.line.number), its first frame in the project: exact, so nothing is worked out;
// 1. an ORM query: the expression that built the source query (Django's `Model.objects…`), looked
//    up from the source query's table through the models of the ORMs handed in (core/orm/ plugs
//    them in through the interface of orm.ts), in the recorded project functions of the request
//    (those on the source query's stack first, then the latest to run): queries.ts;
// 2. code that runs SQL itself: the line of the recorded function whose text holds the statement
//    (statements.ts);
// 3. whatever the ORM, the N+1's loop in its host function's text (loopCall.ts): the query before
//    the loop whose rows it iterates, else the call in the loop that runs once per row; the host is
//    the recorded function above the repeats (or above the per-row wrapper that runs each one), or
//    the route handler of the request when the agent recorded none (host.ts, routes.ts). The
//    per-row call is kept as a related place of the finding (`also`), after 1 and 2 too;
// 4. the definition of the nearest recorded project function above the queries;
// 5. the recorded test (metadata.recording.source_location);
// 6. the recording file itself.
// A place is kept as a reference by identity (function, model, table), not as a line, so that it
// can be resolved again against the current text while the developer edits.

import { Anchor, AnchorRef, LoopEnd, LoopHost } from '../findings/finding';
import { factsOf } from '../analysis/stats';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { commonAncestor, nearestAbove, shallowestBelow } from './calls';
import { OrmSupport } from './orm';
import { querysetIn, querysetOfCaller, querysetSearch } from './queries';
import { findSqlStatement, statementIn } from './statements';
import { hostSearch } from './host';
import { collectionRenderIn, isErb, LoopPlace, loopPlaceIn, RepeatedNames } from './loopCall';
import { routeHandler } from './routes';
import { countWork } from '../workCounter';

/** How many of an N+1's first repeats are looked at for the names of its shapes (one row's worth). */
const SHAPES_TRIED = 8;

/** The largest line an editor can be sent (LSP positions are 0-based unsigned 32-bit integers, at most 2^31 − 1). */
const MAX_RECORDED_LINE = 2 ** 31 - 1;

/** The current location of an anchor; a queryset or statement edited away falls back to its function. */
export function resolveAnchor(ref: AnchorRef, index: SourceIndex, orms: readonly OrmSupport[]): SourceLocation | undefined {
  switch (ref.kind) {
    case 'queryset': {
      const orm = orms.find((o) => o.name === ref.orm);
      return (orm && querysetIn(orm, ref.fn, ref.model, index)) ?? index.locate(ref.fn)?.location;
    }
    case 'sql-statement':
      return statementIn(ref.fn, ref.table, index) ?? index.locate(ref.fn)?.location;
    case 'function':
      return index.locate(ref.fn)?.location;
    case 'loop': {
      const place = loopIn(index, ref.host, ref);
      return (place && endOf(place, ref.at)) ?? ('fn' in ref.host ? index.locate(ref.host.fn)?.location : undefined);
    }
    case 'query-site':
      return resolveSite(index, ref);
    default:
      return ref.location;
  }
}

/**
 * Placing the findings of one recording. The walks placing takes (up the call tree to a project
 * function, back through a request for the function that built a queryset, through a function's
 * text for a statement) are remembered across findings, so each call and each file is walked
 * once however many findings sit under it: thousands of N+1s in one request, each walking the
 * whole request or a deep chain again, made placing quadratic. Calls are the trace's call
 * indexes (numbers): `undefined`, never -1, says "none".
 */
export interface Anchoring {
  /** The place of an N+1 group: its source query (if known) and the repeated calls. */
  repeatedQueries(scopeCall: Call | undefined, source: Call | undefined, repeated: Call[]): Anchor;
  /**
   * The place of the same query run again and again (a lookup not kept): the query itself, in the
   * function that ran it (the ORM expression or SQL statement), else the nearest project function
   * of them all.
   */
  sameQuery(scopeCall: Call | undefined, repeated: Call[]): Anchor;
  /** The place of a finding about one call (or the calls under `call`): nearest project function, test, recording. */
  calls(call: Call | undefined): Anchor;
  /** The place of a finding about a whole request: the first project function under it (its handler). */
  request(request: Call): Anchor;
  /** The recorded test, else the recording. */
  test(): Anchor;
}

/** The placing of one recording's findings, trying `orms` in turn for the query that built an N+1. */
export function anchoringOf(trace: Trace, index: SourceIndex, orms: readonly OrmSupport[]): Anchoring {
  const nearest = nearestAbove(trace, (c) => anchorFunction(trace, index, c));
  const querysets = querysetSearch(trace, index, orms);
  const statements = new Map<string, SourceLocation | null>();
  const hosts = hostSearch(trace, index);
  const { parent, sql: sqlOfCall, http, frames } = trace.calls;
  let test: Anchor | undefined;
  /** The N+1's loop in its host's text, if certain. */
  const loopOf = (scopeCall: Call | undefined, repeated: Call[]): { host: LoopHost; names: RepeatedNames; place: LoopPlace & { render?: SourceLocation } } | undefined => {
    if (repeated.length === 0 || sqlOfCall[repeated[0]] === -1 || !index.parsers) return undefined;
    const recorded = hosts(scopeCall, repeated);
    const request = scopeCall === undefined ? undefined : http.get(scopeCall);
    const host: LoopHost | undefined = recorded ? { fn: recorded.fn, ...(recorded.caller ? { caller: recorded.caller } : {}) } : request ? { route: { method: request.method, path: request.path } } : undefined;
    if (!host) return undefined;
    // The shapes of the first row (the repeats interleave row by row), in turn, until one's names
    // are found: a loop reading `post.author` (users) finds its place by `post.tags` (tags).
    const tried = new Set<string>();
    for (const call of repeated.slice(0, SHAPES_TRIED)) {
      if (sqlOfCall[call] === -1) continue;
      const facts = factsOf(trace, call);
      const key = facts.tables.join('\u0000');
      if (tried.has(key)) continue;
      tried.add(key);
      const names = { tables: [...facts.tables], columns: [...facts.filterColumns], wrapper: recorded?.wrapper };
      const place = loopIn(index, host, names);
      if (place) return { host, names, place };
    }
    return undefined;
  };
  /** The loop's source query, per-row call or collection render by identity, resolved again against the current text. */
  const loopRef = (loop: { host: LoopHost; names: RepeatedNames }, at: LoopEnd): AnchorRef => ({
    kind: 'loop',
    at,
    host: loop.host,
    tables: [...loop.names.tables],
    columns: [...loop.names.columns],
    ...(loop.names.wrapper !== undefined ? { wrapper: loop.names.wrapper } : {}),
  });
  /** The anchor, with the loop's `at` end (the per-row call, the source query, a partial's collection render) as its related place unless it is on the same line. */
  const withAlso = (anchor: Anchor, loop: { host: LoopHost; names: RepeatedNames; place: LoopPlace & { render?: SourceLocation } } | undefined, at: LoopEnd): Anchor => {
    const other = loop && endOf(loop.place, at);
    if (!loop || !other || (other.path === anchor.location.path && other.line === anchor.location.line)) return anchor;
    return { ...anchor, also: [{ location: other, what: LOOP_END_NAMES[at], ref: loopRef(loop, at) }] };
  };
  const anchoring: Anchoring = {
    repeatedQueries(scopeCall, source, repeated) {
      const site = recordedSite(trace, index, repeated);
      if (site) {
        // The trace says where the source query ran too: its recorded line is the related place.
        const sourceSite = source !== undefined ? recordedSite(trace, index, [source]) : undefined;
        const apart = sourceSite && (sourceSite.location.path !== site.location.path || sourceSite.location.line !== site.location.line);
        return apart ? { ...site, also: [{ location: sourceSite.location, what: LOOP_END_NAMES.source, ref: sourceSite.ref }] } : site;
      }
      const loop = loopOf(scopeCall, repeated);
      if (source !== undefined) {
        const queryset = querysets(scopeCall, source);
        if (queryset) return withAlso(queryset, loop, 'per-row');
      }
      const statement = findSqlStatement(trace, index, repeated[0], statements);
      if (statement) return withAlso(statement, loop, 'source');
      if (loop) {
        if (loop.place.source) return withAlso({ location: loop.place.source, ref: loopRef(loop, 'source') }, loop, 'per-row');
        return withAlso({ location: loop.place.perRow, ref: loopRef(loop, 'per-row') }, loop, 'render');
      }
      const enclosing = nearest(commonAncestor(trace, repeated));
      if (enclosing) return enclosing;
      // No project function encloses them all (the loop runs in framework code): the project
      // function nearest to the queries themselves, the one most of them run under.
      const votes = new Map<string, { anchor: Anchor; n: number }>();
      for (const c of repeated) {
        const near = nearest(parent[c]);
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
    sameQuery(scopeCall, repeated) {
      const site = recordedSite(trace, index, repeated);
      if (site) return site;
      const at = querysetOfCaller(trace, index, orms, repeated[0]) ?? findSqlStatement(trace, index, repeated[0], statements);
      if (!at) return anchoring.calls(commonAncestor(trace, repeated));
      // The call in the loop that asks again for every row, where it is certain.
      return withAlso(at, loopOf(scopeCall, repeated), 'per-row');
    },
    calls(call) {
      return (call !== undefined && frames.has(call) ? recordedSite(trace, index, [call]) : undefined) ?? nearest(call) ?? anchoring.test();
    },
    request(request) {
      // The handler of a request is the shallowest project function under it.
      return shallowestBelow(trace, request, (c) => anchorFunction(trace, index, c)) ?? anchoring.calls(request);
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
  const fnOf = trace.calls.fn;
  if (trace.calls.kind[call] !== CallKind.Function || fnOf[call] === -1) return undefined;
  const fn = trace.functions[fnOf[call]];
  const location = index.locate(fn)?.location;
  return location && { location, ref: { kind: 'function', fn } };
}

/**
 * The line most of `calls` were recorded to be made on: each call's first recorded frame inside
 * the project (a frame in a dependency or outside the root is passed over); undefined when no
 * call has one.
 */
export function recordedSite(trace: Trace, index: SourceIndex, calls: Call[]): Anchor | undefined {
  const votes = new Map<string, { location: SourceLocation; n: number }>();
  const { frames } = trace.calls;
  for (const c of calls) {
    const recorded = frames.get(c);
    if (!recorded) continue;
    for (const frame of recorded) {
      countWork();
      if (!index.isProjectPath(frame.path)) continue;
      const r = index.resolve(frame.path);
      if (r.kind === 'outside') continue;
      const key = `${r.relPath}:${frame.line}`;
      const v = votes.get(key);
      if (v) v.n++;
      else votes.set(key, { location: { path: r.relPath, line: frame.line, column: 1 }, n: 1 });
      break;
    }
  }
  let best: { location: SourceLocation; n: number } | undefined;
  for (const v of votes.values()) if (!best || v.n > best.n) best = v;
  if (!best) return undefined;
  const line = lineText(index, best.location.path, best.location.line);
  const location = line ? { ...best.location, ...line.range } : best.location;
  return { location, ref: { kind: 'query-site', location, ...(line ? { text: line.text } : {}) } };
}

/** At most this many lines either side of the recorded one are searched for its text. */
const SITE_SEARCH_LINES = 2_000;

/**
 * Where a recorded query line is in the current text: the line of the same text nearest to the
 * recorded one (lines added or removed above it), else the recorded line itself.
 */
function resolveSite(index: SourceIndex, ref: Extract<AnchorRef, { kind: 'query-site' }>): SourceLocation {
  const text = ref.text === undefined ? undefined : index.text(ref.location.path);
  if (text === undefined || ref.text === undefined) return ref.location;
  const lines = text.split('\n');
  const at = ref.location.line;
  for (let d = 0; d <= SITE_SEARCH_LINES; d++) {
    countWork();
    for (const l of d === 0 ? [at] : [at - d, at + d]) {
      if (l >= 1 && l <= lines.length && lines[l - 1].trim() === ref.text) return { path: ref.location.path, line: l, endLine: l, ...trimmedRange(lines[l - 1]) };
    }
    if (at - d < 1 && at + d > lines.length) break;
  }
  return ref.location;
}

/** A line's text without its surrounding blanks, and its columns (1-based, end exclusive). */
function lineText(index: SourceIndex, path: string, line: number): { text: string; range: { column: number; endLine: number; endColumn: number } } | undefined {
  const text = index.text(path);
  if (text === undefined) return undefined;
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const whole = text.slice(start, end === -1 ? text.length : end);
  const trimmed = whole.trim();
  return trimmed ? { text: trimmed, range: { endLine: line, ...trimmedRange(whole) } } : undefined;
}

function trimmedRange(line: string): { column: number; endColumn: number } {
  const column = line.length - line.trimStart().length + 1;
  return { column, endColumn: line.trimEnd().length + 1 };
}

/** The loop of an N+1 (by its names) in its host's current text. */
function loopIn(index: SourceIndex, host: LoopHost, names: RepeatedNames): (LoopPlace & { render?: SourceLocation }) | undefined {
  if ('fn' in host) {
    const located = index.locate(host.fn);
    if (!located) return undefined;
    const path = located.location.path;
    const def = located.definition;
    if (def) return loopPlaceIn(index, path, def.line, def.endLine, names);
    // An ERB template: its whole text; a partial's per-row call with its caller's collection render.
    const text = isErb(path) ? index.text(path) : undefined;
    const place = text !== undefined ? loopPlaceIn(index, path, 1, text.split('\n').length, names) : undefined;
    const caller = place?.inPartial && host.caller ? index.locate(host.caller)?.location.path : undefined;
    const render = caller !== undefined ? collectionRenderIn(index, caller, path) : undefined;
    return place && (render ? { ...place, render } : place);
  }
  const handler = routeHandler(index, host.route.method, host.route.path);
  return handler ? loopPlaceIn(index, handler.path, handler.fromLine, handler.toLine, names) : undefined;
}

const LOOP_END_NAMES: Record<LoopEnd, string> = { source: 'the source query', 'per-row': 'the per-row call', render: 'the collection render' };

/** One end of a loop found in the text. */
function endOf(place: LoopPlace & { render?: SourceLocation }, at: LoopEnd): SourceLocation | undefined {
  return at === 'source' ? place.source : at === 'per-row' ? place.perRow : place.render;
}
