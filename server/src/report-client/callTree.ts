// The call tree as an expandable list (an ARIA tree): children rendered when first opened, the
// first FIRST_CHILDREN of them, then more on demand; a finding's frames marked; the frame the
// flame graph is zoomed to selected. Picking a frame's name tells `onPick` (the flame graph zooms
// to it).

import { CompactTree } from '../core/report/pageData';
import { S } from './data';
import { clear, h } from './dom';
import { fmtCount, fmtMsFine } from './format';
import { describe, KIND_NAMES, prep, Prepared } from './frames';

const FIRST_CHILDREN = 200;

export class CallTree {
  readonly p: Prepared;
  /** The rendered rows, by frame. */
  readonly rows: Record<number, HTMLLIElement> = {};
  marks: Record<number, boolean> = {};
  readonly list: HTMLUListElement;
  selected: number | undefined;

  constructor(box: HTMLElement, readonly tree: CompactTree, private readonly onPick: (id: number) => void) {
    this.p = prep(tree);
    this.list = h('ul', { role: 'tree', class: 'calltree', 'aria-label': 'call tree' });
    clear(box);
    box.appendChild(this.list);
    this.list.appendChild(this.row(0));
    this.expand(0);
  }

  row(i: number): HTMLLIElement {
    const tree = this.tree, kids = this.p.kids[i];
    const li = h('li', { role: 'treeitem', 'data-id': i, 'aria-expanded': kids.length ? 'false' : null, 'data-kind': KIND_NAMES[tree.kind[i]], 'data-mark': this.marks[i] ? 'finding' : null });
    const twisty = h('button', { class: 'twisty', 'aria-label': kids.length ? 'expand' : null, text: kids.length ? '▸' : '', disabled: kids.length ? null : 'disabled', onclick: () => { this.toggle(i); } });
    const name = h('button', { class: 'name kind-' + tree.kind[i], title: describe(tree, i), text: S[tree.name[i]], onclick: () => { this.onPick(i); } });
    const nums = h('span', { class: 'nums' }, [
      h('span', { class: 'num', text: fmtMsFine(tree.us[i] / 1000) }),
      h('span', { class: 'num self', text: 'self ' + fmtMsFine(this.p.self[i]) }),
      h('span', { class: 'num', text: tree.sql[i] ? fmtCount(tree.sql[i]) + ' SQL' : '' }),
      h('span', { class: 'num', text: tree.calls[i] > 1 ? '×' + fmtCount(tree.calls[i]) : '' }),
    ]);
    li.appendChild(h('div', { class: 'row' }, [twisty, name, nums]));
    this.rows[i] = li;
    return li;
  }

  toggle(i: number): void {
    const li = this.rows[i];
    if (li.getAttribute('aria-expanded') === 'true') this.collapse(i);
    else this.expand(i);
  }

  /** Renders the children when first opened, the first FIRST_CHILDREN of them, then more on demand. */
  expand(i: number): void {
    const li = this.rows[i], kids = this.p.kids[i];
    if (!kids.length) return;
    li.setAttribute('aria-expanded', 'true');
    twistyOf(li).textContent = '▾';
    const open = li.querySelector<HTMLElement>(':scope > ul');
    if (open) { open.hidden = false; return; }
    const group = h('ul', { role: 'group' });
    li.appendChild(group);
    let shown = 0;
    const more = () => {
      const until = Math.min(kids.length, shown + FIRST_CHILDREN);
      const button = group.querySelector(':scope > li.more');
      if (button) group.removeChild(button);
      for (; shown < until; shown++) group.appendChild(this.row(kids[shown]));
      if (shown < kids.length) {
        group.appendChild(h('li', { class: 'more' }, [h('button', { text: 'show ' + fmtCount(Math.min(FIRST_CHILDREN, kids.length - shown)) + ' more of ' + fmtCount(kids.length - shown), onclick: more })]));
      }
    };
    more();
  }

  collapse(i: number): void {
    const li = this.rows[i];
    li.setAttribute('aria-expanded', 'false');
    twistyOf(li).textContent = '▸';
    const group = li.querySelector<HTMLElement>(':scope > ul');
    if (group) group.hidden = true;
  }

  /** Opens the path down to node i (rendering more siblings where needed) and shows it. */
  reveal(i: number): void {
    const path: number[] = [];
    for (let a = i; a !== -1; a = this.tree.parent[a]) path.push(a);
    path.reverse();
    for (let k = 0; k < path.length - 1; k++) {
      this.expand(path[k]);
      let guard = 0;
      while (!this.rows[path[k + 1]] && guard++ < 10000) {
        const more = this.rows[path[k]].querySelector<HTMLElement>(':scope > ul > li.more > button');
        if (!more) break;
        more.click();
      }
    }
    this.select(i);
    if (this.rows[i]) this.rows[i].scrollIntoView({ block: 'nearest' });
  }

  select(i: number): void {
    if (this.selected !== undefined && this.rows[this.selected]) this.rows[this.selected].removeAttribute('aria-selected');
    this.selected = i;
    if (this.rows[i]) this.rows[i].setAttribute('aria-selected', 'true');
  }

  mark(ids: number[] | undefined): void {
    this.marks = {};
    (ids || []).forEach((i) => { this.marks[i] = true; });
    Object.keys(this.rows).forEach((k) => {
      const i = Number(k);
      if (this.marks[i]) this.rows[i].setAttribute('data-mark', 'finding');
      else this.rows[i].removeAttribute('data-mark');
    });
  }
}

/** The row's expand button (its first element: div.row > button.twisty). */
function twistyOf(li: HTMLLIElement): Node {
  return (li.firstChild as Node).firstChild as Node;
}
