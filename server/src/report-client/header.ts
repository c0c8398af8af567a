// The shown request's or test's header, at the top of the page: its name, then its time, SQL
// queries and findings; with a before, the change in large type (`GET /books 531 ms → 172 ms, SQL
// 1,402 → 7, N+1 resolved`) with its verdict and noise line, as `runlens compare` words them.

import type { ComparisonFinding, ComparisonRow, EntryView } from '../core/report/pageData';
import { data } from './data';
import { h } from './dom';
import { fmtCount, fmtMs, plural } from './format';

/** The entry of the before side that matches `entry` (same kind, label, test and ordinal). */
export function beforeOf(entry: EntryView): EntryView | undefined {
  if (!data.before) return undefined;
  for (let i = 0; i < data.before.entries.length; i++) if (data.before.entries[i].key === entry.key) return data.before.entries[i];
  return undefined;
}

/** The comparison's row of the entry's route or test. */
function rowOf(entry: EntryView): ComparisonRow | undefined {
  const c = data.comparison;
  if (!c) return undefined;
  const section = c.sections[entry.kind === 'request' ? 0 : 1];
  for (const r of section ? section.rows : []) if (r.key === entry.label) return r;
  return undefined;
}

/** The findings resolved, new or changed in the entry's route or test. */
function changesOf(entry: EntryView): ComparisonFinding[] {
  const c = data.comparison;
  return c ? c.findings.filter((f) => f.scope === entry.label) : [];
}

/** `531 ms → 172 ms, SQL 1,402 → 7, N+1 resolved`: the change of an entry since before. */
export function changeLine(before: EntryView, after: EntryView): string {
  const parts = [fmtMs(before.ms) + ' → ' + fmtMs(after.ms), 'SQL ' + fmtCount(before.sql) + ' → ' + fmtCount(after.sql)];
  const counted: Record<string, number> = {};
  const order: string[] = [];
  changesOf(after).forEach((f) => {
    const k = f.name + ' ' + f.status;
    if (!(k in counted)) { counted[k] = 0; order.push(k); }
    counted[k]++;
  });
  order.forEach((k) => { parts.push(counted[k] > 1 ? fmtCount(counted[k]) + ' × ' + k : k); });
  return parts.join(', ');
}

/** The header of the shown entry, built into `box`. */
export function renderHeader(box: HTMLElement, e: EntryView): void {
  const before = beforeOf(e);
  const title = h('h2', { id: 'entry-title', text: (e.kind === 'test' ? 'Test: ' : '') + e.label });
  box.appendChild(h('div', { id: 'headline', class: 'headline' }, before ? [title, ' ', h('span', { class: 'change', text: changeLine(before, e) })] : [title]));
  if (before) {
    const row = rowOf(e);
    const regressed = row ? row.regression : false;
    const verdict = regressed ? 'Regressed.' : 'No regression.';
    const noise = row ? [row.change ? 'time ' + row.change : '', row.noise ? 'noise: ' + row.noise : ''].filter(Boolean).join(' · ') : 'not in the comparison';
    box.appendChild(h('p', { class: 'headline-verdict' }, [h('span', { id: 'entry-verdict', class: regressed ? 'verdict bad' : 'verdict good', text: verdict }), ' ', h('span', { id: 'noise', class: 'hint', text: noise })]));
  }
  const facts = [fmtMs(e.ms), plural(e.sql, 'SQL query', 'SQL queries'), e.findings.length ? plural(e.findings.length, 'finding') : 'no findings', plural(e.calls, 'call')];
  box.appendChild(h('p', { id: 'entry-facts', class: 'facts' }, [facts.join(' · ')]));
  box.appendChild(h('p', { class: 'hint', text: e.detail }));
}
