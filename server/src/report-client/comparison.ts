// Before and after (with a before: recordings or a saved baseline): the verdict, the regressions,
// the routes', tests' and functions' tables as `runlens compare` words them (the model holds the
// cells as text), and the findings resolved, new and changed.

import { data } from './data';
import { h } from './dom';
import { plural } from './format';
import { ui } from './state';

export function buildComparison(): void {
  const c = data.comparison;
  if (!c) return;
  const section = h('section', { id: 'comparison', 'aria-label': 'before and after' }, [
    h('h2', { text: 'Before and after' }),
    h('p', { id: 'sources', class: 'hint', text: 'before: ' + sourceText(c.sources.before, c.recordings.before) + ' · after: ' + sourceText(c.sources.after, c.recordings.after) }),
    h('p', { class: c.regressed ? 'verdict bad' : 'verdict good', text: c.regressed ? 'Regressed.' : 'No regression.' }),
  ]);
  if (c.regressions.length) {
    const ul = h('ul', { class: 'regressions' });
    c.regressions.forEach((r) => { ul.appendChild(h('li', { text: r })); });
    section.appendChild(ul);
  }
  c.sections.forEach((s) => {
    section.appendChild(h('h3', { text: s.title }));
    if (!s.rows.length) {
      section.appendChild(h('p', { class: 'hint', text: s.hidden ? plural(s.hidden, 'entry', 'entries') + ', nothing notable (within noise or under the thresholds)' : 'None recorded.' }));
      return;
    }
    const table = h('table', { class: 'compare' }, [h('thead', {}, [h('tr', {}, ['', 'time ' + s.perCall, 'change', 'SQL ' + s.perCall, s.calls, 'noise'].map((t) => h('th', { text: t })))])]);
    const body = h('tbody');
    s.rows.forEach((r) => {
      body.appendChild(h('tr', { class: r.regression ? 'regression' : null }, [h('td', {}, [h('code', { text: r.key })]), h('td', { class: 'num', text: r.time }), h('td', { class: 'num', text: r.change }), h('td', { class: 'num', text: r.sql }), h('td', { class: 'num', text: r.calls }), h('td', { text: r.noise })]));
    });
    table.appendChild(body);
    section.appendChild(table);
    if (s.hidden) section.appendChild(h('p', { class: 'hint', text: plural(s.hidden, 'more entry', 'more entries') + ' unchanged, within noise or under the thresholds' }));
  });
  section.appendChild(h('h3', { text: 'Findings' }));
  if (!c.findings.length) section.appendChild(h('p', { class: 'hint', text: 'No change.' }));
  const fl = h('ul', { class: 'finding-changes' });
  c.findings.forEach((f) => { fl.appendChild(h('li', { class: 'change-' + f.status }, [h('span', { class: 'status', text: f.status }), ' ', f.text])); });
  section.appendChild(fl);
  c.notes.forEach((n) => { section.appendChild(h('p', { class: 'hint', text: n })); });
  ui.main.appendChild(section);
}

/** How a side was given, with its number of recordings unless that is what it says already (`2 recordings`). */
function sourceText(source: string, recordings: number): string {
  const count = plural(recordings, 'recording');
  return source === count ? source : source + ' (' + count + ')';
}
