// The VS Code run of the editor end-to-end tests (test/e2e/README.md): real VS Code, as
// code-server, in headless Chromium, with the packaged runlens extension and a probe extension
// (probe/) that does the contract's steps inside VS Code. This runner installs both into a
// throw-away profile, starts code-server, opens the workspace, then reads what the page renders
// (the code lenses' text, the squiggles) before and after the probe's edits, takes screenshots,
// and writes the JSON. It collects facts only; editors.test.ts holds the expectations.
//
//   node server/out/test/e2e/vscode/run.js     (the contract's variables, plus
//     RUNLENS_E2E_CODE_SERVER  the code-server binary (default test/e2e/vscode/.code-server/…)
//     RUNLENS_E2E_VSIX         the packaged extension (default clients/vscode/runlens.vsix)
//     RUNLENS_E2E_ARTIFACTS    a folder for the screenshots and a copy of the JSON (else the
//                              screenshots go next to RUNLENS_E2E_OUT)
//     RUNLENS_E2E_VSCODE_SETTINGS  more user settings, as JSON, e.g. '{"runlens.trace.server":"verbose"}'
//     RUNLENS_E2E_KEEP=1       keep the profile, logs included, and say where)
//
// Everything it writes goes under a fresh folder in $HOME (a throw-away one in the tests), and is
// removed at the end; the whole run is bounded by RUN_TIMEOUT_MS.

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';

const RUN_TIMEOUT_MS = 360_000;
const REPO = path.resolve(__dirname, '../../../../..');
const PROBE = path.join(REPO, 'test/e2e/vscode/probe');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What a page shows: code lens lines (the line they sit above) and squiggles, by severity. */
interface Rendered {
  renderedLenses: { line: number | null; text: string }[];
  renderedSquiggles: string[];
}

/** The probe's JSON (probe/extension.js), completed here with what the page rendered. */
interface Result {
  editor: string;
  diagnostics: unknown[] | null;
  lenses: unknown[] | null;
  renderedLenses?: Rendered['renderedLenses'] | null;
  renderedSquiggles?: string[] | null;
  hover: string | null;
  codeActions: string[] | null;
  fixedText: string | null;
  after: { diagnostics: unknown[]; lenses: unknown[]; renderedLenses?: Rendered['renderedLenses'] | null; renderedSquiggles?: string[] | null } | null;
  errors: string[];
  /** Not in the contract: each lens's command run in VS Code (and where its answer was shown), and runlens.status. */
  lensCommands?: { command: string; arguments: unknown[]; firstLine: string | null; lines: number; shownIn: string | null }[] | null;
  status?: { recordings: number; findings: number; indexing: boolean } | null;
  server?: string;
  bundledServer?: { version: string; findings: number } | null;
  screenshots?: string[];
  timingsMs?: Record<string, number> | { run: Record<string, number>; probe?: Record<string, number> };
}

const started = Date.now();
/** Milliseconds since the start, by step. */
const timings: Record<string, number> = {};
const errors: string[] = [];
/** What is known so far, for finish() to write whenever the run ends. */
const state: { probeDir?: string; version?: string; server?: string; bundledServer?: Result['bundledServer']; before?: Rendered; after?: Rendered; screenshots: string[] } = { screenshots: [] };
let codeServer: ChildProcess | undefined;
let browser: Browser | undefined;
let tmp: string | undefined;
let finished = false;

void main();

async function main(): Promise<void> {
  const hardStop = setTimeout(() => void finish(`the run took longer than ${RUN_TIMEOUT_MS / 1000} s`), RUN_TIMEOUT_MS);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void finish(`stopped by ${signal}`));
  try {
    await run();
    clearTimeout(hardStop);
    await finish();
  } catch (err) {
    clearTimeout(hardStop);
    await finish(String((err as Error).stack ?? err));
  }
}

