// The shown request or test: its heading, the toolbar (search, merge same calls, reset zoom,
// legend), its flame graph (two side by side, to one scale, with a before), its call tree and its
// SQL by shape; and a finding shown there (its frames in red, zoomed to its place).

import { CompactTree, EntryView } from '../core/report/pageData';
import { CallTree } from './callTree';
import { data, S } from './data';
import { clear, h } from './dom';
import { Graph } from './flameGraph';
import { fmtCount, fmtMs, fmtMsFine, plural } from './format';
import { beforeOf, renderHeader } from './header';
import { renderSandwich } from './sandwich';
import { renderTimeline } from './timeline';
import { state, ui } from './state';

function treeOf(entry: EntryView | undefined): CompactTree | undefined { return entry ? (state.merged ? entry.merged : entry.tree) : undefined; }

export function buildEntrySection(): void {
  const section = h('section', { id: 'entry', 'aria-label': 'request or test' });
  ui.search = h('input', { id: 'search', type: 'search', placeholder: 'Search frames (name contains…)', 'aria-label': 'search frames', oninput: () => { state.exact = null; state.search = ui.search.value; applySearch(); } });
  ui.merge = h('input', { id: 'merge', type: 'checkbox', onchange: () => { state.merged = ui.merge.checked; renderEntry(); } });
  ui.merge.checked = state.merged;
  ui.leftHeavy = h('input', { id: 'left-heavy', type: 'checkbox', onchange: () => { state.leftHeavy = ui.leftHeavy.checked; renderEntry(); } });
  ui.reset = h('button', { id: 'reset', text: 'Reset zoom', onclick: () => { eachGraph((g) => g.reset()); } });
  ui.searchInfo = h('span', { id: 'search-info', class: 'hint', 'aria-live': 'polite' });
  const legend = h('span', { class: 'legend' }, [
    swatch('#f0a050', 'function'), swatch('hsl(210, 65%, 64%)', 'SQL'), swatch('#9fa8da', 'HTTP request'), swatch('#81c784', 'HTTP client'), swatch('#d9d9d9', 'folded'), swatch('#e53935', 'finding'), swatch('#e600e6', 'search'), h('span', { class: 'swatch over', title: 'Its calls add up to more than its own time: they overlapped (concurrency, clock skew); drawn to its own time, its calls scaled to fit' }, [h('i'), 'calls overlap']),
  ]);
  const toolbar = h('div', { class: 'toolbar' }, [ui.search, ui.searchInfo, h('label', { class: 'merge', title: 'Unticked: every call in call order (time-ordered)' }, [ui.merge, ' merge same calls']), h('label', { class: 'left-heavy', title: 'Each frame\'s children by time, the most first' }, [ui.leftHeavy, ' left-heavy']), ui.reset, legend]);
  toolbar.appendChild(h('span', { class: 'keys', id: 'keys' }, ['Keys: ', h('kbd', { text: '/' }), ' search · ', h('kbd', { text: 'j' }), ' ', h('kbd', { text: 'k' }), ' next, previous request · ', h('kbd', { text: 'Esc' }), ' reset zoom · arrows in the call tree']));
  ui.findingInfo = h('p', { id: 'finding-info', class: 'finding-info', hidden: 'hidden' });
  ui.graphs = h('div', { id: 'graphs', class: data.before ? 'graphs two' : 'graphs' });
  ui.treeBox = h('div', { id: 'calltree' });
  ui.sqlBox = h('div', { id: 'sql' });
  ui.sandwichBox = h('div', { id: 'sandwich' });
  ui.timelineBox = h('div', { id: 'timeline' });
  section.appendChild(toolbar);
  section.appendChild(ui.findingInfo);
  section.appendChild(ui.graphs);
  section.appendChild(h('h3', { text: 'Timeline' }));
  section.appendChild(ui.timelineBox);
  section.appendChild(h('h3', { text: 'Call tree' }));
  section.appendChild(ui.treeBox);
  section.appendChild(h('h3', { text: 'Functions and SQL by self time' }));
  section.appendChild(ui.sandwichBox);
  section.appendChild(h('h3', { text: 'SQL by shape' }));
  section.appendChild(ui.sqlBox);
  ui.main.appendChild(section);
}

