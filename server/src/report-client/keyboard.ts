// The page's keys: `/` to the search box, `j`/`k` (or Alt+↓/↑) to the next or previous request or
// test, Escape to reset the flame graphs' zoom, and in the call tree the keys of an ARIA tree (↑ ↓
// between visible rows, → opens or goes to the first child, ← closes or goes to the parent, Enter
// zooms the flame graph there). Nothing is taken from a text field but Escape.

import { data } from './data';
import { selectEntry } from './entry';
import { state, ui } from './state';

export function bindKeys(): void {
  document.addEventListener('keydown', (ev) => {
    const target = ev.target as HTMLElement | null;
    const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT');
    if (ev.key === 'Escape') {
      if (typing && target) target.blur();
      Object.keys(state.graphs).forEach((k) => { const g = state.graphs[k as keyof typeof state.graphs]; if (g) g.reset(); });
      return;
    }
    if (typing || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === '/') { ev.preventDefault(); ui.search.focus(); return; }
    const step = ev.key === 'j' || (ev.altKey && ev.key === 'ArrowDown') ? 1 : ev.key === 'k' || (ev.altKey && ev.key === 'ArrowUp') ? -1 : 0;
    if (step && data.after.entries.length) {
      ev.preventDefault();
      const next = Math.max(0, Math.min(data.after.entries.length - 1, state.entry + step));
      if (next !== state.entry) selectEntry(next);
      const button = ui.entryItems[next] && ui.entryItems[next].querySelector('button');
      if (button) button.focus();
      return;
    }
    if (target && target.closest('#calltree')) treeKey(ev, target);
  });
}

/** An ARIA tree's keys on the call tree's rows (their name buttons hold the focus). */
function treeKey(ev: KeyboardEvent, target: HTMLElement): void {
  const li = target.closest('li[role="treeitem"]') as HTMLElement | null;
  if (!li || !ui.callTree) return;
  const id = Number(li.getAttribute('data-id'));
  const visible = Array.prototype.filter.call(document.querySelectorAll('#calltree li[role="treeitem"]'), (e: HTMLElement) => e.offsetParent !== null) as HTMLElement[];
  const at = visible.indexOf(li);
  let to: HTMLElement | undefined;
  switch (ev.key) {
    case 'ArrowDown': to = visible[at + 1]; break;
    case 'ArrowUp': to = visible[at - 1]; break;
    case 'ArrowRight':
      if (li.getAttribute('aria-expanded') === 'false') ui.callTree.expand(id);
      else if (li.getAttribute('aria-expanded') === 'true') to = li.querySelector<HTMLElement>(':scope > ul > li[role="treeitem"]') || undefined;
      break;
    case 'ArrowLeft':
      if (li.getAttribute('aria-expanded') === 'true') ui.callTree.collapse(id);
      else to = (li.parentElement && li.parentElement.closest('li[role="treeitem"]') as HTMLElement) || undefined;
      break;
    default: return;
  }
  ev.preventDefault();
  const name = to && to.querySelector<HTMLElement>(':scope > .row .name');
  if (name) name.focus();
}
