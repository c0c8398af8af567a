// Copies the runlens server, as compiled at the repository root (`npm run build`), into server/ of
// the extension, laid out like the repository so that its relative paths hold (packageInfo.ts reads
// the package.json four folders above server/out/server/src/node):
//
//   server/package.json               the root's, with only the fields a package needs
//   server/server/bin/runlens.js      the launcher the extension runs
//   server/server/out/server/src/**   the compiled server
//   server/node_modules/**            its production dependencies, as `npm ls --omit=dev --omit=optional` lists them
//
// Tree-sitter grammars the server does not load are left out (22 MB → 6 MB); the list is read from
// the compiled treeSitter.js. Ends with a smoke test: the bundled server answers `initialize` with
// its version and its source parsers loaded.
//
//   node scripts/bundle-server.mjs     (run by `npm run package`, through vscode:prepublish)

import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSION = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(EXTENSION, '../..');
const DEST = path.join(EXTENSION, 'server');
const COMPILED = path.join(REPO, 'server/out/server/src');
const PACKAGE_FIELDS = ['name', 'version', 'description', 'license', 'private', 'bin', 'engines', 'dependencies'];

const started = Date.now();
if (!fs.existsSync(path.join(COMPILED, 'cli/main.js')) || !fs.existsSync(path.join(COMPILED, 'report-client/main.js'))) {
  fail(`${path.relative(process.cwd(), COMPILED)} has no compiled server (or no HTML report script): run \`npm run build\` in ${REPO} first`);
}

fs.rmSync(DEST, { recursive: true, force: true });
const rootPackage = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
writeJson(path.join(DEST, 'package.json'), Object.fromEntries(PACKAGE_FIELDS.filter((k) => k in rootPackage).map((k) => [k, rootPackage[k]])));
copyTree(path.join(REPO, 'server/bin'), path.join(DEST, 'server/bin'));
copyTree(COMPILED, path.join(DEST, 'server/out/server/src'));

const packages = productionPackages();
for (const dir of packages) copyTree(dir, path.join(DEST, path.relative(REPO, dir)));
const pruned = pruneGrammars();

const version = await smokeTest(path.join(DEST, 'server/bin/runlens.js'));
console.log(
  `bundled runlens ${version} into ${path.relative(process.cwd(), DEST) || '.'}: ${packages.length} packages ` +
    `(${packages.map((p) => path.relative(path.join(REPO, 'node_modules'), p)).join(', ')}), ` +
    `${pruned} unused grammars left out, ${megabytes(size(DEST))} MB, ${Date.now() - started} ms`,
);

/**
 * The folders of the root's production dependency closure (nested ones included), from npm; the
 * optional ones left out: they are the OpenTelemetry recorder of `runlens record --otel`, which
 * the editor never runs (about 73 MB).
 */
function productionPackages() {
  let stdout;
  try {
    stdout = execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--parseable'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    fail(`npm ls --omit=dev failed in ${REPO} (run \`npm ci\` there):\n${err.stderr || err.message}`);
  }
  const dirs = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && path.resolve(line) !== REPO);
  for (const dir of dirs) {
    if (!dir.startsWith(path.join(REPO, 'node_modules') + path.sep)) fail(`npm ls listed ${dir}, outside ${REPO}/node_modules (a link?)`);
  }
  if (!dirs.length) fail('npm ls listed no production dependencies');
  return dirs;
}

/** Removes the grammars (tree-sitter-*.wasm) that the compiled server never names; returns how many. */
function pruneGrammars() {
  const loader = fs.readFileSync(path.join(DEST, 'server/out/server/src/node/treeSitter.js'), 'utf8');
  const used = new Set(loader.match(/tree-sitter-[\w-]+\.wasm/g) ?? []);
  const folder = path.join(DEST, 'node_modules/@vscode/tree-sitter-wasm/wasm');
  if (!used.size || !fs.existsSync(folder)) {
    console.warn('bundle-server: grammars not pruned (no grammar names found in treeSitter.js)');
    return 0;
  }
  let n = 0;
  for (const file of fs.readdirSync(folder)) {
    if (/^tree-sitter-[\w-]+\.wasm$/.test(file) && !used.has(file)) {
      fs.rmSync(path.join(folder, file));
      n++;
    }
  }
  for (const grammar of used) if (!fs.existsSync(path.join(folder, grammar))) fail(`${grammar} is not in @vscode/tree-sitter-wasm`);
  return n;
}

/** Starts the bundled server over stdio, sends `initialize`, returns its version; fails on a warning. */
function smokeTest(launcher) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, '--stdio'], { cwd: EXTENSION, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => done(new Error('no answer to initialize within 20 s')), 20_000);
    let buffer = Buffer.alloc(0);
    let stderr = '';
    const warnings = [];
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done(new Error(`the server exited (${code}): ${stderr}`)));
    child.stdout.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const header = buffer.indexOf('\r\n\r\n');
        if (header < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, header).toString())?.[1]);
        if (buffer.length < header + 4 + length) return;
        const message = JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString('utf8'));
        buffer = buffer.subarray(header + 4 + length);
        if (message.method === 'window/logMessage' && message.params.type <= 2) warnings.push(message.params.message);
        if (message.id === 1) {
          if (warnings.length) done(new Error(warnings.join('\n')));
          else done(undefined, message.result?.serverInfo?.version);
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });

    function send(message) {
      const body = Buffer.from(JSON.stringify(message), 'utf8');
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    }
    function done(error, version) {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.kill();
      if (error) fail(`the bundled server failed its smoke test: ${error.message}`);
      if (!version) fail('the bundled server answered initialize without serverInfo.version');
      resolve(version);
    }
  });
}

function copyTree(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    // Nested node_modules are copied as packages of their own, when npm lists them as production.
    filter: (src) => !src.endsWith('.map') && !(src !== from && path.basename(src) === 'node_modules'),
  });
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function size(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? size(p) : fs.statSync(p).size);
  }, 0);
}

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function fail(message) {
  console.error(`bundle-server: ${message}`);
  process.exit(1);
}
