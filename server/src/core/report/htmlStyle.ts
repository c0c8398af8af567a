// The HTML report's styles, as text for html.ts to inline (a string constant, so that `tsc`
// ships it with the compiled server and no asset has to be found at run time). The page's script
// is its own program (server/src/report-client/), linked by clientScript.ts.

export const PAGE_CSS = `
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #666; --line: #ddd; --accent: #1565c0; --bad: #c62828; --good: #2e7d32; --bg: #fafafa; --panel: #fff; --tag: #eee; --sel: #e3f2fd; --hover: #f3f8ff; --note-bg: #fff8e1; --note-line: #ffe082; --bad-bg: #ffebee; --bad-line: #ef9a9a; --code-bg: #f6f8fa; --sql-fg: #0d47a1; --del-bg: #ffebe9; --del-fg: #82071e; --add-bg: #dafbe1; --add-fg: #116329; --focus: #1565c0; }
/* Dark mode, following the system. The flame graph's frames keep their colours (dark labels on light frames). */
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e6e6; --muted: #a0a0a0; --line: #3a3a3a; --accent: #82b1ff; --bad: #ef5350; --good: #66bb6a; --bg: #161616; --panel: #1f1f1f; --tag: #333; --sel: #1e3a5f; --hover: #26303d; --note-bg: #3a3220; --note-line: #6b5a2a; --bad-bg: #4a1f22; --bad-line: #7f3a3e; --code-bg: #262626; --sql-fg: #90caf9; --del-bg: #4b1d22; --del-fg: #ffb4b4; --add-bg: #173a22; --add-fg: #a6f0b8; --focus: #82b1ff; }
  .graph g.frame[data-over="true"] rect { stroke: #fff; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
code, .crumb, .calltree .name, table.sql code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.page-header { padding: 12px 20px 4px; background: var(--panel); border-bottom: 1px solid var(--line); }
.page-header h1 { margin: 0; font-size: 20px; }
.summary, .hint { color: var(--muted); margin: 4px 0; }
.notes { padding: 0 20px; }
.note { background: var(--note-bg); border: 1px solid var(--note-line); padding: 6px 10px; border-radius: 4px; margin: 8px 0; }
.layout { display: grid; grid-template-columns: minmax(220px, 300px) minmax(0, 1fr); gap: 16px; padding: 12px 20px 40px; }
.sidebar { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; }
.sidebar h2, .main h2 { font-size: 16px; margin: 8px 0; }
.entries { list-style: none; padding: 0; margin: 0; }
.entries li { margin: 2px 0; }
.entries button.entry { width: 100%; text-align: left; border: 1px solid var(--line); background: var(--panel); padding: 6px 8px; border-radius: 4px; cursor: pointer; display: block; color: inherit; font: inherit; }
.entries li[aria-current="true"] button.entry { border-color: var(--accent); box-shadow: inset 3px 0 0 var(--accent); }
.entries .label { display: block; font-weight: 600; overflow-wrap: anywhere; }
.entries .meta { color: var(--muted); font-size: 12px; }
.tag { font-size: 11px; background: var(--tag); border-radius: 3px; padding: 0 4px; margin-right: 4px; font-weight: normal; }
.badge { background: var(--bad); color: #fff; border-radius: 8px; padding: 0 6px; font-size: 11px; }
.findings { list-style: none; padding: 0; margin: 0; max-height: 70vh; overflow: auto; }
.finding a.place { color: var(--accent); }
.show-frames { margin: 4px 0; font-size: 12px; }
.fix-title { margin: 6px 0 2px; }
pre.diff, pre.code { margin: 0 0 6px; padding: 6px 8px; background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px; overflow: auto; font-size: 12px; }
pre.diff span { display: block; white-space: pre; }
pre.diff .del { background: var(--del-bg); color: var(--del-fg); }
pre.diff .add { background: var(--add-bg); color: var(--add-fg); }
table.related { width: auto; margin: 4px 0; font-size: 12px; }
table.related code { white-space: pre-wrap; overflow-wrap: anywhere; }
.finding { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid #f9a825; border-radius: 4px; padding: 6px 10px; margin: 6px 0; }
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
.finding-info { background: var(--bad-bg); border: 1px solid var(--bad-line); padding: 6px 10px; border-radius: 4px; }
.graphs.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.side h3 { margin: 4px 0; font-size: 14px; }
.graph { background: var(--panel); border: 1px solid var(--line); max-height: 70vh; overflow: auto; }
.graph svg { display: block; }
.crumbs { display: flex; flex-wrap: wrap; align-items: center; gap: 2px; min-height: 24px; }
.crumb { border: 1px solid var(--line); background: var(--panel); border-radius: 3px; padding: 0 5px; cursor: pointer; max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.crumb.current { border-color: var(--accent); color: var(--accent); }
.sep { color: var(--muted); }
.details { min-height: 2.9em; color: var(--muted); font-size: 12px; padding: 4px 0; overflow-wrap: anywhere; }
.graph g.frame[data-mark="finding"] rect { stroke: #7f0000; stroke-width: 1; }
.graph g.frame[data-over="true"] rect { stroke: #000; stroke-width: 1.5; stroke-dasharray: 4 2; }
.swatch.over i { border: 1.5px dashed #000; }
.calltree, .calltree ul { list-style: none; margin: 0; padding-left: 16px; }
.calltree { padding-left: 0; background: var(--panel); border: 1px solid var(--line); max-height: 60vh; overflow: auto; }
.calltree .row { display: flex; align-items: baseline; gap: 4px; white-space: nowrap; }
.calltree li[aria-selected="true"] > .row { background: var(--sel); }
.calltree li[data-mark="finding"] > .row .name { color: var(--bad); font-weight: 600; }
.calltree .twisty { width: 18px; border: 0; background: none; cursor: pointer; padding: 0; }
.calltree .name { border: 0; background: none; padding: 0; cursor: pointer; text-align: left; overflow: hidden; text-overflow: ellipsis; max-width: 60em; color: inherit; }
.calltree .name.kind-1 { color: var(--sql-fg); }
.calltree .nums { color: var(--muted); font-size: 12px; display: flex; gap: 8px; }
.calltree li.more button { font-size: 12px; margin: 2px 0 2px 20px; }
table { border-collapse: collapse; background: var(--panel); width: 100%; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
table.sql tbody tr { cursor: pointer; }
table.sql tbody tr:hover { background: var(--hover); }
table.sql code { white-space: pre-wrap; overflow-wrap: anywhere; }
tr.regression { background: var(--bad-bg); }
.verdict.bad { color: var(--bad); font-weight: 600; }
.verdict.good { color: var(--good); font-weight: 600; }
.finding-changes .status { font-weight: 600; }
.change-resolved .status { color: var(--good); }
.change-new .status { color: var(--bad); }
.entry-head { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 8px 0 12px; }
.headline { font-size: 28px; line-height: 1.2; font-weight: 700; margin: 4px 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.headline h2 { display: inline; font-size: inherit; margin: 0; }
.headline-verdict { font-size: 16px; margin: 4px 0; }
.facts { font-size: 18px; font-weight: 600; margin: 4px 0; font-variant-numeric: tabular-nums; }
.timeline-box { background: var(--panel); border: 1px solid var(--line); max-height: 50vh; overflow: auto; }
svg.timeline text.tick { font-size: 10px; fill: var(--muted); }
svg.timeline line.grid { stroke: var(--line); }
svg.timeline rect { stroke: var(--panel); stroke-width: 0.5; }
#sandwich { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; align-items: start; }
.sandwich-list { max-height: 50vh; overflow: auto; }
table.sandwich button.pick { border: 0; background: none; padding: 0; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: inherit; cursor: pointer; text-align: left; overflow-wrap: anywhere; }
table.sandwich button.pick.kind-1 { color: var(--sql-fg); }
table.sandwich tr[aria-selected="true"] { background: var(--sel); }
.sandwich-detail h4 { margin: 0; font: 600 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.sandwich-detail table { margin: 6px 0; font-size: 12px; }
.sandwich-detail caption { text-align: left; font-weight: 600; }
.sandwich-detail code { overflow-wrap: anywhere; white-space: pre-wrap; }
.error { color: var(--bad); font-weight: 600; padding: 0 20px; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
.keys { color: var(--muted); font-size: 12px; }
kbd { border: 1px solid var(--line); border-radius: 3px; padding: 0 3px; font-size: 11px; background: var(--panel); }
/* Print: the header, the headline and the findings, for a ticket; the interactive views are left out. */
@media print {
  :root { --fg: #1d1d1f; --muted: #666; --line: #ddd; --accent: #1565c0; --bad: #c62828; --good: #2e7d32; --bg: #fafafa; --panel: #fff; --tag: #eee; --sel: #e3f2fd; --hover: #f3f8ff; --note-bg: #fff8e1; --note-line: #ffe082; --bad-bg: #ffebee; --bad-line: #ef9a9a; --code-bg: #f6f8fa; --sql-fg: #0d47a1; --del-bg: #ffebe9; --del-fg: #82071e; --add-bg: #dafbe1; --add-fg: #116329; --focus: #1565c0;; --fg: #000; --muted: #444; --bg: #fff; }
  body { background: #fff; font-size: 12px; }
  .layout { display: block; padding: 0 12px; }
  .sidebar, .toolbar, #finding-info, #graphs, #entry > h3, #calltree, #sandwich, #timeline, #sql, #comparison, .notes, .show-frames, .targets, .keys { display: none !important; }
  .findings { max-height: none; overflow: visible; }
  .finding, .entry-head { break-inside: avoid; }
  .headline { font-size: 22px; }
  a.place { color: inherit; }
}
`;
