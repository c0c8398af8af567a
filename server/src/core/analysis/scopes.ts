// Scopes: the request or test within which repeated queries are judged. A SQL call belongs to its
// nearest enclosing HTTP server request, else to the outermost call on its thread; SQL recorded
// with no enclosing call at all shares one scope per thread.

import { Call, CallKind, Trace } from '../trace';

export interface Scope {
  /** The request or root call (its index), or undefined for the calls recorded at the top level of a thread. */
  call: Call | undefined;
  /** "GET /meetings/past/", the recording's name (a test), or the root function. */
  label: string;
  /** SQL calls of the scope, in call order (4 bytes each: an N+1 of millions of queries is one scope). */
  sqlCalls: Int32Array;
}

export function scopesOf(trace: Trace): Scope[] {
  const { length, kind, parent, threadId } = trace.calls;
  const scopeOfCall = new Int32Array(length);
  // Each SQL call's scope by number, then the calls of each scope in one array of its exact size.
  const sqlScope = new Int32Array(length).fill(-1);
  const scopes = new Map<number | string, number>();
  const made: { call: Call | undefined; n: number }[] = [];
  for (let c = 0; c < length; c++) {
    // Parents come before children, so the parent's scope is known.
    let scopeIndex: number;
    if (kind[c] === CallKind.HttpServer) scopeIndex = c;
    else if (parent[c] === -1) scopeIndex = c;
    else scopeIndex = scopeOfCall[parent[c]];
    scopeOfCall[c] = scopeIndex;
    if (kind[c] !== CallKind.Sql) continue;
    const topLevel = scopeIndex === c;
    const key = topLevel ? `thread:${threadId[c]}` : scopeIndex;
    let id = scopes.get(key);
    if (id === undefined) {
      id = made.length;
      made.push({ call: topLevel ? undefined : scopeIndex, n: 0 });
      scopes.set(key, id);
    }
    made[id].n++;
    sqlScope[c] = id;
  }
  const out: Scope[] = made.map((m) => ({ call: m.call, label: labelOf(trace, m.call), sqlCalls: new Int32Array(m.n) }));
  const filled = new Int32Array(made.length);
  for (let c = 0; c < length; c++) {
    const id = sqlScope[c];
    if (id !== -1) out[id].sqlCalls[filled[id]++] = c;
  }
  return out;
}

function labelOf(trace: Trace, call: Call | undefined): string {
  const http = call === undefined ? undefined : trace.calls.http.get(call);
  if (http) return http.route;
  const name = trace.metadata.name;
  if (name) return name;
  if (call !== undefined && trace.calls.fn[call] !== -1) {
    const fn = trace.functions[trace.calls.fn[call]];
    return `${fn.definedClass}${fn.isStatic ? '.' : '#'}${fn.methodId}`;
  }
  return trace.recordingPath;
}
