// Code lenses: above each recorded function of a file, its recorded time, calls and SQL count;
// above a route's handler, the route first. A route whose recording names no handler (an
// OpenTelemetry trace of the SDK alone) gets its lens on the handler found from its method and
// path (core/placement/routes.ts). Positions come from the current text.

import { FunctionIdentity, SourceIndex } from '../sourceIndex';
import { formatCount, formatMs, plural } from '../findings/format';
import { Snapshot } from '../index/workspaceIndex';
import { TimingStats } from '../analysis/stats';
import { Since, sinceTitle } from './since';
import { escapeText } from '../text';
import { routeHandler } from '../placement/routes';

export interface Lens {
  line: number;
  column: number;
  title: string;
  /** The function key the lens is about (the argument of its command). */
  fnKey: string;
  /** A route's lens: the route, and the recording of its slowest request (its call tree is what the lens opens). */
  route?: { route: string; recording: string };
}

export function codeLenses(snapshot: Snapshot, index: SourceIndex, relPath: string, since?: Since): Lens[] {
  const lenses: Lens[] = [];
  for (const [key, fn] of functionsInFile(snapshot, index, relPath)) {
    const located = index.locate(fn);
    if (!located) continue;
    const { line, column } = located.location;
    const { routes, own } = lensTitles(snapshot, key, since);
    for (const { title, route } of routes) {
      const recording = snapshot.slowestRecordingOf(route);
      lenses.push({ line, column, title, fnKey: key, route: recording === undefined ? undefined : { route, recording } });
    }
    if (own !== undefined) lenses.push({ line, column, title: own, fnKey: key });
  }
  for (const { route, line } of unrecordedHandlersIn(snapshot, index, relPath)) {
    const title = routeTitle(snapshot, route, since);
    const recording = snapshot.slowestRecordingOf(route);
    if (title !== undefined) lenses.push({ line, column: firstColumn(index, relPath, line), title, fnKey: '', route: recording === undefined ? undefined : { route, recording } });
  }
  return lenses.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * One lens again, from what `codeLenses` gave (its fnKey, and its route if it is a route's), as it
 * is now: the title, and for a route the recording of its slowest request; undefined when the
 * function or route is no longer recorded. The server sends the lenses of a file with many
 * functions without titles and gives each when the editor asks for it (codeLens/resolve).
 */
export function lensAgain(snapshot: Snapshot, fnKey: string, route: string | undefined, since?: Since): Pick<Lens, 'title' | 'route'> | undefined {
  if (route !== undefined) {
    const title = routeTitle(snapshot, route, since);
    const recording = snapshot.slowestRecordingOf(route);
    return title === undefined ? undefined : { title, route: recording === undefined ? undefined : { route, recording } };
  }
  const own = lensTitles(snapshot, fnKey, since).own;
  return own === undefined ? undefined : { title: own };
}

/**
 * What the lenses above a recorded function say: one per route it handles, then its own timing,
 * or with a baseline their change since (`GET /books · 531 ms → 172 ms (−68%) · SQL 1,402 → 7`).
 * Hover repeats them word for word, for editors that show no lenses (eglot).
 */
export function lensTitles(snapshot: Snapshot, key: string, since?: Since): { routes: { title: string; route: string }[]; own: string | undefined } {
  const stats = snapshot.stats();
  const handlerOf = snapshot.memo('handlerOf', 0, () => {
    const map = new Map<string, string[]>();
    for (const [route, handler] of snapshot.routes()) if (handler) map.set(handler, [...(map.get(handler) ?? []), route].sort());
    return map;
  });
  const routes: { title: string; route: string }[] = [];
  for (const route of handlerOf.get(key) ?? []) {
    const title = routeTitle(snapshot, route, since);
    if (title !== undefined) routes.push({ title, route });
  }
  const s = stats.functions.get(key);
  return { routes, own: s && (sinceTitle(snapshot, since, 'function', key) ?? timingTitle(s, true)) };
}

/** A route's lens title: `GET /books · 2 requests · 531 ms · 1,402 SQL`, or its change since a baseline. */
function routeTitle(snapshot: Snapshot, route: string, since: Since | undefined): string | undefined {
  const r = snapshot.stats().routes.get(route);
  return r && `${escapeText(route)} · ${sinceTitle(snapshot, since, 'route', route) ?? `${r.nCalls > 1 ? `${plural(r.nCalls, 'request')} · ` : ''}${timingTitle(r, false)}`}`;
}

/** The routes no recording names a handler of whose handler, found from the route, is in this file, with its first line. */
function unrecordedHandlersIn(snapshot: Snapshot, index: SourceIndex, relPath: string): { route: string; line: number }[] {
  const byFile = snapshot.memo('unrecordedHandlers', index.generation, () => {
    const map = new Map<string, { route: string; line: number }[]>();
    for (const [route, handler] of snapshot.routes()) {
      if (handler !== undefined) continue;
      const space = route.indexOf(' ');
      const found = space > 0 ? routeHandler(index, route.slice(0, space), route.slice(space + 1)) : undefined;
      if (!found) continue;
      const list = map.get(found.path);
      if (list) list.push({ route, line: found.fromLine });
      else map.set(found.path, [{ route, line: found.fromLine }]);
    }
    return map;
  });
  return byFile.get(relPath) ?? [];
}

/** The 1-based column of the first character that is not blank on a line (1 when unknown). */
function firstColumn(index: SourceIndex, relPath: string, line: number): number {
  const text = index.text(relPath);
  if (text === undefined) return 1;
  let start = 0;
  for (let l = 1; l < line && start !== -1; l++) start = text.indexOf('\n', start) + 1 || -1;
  if (start === -1) return 1;
  const m = /^[ \t]*/.exec(text.slice(start, start + 4096));
  return (m ? m[0].length : 0) + 1;
}

/** The recorded functions whose recorded path is this file, by function key. */
export function functionsInFile(snapshot: Snapshot, index: SourceIndex, relPath: string): [string, FunctionIdentity][] {
  const byFile = snapshot.memo('functionsByFile', index.generation, () => {
    const map = new Map<string, [string, FunctionIdentity][]>();
    for (const [key, fn] of snapshot.functions()) {
      if (!fn.recordedPath) continue;
      const r = index.resolve(fn.recordedPath);
      if (r.kind !== 'workspace') continue;
      const list = map.get(r.relPath);
      if (list) list.push([key, fn]);
      else map.set(r.relPath, [[key, fn]]);
    }
    return map;
  });
  return byFile.get(relPath) ?? [];
}

/** `420 ms · 1 call · 1,501 SQL`; time left out where no call has one, SQL where there is none. */
function timingTitle(s: TimingStats, withCalls: boolean): string {
  const parts: string[] = [];
  if (s.nTimed > 0) parts.push(formatMs(s.totalMs));
  if (withCalls) parts.push(plural(s.nCalls, 'call'));
  if (s.nSql > 0 || !withCalls) parts.push(`${formatCount(s.nSql)} SQL`);
  return parts.join(' · ');
}
