// The sandwich view of the shown request or test (speedscope's): its functions and SQL shapes by
// self time, with total time (a call inside a call of the same function counted once, as the
// command line's statistics count it: core/analysis/stats.ts) and calls; for the one picked, its
// callers and its callees with the time and calls under each. Computed from the embedded tree in
// call order: folded "more" frames are no function, so a folded tree says so.

import { CompactTree, FrameKind } from '../core/report/pageData';
import { S } from './data';
import { clear, h } from './dom';
import { fmtCount, fmtMsFine, plural } from './format';
import { KIND_NAMES, prep } from './frames';

/** One function or SQL shape of the tree, all its calls together. */
export interface SandwichRow {
  /** String index of its name. */
  name: number;
  kind: FrameKind;
  selfMs: number;
  /** Outermost calls only: recursion is not counted twice. */
  totalMs: number;
  calls: number;
  /** Its frames in the tree. */
  nodes: number[];
}

/** The tree's functions and SQL shapes, by self time (the most first). */
export function sandwichRows(tree: CompactTree): SandwichRow[] {
  const p = prep(tree);
  const byName = new Map<string, SandwichRow>();
  const active = new Map<string, number>();
  // Depth first with enter and exit (~node), so "is this name open above me" is one lookup.
  const stack: number[] = [0];
  while (stack.length) {
    const i = stack.pop() as number;
    if (i < 0) {
      const k = keyOf(tree, ~i);
      active.set(k, (active.get(k) as number) - 1);
      continue;
    }
    const kind = tree.kind[i];
    if (kind === FrameKind.Function || kind === FrameKind.Sql) {
      const k = keyOf(tree, i);
      let row = byName.get(k);
      if (!row) byName.set(k, row = { name: tree.name[i], kind, selfMs: 0, totalMs: 0, calls: 0, nodes: [] });
      row.selfMs += p.self[i];
      if (!active.get(k)) row.totalMs += tree.us[i] / 1000;
      row.calls += tree.calls[i];
      row.nodes.push(i);
      active.set(k, (active.get(k) || 0) + 1);
      stack.push(~i);
    }
    const kids = p.kids[i];
    for (let c = kids.length - 1; c >= 0; c--) stack.push(kids[c]);
  }
  const rows: SandwichRow[] = [];
  byName.forEach((r) => { rows.push(r); });
  return rows.sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs || (S[a.name] < S[b.name] ? -1 : 1));
}

function keyOf(tree: CompactTree, i: number): string { return tree.kind[i] + ' ' + tree.name[i]; }

/** Its callers (the frames right above its calls) or callees (right below), by name: the time and calls of the picked one's calls there. */
export function neighbours(tree: CompactTree, row: SandwichRow, callers: boolean): { name: number; kind: FrameKind; ms: number; calls: number }[] {
  const p = prep(tree);
  const out = new Map<string, { name: number; kind: FrameKind; ms: number; calls: number }>();
  const add = (at: number, ms: number, calls: number) => {
    const k = keyOf(tree, at);
    const e = out.get(k) || { name: tree.name[at], kind: tree.kind[at], ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += calls;
    out.set(k, e);
  };
  row.nodes.forEach((i) => {
    if (callers) { if (tree.parent[i] !== -1) add(tree.parent[i], tree.us[i] / 1000, tree.calls[i]); }
    else p.kids[i].forEach((c) => { add(c, tree.us[c] / 1000, tree.calls[c]); });
  });
  const list: { name: number; kind: FrameKind; ms: number; calls: number }[] = [];
  out.forEach((e) => { list.push(e); });
  return list.sort((a, b) => b.ms - a.ms);
}

/** The view: the table by self time, and the picked row's callers and callees below it. */
export function renderSandwich(box: HTMLElement, tree: CompactTree | undefined): void {
  clear(box);
  if (!tree) { box.appendChild(h('p', { class: 'hint', text: 'No call tree embedded.' })); return; }
  const rows = sandwichRows(tree);
  if (tree.folded) box.appendChild(h('p', { class: 'hint', text: plural(tree.folded, 'call') + ' of this tree are folded into "more" frames and counted under no function here.' }));
  const detail = h('div', { id: 'sandwich-detail', class: 'sandwich-detail' });
  const table = h('table', { id: 'sandwich-table', class: 'sandwich' }, [h('thead', {}, [h('tr', {}, ['function or SQL shape', 'self', 'total', 'calls'].map((t) => h('th', { text: t })))])]);
  const body = h('tbody');
  const pick = (k: number) => {
    const selected = body.querySelector('tr[aria-selected="true"]');
    if (selected) selected.removeAttribute('aria-selected');
    (body.children[k] as HTMLElement).setAttribute('aria-selected', 'true');
    showDetail(detail, tree, rows[k]);
  };
  rows.forEach((r, k) => {
    body.appendChild(h('tr', { 'data-name': S[r.name], 'data-kind': KIND_NAMES[r.kind], 'data-self-us': Math.round(r.selfMs * 1000), 'data-total-us': Math.round(r.totalMs * 1000), 'data-calls': r.calls }, [
      h('td', {}, [h('button', { class: 'pick kind-' + r.kind, title: 'Its callers and callees', text: S[r.name], onclick: () => { pick(k); } })]),
      h('td', { class: 'num', text: fmtMsFine(r.selfMs) }), h('td', { class: 'num', text: fmtMsFine(r.totalMs) }), h('td', { class: 'num', text: fmtCount(r.calls) }),
    ]));
  });
  table.appendChild(body);
  box.appendChild(h('div', { class: 'sandwich-list' }, [table]));
  box.appendChild(detail);
  if (rows.length) pick(0);
}

function showDetail(box: HTMLElement, tree: CompactTree, row: SandwichRow): void {
  clear(box);
  box.appendChild(h('h4', { text: S[row.name] }));
  box.appendChild(h('p', { class: 'hint', text: 'self ' + fmtMsFine(row.selfMs) + ' · total ' + fmtMsFine(row.totalMs) + ' · ' + plural(row.calls, 'call') }));
  ([['callers', true], ['callees', false]] as [string, boolean][]).forEach(([title, callers]) => {
    const list = neighbours(tree, row, callers);
    const table = h('table', { class: 'sandwich-' + title }, [h('caption', { text: title.charAt(0).toUpperCase() + title.slice(1) + (callers ? ' (its time under each)' : ' (their time under it)') }), h('thead', {}, [h('tr', {}, [title === 'callers' ? 'caller' : 'callee', 'time', 'calls'].map((t) => h('th', { text: t })))])]);
    const body = h('tbody');
    if (!list.length) body.appendChild(h('tr', {}, [h('td', { colspan: 3, class: 'hint', text: 'none' })]));
    list.forEach((e) => { body.appendChild(h('tr', { 'data-name': S[e.name] }, [h('td', {}, [h('code', { text: S[e.name] })]), h('td', { class: 'num', text: fmtMsFine(e.ms) }), h('td', { class: 'num', text: fmtCount(e.calls) })])); });
    table.appendChild(body);
    box.appendChild(table);
  });
}
