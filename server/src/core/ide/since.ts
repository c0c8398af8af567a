// The editor's view of a saved baseline (core/baseline/): what changed since, for lenses and
// hovers, and the baseline's findings that the current recordings no longer have, as places.

import { Baseline } from '../baseline/baseline';
import { changeNote, changeSince, changeTitle, resolvedSince } from '../baseline/live';
import { CompareConfig } from '../config';
import { Snapshot } from '../index/workspaceIndex';
import { normalizeRelative } from '../workspace';
import { escapeText } from '../text';

/** A baseline and what counts as a regression against it (config.compare). */
export interface Since {
  baseline: Baseline;
  thresholds: CompareConfig;
}

/** A route's or function's change since the baseline, as a lens says it; undefined when the baseline has nothing to say. */
export function sinceTitle(snapshot: Snapshot, since: Since | undefined, kind: 'route' | 'function', key: string): string | undefined {
  if (!since) return undefined;
  const change = changeSince(since.baseline, snapshot, kind, key, since.thresholds);
  return change && changeTitle(change);
}

/**
 * The hover's lines about a function's change since the baseline (and, for a handler, its
 * routes'): what the lens title cannot say, the noise verdict's reason and any regression.
 */
export function sinceMarkdown(snapshot: Snapshot, since: Since | undefined, fnKey: string, routes: string[]): string[] {
  if (!since) return [];
  const lines: string[] = [];
  for (const [kind, key] of [...routes.map((r) => ['route', r] as const), ['function', fnKey] as const]) {
    const change = changeSince(since.baseline, snapshot, kind, key, since.thresholds);
    const notes = change ? changeNote(change) : [];
    if (notes.length) lines.push(`- ${escapeText(key)}: ${notes.join(' ')}`);
  }
  return lines.length ? ['**Since the baseline**', ...lines] : [];
}

export interface ResolvedFinding {
  /** Workspace-relative; only paths that stay inside the workspace. */
  path: string;
  /** 1-based, as the baseline recorded it. */
  line: number;
  rule: string;
  message: string;
}

/** The baseline's findings that the current recordings no longer have, once each. */
export function resolvedFindings(snapshot: Snapshot, since: Since | undefined): ResolvedFinding[] {
  if (!since) return [];
  const out: ResolvedFinding[] = [];
  for (const f of resolvedSince(since.baseline, snapshot.findings())) {
    const path = normalizeRelative(f.path);
    // A baseline is a file in the workspace, maybe from another branch: its paths are not trusted.
    if (path === undefined || f.path.startsWith('/') || !Number.isInteger(f.line) || f.line < 1) continue;
    out.push({ path, line: f.line, rule: f.rule, message: `Resolved since the baseline: ${f.message}` });
  }
  return out;
}