async function run(): Promise<void> {
  const root = env('RUNLENS_E2E_ROOT');
  env('RUNLENS_E2E_FILE');
  env('RUNLENS_E2E_HOVER');
  const out = env('RUNLENS_E2E_OUT');
  const binary = process.env.RUNLENS_E2E_CODE_SERVER || path.join(REPO, 'test/e2e/vscode/.code-server/node_modules/.bin/code-server');
  const vsix = process.env.RUNLENS_E2E_VSIX || path.resolve(REPO, process.env.RUNLENS_E2E_CLIENT || 'clients/vscode', 'runlens.vsix');
  for (const [what, file] of [['code-server', binary], ['the runlens .vsix', vsix], ['Chromium', CHROMIUM]]) {
    if (!fs.existsSync(file)) throw new Error(`${what} is missing: ${file}`);
  }
  fs.rmSync(out, { force: true });

  // A throw-away profile: settings, extensions, code-server's config, and TMPDIR for code-server,
  // Chromium's profile and Playwright's files.
  tmp = fs.mkdtempSync(path.join(process.env.HOME || path.dirname(root), 'vscode-e2e-'));
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  const probeDir = (state.probeDir = path.join(tmp, 'probe'));
  const tmpdir = path.join(tmp, 'tmp');
  for (const dir of [path.join(userData, 'User'), extensions, probeDir, tmpdir]) fs.mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = tmpdir;
  const server = (state.server = serverModule());
  writeJson(path.join(userData, 'User/settings.json'), {
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'files.autoSave': 'off',
    'editor.codeLens': true,
    ...(server ? { 'runlens.server.path': server } : {}),
    ...(JSON.parse(process.env.RUNLENS_E2E_VSCODE_SETTINGS || '{}') as Record<string, unknown>),
  });
  const common = ['--config', path.join(tmp, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];

  // The probe is copied in unpacked before the install, which then lists it too.
  const probeVersion = (JSON.parse(fs.readFileSync(path.join(PROBE, 'package.json'), 'utf8')) as { version: string }).version;
  fs.cpSync(PROBE, path.join(extensions, `runlens.e2e-probe-${probeVersion}`), { recursive: true });
  // `code-server --version` prints a log line, then `4.100.3 <commit> with Code 1.100.3`.
  const versionText = check(spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }), 'code-server --version');
  state.version = /^(\S+) [0-9a-f]+ with Code/m.exec(versionText)?.[1] ?? versionText.trim();
  check(spawnSync(binary, [...common, '--install-extension', vsix], { encoding: 'utf8', timeout: 60_000 }), 'code-server --install-extension');
  const installed = check(spawnSync(binary, [...common, '--list-extensions'], { encoding: 'utf8', timeout: 30_000 }), 'code-server --list-extensions');
  for (const id of ['runlens.runlens', 'runlens.e2e-probe']) if (!installed.includes(id)) throw new Error(`${id} is not installed: ${installed}`);
  mark('installed');
  state.bundledServer = checkBundledServer(extensions, root);

  const port = await freePort();
  const log = fs.openSync(path.join(tmp, 'code-server.log'), 'a');
  codeServer = spawn(
    binary,
    [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', root],
    { env: { ...process.env, RUNLENS_E2E_PROBE_DIR: probeDir, TMPDIR: tmpdir }, stdio: ['ignore', log, log] },
  );
  if (!(await until(() => healthy(port), 90_000))) throw new Error(`code-server did not answer within 90 s: ${tail(path.join(tmp, 'code-server.log'))}`);
  mark('codeServer');

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(root)}`, { waitUntil: 'domcontentloaded', timeout: 90_000 });

  // Steps 1 and 2 in VS Code (the probe), then what the page shows.
  const beforeFile = path.join(probeDir, 'before.json');
  const resultFile = path.join(probeDir, 'result.json');
  // A probe that fails early writes its result.json (with the error) and no before.json.
  if (!(await until(() => fs.existsSync(beforeFile) || fs.existsSync(resultFile), 180_000))) throw new Error(`the probe reported nothing within 180 s: ${probeTrouble(userData)}`);
  mark('probeBefore');
  if (fs.existsSync(beforeFile)) {
    state.before = await rendered(page, lensLines(readJson(beforeFile)));
    state.screenshots.push(await screenshot(page, out, ''));
    // What a user sees on the finding: the mouse on the squiggle, the hover open (the picture at
    // the top of the README is this one, on the bundled example). A picture, not a check: the
    // hover's text is checked through the probe.
    state.screenshots.push(...(await hoverScreenshot(page, out)));
    fs.writeFileSync(path.join(probeDir, 'continue'), '');
  }

  // Steps 3 to 5 in VS Code, then the page again, once the lenses have moved.
  if (!(await until(() => fs.existsSync(resultFile), 180_000))) throw new Error(`the probe did not finish within 180 s: ${probeTrouble(userData)}`);
  mark('probeAfter');
  if (state.before) {
    state.after = await rendered(page, lensLines(readJson(resultFile)?.after ?? null));
    state.screenshots.push(await screenshot(page, out, '.after'));
  }
  if (readJson(resultFile)?.errors.length) errors.push(`runlens output: ${runlensOutput(userData)}`);
}

/**
 * The JSON: the probe's latest report (result.json, else before.json), with what the page
 * showed, in the contract's order, then what only this run reports.
 */
function report(): Result {
  const dir = state.probeDir;
  const probe = (dir && (readJson(path.join(dir, 'result.json')) ?? readJson(path.join(dir, 'before.json')))) || undefined;
  mark('total');
  return {
    editor: `${probe?.editor ?? 'vscode'}${state.version ? ` (code-server ${state.version})` : ''}`,
    diagnostics: probe?.diagnostics ?? null,
    lenses: probe?.lenses ?? null,
    renderedLenses: state.before?.renderedLenses ?? null,
    renderedSquiggles: state.before?.renderedSquiggles ?? null,
    hover: probe?.hover ?? null,
    codeActions: probe?.codeActions ?? null,
    fixedText: probe?.fixedText ?? null,
    after: probe?.after ? { ...probe.after, ...(state.after ?? { renderedLenses: null, renderedSquiggles: null }) } : null,
    errors: [...(probe?.errors ?? []), ...errors],
    lensCommands: probe?.lensCommands ?? null,
    status: probe?.status ?? null,
    server: state.server ?? 'bundled',
    bundledServer: state.bundledServer ?? null,
    screenshots: state.screenshots,
    timingsMs: { run: timings, probe: probe?.timingsMs as Record<string, number> | undefined },
  };
}

/** Writes the JSON (whatever was collected, with the errors), stops everything, exits. */
async function finish(error?: string): Promise<void> {
  if (finished) return;
  finished = true;
  if (error) errors.push(error);
  const out = process.env.RUNLENS_E2E_OUT;
  const collected = report();
  if (out) writeJson(out, collected);
  // A copy with the screenshots, for CI to keep when the workspace is gone.
  const artifacts = process.env.RUNLENS_E2E_ARTIFACTS;
  if (out && artifacts) writeJson(path.join(artifacts, path.basename(out)), collected);
  await stop();
  if (tmp && process.env.RUNLENS_E2E_KEEP) console.error(`kept ${tmp}`);
  else if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.error(`vscode e2e: ${collected.errors.length ? `${collected.errors.length} errors` : 'ok'} in ${Date.now() - started} ms${out ? ` -> ${out}` : ''}`);
  process.exit(collected.errors.length ? 1 : 0);
}

async function stop(): Promise<void> {
  if (browser) await Promise.race([browser.close().catch(() => undefined), sleep(5_000)]);
  const child = codeServer;
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  // code-server stays in the runner's process group (so that whoever kills the runner's group
  // kills it too); its extension host and the runlens server are found as its descendants.
  const pids = [child.pid, ...descendants(child.pid)];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal(pids, 'SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  signal(pids, 'SIGKILL');
}

/** The processes below `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (in parentheses) may hold spaces; the parent's id follows it and the state.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/**
 * The code lenses and squiggles the page shows, once it has drawn what VS Code holds: a lens
 * above each line that has lenses, each with its line and text, and a squiggle, the same on two
 * reads in a row (the page draws asynchronously, and a widget may first sit at a passing place).
 * At most 10 s; then whatever is drawn.
 */
