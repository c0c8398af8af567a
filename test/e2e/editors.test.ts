// The clients in clients/, tested inside the real editors: headless Neovim, Emacs with eglot, Emacs
// with lsp-mode, and VS Code (code-server in headless Chromium). Each editor opens the same files
// (see workspace.ts) through its real client, set up as its README says, and a script in the
// editor's own language writes down what the editor ended up holding (the contract is README.md
// here): a Rails app with a real appmap-ruby recording, in a temporary folder; and the bundled
// bookshop example opened where it is, inside this git repository, where the client must find the
// example's folder by itself. Every expectation is below, once, for all editors.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOOKSHOP_CASE, E2eCase, E2eWorkspace, makeClientRepository, OTEL_CASE, RAILS, REPO } from './workspace';

/** What a script writes (README.md here). */
interface EditorReport {
  editor: string;
  /** The folder the server runs in, as it says (runlens/status); absent where the script can't ask (VS Code). */
  root?: string;
  /** eglot: what project.el says for the file outside eglot (runlens must not change it). */
  projectRoot?: string | null;
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
  /** The projects it opens (VS Code opens a folder, the Rails app only). */
  cases: E2eCase[];
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
    cases: [RAILS, BOOKSHOP_CASE],
  })),
  ...EMACSES.flatMap(({ name, version, eglot, emacs }): EditorRun[] => {
    // The editor as the scripts set it up (e2e-common.el activates the packages), with the client's package.
    const missing = (pkg: string) => () =>
      works(emacs, ['--batch', '-l', path.join(REPO, 'test/e2e/emacs/e2e-common.el'), '--eval', `(require '${pkg})`]) ? undefined : `${emacs} with ${pkg} does not run`;
    const script = (file: string) => (ws: E2eWorkspace, other?: string) => ({ file: emacs, args: ['--batch', '-l', path.join(REPO, 'test/e2e/emacs', other ?? file), ws.file] });
    return [
      {
        name: `${name} with eglot`,
        client: 'emacs',
        version: `emacs ${version}, eglot ${eglot}`,
        missing: missing('eglot'),
        command: script('eglot-e2e.el'),
        // The project root for eglot, project.el and lsp-mode, on folders made for it.
        ownChecks: 'root-checks.el',
        timeoutMs: 180_000,
        rendered: () => null,
        hasLenses: false,
        cases: [RAILS, BOOKSHOP_CASE],
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
        cases: [RAILS, BOOKSHOP_CASE],
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
    cases: [RAILS],
  },
];

// What the server says about each project, which every editor must show as it is.
interface Expected {
  /** How the describe block names the project. */
  title: string;
  /** The diagnostic, as `line:char-line:char severity code (source) message`. */
  diagnostic: string;
  /** The code actions offered on it; the first is applied. */
  codeActions: string[];
  /** The lenses, per line. */
  lenses: { line: number; titles: string[] }[];
  /** The hover on the action (the case's hover position). */
  hover: string;
  /** The diagnostic after the fix and two lines inserted above. */
  after: string;
}

const INSERTED = 2;

/** The knex-tasks example's N+1s as the editor shows them (0-based lines), as `runlens scan` prints them. */
const OTEL_DIAGNOSTICS: string[] = [
  "11:4-11:104 warning n-plus-one (runlens) N+1: 8 queries from this query", // for … of: await knex('tasks')…
  "20:6-20:106 warning n-plus-one (runlens) N+1: 8 queries from this query", // Promise.all(map(async …))
  '30:2-30:50 warning n-plus-one (runlens) N+1: 8 queries from this query', // a plain map: the Promise.all line
  "38:2-38:98 warning n-plus-one (runlens) N+1: 8 queries from this query", // in the helper tasksOf
  '51:4-51:87 warning n-plus-one (runlens) N+1: 8 queries from this query', // Objection's $relatedQuery
];
/** The route lenses of the OTel example: each on its handler in routes.js, which app.js names as `routes.projectsLoop`. */
const OTEL_LENSES = [
  { line: 8, title: 'GET /projects/loop · 12 ms · 9 SQL' },
  { line: 16, title: 'GET /projects/all-async · 8 ms · 9 SQL' },
  { line: 26, title: 'GET /projects/all-plain · 26 ms · 9 SQL' },
  { line: 42, title: 'GET /projects/helper · 17 ms · 9 SQL' },
  { line: 48, title: 'GET /projects/objection · 58 ms · 9 SQL' },
];
/** The cases every editor runs through the whole script (the OTel example has its own test below). */
type FullCase = Exclude<E2eCase['name'], 'otel'>;
const EXPECTED: Record<FullCase, Expected> = {
  rails: {
    title: 'the Rails app (a copy outside git)',
    diagnostic: '15:18-15:64 error n-plus-one (runlens) N+1: 30 queries from this query', // @microposts = @user.microposts.paginate(page: params[:page])
    codeActions: ['Load eagerly: .includes(image_attachment: :blob)', 'Ignore n-plus-one here (# runlens: ignore n-plus-one)', 'Show the repeated query'],
    lenses: [{ line: 12, titles: ['GET /users/{id} · 49 ms · 37 SQL', '0.9 ms · 1 call · 1 SQL'] }], // def show
    hover: [
      '**UsersController#show** · 0.9 ms · 1 call · 1 SQL',
      '',
      'Handles GET /users/{id} · 49 ms · 37 SQL',
      '',
      '| calls | total | self | mean | max | SQL |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      '| 1 | 0.9 ms | 0.8 ms | 0.9 ms | 0.9 ms | 1 |',
      '',
      '**Queries it ran most**',
      '',
      '1 ×',
      '```sql',
      'SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?',
      '```',
      '',
      '**Recorded in** Users_profile profile display while anonyomus (`tmp/appmap/minitest/users_profile_anonymous.appmap.json`)',
      '',
      '**Slowest path** (0.9 ms): GET /users/{id} → UsersController#show',
    ].join('\n'),
    // The fix appends .includes(image_attachment: :blob) to the line.
    after: `17:18-17:${64 + '.includes(image_attachment: :blob)'.length} error n-plus-one (runlens) N+1: 30 queries from this query`,
  },
  bookshop: {
    title: 'the bookshop example, in this git repository',
    diagnostic: '20:22-22:4 error n-plus-one (runlens) N+1: 600 queries from this query', // Book.findAll({ … }) in listBooks
    codeActions: ["Load eagerly: include: ['author', 'Tags', 'Reviews']", 'Ignore n-plus-one here (// runlens: ignore n-plus-one)', 'Show the 3 repeated queries'],
    lenses: [
      { line: 5, titles: ['497 ms · 200 calls · 1,400 SQL'] }, // async function present
      { line: 19, titles: ['GET /books · 531 ms · 1,402 SQL', '529 ms · 1 call · 1,402 SQL'] }, // async function listBooks
    ],
    hover: [
      '**books.listBooks** · 529 ms · 1 call · 1,402 SQL',
      '',
      'Handles GET /books · 531 ms · 1,402 SQL',
      '',
      '| calls | total | self | mean | max | SQL |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      '| 1 | 529 ms | 31 ms | 529 ms | 529 ms | 1,402 |',
      '',
      '**Queries it ran most**',
      '',
      '1 ×',
      '```sql',
      'PRAGMA table_info(`Books`)',
      '```',
      '',
      '1 ×',
      '```sql',
      'SELECT `id`, `title`, `year`, `price`, `createdAt`, `updatedAt`, `authorId` FROM `Books` AS `Book` ORDER BY `Book`.`id` ASC',
      '```',
      '',
      '**Recorded in** bookshop lists the books with their authors and tags and ratings (`tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json`)',
      '',
      '**Slowest path** (529 ms): GET /books → books.listBooks',
    ].join('\n'),
    // The fix adds a line (include: […]) inside the query's call.
    after: '22:22-25:4 error n-plus-one (runlens) N+1: 600 queries from this query',
  },
};

describe('the clients in real editors', function () {
  for (const run of runs) {
    for (const project of run.cases) {
      const expected = EXPECTED[project.name as FullCase];
      describe(`${run.name}: ${expected.title}`, function () {
        this.timeout(run.timeoutMs + 30_000);
        let report: EditorReport;
        let ws: E2eWorkspace;
        let original: { text: string; files: string[] };
        const actionLine = Number(project.hover.split(':')[0]);

        before(async function () {
          const missing = run.missing();
          if (missing) {
            // CI installs every editor (test/setup.sh): there, a missing one is a failure.
            if (process.env.CI) throw new Error(`${run.name}: ${missing}; test/setup.sh installs it`);
            console.log(`      skipped: ${missing} (test/setup.sh installs it)`);
            this.skip();
          }
          ws = project.open();
          original = { text: fs.readFileSync(ws.file, 'utf8'), files: filesUnder(ws.root) };
          const out = path.join(ws.home, 'report.json');
          const { status, output } = await runInEditor(run, project, ws, run.command(ws), { RUNLENS_E2E_OUT: out });
          if (!fs.existsSync(out)) throw new Error(`${run.name} wrote no report (exit ${status}):\n${output}`);
          report = JSON.parse(fs.readFileSync(out, 'utf8')) as EditorReport;
          if (status !== 0) report.errors = [...(report.errors ?? []), `exit ${status}: ${output.slice(-2000)}`];
        });
        after(() => ws?.dispose());

        it('is the editor it says', () => {
          assert.ok(report.editor.startsWith(run.version), report.editor);
        });

        if (run.client !== 'vscode') {
          it("runs the server in the project's folder, which the client found", () => {
            assert.equal(report.root, ws.root);
            // eglot: project.el's answer for the file outside eglot is what it is without runlens.
            if (run.name.includes('eglot')) assert.equal(report.projectRoot, gitRoot(ws.root));
          });
        }

        it('shows the N+1 diagnostic on the query, exactly', () => {
          checkDiagnostics(report.diagnostics, [expected.diagnostic]);
          if (report.renderedSquiggles) assert.deepEqual(report.renderedSquiggles, ['error']);
        });

        it(run.hasLenses ? 'shows the recorded lenses' : 'has no lenses, and says what they would on the action through hover and details', () => {
          if (run.hasLenses) {
            checkLenses(report, 0);
          } else {
            assert.equal(report.lenses, null);
            for (const title of expected.lenses.find((l) => l.line === actionLine)!.titles) assert.ok(report.hover.includes(title), `the hover lacks "${title}"`);
            assert.equal(report.details?.trim(), expected.hover);
          }
        });

        it('hovers on the action with its recorded numbers', () => {
          assert.equal(report.hover.trim(), expected.hover);
        });

        it('offers the eager-loading fix first, and applying it gives the fixed source', () => {
          assert.deepEqual(report.codeActions, expected.codeActions);
          assert.equal(report.fixedText, fs.readFileSync(project.fixed, 'utf8'));
        });

        it('keeps the lenses and the diagnostic on their code after lines are inserted above', () => {
          checkDiagnostics(report.after.diagnostics, [expected.after]);
          if (run.hasLenses) checkLenses({ lenses: report.after.lenses, renderedLenses: report.after.renderedLenses }, INSERTED);
          else assert.equal(report.after.lenses, null);
        });

        it('leaves the project on disk as it was and reports no script errors', () => {
          assert.equal(fs.readFileSync(ws.file, 'utf8'), original.text);
          assert.deepEqual(filesUnder(ws.root), original.files);
          assert.deepEqual(report.errors, []);
        });

        if (run.ownChecks && project === RAILS) {
          const script = run.ownChecks;
          it(`passes the client's own checks (${script})`, async () => {
            const own = RAILS.open();
            try {
              const { status, output } = await runInEditor(run, RAILS, own, run.command(own, script), {});
              const summary = /^(\d+) passed, (\d+) failed$/m.exec(output);
              assert.ok(summary && Number(summary[1]) > 0 && summary[2] === '0' && status === 0, output);
            } finally {
              own.dispose();
            }
          });
        }

        /** The lenses (the editor's data and what it draws), `shift` lines below where they were recorded. */
        function checkLenses(r: Pick<EditorReport, 'lenses' | 'renderedLenses'>, shift: number): void {
          assert.deepEqual(
            r.lenses?.map((l) => `${l.line}: ${l.title}`),
            expected.lenses.flatMap((l) => l.titles.map((t) => `${l.line + shift}: ${t}`)),
          );
          const rendered = expected.lenses.map((l) => `${l.line + shift}: ${run.rendered(l.titles)}`);
          assert.deepEqual(r.renderedLenses?.map((l) => `${l.line}: ${l.text}`), rendered);
        }
      });
    }
  }
});

/** What a package-manager script writes (emacs/package-vc-e2e.el, nvim/pack-e2e.lua). */
interface InstallReport {
  editor: string;
  /** Where the client that loaded is, relative to the package manager's folder. */
  installedAs: string;
  root: string;
  diagnostics: Diagnostic[];
  errors: string[];
}

const EMACS30 = EMACSES[1].emacs;
const NEOVIM12 = NEOVIMS[2].nvim;
const INSTALLS = [
  { name: 'Emacs 30, package-vc-install', editor: 'emacs 30.1, package-vc-install', file: EMACS30, script: 'emacs/package-vc-e2e.el', install: 'package-vc-install', installedAs: 'runlens/clients/emacs/runlens.elc' },
  { name: 'Emacs 30, use-package :vc', editor: 'emacs 30.1, use-package :vc', file: EMACS30, script: 'emacs/package-vc-e2e.el', install: 'use-package :vc', installedAs: 'runlens/clients/emacs/runlens.elc' },
  { name: "Neovim 0.12, vim.pack", editor: 'neovim 0.12.', file: NEOVIM12, script: 'nvim/pack-e2e.lua', install: '', installedAs: 'site/pack/core/opt/runlens/clients/nvim/lua/runlens/init.lua' },
];

describe('Neovim on an OpenTelemetry trace (the knex-tasks example, traced by the real SDK)', function () {
  // Every Neovim, as the plugin runs there: what an editor shows of an OTel trace is what it shows
  // of a recording, each N+1 on the exact line of its per-row query.
  for (const { version, nvim, from } of NEOVIMS) {
    describe(`Neovim ${version} (${from})`, function () {
      this.timeout(210_000);
      let report: EditorReport;
      let ws: E2eWorkspace;

      before(async function () {
        if (!works(nvim, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', 'qall!'])) {
          if (process.env.CI) throw new Error(`${nvim} does not run; test/setup.sh installs it`);
          console.log(`      skipped: ${nvim} does not run (test/setup.sh installs it)`);
          this.skip();
        }
        ws = OTEL_CASE.open();
        const out = path.join(ws.home, 'report.json');
        const command = { file: nvim, args: ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(REPO, 'test/e2e/nvim/e2e.lua')}`, ws.file] };
        const { status, output } = await runInEditor({ client: 'nvim', timeoutMs: 180_000 }, OTEL_CASE, ws, command, { RUNLENS_E2E_OUT: out });
        if (!fs.existsSync(out)) throw new Error(`Neovim ${version} wrote no report (exit ${status}):\n${output}`);
        report = JSON.parse(fs.readFileSync(out, 'utf8')) as EditorReport;
        if (status !== 0) report.errors = [...(report.errors ?? []), `exit ${status}: ${output.slice(-2000)}`];
      });
      after(() => ws?.dispose());

      it('shows each N+1 on its per-row query line, exactly', () => {
        checkDiagnostics(report.diagnostics, OTEL_DIAGNOSTICS);
      });

      it("shows each route's lens on its handler, a function of routes.js that app.js names (routes.projectsLoop)", () => {
        assert.deepEqual(report.lenses, OTEL_LENSES);
      });

      it('moves them with their code when two lines are inserted above, and reports no script errors', () => {
        assert.deepEqual(report.after.lenses, OTEL_LENSES.map((l) => ({ ...l, line: l.line + INSERTED })));
        checkDiagnostics(report.after.diagnostics, OTEL_DIAGNOSTICS.map((d) => d.replace(/^(\d+):(\d+)-(\d+):/, (_, a, c, b) => `${Number(a) + INSERTED}:${c}-${Number(b) + INSERTED}:`)));
        assert.deepEqual(report.errors ?? [], []);
      });
    });
  }
});

describe("the clients installed by the editors' own package managers, from a git URL, as their READMEs say", function () {
  this.timeout(120_000);
  for (const install of INSTALLS) {
    it(`${install.name}: installs, loads, and shows the bookshop's N+1`, async function () {
      if (!works(install.file, ['--version'])) {
        if (process.env.CI) throw new Error(`${install.file} does not run; test/setup.sh installs it`);
        console.log(`      skipped: ${install.file} does not run (test/setup.sh installs it)`);
        this.skip();
      }
      const repo = makeClientRepository();
      try {
        const out = path.join(repo.home, 'report.json');
        const args = install.script.startsWith('emacs/')
          ? ['--batch', '-l', path.join(REPO, 'test/e2e', install.script)]
          : ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(REPO, 'test/e2e', install.script)}`];
        const { status, output } = await runInEditor({ client: install.script.startsWith('emacs/') ? 'emacs' : 'nvim', timeoutMs: 90_000 }, BOOKSHOP_CASE, repo, { file: install.file, args }, {
          RUNLENS_E2E_OUT: out,
          RUNLENS_E2E_REPO_URL: repo.url,
          RUNLENS_E2E_INSTALL: install.install,
        });
        if (!fs.existsSync(out)) throw new Error(`${install.name} wrote no report (exit ${status}):\n${output}`);
        const report = JSON.parse(fs.readFileSync(out, 'utf8')) as InstallReport;
        assert.deepEqual(report.errors, [], output.slice(-3000));
        assert.equal(status, 0, output.slice(-3000));
        assert.ok(report.editor.startsWith(install.editor), report.editor);
        assert.equal(report.installedAs, install.installedAs);
        assert.equal(report.root, repo.root);
        checkDiagnostics(report.diagnostics, [EXPECTED.bookshop.diagnostic]);
      } finally {
        repo.dispose();
      }
    });
  }
});

/** Every file under a project folder (node_modules left out), relative and sorted: none may be added or removed. */
function filesUnder(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .filter((rel) => rel.split(path.sep)[0] !== 'node_modules')
    .sort();
}

/** The top of the git work tree holding `dir`, with a trailing slash as project.el gives it; null outside git. */
function gitRoot(dir: string): string | null {
  const git = spawnSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  return git.status === 0 ? `${git.stdout.trim()}/` : null;
}

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
  run: Pick<EditorRun, 'client' | 'timeoutMs'>,
  project: E2eCase,
  ws: E2eWorkspace,
  command: { file: string; args: string[]; env?: Record<string, string> },
  extraEnv: Record<string, string>,
): Promise<{ status: number | string; output: string }> {
  const home = ws.home;
  const child = spawn(command.file, command.args, {
    cwd: ws.cwd,
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
      RUNLENS_E2E_HOVER: project.hover,
      RUNLENS_E2E_INSERT: project.insert,
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
