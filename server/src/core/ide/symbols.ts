// Workspace symbols from the recordings: every recorded route, placed on its handler function, and
// every recorded test, placed where its recording says it is, so an editor's "go to symbol" finds
// `GET /meetings/past/` as it finds a class.

import { Snapshot } from '../index/workspaceIndex';
import { SourceIndex, SourceLocation } from '../sourceIndex';
import { functionRanges, identityLabel } from './callHierarchy';

export interface RecordedSymbol {
  /** `GET /meetings/past/`, or the test's name. */
  name: string;
  kind: 'route' | 'test';
  location: SourceLocation;
  /** The handler's label for a route, the recording for a test. */
  container: string;
}

/** Routes, then tests, each by name, whose name contains `query` (ignoring case; all when empty). */
export function workspaceSymbols(snapshot: Snapshot, index: SourceIndex, query: string): RecordedSymbol[] {
  const wanted = query.toLowerCase();
  const matches = (name: string) => name.toLowerCase().includes(wanted);
  const routes: RecordedSymbol[] = [];
  const functions = snapshot.functions();
  for (const [route, handler] of snapshot.routes()) {
    if (!matches(route)) continue;
    const fn = handler === undefined ? undefined : functions.get(handler);
    const where = fn && functionRanges(index, fn);
    // A route whose requests ran no project function has nowhere to go.
    if (fn && where) routes.push({ name: route, kind: 'route', location: where.selection, container: identityLabel(fn) });
  }
  // One test is often recorded more than once (reruns, copies): one symbol per name and place.
  const tests = new Map<string, RecordedSymbol>();
  for (const s of snapshot.summaries.values()) {
    const test = s.test;
    if (!test?.location || !matches(test.name)) continue;
    const key = `${test.name}\u0000${test.location.path}:${test.location.line}`;
    const seen = tests.get(key);
    if (!seen || s.recordingPath < seen.container) tests.set(key, { name: test.name, kind: 'test', location: test.location, container: s.recordingPath });
  }
  const byName = (a: RecordedSymbol, b: RecordedSymbol) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.container < b.container ? -1 : a.container > b.container ? 1 : 0);
  return [...routes.sort(byName), ...[...tests.values()].sort(byName)];
}
