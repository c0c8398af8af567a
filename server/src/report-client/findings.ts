// The findings: each with its severity, message, place and rule; clicking it shows it in its
// request's or test's call tree, and "Also in:" links show its other places (up to 19).

import { data } from './data';
import { h } from './dom';
import { showFinding } from './entry';
import { ui } from './state';

export function buildFindings(): void {
  const section = h('section', { id: 'findings', 'aria-label': 'findings' }, [h('h2', { text: data.findings.length ? 'Findings' : 'Findings: none' })]);
  const ul = h('ul', { class: 'findings' });
  data.findings.forEach((f, fi) => {
    const li = h('li', { class: 'finding sev-' + f.severity, 'data-finding': fi, 'data-rule': f.rule });
    const head = h('button', { class: 'finding-link', disabled: f.targets.length ? null : 'disabled', title: f.targets.length ? 'Show it in the call tree' : 'No embedded call tree holds it', onclick: () => { showFinding(fi, 0); } }, [
      h('span', { class: 'sev', text: f.severity }), ' ', h('span', { class: 'msg', text: f.message }), f.detail ? h('span', { class: 'detail', text: ' (' + f.detail + ')' }) : null,
    ]);
    li.appendChild(head);
    li.appendChild(h('div', { class: 'where' }, [h('code', { text: f.path + ':' + f.line }), ' [' + f.rule + ']', f.scope ? ' in ' + f.scope : '']));
    if (f.targets.length > 1) {
      const links = h('div', { class: 'targets' }, ['Also in: ']);
      f.targets.slice(1, 20).forEach((t, k) => {
        links.appendChild(h('button', { class: 'target', text: data.after.entries[t.entry].label + ' (' + t.recording + ')', onclick: () => { showFinding(fi, k + 1); } }));
      });
      li.appendChild(links);
    }
    ul.appendChild(li);
  });
  section.appendChild(ul);
  ui.main.appendChild(section);
}
