// The timeline of the shown request or test: its calls and queries on a time axis (each frame's
// estimated start, CompactTree.startUs, and its time), a call below its caller, and calls that ran
// at once on lanes of their own, so an N+1 shows as its long row of queries and concurrent ones
// (Promise.all) as a column. Starts are estimated from the order of the recorded events and their
// times (recordings hold no clock): what the recording does not time shows as no gap.

import { CompactTree, FrameKind } from '../core/report/pageData';
import { S } from './data';
import { clear, h } from './dom';
import { fmtMsFine, plural } from './format';
import { describe, KIND_NAMES } from './frames';

const SVG = 'http://www.w3.org/2000/svg';
const LANE_PX = 14;
const MAX_LANES = 80;

const COLOURS: Record<FrameKind, string> = {
  [FrameKind.Function]: '#f0a050',
  [FrameKind.Sql]: 'hsl(210, 65%, 64%)',
  [FrameKind.HttpServer]: '#9fa8da',
  [FrameKind.HttpClient]: '#81c784',
  [FrameKind.More]: '#d9d9d9',
  [FrameKind.Test]: '#c2c2c2',
};

/** Each frame's lane: the first whose last frame ended by its start, callers before their calls (frames by start, then depth). */
export function lanesOf(tree: CompactTree, start: number[]): Int32Array {
  const n = tree.name.length;
  const depth = new Int32Array(n);
  for (let i = 1; i < n; i++) depth[i] = depth[tree.parent[i]] + 1;
  const order: number[] = [];
  for (let i = 1; i < n; i++) order.push(i);
  order.sort((a, b) => start[a] - start[b] || depth[a] - depth[b] || a - b);
  const lane = new Int32Array(n).fill(-1);
  const endOf: number[] = [];
  order.forEach((i) => {
    // Below its caller's lane, and in the first lane free from its start on.
    let l = tree.parent[i] > 0 ? lane[tree.parent[i]] + 1 : 0;
    // Starts and times are each rounded to the microsecond: a lane ending 2 µs after a start is free.
    while (l < endOf.length && endOf[l] > start[i] + 2) l++;
    lane[i] = l;
    endOf[l] = Math.max(endOf[l] || 0, start[i] + Math.max(tree.us[i], 1));
  });
  return lane;
}

export function renderTimeline(box: HTMLElement, tree: CompactTree | undefined): void {
  clear(box);
  const steps = tree && tree.startStepUs;
  if (!tree || !steps) { box.appendChild(h('p', { class: 'hint', text: 'No call tree in call order is embedded for this request or test.' })); return; }
  const start: number[] = new Array(steps.length);
  for (let i = 0, t = 0; i < steps.length; i++) start[i] = t += steps[i];
  const lane = lanesOf(tree, start);
  let lanes = 0, end = tree.us[0];
  for (let i = 1; i < lane.length; i++) {
    if (lane[i] + 1 > lanes) lanes = lane[i] + 1;
    if (start[i] - start[0] + tree.us[i] > end) end = start[i] - start[0] + tree.us[i];
  }
  const shown = Math.min(lanes, MAX_LANES);
  const width = Math.max(300, box.clientWidth || 900);
  const x = (us: number) => end > 0 ? us * width / end : 0;
  box.appendChild(h('p', { class: 'hint', id: 'timeline-info', text: plural(lanes, 'lane') + ' below ' + S[tree.name[0]] + (lanes > shown ? ' (the first ' + shown + ' drawn)' : '') + ' over ' + fmtMsFine(end / 1000) + '; starts estimated from the order of the recorded events and their times: untimed gaps do not show.' }));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String((shown + 1) * LANE_PX + 16));
  svg.setAttribute('class', 'timeline');
  // The axis: ticks at a round step.
  const step = niceStep(end / 6);
  for (let t = 0; t <= end && step > 0; t += step) {
    const tick = document.createElementNS(SVG, 'text');
    tick.setAttribute('x', String(x(t) + 2));
    tick.setAttribute('y', '10');
    tick.setAttribute('class', 'tick');
    tick.textContent = fmtMsFine(t / 1000);
    svg.appendChild(tick);
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', String(x(t)));
    line.setAttribute('x2', String(x(t)));
    line.setAttribute('y1', '12');
    line.setAttribute('y2', String((shown + 1) * LANE_PX + 16));
    line.setAttribute('class', 'grid');
    svg.appendChild(line);
  }
  const drawLane = (i: number, l: number) => {
    const g = document.createElementNS(SVG, 'rect');
    g.setAttribute('x', String(x(start[i] - start[0])));
    g.setAttribute('y', String(14 + l * LANE_PX));
    g.setAttribute('width', String(Math.max(1, x(tree.us[i]))));
    g.setAttribute('height', String(LANE_PX - 2));
    g.setAttribute('fill', COLOURS[tree.kind[i]]);
    g.setAttribute('data-id', String(i));
    g.setAttribute('data-lane', String(l));
    g.setAttribute('data-kind', KIND_NAMES[tree.kind[i]]);
    g.setAttribute('data-name', S[tree.name[i]]);
    const title = document.createElementNS(SVG, 'title');
    title.textContent = describe(tree, i) + ' · starts at ' + fmtMsFine((start[i] - start[0]) / 1000);
    g.appendChild(title);
    svg.appendChild(g);
  };
  drawLane(0, 0);
  for (let i = 1; i < lane.length; i++) if (lane[i] + 1 < shown + 1 && lane[i] < shown) drawLane(i, lane[i] + 1);
  box.appendChild(h('div', { class: 'timeline-box' }, [svg]));
}

/** 1, 2 or 5 times a power of ten, at least `us`. */
function niceStep(us: number): number {
  if (!(us > 0)) return 0;
  const p = Math.pow(10, Math.floor(Math.log10(us)));
  return us <= p ? p : us <= 2 * p ? 2 * p : us <= 5 * p ? 5 * p : 10 * p;
}
