// The clients in clients/, tested inside the real editors: headless Neovim, Emacs with eglot, Emacs
// with lsp-mode, and VS Code (code-server in headless Chromium). Each editor opens the same file of
// the same workspace (a Rails app with a real appmap-ruby recording, see workspace.ts) through its
// real client, and a script in the editor's own language writes down what the editor ended up
// holding (the contract is README.md here). Every expectation is below, once, for all editors.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP, APP_FIXED, E2eWorkspace, FILE, makeE2eWorkspace, REPO } from './workspace';

/** What a script writes (README.md here). */
interface EditorReport {
  editor: string;
  diagnostics: Diagnostic[];
  lenses: { line: number; title: string }[] | null;
  renderedLenses: { line: number; text: string }[] | null;
  hover: string;
  codeActions: string[];
  fixedText: string;
  after: { diagnostics: Diagnostic[]; lenses: EditorReport['lenses']; renderedLenses: EditorReport['renderedLenses'] };
  errors: string[];
  /** eglot: what `runlens-show-details` says on the action's line (its way to the lenses' words). */
  details?: string;
  /** VS Code: the kinds of squiggles drawn in the editor. */
  renderedSquiggles?: string[];
}

interface Diagnostic {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  severity: string;
  message: string;
  code: string;
  source: string;
}

interface EditorRun {
  name: string;
  /** Its folder in clients/. */
  client: 'nvim' | 'emacs' | 'vscode';
  /** How the report's `editor` starts. */
  version: string;
  /** Why the editor can't run here, or undefined when it can. */
  missing(): string | undefined;
  /** The editor running the contract's script, or another one of its scripts. */
  command(ws: E2eWorkspace, script?: string): { file: string; args: string[]; env?: Record<string, string> };
  /** A script of the client's own checks, printing `N passed, N failed`. */
  ownChecks?: string;
  timeoutMs: number;
  /** The lenses as the editor draws them on the action's line, or null where it draws none. */
  rendered: (titles: string[]) => string | null;
  hasLenses: boolean;
}

const CODE_SERVER = process.env.RUNLENS_E2E_CODE_SERVER ?? path.join(REPO, 'test/e2e/vscode/.code-server/node_modules/.bin/code-server');
const VSIX = process.env.RUNLENS_E2E_VSIX ?? path.join(REPO, 'clients/vscode/runlens.vsix');
const CHROMIUM = '/usr/bin/chromium';

/** Debian bookworm's Neovim, and newer ones from later Debian releases (test/e2e/nvim/install-neovim.sh, run by test/setup.sh). */
const NEOVIMS = [
  { version: '0.7', nvim: process.env.RUNLENS_E2E_NVIM ?? 'nvim', from: 'Debian bookworm' },
  { version: '0.10', nvim: path.join(REPO, 'test/e2e/nvim/.neovim/trixie/bin/nvim'), from: 'Debian trixie' },
  { version: '0.12', nvim: path.join(REPO, 'test/e2e/nvim/.neovim/forky/bin/nvim'), from: 'Debian forky' },
];

/**
 * Debian bookworm's Emacs with its elpa-eglot and elpa-lsp-mode, and Emacs 30 of bookworm-backports
 * with its built-in eglot (the lsp-mode run loads elpa-lsp-mode's sources there), unpacked by
 * test/e2e/emacs/install-emacs.sh (run by test/setup.sh) beside the system's. `eglot` is how the report
 * names the eglot that must have loaded.
 */
const EMACSES = [
  { name: 'Emacs', version: '28.2', eglot: '', emacs: process.env.RUNLENS_E2E_EMACS ?? 'emacs' },
  { name: 'Emacs 30 (Debian bookworm-backports)', version: '30.1', eglot: '1.17.', emacs: path.join(REPO, 'test/e2e/emacs/.emacs30/bin/emacs') },
];