async function rendered(page: Page, lines: number[]): Promise<Rendered> {
  let last: Rendered = { renderedLenses: [], renderedSquiggles: [] };
  let previous = '';
  await until(async () => {
    last = (await page.evaluate(READ_PAGE)) as Rendered;
    const drawn = JSON.stringify(last);
    const stable = drawn === previous;
    previous = drawn;
    const complete = last.renderedLenses.every((l) => l.line !== null && l.text) && JSON.stringify(last.renderedLenses.map((l) => l.line)) === JSON.stringify(lines);
    return stable && complete && last.renderedSquiggles.length > 0;
  }, 30_000);
  return last;
}

/** The lines that have code lenses, in order, as the probe collected them. */
function lensLines(collected: Pick<Result, 'lenses'> | null | undefined): number[] {
  const lenses = (collected?.lenses ?? []) as { line: number }[];
  return [...new Set(lenses.map((l) => l.line))].sort((a, b) => a - b);
}

/**
 * Runs in the page. A code lens is a content widget placed in the gap (a view zone) above its
 * line: that line is the first one the margin shows below the widget's top. The text is what the
 * user sees, the lenses of one line joined by " | ".
 */
const READ_PAGE = `(() => {
  const lineBelow = (widget) => {
    const top = parseFloat(widget.style.top);
    const editor = widget.closest('.monaco-editor');
    let line = null;
    let nearest = Infinity;
    for (const row of editor ? editor.querySelectorAll('.margin-view-overlays > div') : []) {
      const number = row.querySelector('.line-numbers');
      const rowTop = parseFloat(row.style.top);
      if (number && rowTop > top && rowTop < nearest) {
        nearest = rowTop;
        line = Number(number.textContent) - 1;
      }
    }
    return line;
  };
  const renderedLenses = [...document.querySelectorAll('.codelens-decoration')]
    .map((lens) => ({ line: lineBelow(lens), text: lens.textContent.replace(/\\u00a0/g, ' ').trim() }))
    .sort((a, b) => (a.line ?? -1) - (b.line ?? -1));
  const renderedSquiggles = [...document.querySelectorAll('[class*="squiggly-"]')]
    .map((e) => /squiggly-(error|warning|info|hint)/.exec(e.className)?.[1])
    .filter(Boolean);
  return { renderedLenses, renderedSquiggles };
})()`;

