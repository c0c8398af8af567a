// The findings: each with its severity, message, rule and place (a link to the line: --link-base,
// or relative to the page), its fix as the lines it changes (the Markdown report's diff), its
// repeated queries, and a button that shows its frames in its request's or test's flame graph and
// call tree; "Also in:" links show its other places (up to 19).

import type { FindingView, FixView } from '../core/report/pageData';
import { data } from './data';
import { h } from './dom';
import { showFinding } from './entry';
import { fmtCount, plural } from './format';
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
    li.appendChild(h('div', { class: 'where' }, [place(f.path + ':' + f.line, f.href), ' [' + f.rule + ']', f.scope ? ' in ' + f.scope : '']));
    if (f.targets.length) {
      const t = f.targets[0];
      const n = t.nFrames || t.frames.length;
      li.appendChild(h('button', { class: 'show-frames', title: 'Its frames in red in the flame graph and the call tree', text: 'Show its ' + plural(n, 'frame') + ' in ' + data.after.entries[t.entry].label, onclick: () => { showFinding(fi, 0); } }));
    }
    if (f.fix) li.appendChild(fixBlock(f.fix));
    if (f.related.length) li.appendChild(queries(f));
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

/** A place as a link to its line when the report has one, else as code. */
function place(text: string, href: string | undefined): HTMLElement {
  const code = h('code', { text });
  return href === undefined ? code : h('a', { class: 'place', href, title: 'Open ' + text }, [code]);
}

/** The fix: the lines its edit changes as a diff (`-` now, `+` edited), its new code, or a hint in words. */
function fixBlock(fix: FixView): HTMLElement {
  const box = h('div', { class: 'fix' });
  if (fix.path === undefined) {
    box.appendChild(h('p', { class: 'fix-hint' }, [h('strong', { text: 'Fix (hint): ' }), fix.hint || '']));
    return box;
  }
  const range = fix.endLine !== undefined && fix.endLine !== fix.line ? fix.line + '-' + fix.endLine : String(fix.line);
  box.appendChild(h('p', { class: 'fix-title' }, [h('strong', { text: 'Fix' }), ' at ', place(fix.path + ':' + range, fix.href), ':']));
  const pre = h('pre', { class: fix.diff ? 'diff' : 'code' });
  if (fix.diff) fix.diff.forEach((line) => { pre.appendChild(h('span', { class: line.charAt(0) === '-' ? 'del' : line.charAt(0) === '+' ? 'add' : 'ctx', text: line })); });
  else pre.appendChild(h('code', { text: fix.code || '' }));
  box.appendChild(pre);
  return box;
}

/** The repeated queries: how many of each SQL shape. */
function queries(f: FindingView): HTMLElement {
  const table = h('table', { class: 'related' }, [h('thead', {}, [h('tr', {}, [h('th', { text: 'queries' }), h('th', { text: 'repeated SQL' })])])]);
  const body = h('tbody');
  f.related.forEach((r) => { body.appendChild(h('tr', {}, [h('td', { class: 'num', text: fmtCount(r.count) }), h('td', {}, [h('code', { text: r.sql })])])); });
  table.appendChild(body);
  return table;
}
