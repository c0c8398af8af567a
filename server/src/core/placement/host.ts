// The host of an N+1: the function whose text holds the loop. A recorded project function called
// once per repeat, each call wrapping one (`senderOf`, `currentUser`), is the per-row wrapper, and
// the host is the project function above all its calls; else the nearest project function above
// all the repeats; else, in a request whose handler the agent did not record (an anonymous
// `router.get('/', function (req, res) { … })`), the handler found from the request in the source
// (routes.ts). An ERB template is a project function too (its text is the body): a partial
// rendered for a collection runs its queries once per row under one recorded call, and its host's
// `caller` is the template that rendered it, whose `render` is the loop.

import { FunctionIdentity, SourceIndex } from '../sourceIndex';
import { sqlShapeOf } from '../analysis/stats';
import { Call, CallKind, Trace } from '../trace';
import { countWork } from '../workCounter';
import { commonAncestor, nearestAbove, shallowestBelow } from './calls';
import { isErb } from './loopCall';

/** A host found in the recording: the function, and the recorded per-row wrapper's name. */
export interface RecordedHost {
  fn: FunctionIdentity;
  wrapper: string | undefined;
  /** The recorded template that rendered the host, when the host is an ERB partial. */
  caller?: FunctionIdentity;
}

/**
 * The recorded host of repeated queries, for many groups of repeats: the walks up the tree are
 * remembered across groups (see calls.ts), so each call is walked once.
 */
export function hostSearch(trace: Trace, index: SourceIndex): (scopeCall: Call | undefined, repeated: Call[]) => RecordedHost | undefined {
  const { kind, fn: fnOf, parent, http } = trace.calls;
  const isProject = (c: Call) => {
    if (kind[c] !== CallKind.Function || fnOf[c] === -1) return false;
    const located = index.locate(trace.functions[fnOf[c]]);
    return located !== undefined && (located.definition !== undefined || (isErb(located.location.path) && index.text(located.location.path) !== undefined));
  };
  const nearest = nearestAbove(trace, (c) => (isProject(c) ? c : undefined));
  /** Per request, its handler: walked once however many groups of repeats it holds. */
  const handlers = new Map<number, Call | null>();
  const handlerOf = (request: Call): Call | undefined => {
    let handler = handlers.get(request);
    if (handler === undefined) handlers.set(request, (handler = shallowestBelow(trace, request, (c) => (isProject(c) ? c : undefined)) ?? null));
    return handler ?? undefined;
  };
  return (scopeCall, repeated) => {
    // The wrapper: each repeat's nearest project function is a call of one function, each call
    // running at most one repeat of each shape (`present(book)`: its author, tags and reviews).
    const shapes = new Set<string>();
    for (const r of repeated) shapes.add(sqlShapeOf(trace, r));
    const wrappers: Call[] = [];
    const perWrapper = new Map<number, number>();
    let fn = -1;
    for (const r of repeated) {
      countWork();
      const w = nearest(parent[r]);
      const n = w !== undefined ? (perWrapper.get(w) ?? 0) + 1 : 0;
      if (w === undefined || n > shapes.size || (fn !== -1 && fnOf[w] !== fn)) {
        wrappers.length = 0;
        break;
      }
      if (n === 1) wrappers.push(w);
      perWrapper.set(w, n);
      fn = fnOf[w];
    }
    if (wrappers.length > 1) {
      const host = nearest(commonAncestor(trace, wrappers));
      if (host !== undefined) return { fn: trace.functions[fnOf[host]], wrapper: trace.functions[fn].methodId };
    }
    // The first repeat may be a lone lookup before the loop (Rails' `current_user` before the feed,
    // in another recorded tree than the view's): the host of the others, then.
    const host = nearest(commonAncestor(trace, repeated)) ?? (repeated.length > 2 ? nearest(commonAncestor(trace, repeated.slice(1))) : undefined);
    if (host !== undefined) {
      const fn = trace.functions[fnOf[host]];
      const above = isErb(fn.recordedPath ?? '') ? nearest(parent[host]) : undefined;
      return { fn, wrapper: undefined, ...(above !== undefined ? { caller: trace.functions[fnOf[above]] } : {}) };
    }
    // The queries ran outside every recorded function of the request (an agent may close an async
    // function when it returns its promise): the request's handler, the shallowest project function.
    const handler = scopeCall !== undefined && http.get(scopeCall) ? handlerOf(scopeCall) : undefined;
    return handler !== undefined ? { fn: trace.functions[fnOf[handler]], wrapper: undefined } : undefined;
  };
}
