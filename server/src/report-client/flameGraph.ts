// One flame graph (d3-flame-graph, inlined before this script as the globals `d3` and
// `flamegraph`): drawn from an embedded tree, with a zoom path of crumbs, the numbers of the
// hovered frame, search highlights and a finding's frames in red. Zooming tells `onZoom`, which
// the call tree follows. Below, the part of the two libraries' API the page uses, typed.

import { CompactTree, FrameKind } from '../core/report/pageData';
import { S } from './data';
import { clear, h } from './dom';
import { describe, KIND_NAMES, prep } from './frames';

/** A frame as the page gives it to d3-flame-graph. */
export interface FrameDatum {
  name: string;
  value: number;
  /** The frame's index in its tree. */
  id: number;
  kind: FrameKind;
  children?: FrameDatum[];
  /** One of the shown finding's frames. */
  mark?: boolean;
}

/** d3-hierarchy's node around a frame, as d3-flame-graph lays it out (`highlight`: a search match). */
export interface FrameNode {
  data: FrameDatum;
  parent: FrameNode | null;
  highlight?: boolean;
  ancestors(): FrameNode[];
  each(visit: (d: FrameNode) => void): void;
  eachBefore(visit: (d: FrameNode) => void): void;
}

interface FlameGraphChart {
  (selection: Selection): void;
  width(px: number): FlameGraphChart;
  cellHeight(px: number): FlameGraphChart;
  minHeight(px: number): FlameGraphChart;
  transitionDuration(ms: number): FlameGraphChart;
  minFrameSize(px: number): FlameGraphChart;
  sort(sort: boolean | ((a: FrameNode, b: FrameNode) => number)): FlameGraphChart;
  inverted(inverted: boolean): FlameGraphChart;
  selfValue(selfValue: boolean): FlameGraphChart;
  setColorMapper(color: (d: FrameNode, original: string) => string): FlameGraphChart;
  setLabelHandler(label: (d: FrameNode) => string): FlameGraphChart;
  setDetailsElement(e: HTMLElement): FlameGraphChart;
  onClick(click: (d: FrameNode) => void): FlameGraphChart;
  update(): void;
  resetZoom(): void;
  zoomTo(d: FrameNode): void;
}

interface Selection {
  datum(d: FrameDatum): Selection;
  datum(): FrameNode;
  call(chart: FlameGraphChart): Selection;
  selectAll(selector: string): Selection;
  attr(name: string, value: (d: FrameNode) => string | number | null): Selection;
}

declare global {
  /** d3's modules that d3-flame-graph needs, merged into one global by their browser builds. */
  var d3: { select(e: Element): Selection };
  var flamegraph: { default(): FlameGraphChart };
}

