// What the editor shows of a baseline: for one route, test or function, its change from the
// baseline to the current recordings (`420 ms → 160 ms (−62%) · SQL 1,501 → 3`, for a lens or a
// hover), and the baseline's findings that the current recordings no longer have.

import { CompareConfig } from '../config';
import { Finding } from '../findings/finding';
import { formatMs } from '../findings/format';
import { Snapshot } from '../index/workspaceIndex';
import { Baseline, BaselineFinding, EntryKind, entryOf, findingId, own } from './baseline';
import { compareEntry, EntryChange, formatPercent, formatPerCall } from './compare';

/** The change of one route, test (by name) or function (by function key) since the baseline; undefined when neither has it. */
export function changeSince(baseline: Baseline, snapshot: Snapshot, kind: EntryKind, key: string, thresholds: CompareConfig): EntryChange | undefined {
  const section = kind === 'route' ? baseline.routes : kind === 'test' ? baseline.tests : baseline.functions;
  const before = own(section, key);
  const after = entryOf(snapshot, kind, key);
  return before || after ? compareEntry(kind, key, before, after, thresholds) : undefined;
}

/**
 * One line: `420 ms → 160 ms (−62%) · SQL 1,501 → 3`. Times and SQL are per call (request, test
 * run), said at the end when a side has more than one; a change within the noise says so instead
 * of a percentage; SQL is left out when there is none on either side.
 */
export function changeTitle(change: EntryChange): string {
  if (change.status === 'added') return 'new since the baseline';
  if (change.status === 'removed') return 'not recorded since the baseline';
  const parts: string[] = [];
  const t = change.time;
  if (t) {
    const pct = formatPercent(t.changeRatio);
    const note = t.noise === 'within' ? ' (within noise)' : pct ? ` (${pct})` : '';
    parts.push(`${formatMs(t.beforeMs)} → ${formatMs(t.afterMs)}${note}`);
  }
  const sql = change.sql;
  if (sql && (sql.before !== 0 || sql.after !== 0)) parts.push(sql.change === 0 ? `SQL ${formatPerCall(sql.after)}` : `SQL ${formatPerCall(sql.before)} → ${formatPerCall(sql.after)}`);
  const calls = change.calls;
  const unit = change.kind === 'route' ? 'request' : change.kind === 'test' ? 'run' : 'call';
  if (calls && calls.change !== 0) parts.push(`${formatPerCall(calls.before)} → ${formatPerCall(calls.after)} ${unit}s`);
  if (calls && (calls.before > 1 || calls.after > 1)) parts.push(`per ${unit}`);
  return parts.join(' · ');
}

/** What the title cannot say, for a hover: the noise verdict's reason and any regression. */
export function changeNote(change: EntryChange): string[] {
  const notes: string[] = [];
  if (change.time) notes.push(`Time: ${change.time.reason}.`);
  for (const r of change.regressions) notes.push(`Regressed: ${r}.`);
  return notes;
}

/** The baseline's findings that none of `current` matches (resolved since); `current` is e.g. `snapshot.findings()`. */
export function resolvedSince(baseline: Baseline, current: Finding[]): BaselineFinding[] {
  const now = new Set(current.map(findingId));
  return baseline.findings.filter((f) => !now.has(f.id));
}

/** The findings of `current` that the baseline did not have (new since). */
export function newSince(baseline: Baseline, current: Finding[]): Finding[] {
  const before = new Set(baseline.findings.map((f) => f.id));
  return current.filter((f) => !before.has(findingId(f)));
}
