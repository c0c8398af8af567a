// Scopes: the request or test within which repeated queries are judged. A SQL call belongs to its
// nearest enclosing HTTP server request, else to the outermost call on its thread; SQL recorded
// with no enclosing call at all shares one scope per thread.

import { Call, CallKind, Trace } from '../trace';

export interface Scope {
  /** The request or root call (its index), or undefined for the calls recorded at the top level of a thread. */
  call: Call | undefined;
  /** "GET /meetings/past/", the recording's name (a test), or the root function. */
  label: string;
  /** SQL calls of the scope, in call order. */
  sqlCalls: Call[];
}

export function scopesOf(trace: Trace): Scope[] {
  const { length, kind, parent, threadId } = trace.calls;
  const scopeOfCall = new Int32Array(length);
  const scopes = new Map<number | string, Scope>();
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
    let scope = scopes.get(key);
    if (!scope) {
      const call = topLevel ? undefined : scopeIndex;
      scope = { call, label: labelOf(trace, call), sqlCalls: [] };
      scopes.set(key, scope);
    }
    scope.sqlCalls.push(c);
  }
  return [...scopes.values()];
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
