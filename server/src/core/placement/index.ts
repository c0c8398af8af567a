// Where a finding sits. No agent records the line of a SQL call, so the place is worked out:
// 1. an ORM query: the expression that built the source query (Django's `Model.objects…`), looked
//    up from the source query's table through the models of the ORMs handed in (core/orm/ plugs
//    them in through the interface of orm.ts), in the recorded project functions of the request
//    (those on the source query's stack first, then the latest to run): queries.ts;
// 2. code that runs SQL itself: the line of the recorded function whose text holds the statement
//    (statements.ts);
// 3. the definition of the nearest recorded project function above the queries;
// 4. the recorded test (metadata.recording.source_location);
// 5. the recording file itself.
// A place is kept as a reference by identity (function, model, table), not as a line, so that it
// can be resolved again against the current text while the developer edits.

import { Anchor, AnchorRef } from '../findings/finding';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { Call, CallKind, Trace } from '../trace';
import { commonAncestor, nearestAbove, shallowestBelow } from './calls';
import { OrmSupport } from './orm';
import { querysetIn, querysetSearch } from './queries';
import { findSqlStatement, statementIn } from './statements';

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
    default:
      return ref.location;
  }
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

/** The placing of one recording's findings, trying `orms` in turn for the query that built an N+1. */
export function anchoringOf(trace: Trace, index: SourceIndex, orms: readonly OrmSupport[]): Anchoring {
  const nearest = nearestAbove(trace, (c) => anchorFunction(trace, index, c));
  const querysets = querysetSearch(trace, index, orms);
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
  if (call.kind !== CallKind.Function || call.fn === -1) return undefined;
  const fn = trace.functions[call.fn];
  const location = index.locate(fn)?.location;
  return location && { location, ref: { kind: 'function', fn } };
}