function swatch(color: string, label: string): HTMLElement {
  return h('span', { class: 'swatch' }, [h('i', { style: 'background:' + color }), label]);
}

/** The shown graphs, in the order they were drawn (before, then after). */
function eachGraph(f: (g: Graph, side: string) => void): void {
  (Object.keys(state.graphs) as (keyof typeof state.graphs)[]).forEach((k) => f(state.graphs[k] as Graph, k));
}

export function selectEntry(id: number, keepFinding?: boolean): void {
  if (!keepFinding) { state.finding = null; ui.findingInfo.hidden = true; }
  if (ui.entryItems[state.entry]) ui.entryItems[state.entry].removeAttribute('aria-current');
  state.entry = id;
  if (ui.entryItems[id]) {
    ui.entryItems[id].setAttribute('aria-current', 'true');
    ui.entryItems[id].scrollIntoView({ block: 'nearest' });
  }
  renderEntry();
}


/** Draws the shown entry again (a new entry, the other tree, a new width). */
export function renderEntry(): void {
  const e = data.after.entries[state.entry];
  clear(ui.entryHead);
  clear(ui.graphs);
  clear(ui.treeBox);
  clear(ui.sqlBox);
  clear(ui.sandwichBox);
  clear(ui.timelineBox);
  state.graphs = {};
  ui.callTree = null;
  if (!e) return;
  renderHeader(ui.entryHead, e);
  const tree = treeOf(e);
  if (!tree) {
    ui.graphs.appendChild(h('p', { class: 'note', text: 'The call tree of this ' + (e.kind === 'test' ? 'test' : 'request') + ' is not embedded in this page (see the limits at the top); its SQL is below.' }));
  } else {
    // The call tree follows the after side's zoom; picking a frame in it zooms there.
    const followZoom = (id: number) => { if (ui.callTree) ui.callTree.select(id); };
    const before = beforeOf(e);
    if (data.before) {
      const left = h('div', { class: 'side before' }), right = h('div', { class: 'side after' });
      ui.graphs.appendChild(left);
      ui.graphs.appendChild(right);
      left.appendChild(h('h3', { text: before ? 'Before: ' + fmtMs(before.ms) + ' · ' + plural(before.sql, 'SQL query', 'SQL queries') : 'Before' }));
      right.appendChild(h('h3', { text: 'After: ' + fmtMs(e.ms) + ' · ' + plural(e.sql, 'SQL query', 'SQL queries') }));
      const leftBox = h('div'), rightBox = h('div');
      left.appendChild(leftBox);
      right.appendChild(rightBox);
      const beforeTree = before && treeOf(before);
      // Both drawn to one scale: the root of the faster side is the narrower.
      const most = Math.max(tree.us[0], beforeTree ? beforeTree.us[0] : 0);
      const scaleOf = (t: CompactTree) => most > 0 ? Math.max(0.05, t.us[0] / most) : 1;
      if (beforeTree) state.graphs.before = new Graph('before', leftBox, beforeTree, scaleOf(beforeTree), () => undefined, state.leftHeavy);
      else leftBox.appendChild(h('p', { class: 'note', text: 'No ' + e.label + ' of this test in the before recordings' + (before ? ' has an embedded call tree.' : '.') }));
      state.graphs.after = new Graph('after', rightBox, tree, scaleOf(tree), followZoom, state.leftHeavy);
    } else {
      const box = h('div', { class: 'side after' });
      ui.graphs.appendChild(box);
      state.graphs.after = new Graph('after', box, tree, undefined, followZoom, state.leftHeavy);
    }
    ui.callTree = new CallTree(ui.treeBox, tree, (id) => { if (state.graphs.after) state.graphs.after.zoomTo(id); });
  }
  renderTimeline(ui.timelineBox, e.tree);
  renderSandwich(ui.sandwichBox, e.tree || e.merged);
  renderSql(e);
  applySearch();
  if (state.finding) applyFinding(state.finding);
}

