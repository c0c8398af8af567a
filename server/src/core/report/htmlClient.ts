// The HTML report's own script and styles, as text for html.ts to inline (string constants, so
// that `tsc` ships them with the compiled server and no asset has to be found at run time). The
// script reads the report's JSON, lists requests and tests, draws the flame graphs with
// d3-flame-graph (loaded before it), the expandable call tree, SQL by shape, the findings with
// links into the trees and the comparison. It sets text only through textContent and attributes
// (never innerHTML), and walks trees with loops, never recursion. Plain ES2017 for any browser.

export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('runlens-data').textContent);
  var S = data.strings;
  var app = document.getElementById('app');
  var FUNCTION = 0, SQL = 1, HTTP = 2, CLIENT = 3, MORE = 4, TEST = 5;
  var KIND_NAMES = ['function', 'SQL query', 'HTTP request', 'HTTP client request', 'folded calls', 'test'];
  var FIRST_CHILDREN = 200;
  var state = { entry: -1, merged: true, search: '', exact: null, finding: null, graphs: {}, tree: null };
  var ui = {};

  // ---- small helpers -------------------------------------------------------------------------

  function h(tag, props, children) {
    var e = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v);
      });
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function fmtCount(n) { return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function plural(n, one, many) { return fmtCount(n) + ' ' + (n === 1 ? one : (many || one + 's')); }
  /** As the command line writes times: 531 ms, 0.7 ms, <0.1 ms, 1.2 s. */
  function fmtMs(ms) {
    if (!isFinite(ms)) return '? ms';
    if (ms < 0.1) return '<0.1 ms';
    if (ms < 1) return ms.toFixed(1) + ' ms';
    if (ms < 1000) return Math.round(ms) + ' ms';
    var s = ms / 1000;
    return s < 10 ? s.toFixed(1) + ' s' : fmtCount(s) + ' s';
  }
  /** More digits, for one frame: 0.114 ms, 12.3 ms. */
  function fmtMsFine(ms) {
    if (ms === 0) return '0 ms';
    if (ms < 1) return ms.toPrecision(2) + ' ms';
    if (ms < 100) return ms.toFixed(1) + ' ms';
    return fmtMs(ms);
  }
  function pct(part, whole) { return whole > 0 ? (100 * part / whole).toFixed(part === whole ? 0 : 1) + '%' : ''; }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function treeOf(entry) { return entry ? (state.merged ? entry.merged : entry.tree) : undefined; }

  /** Children lists, self times and subtree calls of a tree, computed once. */
  function prep(tree) {
    if (tree._prep) return tree._prep;
    var n = tree.name.length, kids = new Array(n), self = new Float64Array(n), subCalls = new Float64Array(n), i, k;
    for (i = 0; i < n; i++) kids[i] = [];
    for (i = 1; i < n; i++) kids[tree.parent[i]].push(i);
    for (i = 0; i < n; i++) {
      var s = tree.us[i];
      for (k = 0; k < kids[i].length; k++) s -= tree.us[kids[i][k]];
      self[i] = Math.max(0, s) / 1000;
    }
    for (i = n - 1; i >= 0; i--) {
      subCalls[i] += tree.calls[i];
      if (i > 0) subCalls[tree.parent[i]] += subCalls[i];
    }
    // A recording without times: widths are numbers of calls instead.
    tree._prep = { n: n, kids: kids, self: self, subCalls: subCalls, byCalls: tree.us[0] === 0 };
    return tree._prep;
  }

  function describe(tree, i) {
    var p = prep(tree);
    var kind = tree.kind[i];
    var parts = [S[tree.name[i]]];
    if (kind !== FUNCTION) parts.push(KIND_NAMES[kind]);
    parts.push(fmtMsFine(tree.us[i] / 1000) + (i > 0 ? ' (' + pct(tree.us[i], tree.us[0]) + ')' : ''));
    parts.push('self ' + fmtMsFine(p.self[i]));
    parts.push(plural(tree.calls[i], 'call'));
    parts.push(plural(tree.sql[i], 'SQL query', 'SQL queries') + (kind === SQL ? '' : ' under it'));
    var loc = data.locations[tree.name[i]];
    if (loc && kind === FUNCTION) parts.push(loc);
    if (p.byCalls) parts.push('no times recorded: widths are numbers of calls');
    return parts.join(' · ');
  }

  function hash(s) {
    var x = 0;
    for (var i = 0; i < s.length && i < 64; i++) x = (x * 31 + s.charCodeAt(i)) | 0;
    return Math.abs(x);
  }
  function colorOf(d, original) {
    if (d.data.mark) return '#e53935';
    if (d.highlight) return '#e600e6';
    switch (d.data.kind) {
      case SQL: return 'hsl(' + (200 + hash(d.data.name) % 30) + ', 65%, ' + (58 + hash(d.data.name) % 14) + '%)';
      case HTTP: return '#9fa8da';
      case CLIENT: return '#81c784';
      case MORE: return '#d9d9d9';
      case TEST: return '#c2c2c2';
      default: return original;
    }
  }

  // ---- one flame graph -----------------------------------------------------------------------

  /** scale: the share of the box's width the root takes (side by side, the faster side is narrower). */
  function Graph(side, box, entry, tree, scale) {
    var self = this;
    this.side = side;
    this.entry = entry;
    this.tree = tree;
    var p = prep(tree);
    this.crumbs = h('nav', { class: 'crumbs', 'aria-label': 'zoom path', 'data-side': side });
    this.details = h('div', { class: 'details', 'aria-live': 'polite', text: 'Hover a frame for its numbers; click to zoom in.' });
    this.svgBox = h('div', { class: 'graph', 'data-side': side });
    clear(box);
    box.appendChild(this.crumbs);
    box.appendChild(this.svgBox);
    box.appendChild(this.details);
    var width = Math.max(120, Math.floor((this.svgBox.clientWidth || box.clientWidth || 960) * (scale || 1)));
    var nodes = new Array(p.n);
    for (var i = 0; i < p.n; i++) nodes[i] = { name: S[tree.name[i]], value: p.byCalls ? p.subCalls[i] : tree.us[i] / 1000, id: i, kind: tree.kind[i] };
    for (i = 1; i < p.n; i++) {
      var parent = nodes[tree.parent[i]];
      (parent.children || (parent.children = [])).push(nodes[i]);
    }
    this.chart = window.flamegraph.default()
      .width(width)
      .cellHeight(18)
      .transitionDuration(250)
      .minFrameSize(0.5)
      .sort(false)
      .inverted(true)
      .selfValue(false)
      .setColorMapper(colorOf)
      .setLabelHandler(function (d) { return describe(tree, d.data.id); })
      .setDetailsElement(this.details)
      .onClick(function (d) { self.zoomed = d; self.changed(); });
    d3.select(this.svgBox).datum(nodes[0]).call(this.chart);
    this.root = d3.select(this.svgBox).datum();
    this.byId = new Array(p.n);
    this.root.each(function (d) { self.byId[d.data.id] = d; });
    this.zoomed = this.root;
    this.changed();
  }
  Graph.prototype.changed = function () {
    d3.select(this.svgBox).selectAll('g.frame')
      .attr('data-id', function (d) { return d.data.id; })
      .attr('data-kind', function (d) { return KIND_NAMES[d.data.kind]; })
      .attr('data-mark', function (d) { return d.data.mark ? 'finding' : d.highlight ? 'search' : null; });
    var self = this;
    clear(this.crumbs);
    var path = this.zoomed.ancestors().reverse();
    path.forEach(function (d, k) {
      if (k) self.crumbs.appendChild(h('span', { class: 'sep', text: '›' }));
      var last = k === path.length - 1;
      self.crumbs.appendChild(h('button', { class: last ? 'crumb current' : 'crumb', 'data-id': d.data.id, title: describe(self.tree, d.data.id), text: d.data.name, onclick: function () { self.zoomTo(d.data.id); } }));
    });
    this.svgBox.setAttribute('data-zoomed', this.zoomed.data.id);
    if (this.side === 'after' && ui.callTree) ui.callTree.select(this.zoomed.data.id);
  };
  Graph.prototype.zoomTo = function (id) {
    var d = this.byId[id];
    if (d) this.chart.zoomTo(d);
  };
  Graph.prototype.reset = function () { this.chart.resetZoom(); };
  /** Highlights the frames match accepts; returns their number and their time (outermost ones). */
  Graph.prototype.highlight = function (match) {
    var count = 0, us = 0, tree = this.tree;
    this.root.eachBefore(function (d) {
      d.highlight = !!match && match(d.data.name);
      if (!d.highlight) return;
      count++;
      var a = d.parent;
      while (a && !a.highlight) a = a.parent;
      if (!a) us += tree.us[d.data.id];
    });
    this.chart.update();
    this.changed();
    return { count: count, ms: us / 1000 };
  };
  Graph.prototype.mark = function (ids) {
    var set = {};
    (ids || []).forEach(function (i) { set[i] = true; });
    this.byId.forEach(function (d) { if (d) d.data.mark = !!set[d.data.id]; });
    this.chart.update();
    this.changed();
  };

  // ---- the call tree as an expandable list ---------------------------------------------------

  function CallTree(box, tree) {
    this.tree = tree;
    this.p = prep(tree);
    this.rows = {};
    this.marks = {};
    this.list = h('ul', { role: 'tree', class: 'calltree', 'aria-label': 'call tree' });
    clear(box);
    box.appendChild(this.list);
    this.list.appendChild(this.row(0));
    this.expand(0);
  }
  CallTree.prototype.row = function (i) {
    var self = this, tree = this.tree, kids = this.p.kids[i];
    var li = h('li', { role: 'treeitem', 'data-id': i, 'aria-expanded': kids.length ? 'false' : null, 'data-kind': KIND_NAMES[tree.kind[i]], 'data-mark': this.marks[i] ? 'finding' : null });
    var twisty = h('button', { class: 'twisty', 'aria-label': kids.length ? 'expand' : null, text: kids.length ? '▸' : '', disabled: kids.length ? null : 'disabled', onclick: function () { self.toggle(i); } });
    var name = h('button', { class: 'name kind-' + tree.kind[i], title: describe(tree, i), text: S[tree.name[i]], onclick: function () { if (state.graphs.after) state.graphs.after.zoomTo(i); } });
    var nums = h('span', { class: 'nums' }, [
      h('span', { class: 'num', text: fmtMsFine(tree.us[i] / 1000) }),
      h('span', { class: 'num self', text: 'self ' + fmtMsFine(this.p.self[i]) }),
      h('span', { class: 'num', text: tree.sql[i] ? fmtCount(tree.sql[i]) + ' SQL' : '' }),
      h('span', { class: 'num', text: tree.calls[i] > 1 ? '×' + fmtCount(tree.calls[i]) : '' }),
    ]);
    li.appendChild(h('div', { class: 'row' }, [twisty, name, nums]));
    this.rows[i] = li;
    return li;
  };
  CallTree.prototype.toggle = function (i) {
    var li = this.rows[i];
    if (li.getAttribute('aria-expanded') === 'true') this.collapse(i);
    else this.expand(i);
  };
  /** Renders the children when first opened, the first FIRST_CHILDREN of them, then more on demand. */
  CallTree.prototype.expand = function (i) {
    var li = this.rows[i], kids = this.p.kids[i], self = this;
    if (!kids.length) return;
    li.setAttribute('aria-expanded', 'true');
    li.firstChild.firstChild.textContent = '▾';
    var group = li.querySelector(':scope > ul');
    if (group) { group.hidden = false; return; }
    group = h('ul', { role: 'group' });
    li.appendChild(group);
    var shown = 0;
    var more = function () {
      var until = Math.min(kids.length, shown + FIRST_CHILDREN);
      var button = group.querySelector(':scope > li.more');
      if (button) group.removeChild(button);
      for (; shown < until; shown++) group.appendChild(self.row(kids[shown]));
      if (shown < kids.length) {
        group.appendChild(h('li', { class: 'more' }, [h('button', { text: 'show ' + fmtCount(Math.min(FIRST_CHILDREN, kids.length - shown)) + ' more of ' + fmtCount(kids.length - shown), onclick: more })]));
      }
    };
    more();
  };
  CallTree.prototype.collapse = function (i) {
    var li = this.rows[i];
    li.setAttribute('aria-expanded', 'false');
    li.firstChild.firstChild.textContent = '▸';
    var group = li.querySelector(':scope > ul');
    if (group) group.hidden = true;
  };
  /** Opens the path down to node i (rendering more siblings where needed) and shows it. */
  CallTree.prototype.reveal = function (i) {
    var path = [];
    for (var a = i; a !== -1; a = this.tree.parent[a]) path.push(a);
    path.reverse();
    for (var k = 0; k < path.length - 1; k++) {
      this.expand(path[k]);
      var guard = 0;
      while (!this.rows[path[k + 1]] && guard++ < 10000) {
        var more = this.rows[path[k]].querySelector(':scope > ul > li.more > button');
        if (!more) break;
        more.click();
      }
    }
    this.select(i);
    if (this.rows[i]) this.rows[i].scrollIntoView({ block: 'nearest' });
  };
  CallTree.prototype.select = function (i) {
    if (this.selected !== undefined && this.rows[this.selected]) this.rows[this.selected].removeAttribute('aria-selected');
    this.selected = i;
    if (this.rows[i]) this.rows[i].setAttribute('aria-selected', 'true');
  };
  CallTree.prototype.mark = function (ids) {
    var self = this;
    this.marks = {};
    (ids || []).forEach(function (i) { self.marks[i] = true; });
    Object.keys(this.rows).forEach(function (i) {
      if (self.marks[i]) self.rows[i].setAttribute('data-mark', 'finding');
      else self.rows[i].removeAttribute('data-mark');
    });
  };

  // ---- the page ------------------------------------------------------------------------------

  function build() {
    app.appendChild(ui.notes = h('section', { id: 'notes', class: 'notes' }));
    var layout = h('div', { class: 'layout' });
    app.appendChild(layout);
    ui.sidebar = h('aside', { class: 'sidebar', 'aria-label': 'requests and tests' });
    ui.main = h('div', { class: 'main' });
    layout.appendChild(ui.sidebar);
    layout.appendChild(ui.main);
    buildNotes();
    buildEntries();
    buildFindings();
    buildEntrySection();
    if (data.comparison) buildComparison();
  }

  function buildNotes() {
    data.notes.forEach(function (n) { ui.notes.appendChild(h('p', { class: 'note', text: n })); });
    if (data.problems.length) {
      var d = h('details', { class: 'problems' }, [h('summary', { text: plural(data.problems.length, 'problem') + ' reading the recordings' })]);
      var ul = h('ul');
      data.problems.forEach(function (p) { ul.appendChild(h('li', { text: p })); });
      d.appendChild(ul);
      ui.notes.appendChild(d);
    }
  }

  function buildEntries() {
    var side = data.after;
    ui.sidebar.appendChild(h('h2', { text: 'Requests and tests' }));
    ui.sidebar.appendChild(h('p', { class: 'hint', text: 'Slowest first: time, SQL queries.' }));
    var ol = h('ol', { id: 'entries', class: 'entries' });
    ui.entryItems = [];
    side.entries.forEach(function (e) {
      var badge = e.findings.length ? h('span', { class: 'badge', text: plural(e.findings.length, 'finding') }) : null;
      var li = h('li', { 'data-entry': e.id, 'data-key': e.key }, [
        h('button', { class: 'entry', title: e.detail, onclick: function () { selectEntry(e.id); } }, [
          h('span', { class: 'label' }, [e.kind === 'test' ? h('span', { class: 'tag', text: 'test' }) : null, e.label]),
          h('span', { class: 'meta' }, [h('span', { class: 'time', text: fmtMs(e.ms) }), ' · ', h('span', { class: 'sqlcount', text: fmtCount(e.sql) + ' SQL' }), e.tree ? null : ' · no tree', ' ', badge]),
        ]),
      ]);
      ui.entryItems[e.id] = li;
      ol.appendChild(li);
    });
    ui.sidebar.appendChild(ol);
    if (side.unlisted.length) {
      var more = h('div', { class: 'unlisted' }, [h('h3', { text: 'Not listed one by one' })]);
      side.unlisted.forEach(function (g) {
        more.appendChild(h('p', { text: g.label + ': ' + plural(g.count, g.kind === 'test' ? 'test run' : 'request') + ', ' + fmtMs(g.totalMs) + ' in all, slowest ' + fmtMs(g.maxMs) + ', ' + plural(g.sql, 'SQL query', 'SQL queries') }));
      });
      if (side.unlistedRest) {
        var r = side.unlistedRest;
        more.appendChild(h('p', { text: 'and ' + plural(r.groups, 'more route or test', 'more routes and tests') + ': ' + plural(r.count, 'request or test run', 'requests and test runs') + ', ' + fmtMs(r.totalMs) + ' in all, ' + plural(r.sql, 'SQL query', 'SQL queries') }));
      }
      ui.sidebar.appendChild(more);
    }
  }

  function buildFindings() {
    var section = h('section', { id: 'findings', 'aria-label': 'findings' }, [h('h2', { text: data.findings.length ? 'Findings' : 'Findings: none' })]);
    var ul = h('ul', { class: 'findings' });
    data.findings.forEach(function (f, fi) {
      var li = h('li', { class: 'finding sev-' + f.severity, 'data-finding': fi, 'data-rule': f.rule });
      var head = h('button', { class: 'finding-link', disabled: f.targets.length ? null : 'disabled', title: f.targets.length ? 'Show it in the call tree' : 'No embedded call tree holds it', onclick: function () { showFinding(fi, 0); } }, [
        h('span', { class: 'sev', text: f.severity }), ' ', h('span', { class: 'msg', text: f.message }), f.detail ? h('span', { class: 'detail', text: ' (' + f.detail + ')' }) : null,
      ]);
      li.appendChild(head);
      li.appendChild(h('div', { class: 'where' }, [h('code', { text: f.path + ':' + f.line }), ' [' + f.rule + ']', f.scope ? ' in ' + f.scope : '']));
      if (f.targets.length > 1) {
        var links = h('div', { class: 'targets' }, ['Also in: ']);
        f.targets.slice(1, 20).forEach(function (t, k) {
          links.appendChild(h('button', { class: 'target', text: data.after.entries[t.entry].label + ' (' + t.recording + ')', onclick: function () { showFinding(fi, k + 1); } }));
        });
        li.appendChild(links);
      }
      ul.appendChild(li);
    });
    section.appendChild(ul);
    ui.main.appendChild(section);
  }

  function buildEntrySection() {
    var section = h('section', { id: 'entry', 'aria-label': 'request or test' });
    ui.entryHead = h('div', { class: 'entry-head' });
    ui.search = h('input', { id: 'search', type: 'search', placeholder: 'Search frames (name contains…)', 'aria-label': 'search frames', oninput: function () { state.exact = null; state.search = ui.search.value; applySearch(); } });
    ui.merge = h('input', { id: 'merge', type: 'checkbox', onchange: function () { state.merged = ui.merge.checked; renderEntry(); } });
    ui.merge.checked = state.merged;
    ui.reset = h('button', { id: 'reset', text: 'Reset zoom', onclick: function () { Object.keys(state.graphs).forEach(function (k) { state.graphs[k].reset(); }); } });
    ui.searchInfo = h('span', { id: 'search-info', class: 'hint', 'aria-live': 'polite' });
    var legend = h('span', { class: 'legend' }, [
      swatch('#f0a050', 'function'), swatch('hsl(210, 65%, 64%)', 'SQL'), swatch('#9fa8da', 'HTTP request'), swatch('#81c784', 'HTTP client'), swatch('#d9d9d9', 'folded'), swatch('#e53935', 'finding'), swatch('#e600e6', 'search'),
    ]);
    var toolbar = h('div', { class: 'toolbar' }, [ui.search, ui.searchInfo, h('label', { class: 'merge' }, [ui.merge, ' merge same calls']), ui.reset, legend]);
    ui.findingInfo = h('p', { id: 'finding-info', class: 'finding-info', hidden: 'hidden' });
    ui.graphs = h('div', { id: 'graphs', class: data.before ? 'graphs two' : 'graphs' });
    ui.treeBox = h('div', { id: 'calltree' });
    ui.sqlBox = h('div', { id: 'sql' });
    section.appendChild(ui.entryHead);
    section.appendChild(toolbar);
    section.appendChild(ui.findingInfo);
    section.appendChild(ui.graphs);
    section.appendChild(h('h3', { text: 'Call tree' }));
    section.appendChild(ui.treeBox);
    section.appendChild(h('h3', { text: 'SQL by shape' }));
    section.appendChild(ui.sqlBox);
    ui.main.appendChild(section);
  }
  function swatch(color, label) {
    return h('span', { class: 'swatch' }, [h('i', { style: 'background:' + color }), label]);
  }

  function selectEntry(id, keepFinding) {
    if (!keepFinding) { state.finding = null; ui.findingInfo.hidden = true; }
    if (ui.entryItems[state.entry]) ui.entryItems[state.entry].removeAttribute('aria-current');
    state.entry = id;
    if (ui.entryItems[id]) {
      ui.entryItems[id].setAttribute('aria-current', 'true');
      ui.entryItems[id].scrollIntoView({ block: 'nearest' });
    }
    renderEntry();
  }

  function beforeOf(entry) {
    if (!data.before) return undefined;
    for (var i = 0; i < data.before.entries.length; i++) if (data.before.entries[i].key === entry.key) return data.before.entries[i];
    return undefined;
  }

  function renderEntry() {
    var e = data.after.entries[state.entry];
    clear(ui.entryHead);
    clear(ui.graphs);
    clear(ui.treeBox);
    clear(ui.sqlBox);
    state.graphs = {};
    ui.callTree = null;
    if (!e) return;
    ui.entryHead.appendChild(h('h2', { id: 'entry-title', text: (e.kind === 'test' ? 'Test: ' : '') + e.label }));
    ui.entryHead.appendChild(h('p', { class: 'hint', text: [fmtMs(e.ms), plural(e.sql, 'SQL query', 'SQL queries'), plural(e.calls, 'call'), e.detail].join(' · ') }));
    var tree = treeOf(e);
    if (!tree) {
      ui.graphs.appendChild(h('p', { class: 'note', text: 'The call tree of this ' + (e.kind === 'test' ? 'test' : 'request') + ' is not embedded in this page (see the limits at the top); its SQL is below.' }));
    } else {
      var before = beforeOf(e);
      if (data.before) {
        var left = h('div', { class: 'side before' }), right = h('div', { class: 'side after' });
        ui.graphs.appendChild(left);
        ui.graphs.appendChild(right);
        left.appendChild(h('h3', { text: before ? 'Before: ' + fmtMs(before.ms) + ' · ' + plural(before.sql, 'SQL query', 'SQL queries') : 'Before' }));
        right.appendChild(h('h3', { text: 'After: ' + fmtMs(e.ms) + ' · ' + plural(e.sql, 'SQL query', 'SQL queries') }));
        var leftBox = h('div'), rightBox = h('div');
        left.appendChild(leftBox);
        right.appendChild(rightBox);
        var beforeTree = before && treeOf(before);
        // Both drawn to one scale: the root of the faster side is the narrower.
        var most = Math.max(tree.us[0], beforeTree ? beforeTree.us[0] : 0);
        var scaleOf = function (t) { return most > 0 ? Math.max(0.05, t.us[0] / most) : 1; };
        if (beforeTree) state.graphs.before = new Graph('before', leftBox, before, beforeTree, scaleOf(beforeTree));
        else leftBox.appendChild(h('p', { class: 'note', text: 'No ' + e.label + ' of this test in the before recordings' + (before ? ' has an embedded call tree.' : '.') }));
        state.graphs.after = new Graph('after', rightBox, e, tree, scaleOf(tree));
      } else {
        var box = h('div', { class: 'side after' });
        ui.graphs.appendChild(box);
        state.graphs.after = new Graph('after', box, e, tree);
      }
      ui.callTree = new CallTree(ui.treeBox, tree);
    }
    renderSql(e);
    applySearch();
    if (state.finding) applyFinding();
  }

  function renderSql(e) {
    if (!e.sqlShapes.length) { ui.sqlBox.appendChild(h('p', { class: 'hint', text: 'No SQL.' })); return; }
    var table = h('table', { id: 'sql-table', class: 'sql' }, [h('thead', {}, [h('tr', {}, [h('th', { text: 'SQL shape' }), h('th', { text: 'queries' }), h('th', { text: 'total' }), h('th', { text: 'mean' }), h('th', { text: 'slowest' })])])]);
    var body = h('tbody');
    e.sqlShapes.forEach(function (g) {
      var shape = S[g.shape];
      body.appendChild(h('tr', { 'data-shape': g.shape, title: 'Highlight these queries in the flame graph', onclick: function () { state.exact = shape; state.search = ''; ui.search.value = ''; applySearch(); } }, [
        h('td', {}, [h('code', { text: shape })]), h('td', { class: 'num', text: fmtCount(g.count) }), h('td', { class: 'num', text: fmtMs(g.totalMs) }), h('td', { class: 'num', text: fmtMsFine(g.totalMs / g.count) }), h('td', { class: 'num', text: fmtMsFine(g.maxMs) }),
      ]));
    });
    table.appendChild(body);
    ui.sqlBox.appendChild(table);
    if (e.moreSqlShapes.shapes) ui.sqlBox.appendChild(h('p', { class: 'hint', text: 'and ' + plural(e.moreSqlShapes.shapes, 'more shape') + ' (' + plural(e.moreSqlShapes.count, 'query', 'queries') + ')' }));
  }

  function applySearch() {
    var term = state.search.trim().toLowerCase();
    var exact = state.exact;
    var match = exact !== null ? function (name) { return name === exact; } : term ? function (name) { return name.toLowerCase().indexOf(term) !== -1; } : null;
    var info = [];
    Object.keys(state.graphs).forEach(function (k) {
      var r = state.graphs[k].highlight(match);
      if (match) info.push((data.before ? k + ': ' : '') + plural(r.count, 'frame') + ', ' + fmtMs(r.ms));
    });
    ui.searchInfo.textContent = match ? (exact !== null ? 'SQL shape: ' : 'matches: ') + info.join('; ') : '';
  }

  function showFinding(fi, ti) {
    var f = data.findings[fi], t = f && f.targets[ti];
    if (!t) return;
    state.finding = { f: fi, t: ti };
    selectEntry(t.entry, true);
    document.getElementById('entry').scrollIntoView({ block: 'start' });
  }

  function applyFinding() {
    var f = data.findings[state.finding.f], t = f.targets[state.finding.t];
    var g = state.graphs.after;
    if (!g || t.entry !== state.entry) return;
    var ids = state.merged ? t.mergedFrames : t.frames, focus = state.merged ? t.mergedFocus : t.focus;
    g.mark(ids);
    g.zoomTo(focus);
    ui.callTree.mark(ids);
    // Open the list down to the first of the finding's frames, and select the zoomed one.
    ui.callTree.reveal(ids.length ? ids[0] : focus);
    ui.callTree.select(focus);
    var tree = g.tree;
    var shown = state.merged ? 'merged into ' + plural(ids.length, 'frame') : plural(ids.length, 'frame') + (t.nFrames > ids.length ? ' of ' + fmtCount(t.nFrames) : '');
    ui.findingInfo.hidden = false;
    ui.findingInfo.textContent = f.message + (f.detail ? ' (' + f.detail + ')' : '') + ': zoomed to ' + S[tree.name[focus]] + '; its ' + (f.related.length ? 'queries' : 'call') + ' in red (' + shown + ').';
  }

  function buildComparison() {
    var c = data.comparison;
    var section = h('section', { id: 'comparison', 'aria-label': 'before and after' }, [
      h('h2', { text: 'Before and after' }),
      h('p', { class: 'hint', text: 'before ' + c.sources.before + ' (' + plural(c.recordings.before, 'recording') + '), after ' + c.sources.after + ' (' + plural(c.recordings.after, 'recording') + ')' }),
      h('p', { class: c.regressed ? 'verdict bad' : 'verdict good', text: c.regressed ? 'Regressed.' : 'No regression.' }),
    ]);
    if (c.regressions.length) {
      var ul = h('ul', { class: 'regressions' });
      c.regressions.forEach(function (r) { ul.appendChild(h('li', { text: r })); });
      section.appendChild(ul);
    }
    c.sections.forEach(function (s) {
      section.appendChild(h('h3', { text: s.title }));
      if (!s.rows.length) {
        section.appendChild(h('p', { class: 'hint', text: s.hidden ? plural(s.hidden, 'entry', 'entries') + ', nothing notable (within noise or under the thresholds)' : 'None recorded.' }));
        return;
      }
      var table = h('table', { class: 'compare' }, [h('thead', {}, [h('tr', {}, ['', 'time ' + s.perCall, 'change', 'SQL ' + s.perCall, s.calls, 'noise'].map(function (t) { return h('th', { text: t }); }))])]);
      var body = h('tbody');
      s.rows.forEach(function (r) {
        body.appendChild(h('tr', { class: r.regression ? 'regression' : null }, [h('td', {}, [h('code', { text: r.key })]), h('td', { class: 'num', text: r.time }), h('td', { class: 'num', text: r.change }), h('td', { class: 'num', text: r.sql }), h('td', { class: 'num', text: r.calls }), h('td', { text: r.noise })]));
      });
      table.appendChild(body);
      section.appendChild(table);
      if (s.hidden) section.appendChild(h('p', { class: 'hint', text: plural(s.hidden, 'more entry', 'more entries') + ' unchanged, within noise or under the thresholds' }));
    });
    section.appendChild(h('h3', { text: 'Findings' }));
    if (!c.findings.length) section.appendChild(h('p', { class: 'hint', text: 'No change.' }));
    var fl = h('ul', { class: 'finding-changes' });
    c.findings.forEach(function (f) { fl.appendChild(h('li', { class: 'change-' + f.status }, [h('span', { class: 'status', text: f.status }), ' ', f.text])); });
    section.appendChild(fl);
    c.notes.forEach(function (n) { section.appendChild(h('p', { class: 'hint', text: n })); });
    ui.main.appendChild(section);
  }

  // ---- start ---------------------------------------------------------------------------------

  try {
    if (!window.d3 || !window.flamegraph) throw new Error('the flame graph library did not load');
    build();
    var first = -1;
    for (var i = 0; i < data.after.entries.length && first === -1; i++) if (data.after.entries[i].tree) first = i;
    if (first === -1 && data.after.entries.length) first = 0;
    if (first !== -1) selectEntry(first);
  } catch (err) {
    app.appendChild(h('p', { class: 'error', text: 'The report could not be drawn: ' + (err && err.message ? err.message : err) }));
    document.body.setAttribute('data-error', String(err && err.message ? err.message : err));
  }
  // A new width draws the graphs again (zoom is reset; the finding and the search stay).
  var lastWidth = window.innerWidth, resizing = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if (Math.abs(window.innerWidth - lastWidth) < 40 || state.entry === -1) return;
      lastWidth = window.innerWidth;
      renderEntry();
    }, 200);
  });
  app.setAttribute('aria-busy', 'false');
  document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now())));
})();
`;

export const CLIENT_CSS = `
:root { --fg: #1d1d1f; --muted: #666; --line: #ddd; --accent: #1565c0; --bad: #c62828; --good: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fafafa; }
code, .crumb, .calltree .name, table.sql code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.page-header { padding: 12px 20px 4px; background: #fff; border-bottom: 1px solid var(--line); }
.page-header h1 { margin: 0; font-size: 20px; }
.summary, .hint { color: var(--muted); margin: 4px 0; }
.notes { padding: 0 20px; }
.note { background: #fff8e1; border: 1px solid #ffe082; padding: 6px 10px; border-radius: 4px; margin: 8px 0; }
.layout { display: grid; grid-template-columns: minmax(220px, 300px) minmax(0, 1fr); gap: 16px; padding: 12px 20px 40px; }
.sidebar { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; }
.sidebar h2, .main h2 { font-size: 16px; margin: 8px 0; }
.entries { list-style: none; padding: 0; margin: 0; }
.entries li { margin: 2px 0; }
.entries button.entry { width: 100%; text-align: left; border: 1px solid var(--line); background: #fff; padding: 6px 8px; border-radius: 4px; cursor: pointer; display: block; color: inherit; font: inherit; }
.entries li[aria-current="true"] button.entry { border-color: var(--accent); box-shadow: inset 3px 0 0 var(--accent); }
.entries .label { display: block; font-weight: 600; overflow-wrap: anywhere; }
.entries .meta { color: var(--muted); font-size: 12px; }
.tag { font-size: 11px; background: #eee; border-radius: 3px; padding: 0 4px; margin-right: 4px; font-weight: normal; }
.badge { background: var(--bad); color: #fff; border-radius: 8px; padding: 0 6px; font-size: 11px; }
.findings { list-style: none; padding: 0; margin: 0; max-height: 16em; overflow: auto; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 4px solid #f9a825; border-radius: 4px; padding: 6px 10px; margin: 6px 0; }
.finding.sev-error { border-left-color: var(--bad); }
.finding-link { border: 0; background: none; padding: 0; font: inherit; color: var(--accent); cursor: pointer; text-align: left; }
.finding-link:disabled { color: var(--fg); cursor: default; }
.finding .sev { font-weight: 600; text-transform: uppercase; font-size: 11px; color: var(--bad); }
.finding .detail, .finding .where { color: var(--muted); }
.targets button { margin: 2px 4px; font-size: 12px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
#search { min-width: 260px; padding: 4px 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 8px; color: var(--muted); font-size: 12px; }
.swatch i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; border-radius: 2px; vertical-align: -1px; }
.finding-info { background: #ffebee; border: 1px solid #ef9a9a; padding: 6px 10px; border-radius: 4px; }
.graphs.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.side h3 { margin: 4px 0; font-size: 14px; }
.graph { background: #fff; border: 1px solid var(--line); max-height: 70vh; overflow: auto; }
.graph svg { display: block; }
.crumbs { display: flex; flex-wrap: wrap; align-items: center; gap: 2px; min-height: 24px; }
.crumb { border: 1px solid var(--line); background: #fff; border-radius: 3px; padding: 0 5px; cursor: pointer; max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.crumb.current { border-color: var(--accent); color: var(--accent); }
.sep { color: var(--muted); }
.details { min-height: 2.9em; color: var(--muted); font-size: 12px; padding: 4px 0; overflow-wrap: anywhere; }
.graph g.frame[data-mark="finding"] rect { stroke: #7f0000; stroke-width: 1; }
.calltree, .calltree ul { list-style: none; margin: 0; padding-left: 16px; }
.calltree { padding-left: 0; background: #fff; border: 1px solid var(--line); max-height: 60vh; overflow: auto; }
.calltree .row { display: flex; align-items: baseline; gap: 4px; white-space: nowrap; }
.calltree li[aria-selected="true"] > .row { background: #e3f2fd; }
.calltree li[data-mark="finding"] > .row .name { color: var(--bad); font-weight: 600; }
.calltree .twisty { width: 18px; border: 0; background: none; cursor: pointer; padding: 0; }
.calltree .name { border: 0; background: none; padding: 0; cursor: pointer; text-align: left; overflow: hidden; text-overflow: ellipsis; max-width: 60em; color: inherit; }
.calltree .name.kind-1 { color: #0d47a1; }
.calltree .nums { color: var(--muted); font-size: 12px; display: flex; gap: 8px; }
.calltree li.more button { font-size: 12px; margin: 2px 0 2px 20px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
table.sql tbody tr { cursor: pointer; }
table.sql tbody tr:hover { background: #f3f8ff; }
table.sql code { white-space: pre-wrap; overflow-wrap: anywhere; }
tr.regression { background: #ffebee; }
.verdict.bad { color: var(--bad); font-weight: 600; }
.verdict.good { color: var(--good); font-weight: 600; }
.finding-changes .status { font-weight: 600; }
.change-resolved .status { color: var(--good); }
.change-new .status { color: var(--bad); }
.error { color: var(--bad); font-weight: 600; padding: 0 20px; }
`;