const runs: EditorRun[] = [
  ...NEOVIMS.map(({ version, nvim, from }): EditorRun => ({
    name: `Neovim ${version} (${from})`,
    client: 'nvim',
    version: `neovim ${version}.`,
    missing: () => (works(nvim, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', 'qall!']) ? undefined : `${nvim} does not run`),
    command: (ws, script = 'e2e.lua') => ({ file: nvim, args: ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(REPO, 'test/e2e/nvim', script)}`, ws.file] }),
    ownChecks: 'plugin.lua',
    timeoutMs: 180_000,
    rendered: (titles) => titles.join(' | '),
    hasLenses: true,
  })),
  ...EMACSES.flatMap(({ name, version, eglot, emacs }): EditorRun[] => {
    // The editor as the scripts set it up (e2e-common.el activates the packages), with the client's package.
    const missing = (pkg: string) => () =>
      works(emacs, ['--batch', '-l', path.join(REPO, 'test/e2e/emacs/e2e-common.el'), '--eval', `(require '${pkg})`]) ? undefined : `${emacs} with ${pkg} does not run`;
    const script = (file: string) => (ws: E2eWorkspace) => ({ file: emacs, args: ['--batch', '-l', path.join(REPO, 'test/e2e/emacs', file), ws.file] });
    return [
      {
        name: `${name} with eglot`,
        client: 'emacs',
        version: `emacs ${version}, eglot ${eglot}`,
        missing: missing('eglot'),
        command: script('eglot-e2e.el'),
        timeoutMs: 180_000,
        rendered: () => null,
        hasLenses: false,
      },
      {
        name: `${name} with lsp-mode`,
        client: 'emacs',
        version: `emacs ${version}, lsp-mode `,
        missing: missing('lsp-mode'),
        command: script('lsp-mode-e2e.el'),
        timeoutMs: 180_000,
        // lsp-mode draws a line's lenses as one overlay, joined by a bar.
        rendered: (titles) => titles.join('|'),
        hasLenses: true,
      },
    ];
  }),
  {
    name: 'VS Code (code-server)',
    client: 'vscode',
    version: 'vscode 1.100.',
    missing: () => (!fs.existsSync(CODE_SERVER) ? `no code-server at ${CODE_SERVER}` : !fs.existsSync(CHROMIUM) ? `no ${CHROMIUM}` : freshVsix()),
    // The extension runs the server bundled in the .vsix (no RUNLENS_E2E_SERVER): what users install.
    command: () => ({ file: process.execPath, args: [path.join(REPO, 'server/out/test/e2e/vscode/run.js')], env: { RUNLENS_E2E_CODE_SERVER: CODE_SERVER, RUNLENS_E2E_VSIX: VSIX, RUNLENS_E2E_SERVER: '' } }),
    timeoutMs: 420_000,
    rendered: (titles) => titles.join(' | '),
    hasLenses: true,
  },
];

// What the server says about the workspace, which every editor must show as it is.
const DIAGNOSTIC = { severity: 'error', code: 'n-plus-one', source: 'runlens', message: 'N+1: 30 queries from this query' };
const FIX = 'Load eagerly: .includes(image_attachment: :blob)';
const LENSES = ['GET /users/{id} · 49 ms · 37 SQL', '0.9 ms · 1 call · 1 SQL'];
const ACTION_LINE = 12; // def show
const QUERY_LINE = 15; // @microposts = @user.microposts.paginate(page: params[:page])
const INSERTED = 2;
const HOVER = [
  '**UsersController#show** · 0.9 ms · 1 call · 1 SQL',
  '',
  'Handles GET /users/{id} · 49 ms · 37 SQL',
  '',
  '| calls | total | self | mean | max | SQL |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  '| 1 | 0.9 ms | 0.8 ms | 0.9 ms | 0.9 ms | 1 |',
  '',
  '**Queries it ran most**',
  '- 1 × `SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?`',
  '',
  '**Recorded in** Users_profile profile display while anonyomus (`tmp/appmap/minitest/users_profile_anonymous.appmap.json`)',
  '',
  '**Slowest path** (0.9 ms): GET /users/{id} → UsersController#show',
].join('\n');

describe('the clients in real editors', function () {
  for (const run of runs) {
    describe(run.name, function () {
      this.timeout(run.timeoutMs + 30_000);
      let report: EditorReport;
      let ws: E2eWorkspace;

      before(async function () {
        const missing = run.missing();
        if (missing) {
          // CI installs every editor (test/setup.sh): there, a missing one is a failure.
          if (process.env.CI) throw new Error(`${run.name}: ${missing}; test/setup.sh installs it`);
          console.log(`      skipped: ${missing} (test/setup.sh installs it)`);
          this.skip();
        }
        ws = makeE2eWorkspace();
        const out = path.join(ws.home, 'report.json');
        const { status, output } = await runInEditor(run, ws, run.command(ws), { RUNLENS_E2E_OUT: out });
        if (!fs.existsSync(out)) throw new Error(`${run.name} wrote no report (exit ${status}):\n${output}`);
        report = JSON.parse(fs.readFileSync(out, 'utf8')) as EditorReport;
        if (status !== 0) report.errors = [...(report.errors ?? []), `exit ${status}: ${output.slice(-2000)}`];
      });
      after(() => ws?.dispose());

      it('is the editor it says', () => {
        assert.ok(report.editor.startsWith(run.version), report.editor);
      });

      it('shows the N+1 diagnostic on the query, exactly', () => {
        checkDiagnostics(report.diagnostics, [`${QUERY_LINE}:18-${QUERY_LINE}:64 ${DIAGNOSTIC.severity} ${DIAGNOSTIC.code} (${DIAGNOSTIC.source}) ${DIAGNOSTIC.message}`]);
        if (report.renderedSquiggles) assert.deepEqual(report.renderedSquiggles, ['error']);
      });

      it(run.hasLenses ? 'shows the recorded lenses on the action' : 'has no lenses, and says what they would through hover and details', () => {
        if (run.hasLenses) {
          checkLenses(report, ACTION_LINE);
        } else {
          assert.equal(report.lenses, null);
          for (const title of LENSES) assert.ok(report.hover.includes(title), `the hover lacks "${title}"`);
          assert.equal(report.details?.trim(), HOVER);
        }
      });

      it('hovers on the action with its recorded numbers', () => {
        assert.equal(report.hover.trim(), HOVER);
      });

      it('offers the eager-loading fix first, and applying it gives the fixed source', () => {
        assert.deepEqual(report.codeActions, [FIX, 'Ignore n-plus-one here (# runlens: ignore n-plus-one)', 'Show the repeated query']);
        assert.equal(report.fixedText, fs.readFileSync(path.join(APP_FIXED, FILE), 'utf8'));
      });

      it('keeps the lenses and the diagnostic on their code after lines are inserted above', () => {
        const end = 64 + '.includes(image_attachment: :blob)'.length;
        const line = QUERY_LINE + INSERTED;
        checkDiagnostics(report.after.diagnostics, [`${line}:18-${line}:${end} ${DIAGNOSTIC.severity} ${DIAGNOSTIC.code} (${DIAGNOSTIC.source}) ${DIAGNOSTIC.message}`]);
        if (run.hasLenses) checkLenses({ lenses: report.after.lenses, renderedLenses: report.after.renderedLenses }, ACTION_LINE + INSERTED);
        else assert.equal(report.after.lenses, null);
      });

      it('leaves the file on disk as it was and reports no script errors', () => {
        assert.equal(fs.readFileSync(ws.file, 'utf8'), fs.readFileSync(path.join(APP, FILE), 'utf8'));
        assert.deepEqual(report.errors, []);
      });

      if (run.ownChecks) {
        const script = run.ownChecks;
        it(`passes the client's own checks (${script})`, async () => {
          const own = makeE2eWorkspace();
          try {
            const { status, output } = await runInEditor(run, own, run.command(own, script), {});
            const summary = /^(\d+) passed, (\d+) failed$/m.exec(output);
            assert.ok(summary && Number(summary[1]) > 0 && summary[2] === '0' && status === 0, output);
          } finally {
            own.dispose();
          }
        });
      }

      function checkLenses(r: Pick<EditorReport, 'lenses' | 'renderedLenses'>, line: number): void {
        assert.deepEqual(r.lenses?.map((l) => `${l.line}: ${l.title}`), LENSES.map((t) => `${line}: ${t}`));
        const rendered = run.rendered(LENSES);
        assert.deepEqual(r.renderedLenses?.map((l) => `${l.line}: ${l.text}`) ?? null, rendered === null ? null : [`${line}: ${rendered}`]);
      }
    });
  }
});

/** Diagnostics as `line:char-line:char severity code (source) message`, in order; nothing else may be there. */
function checkDiagnostics(actual: Diagnostic[], expected: string[]): void {
  assert.deepEqual(
    actual.map((d) => `${d.line}:${d.character}-${d.endLine}:${d.endCharacter} ${d.severity} ${d.code} (${d.source}) ${d.message}`),
    expected,
  );
}

/**
 * The packaged extension, re-packaged when the server was built after it (so the bundled server is
 * the one under test); undefined when it is fresh, else why it can't be.
 */
function freshVsix(): string | undefined {
  const built = newestMtimeMs(path.join(REPO, 'server/out/server/src'));
  if (fs.existsSync(VSIX) && fs.statSync(VSIX).mtimeMs >= built) return undefined;
  if (process.env.RUNLENS_E2E_VSIX) return `${VSIX} is older than the server build`;
  if (!fs.existsSync(path.join(REPO, 'clients/vscode/node_modules'))) return `no ${VSIX} (npm ci && npm run package in clients/vscode)`;
  const packaged = spawnSync('npm', ['run', '--silent', 'package'], { cwd: path.join(REPO, 'clients/vscode'), encoding: 'utf8', timeout: 120_000 });
  return packaged.status === 0 ? undefined : `npm run package in clients/vscode failed: ${packaged.stderr || packaged.stdout}`;
}

function newestMtimeMs(folder: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function works(file: string, args: string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** Runs an editor under a hard timeout, in the workspace's throw-away home, with the contract's environment. */
async function runInEditor(
  run: EditorRun,
  ws: E2eWorkspace,
  command: { file: string; args: string[]; env?: Record<string, string> },
  extraEnv: Record<string, string>,
): Promise<{ status: number | string; output: string }> {
  const home = ws.home;
  const child = spawn(command.file, command.args, {
    cwd: ws.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_STATE_HOME: path.join(home, '.local/state'),
      RUNLENS_E2E_ROOT: ws.root,
      RUNLENS_E2E_FILE: ws.file,
      RUNLENS_E2E_SERVER: JSON.stringify([process.execPath, path.join(REPO, 'server/bin/runlens.js'), '--stdio']),
      RUNLENS_E2E_CLIENT: path.join(REPO, 'clients', run.client),
      RUNLENS_E2E_HOVER: `${ACTION_LINE}:6`,
      // Screenshots (VS Code) kept where the other browser tests keep theirs.
      ...(process.env.RUNLENS_TEST_ARTIFACTS ? { RUNLENS_E2E_ARTIFACTS: path.join(process.env.RUNLENS_TEST_ARTIFACTS, 'vscode') } : {}),
      ...command.env,
      ...extraEnv,
    },
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the editor, the server it started, a browser
    } catch {
      /* already gone */
    }
  };
  const status = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      killGroup();
      resolve(`timed out after ${run.timeoutMs} ms`);
    }, run.timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? String(signal));
    });
  });
  killGroup(); // anything the editor left running
  return { status, output };
}