/** A screenshot with the mouse on the first error squiggle and its hover shown; none when there is no squiggle or no hover. */
async function hoverScreenshot(page: Page, out: string): Promise<string[]> {
  const squiggle = page.locator('.squiggly-error').first();
  if (!(await squiggle.count())) return [];
  const box = await squiggle.boundingBox();
  if (!box) return [];
  await page.mouse.move(box.x + 12, box.y + box.height / 2);
  const shown = await page
    .locator('.monaco-hover:not(.hidden)')
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 })
    .then(() => true, () => false);
  const files = shown ? [await screenshot(page, out, '.hover')] : [];
  await page.mouse.move(0, 0);
  return files;
}

async function screenshot(page: Page, out: string, suffix: string): Promise<string> {
  const stem = out.replace(/\.json$/, '');
  const artifacts = process.env.RUNLENS_E2E_ARTIFACTS;
  const file = artifacts ? path.join(artifacts, `${path.basename(stem)}${suffix}.png`) : `${stem}${suffix}.png`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/**
 * The server the extension is told to run (`runlens.server.path`): the script of
 * RUNLENS_E2E_SERVER (`[node, …/runlens.js, --stdio]`); the extension runs it with VS Code's Node.
 * Unset, the extension runs the server bundled in the .vsix.
 */
function serverModule(): string | undefined {
  const command = process.env.RUNLENS_E2E_SERVER;
  if (!command) return undefined;
  const script = (JSON.parse(command) as string[]).find((part) => part.endsWith('.js'));
  if (!script) throw new Error(`RUNLENS_E2E_SERVER names no .js script for runlens.server.path: ${command}`);
  return path.resolve(script);
}

/** Runs the server bundled in the installed extension (`runlens scan`), outside the repository. */
function checkBundledServer(extensions: string, root: string): Result['bundledServer'] {
  const folder = fs.readdirSync(extensions).find((name) => name.startsWith('runlens.runlens-'));
  const launcher = folder && path.join(extensions, folder, 'server/server/bin/runlens.js');
  if (!launcher || !fs.existsSync(launcher)) {
    errors.push(`the installed extension has no bundled server (${launcher ?? 'no runlens.runlens-* folder'})`);
    return null;
  }
  const version = spawnSync(process.execPath, [launcher, '--version'], { encoding: 'utf8', timeout: 30_000 });
  const scan = spawnSync(process.execPath, [launcher, 'scan', '--root', root, '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
  try {
    return { version: version.stdout.trim(), findings: (JSON.parse(scan.stdout) as { findings: unknown[] }).findings.length };
  } catch {
    errors.push(`the bundled server failed: ${version.stderr}${scan.stderr}`);
    return null;
  }
}

/** The last lines of the extension host's log and of the runlens output channel. */
function probeTrouble(userData: string): string {
  const host = findFiles(path.join(userData, 'logs'), (f) => f.endsWith('exthost.log'))[0];
  return `${host ? `extension host: ${tail(host)}` : 'no extension host log'}; runlens output: ${runlensOutput(userData)}`;
}

function runlensOutput(userData: string): string {
  const file = findFiles(path.join(userData, 'logs'), (f) => /runlens\.log$/.test(f))[0];
  return file ? tail(file) : '(none)';
}

function findFiles(dir: string, wanted: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter(wanted);
}

function tail(file: string, chars = 2000): string {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

function check(run: ReturnType<typeof spawnSync>, what: string): string {
  if (run.error || run.status !== 0) throw new Error(`${what} failed (${run.error?.message ?? run.status}): ${String(run.stderr)}${String(run.stdout)}`);
  return String(run.stdout);
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 200 ms until it holds, at most `timeoutMs`; says whether it did. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end || finished) return false;
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function mark(name: string): void {
  timings[name] = Date.now() - started;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (see test/e2e/README.md)`);
  return value;
}

/** A JSON file the probe wrote (renamed into place whole), or undefined when there is none. */
function readJson(file: string): Result | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Result;
  } catch {
    return undefined;
  }
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
