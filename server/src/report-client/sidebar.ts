// The sidebar: the requests and tests, slowest first (time, SQL queries, a badge for findings),
// each showing itself when clicked; then those not listed one by one, summed up per label.

import { data } from './data';
import { h } from './dom';
import { selectEntry } from './entry';
import { fmtCount, fmtMs, plural } from './format';
import { ui } from './state';

export function buildEntries(): void {
  const side = data.after;
  ui.sidebar.appendChild(h('h2', { text: 'Requests and tests' }));
  ui.sidebar.appendChild(h('p', { class: 'hint', text: 'Slowest first: time, SQL queries.' }));
  const ol = h('ol', { id: 'entries', class: 'entries' });
  ui.entryItems = [];
  side.entries.forEach((e) => {
    const badge = e.findings.length ? h('span', { class: 'badge', text: plural(e.findings.length, 'finding') }) : null;
    const li = h('li', { 'data-entry': e.id, 'data-key': e.key }, [
      h('button', { class: 'entry', title: e.detail, onclick: () => { selectEntry(e.id); } }, [
        h('span', { class: 'label' }, [e.kind === 'test' ? h('span', { class: 'tag', text: 'test' }) : null, e.label]),
        h('span', { class: 'meta' }, [h('span', { class: 'time', text: fmtMs(e.ms) }), ' · ', h('span', { class: 'sqlcount', text: fmtCount(e.sql) + ' SQL' }), e.tree ? null : ' · no tree', ' ', badge]),
      ]),
    ]);
    ui.entryItems[e.id] = li;
    ol.appendChild(li);
  });
  ui.sidebar.appendChild(ol);
  if (side.unlisted.length) {
    const more = h('div', { class: 'unlisted' }, [h('h3', { text: 'Not listed one by one' })]);
    side.unlisted.forEach((g) => {
      more.appendChild(h('p', { text: g.label + ': ' + plural(g.count, g.kind === 'test' ? 'test run' : 'request') + ', ' + fmtMs(g.totalMs) + ' in all, slowest ' + fmtMs(g.maxMs) + ', ' + plural(g.sql, 'SQL query', 'SQL queries') }));
    });
    if (side.unlistedRest) {
      const r = side.unlistedRest;
      more.appendChild(h('p', { text: 'and ' + plural(r.groups, 'more route or test', 'more routes and tests') + ': ' + plural(r.count, 'request or test run', 'requests and test runs') + ', ' + fmtMs(r.totalMs) + ' in all, ' + plural(r.sql, 'SQL query', 'SQL queries') }));
    }
    ui.sidebar.appendChild(more);
  }
}