function hash(s: string): number {
  let x = 0;
  for (let i = 0; i < s.length && i < 64; i++) x = (x * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(x);
}

function colorOf(d: FrameNode, original: string): string {
  if (d.data.mark) return '#e53935';
  if (d.highlight) return '#e600e6';
  switch (d.data.kind) {
    case FrameKind.Sql: return 'hsl(' + (200 + hash(d.data.name) % 30) + ', 65%, ' + (58 + hash(d.data.name) % 14) + '%)';
    case FrameKind.HttpServer: return '#9fa8da';
    case FrameKind.HttpClient: return '#81c784';
    case FrameKind.More: return '#d9d9d9';
    case FrameKind.Test: return '#c2c2c2';
    default: return original;
  }
}

export type Side = 'before' | 'after';

/** A row's height; the graph is as tall as the tree is deep (the library: depth + 3 rows), at least MIN_ROWS. */
const CELL_PX = 20;
const MIN_ROWS = 8;

/** Left-heavy order: the children with the most time first (then call order). */
function byTime(a: FrameNode, b: FrameNode): number {
  return b.data.value - a.data.value || a.data.id - b.data.id;
}

export class Graph {
  readonly crumbs: HTMLElement;
  readonly details: HTMLElement;
  readonly svgBox: HTMLElement;
  readonly chart: FlameGraphChart;
  readonly root: FrameNode;
  /** The laid-out node of each frame, by its index in the tree. */
  readonly byId: FrameNode[];
  zoomed: FrameNode;

  /** scale: the share of the box's width the root takes (side by side, the faster side is narrower); leftHeavy: each frame's children by time, the most first. */
  constructor(readonly side: Side, box: HTMLElement, readonly tree: CompactTree, scale: number | undefined, private readonly onZoom: (id: number) => void, leftHeavy = false) {
    const p = prep(tree);
    this.crumbs = h('nav', { class: 'crumbs', 'aria-label': 'zoom path', 'data-side': side });
    this.details = h('div', { class: 'details', 'aria-live': 'polite', text: 'Hover a frame for its numbers; click to zoom in.' });
    this.svgBox = h('div', { class: 'graph', 'data-side': side });
    clear(box);
    box.appendChild(this.crumbs);
    box.appendChild(this.svgBox);
    box.appendChild(this.details);
    const width = Math.max(120, Math.floor((this.svgBox.clientWidth || box.clientWidth || 960) * (scale || 1)));
    const nodes: FrameDatum[] = new Array(p.n);
    // Width: the frame's recorded time (where the children of a frame overlapped, they are scaled to fit it: prep's shownMs).
    for (let i = 0; i < p.n; i++) nodes[i] = { name: S[tree.name[i]], value: p.byCalls ? p.subCalls[i] : p.shownMs[i], id: i, kind: tree.kind[i] };
    for (let i = 1; i < p.n; i++) {
      const parent = nodes[tree.parent[i]];
      (parent.children || (parent.children = [])).push(nodes[i]);
    }
    // The first paint without transition: a screenshot right after load shows the whole graph, labelled.
    this.chart = window.flamegraph.default()
      .width(width)
      .cellHeight(CELL_PX)
      .minHeight(MIN_ROWS * CELL_PX)
      .transitionDuration(0)
      .minFrameSize(0.5)
      .sort(leftHeavy ? byTime : false)
      .inverted(true)
      .selfValue(false)
      .setColorMapper(colorOf)
      .setLabelHandler((d) => describe(tree, d.data.id))
      .setDetailsElement(this.details)
      .onClick((d) => { this.zoomed = d; this.changed(); });
    d3.select(this.svgBox).datum(nodes[0]).call(this.chart);
    this.finishNow();
    this.chart.transitionDuration(250);
    this.root = d3.select(this.svgBox).datum();
    const byId: FrameNode[] = new Array(p.n);
    this.root.each((d) => { byId[d.data.id] = d; });
    this.byId = byId;
    this.zoomed = this.root;
    this.changed();
  }

  /**
   * Sets now what the library's first draw sets after a delay (its transitions start on the next
   * animation frame even at duration 0): each frame's width and label.
   */
  private finishNow(): void {
    const frames = this.svgBox.querySelectorAll('g.frame');
    for (let k = 0; k < frames.length; k++) {
      const g = frames[k], rect = g.querySelector('rect'), label = g.querySelector('foreignObject > div');
      if (rect) rect.setAttribute('width', g.getAttribute('width') || '0');
      if (label) label.textContent = g.getAttribute('name');
    }
  }

  /** Marks the frames' elements (id, kind, finding, search, overlapping children), and redraws the crumbs down to the zoomed frame. */
  changed(): void {
    const over = prep(this.tree).overUs;
    d3.select(this.svgBox).selectAll('g.frame')
      .attr('data-id', (d) => d.data.id)
      .attr('data-kind', (d) => KIND_NAMES[d.data.kind])
      .attr('data-over', (d) => over[d.data.id] > 0 ? 'true' : null)
      .attr('data-mark', (d) => d.data.mark ? 'finding' : d.highlight ? 'search' : null);
    clear(this.crumbs);
    const path = this.zoomed.ancestors().reverse();
    path.forEach((d, k) => {
      if (k) this.crumbs.appendChild(h('span', { class: 'sep', text: '›' }));
      const last = k === path.length - 1;
      this.crumbs.appendChild(h('button', { class: last ? 'crumb current' : 'crumb', 'data-id': d.data.id, title: describe(this.tree, d.data.id), text: d.data.name, onclick: () => { this.zoomTo(d.data.id); } }));
    });
    this.svgBox.setAttribute('data-zoomed', String(this.zoomed.data.id));
    this.onZoom(this.zoomed.data.id);
  }

  zoomTo(id: number): void {
    const d = this.byId[id];
    if (d) this.chart.zoomTo(d);
  }

  reset(): void { this.chart.resetZoom(); }

  /** Highlights the frames match accepts; returns their number and their time (outermost ones). */
  highlight(match: ((name: string) => boolean) | null): { count: number; ms: number } {
    let count = 0, us = 0;
    const tree = this.tree;
    this.root.eachBefore((d) => {
      d.highlight = !!match && match(d.data.name);
      if (!d.highlight) return;
      count++;
      let a = d.parent;
      while (a && !a.highlight) a = a.parent;
      if (!a) us += tree.us[d.data.id];
    });
    this.chart.update();
    this.changed();
    return { count, ms: us / 1000 };
  }

  mark(ids: number[] | undefined): void {
    const set: Record<number, boolean> = {};
    (ids || []).forEach((i) => { set[i] = true; });
    this.byId.forEach((d) => { if (d) d.data.mark = !!set[d.data.id]; });
    this.chart.update();
    this.changed();
  }
}
