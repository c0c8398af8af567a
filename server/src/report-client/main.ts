// The HTML report's own script, run once when the page loads (core/report/html.ts inlines it
// after the report's JSON and the flame graph library): builds the notes, the list of requests and
// tests, the findings, the shown entry and the comparison, then shows the first entry with a call
// tree. A new window width draws the graphs again. Any error is shown on the page and set as the
// body's `data-error`; `data-rendered-ms` says the page is drawn.

import { buildComparison } from './comparison';
import { data } from './data';
import { h } from './dom';
import { buildEntrySection, renderEntry, selectEntry } from './entry';
import { buildFindings } from './findings';
import { bindKeys } from './keyboard';
import { plural } from './format';
import { buildEntries } from './sidebar';
import { state, ui } from './state';

const app = document.getElementById('app') as HTMLElement;

function build(): void {
  app.appendChild(ui.notes = h('section', { id: 'notes', class: 'notes' }));
  const layout = h('div', { class: 'layout' });
  app.appendChild(layout);
  ui.sidebar = h('aside', { class: 'sidebar', 'aria-label': 'requests and tests' });
  ui.main = h('div', { class: 'main' });
  layout.appendChild(ui.sidebar);
  layout.appendChild(ui.main);
  buildNotes();
  // The shown request's or test's header comes first: its time and SQL, or the change since before.
  ui.main.appendChild(ui.entryHead = h('header', { id: 'entry-head', class: 'entry-head' }));
  buildEntries();
  buildFindings();
  buildEntrySection();
  if (data.comparison) buildComparison();
}

/** What the page left out, and the problems met reading the recordings. */
function buildNotes(): void {
  data.notes.forEach((n) => { ui.notes.appendChild(h('p', { class: 'note', text: n })); });
  if (data.problems.length) {
    const d = h('details', { class: 'problems' }, [h('summary', { text: plural(data.problems.length, 'problem') + ' reading the recordings' })]);
    const ul = h('ul');
    data.problems.forEach((p) => { ul.appendChild(h('li', { text: p })); });
    d.appendChild(ul);
    ui.notes.appendChild(d);
  }
}

try {
  if (!window.d3 || !window.flamegraph) throw new Error('the flame graph library did not load');
  build();
  let first = -1;
  for (let i = 0; i < data.after.entries.length && first === -1; i++) if (data.after.entries[i].tree) first = i;
  if (first === -1 && data.after.entries.length) first = 0;
  if (first !== -1) selectEntry(first);
  bindKeys();
} catch (err) {
  const message = String(err && (err as { message?: unknown }).message ? (err as { message: unknown }).message : err);
  app.appendChild(h('p', { class: 'error', text: 'The report could not be drawn: ' + message }));
  document.body.setAttribute('data-error', message);
}
// A new width draws the graphs again (zoom is reset; the finding and the search stay).
let lastWidth = window.innerWidth, resizing = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (Math.abs(window.innerWidth - lastWidth) < 40 || state.entry === -1) return;
    lastWidth = window.innerWidth;
    renderEntry();
  }, 200);
});
app.setAttribute('aria-busy', 'false');
document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now())));
