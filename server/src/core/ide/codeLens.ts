// Code lenses: above each recorded function of a file, its recorded time, calls and SQL count;
// above a route's handler, the route first. Positions come from the current text.

import { FunctionIdentity, SourceIndex } from '../sourceIndex';
import { formatCount, formatMs, plural } from '../findings/format';
import { Snapshot } from '../index/workspaceIndex';
import { TimingStats } from '../analysis/stats';
import { Since, sinceTitle } from './since';
import { escapeText } from '../text';

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
  return lenses.sort((a, b) => a.line - b.line || a.column - b.column);
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
    const r = stats.routes.get(route);
    if (r) routes.push({ title: `${escapeText(route)} · ${sinceTitle(snapshot, since, 'route', route) ?? `${r.nCalls > 1 ? `${plural(r.nCalls, 'request')} · ` : ''}${timingTitle(r, false)}`}`, route });
  }
  const s = stats.functions.get(key);
  return { routes, own: s && (sinceTitle(snapshot, since, 'function', key) ?? timingTitle(s, true)) };
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
