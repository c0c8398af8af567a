// Test-only VS Code extension, installed next to runlens by test/e2e/vscode/run.ts: it does the
// steps of test/e2e/README.md inside VS Code, through VS Code's own API (the diagnostics it holds,
// its provider commands, workspace.applyEdit), and writes what it collected as JSON. It talks to
// the runner through files in RUNLENS_E2E_PROBE_DIR: `before.json` once the lenses are there (the
// runner then reads the rendered page), `continue` from the runner, then `result.json`.
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const SEVERITIES = ['error', 'warning', 'info', 'hint'];

exports.activate = () => {
  const dir = process.env.RUNLENS_E2E_PROBE_DIR;
  if (dir) void probe(dir);
};
exports.deactivate = () => {};

async function probe(dir) {
  const started = Date.now();
  const result = {
    editor: `vscode ${vscode.version}`,
    diagnostics: null,
    lenses: null,
    hover: null,
    codeActions: null,
    fixedText: null,
    after: null,
    errors: [],
    timingsMs: {},
  };
  const mark = (name) => (result.timingsMs[name] = Date.now() - started);
  try {
    const file = required('RUNLENS_E2E_FILE');
    const [hoverLine, hoverCharacter] = required('RUNLENS_E2E_HOVER').split(':').map(Number);

    // 1. Open the file; the runlens extension activates on it (onLanguage:ruby).
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document, { preview: false });
    const uri = document.uri;
    const runlens = vscode.extensions.getExtension('runlens.runlens');
    if (!runlens) throw new Error('the runlens extension is not installed');
    if (!(await until(() => runlens.isActive, 60000))) throw new Error('the runlens extension did not activate within 60 s');
    mark('activated');
    const diagnostics = await until(() => nonEmpty(diagnosticsOf(uri)), 60000);
    mark('diagnostics');
    if (!diagnostics) throw new Error('no diagnostics for the file within 60 s');

    // 2. Diagnostics and lenses as VS Code holds them; the runner reads the rendered ones now.
    result.diagnostics = diagnostics;
    result.lenses = await until(async () => nonEmpty(await lensesOf(uri)), 30000);
    if (!result.lenses) result.errors.push('no code lenses within 10 s');
    mark('lenses');
    await handOver(dir, result);
    await runCommands(document, result);

    // 3. Hover.
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(hoverLine, hoverCharacter));
    result.hover = (hovers || []).map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n\n') || null;
    mark('hover');

    // 4. Code actions at the first diagnostic (VS Code puts the diagnostics of the range in the
    //    context), then the first one applied the way the light bulb does.
    const first = vscode.languages.getDiagnostics(uri).sort(byPosition)[0];
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, first.range)) || [];
    result.codeActions = actions.map((a) => a.title);
    mark('codeActions');
    if (actions.length) {
      await apply(actions[0]);
      result.fixedText = document.getText();
    } else {
      result.errors.push('no code actions at the first diagnostic');
    }

    // 5. Two lines inserted at the top; the client sends didChange, VS Code asks for lenses again.
    const before = diagnosticsOf(uri);
    const lensesBefore = JSON.stringify(await lensesOf(uri));
    const insert = new vscode.WorkspaceEdit();
    const inserted = `${required('RUNLENS_E2E_INSERT')}\n`;
    insert.insert(uri, new vscode.Position(0, 0), inserted + inserted);
    if (!(await vscode.workspace.applyEdit(insert))) throw new Error('workspace.applyEdit refused the inserted lines');
    const moved = await until(() => {
      const now = diagnosticsOf(uri);
      return now.length && before.length && now[0].line !== before[0].line ? now : null;
    }, 30000);
    if (!moved) result.errors.push('the diagnostics did not move within 30 s of the inserted lines');
    const lenses = await until(async () => {
      const now = await lensesOf(uri);
      return JSON.stringify(now) !== lensesBefore ? now : null;
    }, 15000);
    result.after = { diagnostics: diagnosticsOf(uri), lenses: lenses || (await lensesOf(uri)) };
    mark('after');
  } catch (err) {
    result.errors.push(String((err && err.stack) || err));
  }
  // 6. Nothing is saved: the runner closes VS Code with the edits unsaved.
  write(path.join(dir, 'result.json'), result);
}

/**
 * Not in the contract: each lens's command run as a click runs it (vscode-languageclient sends
 * it to the server; the extension opens a long answer in a read-only editor, closed again here),
 * and `runlens.status`. Collected as `lensCommands` (the answer's first line and length) and `status`.
 */
async function runCommands(document, result) {
  const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri)) || [];
  result.lensCommands = [];
  for (const lens of lenses.filter((l) => l.command && l.command.command)) {
    const { command, arguments: args = [] } = lens.command;
    const answer = await vscode.commands.executeCommand(command, ...args);
    const shown = await until(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'runlens'), 15000);
    const lines = typeof answer === 'string' ? answer.split('\n') : [];
    result.lensCommands.push({ command, arguments: args, firstLine: lines[0] ?? null, lines: lines.length, shownIn: shown ? shown.document.uri.toString() : null });
    if (shown) {
      await vscode.window.showTextDocument(shown.document, shown.viewColumn);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await vscode.window.showTextDocument(document, { preview: false });
  }
  const status = await vscode.commands.executeCommand('runlens.status');
  result.status = status ? { recordings: status.recordings, findings: status.findings, indexing: status.indexing } : null;
  await vscode.commands.executeCommand('notifications.clearAll');
}

/** Applies a code action (or a bare command) as VS Code does: its edit, then its command. */
async function apply(action) {
  if (typeof action.command === 'string') {
    await vscode.commands.executeCommand(action.command, ...(action.arguments || []));
    return;
  }
  if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) throw new Error(`workspace.applyEdit refused "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
}

/** Writes what is collected so far and waits (at most 30 s) for the runner to read the page. */
async function handOver(dir, result) {
  write(path.join(dir, 'before.json'), result);
  if (!(await until(() => fs.existsSync(path.join(dir, 'continue')), 90000))) result.errors.push('the runner did not answer within 90 s');
}

function diagnosticsOf(uri) {
  return vscode.languages
    .getDiagnostics(uri)
    .sort(byPosition)
    .map((d) => ({
      line: d.range.start.line,
      character: d.range.start.character,
      endLine: d.range.end.line,
      endCharacter: d.range.end.character,
      severity: SEVERITIES[d.severity],
      message: d.message,
      code: d.code !== null && typeof d.code === 'object' ? d.code.value : d.code,
      source: d.source,
    }));
}

async function lensesOf(uri) {
  const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) || [];
  return lenses.map((l) => ({ line: l.range.start.line, title: l.command ? l.command.title : '' }));
}

function byPosition(a, b) {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

function nonEmpty(list) {
  return list && list.length ? list : null;
}

/** Polls `check` every 100 ms until it returns something truthy, at most `timeoutMs`; returns it or null. */
async function until(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set in the extension host`);
  return value;
}

/** Written under another name and renamed, so that the runner never reads half a file. */
function write(file, value) {
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