function renderSql(e: EntryView): void {
  if (!e.sqlShapes.length) { ui.sqlBox.appendChild(h('p', { class: 'hint', text: 'No SQL.' })); return; }
  const table = h('table', { id: 'sql-table', class: 'sql' }, [h('thead', {}, [h('tr', {}, [h('th', { text: 'SQL shape' }), h('th', { text: 'queries' }), h('th', { text: 'total' }), h('th', { text: 'mean' }), h('th', { text: 'slowest' })])])]);
  const body = h('tbody');
  e.sqlShapes.forEach((g) => {
    const shape = S[g.shape];
    body.appendChild(h('tr', { 'data-shape': g.shape, title: 'Highlight these queries in the flame graph', onclick: () => { state.exact = shape; state.search = ''; ui.search.value = ''; applySearch(); } }, [
      h('td', {}, [h('code', { text: shape })]), h('td', { class: 'num', text: fmtCount(g.count) }), h('td', { class: 'num', text: fmtMs(g.totalMs) }), h('td', { class: 'num', text: fmtMsFine(g.totalMs / g.count) }), h('td', { class: 'num', text: fmtMsFine(g.maxMs) }),
    ]));
  });
  table.appendChild(body);
  ui.sqlBox.appendChild(table);
  if (e.moreSqlShapes.shapes) ui.sqlBox.appendChild(h('p', { class: 'hint', text: 'and ' + plural(e.moreSqlShapes.shapes, 'more shape') + ' (' + plural(e.moreSqlShapes.count, 'query', 'queries') + ')' }));
}

/** Highlights the frames the search (or the picked SQL shape) matches, and says how many and how long. */
function applySearch(): void {
  const term = state.search.trim().toLowerCase();
  const exact = state.exact;
  const match = exact !== null ? (name: string) => name === exact : term ? (name: string) => name.toLowerCase().indexOf(term) !== -1 : null;
  const info: string[] = [];
  eachGraph((g, k) => {
    const r = g.highlight(match);
    if (match) info.push((data.before ? k + ': ' : '') + plural(r.count, 'frame') + ', ' + fmtMs(r.ms));
  });
  ui.searchInfo.textContent = match ? (exact !== null ? 'SQL shape: ' : 'matches: ') + info.join('; ') : '';
}

/** Shows place ti of finding fi: its request or test, zoomed to it, its frames in red. */
export function showFinding(fi: number, ti: number): void {
  const f = data.findings[fi], t = f && f.targets[ti];
  if (!t) return;
  state.finding = { f: fi, t: ti };
  selectEntry(t.entry, true);
  (document.getElementById('entry') as HTMLElement).scrollIntoView({ block: 'start' });
}

function applyFinding(shown: { f: number; t: number }): void {
  const f = data.findings[shown.f], t = f.targets[shown.t];
  const g = state.graphs.after, callTree = ui.callTree;
  if (!g || !callTree || t.entry !== state.entry) return;
  const ids = state.merged ? t.mergedFrames : t.frames, focus = state.merged ? t.mergedFocus : t.focus;
  g.mark(ids);
  g.zoomTo(focus);
  callTree.mark(ids);
  // Open the list down to the first of the finding's frames, and select the zoomed one.
  callTree.reveal(ids.length ? ids[0] : focus);
  callTree.select(focus);
  const tree = g.tree;
  const frames = state.merged ? 'merged into ' + plural(ids.length, 'frame') : plural(ids.length, 'frame') + (t.nFrames > ids.length ? ' of ' + fmtCount(t.nFrames) : '');
  ui.findingInfo.hidden = false;
  ui.findingInfo.textContent = f.message + (f.detail ? ' (' + f.detail + ')' : '') + ': zoomed to ' + S[tree.name[focus]] + '; its ' + (f.related.length ? 'queries' : 'call') + ' in red (' + frames + ').';
}
