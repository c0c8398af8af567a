// Scopes: the request or test within which repeated queries are judged. A SQL call belongs to its
// nearest enclosing HTTP server request, else to the outermost call on its thread; SQL recorded
// with no enclosing call at all shares one scope per thread.

import { Call, CallKind, Trace } from '../trace';

export interface Scope {
  /** The request or root call, or undefined for the calls recorded at the top level of a thread. */
  call: Call | undefined;
  /** "GET /meetings/past/", the recording's name (a test), or the root function. */
  label: string;
  /** SQL calls of the scope, in call order. */
  sqlCalls: Call[];
}

export function scopesOf(trace: Trace): Scope[] {
  const calls = trace.calls;
  const scopeOfCall = new Int32Array(calls.length);
  const scopes = new Map<number | string, Scope>();
  for (const c of calls) {
    // Parents come before children, so the parent's scope is known.
    let scopeIndex: number;
    if (c.kind === CallKind.HttpServer) scopeIndex = c.index;
    else if (c.parent === -1) scopeIndex = c.index;
    else scopeIndex = scopeOfCall[c.parent];
    scopeOfCall[c.index] = scopeIndex;
    if (c.kind !== CallKind.Sql) continue;
    const scopeCall = calls[scopeIndex];
    const key = scopeCall === c ? `thread:${c.threadId}` : scopeIndex;
    let scope = scopes.get(key);
    if (!scope) {
      scope = { call: scopeCall === c ? undefined : scopeCall, label: labelOf(trace, scopeCall === c ? undefined : scopeCall), sqlCalls: [] };
      scopes.set(key, scope);
    }
    scope.sqlCalls.push(c);
  }
  return [...scopes.values()];
}

function labelOf(trace: Trace, call: Call | undefined): string {
  if (call?.http) return call.http.route;
  const name = trace.metadata.name;
  if (name) return name;
  if (call && call.fn !== -1) {
    const fn = trace.functions[call.fn];
    return `${fn.definedClass}${fn.isStatic ? '.' : '#'}${fn.methodId}`;
  }
  return trace.recordingPath;
}
