// The HTML report as one self-contained file: the report's data as JSON, the flame graph library
// and its d3 modules as inline scripts (given as text: the Node side reads them from
// node_modules), the page's own script (given as text too: the browser client compiled from
// server/src/report-client/, linked by clientScript.ts) and styles (htmlStyle.ts). A
// Content-Security-Policy forbids every fetch, so the file provably needs nothing from outside. Everything inline is escaped so that no
// recorded string (a SQL text or function name holding `</script>`) can end a script early.

import { plural } from '../findings/format';
import { NO_CLIENT_SCRIPT } from './clientScript';
import { PAGE_CSS } from './htmlStyle';
import { ReportModel } from './model';

/** A library inlined into the page, with the notice its licence asks to keep. */
export interface InlineLibrary {
  name: string;
  version: string;
  /** SPDX identifier from its package.json. */
  license: string;
  /** The text of its LICENSE file. */
  licenseText: string;
  /** Its browser build (UMD), which defines globals (`d3`, `flamegraph`). */
  code: string;
}

export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/**
 * The page. `libraries` in load order (dependencies first); `clientScript` the page's own script,
 * as linkClientScript makes it (node/reportAssets.ts reportClientScript).
 */
export function renderHtml(model: ReportModel, libraries: InlineLibrary[], clientScript: string = NO_CLIENT_SCRIPT): string {
  const nFindings = model.findings.length;
  const summary = [
    plural(model.after.recordings.length, 'recording'),
    plural(model.after.nEntries, 'request or test', 'requests and tests'),
    nFindings ? plural(nFindings, 'finding') : 'no findings',
  ].join(' · ');
  const c = model.comparison;
  const resolved = c ? c.findings.filter((f) => f.status === 'resolved').length : 0;
  const added = c ? c.findings.filter((f) => f.status === 'new').length : 0;
  const since = c ? `Since before: ${c.regressed ? 'regressed' : 'no regression'}, ${plural(resolved, 'finding')} resolved, ${added} new.` : '';
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="runlens">',
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>${escapeStyle(PAGE_CSS)}</style>`,
    '</head>',
    '<body>',
    '<header class="page-header">',
    `<h1>${escapeHtml(model.title)}</h1>`,
    `<p class="summary">${escapeHtml(summary)}</p>`,
    ...(c ? [`<p id="page-verdict" class="${c.regressed ? 'verdict bad' : 'verdict good'}">${escapeHtml(since)}</p>`] : []),
    '</header>',
    `<noscript><p>This report draws its flame graphs with JavaScript: allow scripts for this file. ${escapeHtml(plural(nFindings, 'finding'))}:</p><ul>${model.findings
      .map((f) => `<li>${escapeHtml(`${f.path}:${f.line} ${f.severity} ${f.message}${f.detail ? ` (${f.detail})` : ''} [${f.rule}]`)}</li>`)
      .join('')}</ul></noscript>`,
    '<main id="app" aria-busy="true"></main>',
    `<script type="application/json" id="runlens-data">${jsonForScript(model)}</script>`,
  ];
  for (const lib of libraries) {
    out.push(`<script>/*! ${commentText(`${lib.name} ${lib.version} (${lib.license}), inlined by runlens. Its licence:\n\n${lib.licenseText.trim()}`)} */\n${scriptText(lib.code)}\n</script>`);
  }
  out.push(`<script>${scriptText(clientScript)}</script>`, '</body>', '</html>', '');
  return out.join('\n');
}

// ---- escaping ---------------------------------------------------------------------------------

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON inside <script>: every `<` becomes `\u003c` (so neither `</script>` nor `<!--` can occur),
 * and the line separators U+2028/2029 are escaped too. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Library code inside <script>: `</script` and `<!--` can only stand in strings, regular
 * expressions or comments there, where `<\/script` and `<\!--` mean the same.
 */
export function scriptText(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

/** Text for a /* comment *\/ inside a script. */
function commentText(s: string): string {
  return scriptText(s.replace(/\*\//g, '* /'));
}
