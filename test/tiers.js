// Runs the test tiers, each a mocha run of its own folder's compiled tests, and ends with one
// plain line "N passed, N failed" summed over them (what CI reads); exits non-zero when any tier
// failed. `npm test` runs every tier, `npm run test:unit` (and :system, :e2e) one (tsc first).
//
//   unit    test/unit/    the pure core and the language server in process
//   system  test/system/  the real binary over stdio, the CLI as processes, fuzzing, watcher
//                         storms, the browser, the real recording agent
//   e2e     test/e2e/     the editors (Neovim, Emacs, VS Code), headless
//
//   node test/tiers.js [TIER…]   (after tsc)
//
// Only tests whose TypeScript source exists are run: a test moved or deleted leaves its compiled
// file behind in server/out, which must not run again.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');
const TIERS = ['unit', 'system', 'e2e'];
const SUMMARY = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

/** The compiled test files of a tier, from its sources (test/TIER/**\/*.test.ts), sorted. */
function specsOf(tier) {
  const files = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(full);
      } else if (e.name.endsWith('.test.ts')) files.push(full);
    }
  };
  walk(path.join(REPO, 'test', tier));
  return files.sort().map((ts) => path.join(REPO, 'server/out', path.relative(REPO, ts)).replace(/\.ts$/, '.js'));
}

/** Runs one tier's mocha, its output passed through; resolves with its counts and time. */
function runTier(tier) {
  const specs = specsOf(tier);
  const started = Date.now();
  if (!specs.length) return Promise.resolve({ tier, passed: 0, failed: 0, skipped: 0, code: 0, seconds: 0, summary: true });
  return new Promise((resolve) => {
    const mocha = path.join(REPO, 'node_modules/mocha/bin/mocha.js');
    const child = spawn(process.execPath, [mocha, ...(process.stdout.isTTY ? ['--color'] : []), ...specs], { cwd: REPO, stdio: ['inherit', 'pipe', 'inherit'] });
    let last = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      last = (last + chunk.toString('utf8')).slice(-4096);
    });
    child.on('close', (code, signal) => {
      const line = last.trimEnd().split('\n').pop() ?? '';
      const m = SUMMARY.exec(line);
      const seconds = Math.round((Date.now() - started) / 1000);
      if (!m) resolve({ tier, passed: 0, failed: 1, skipped: 0, code: code ?? 1, signal, seconds, summary: false });
      else resolve({ tier, passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0), code: code ?? 1, signal, seconds, summary: true });
    });
  });
}

async function main() {
  const asked = process.argv.slice(2);
  for (const t of asked) if (!TIERS.includes(t)) throw new Error(`no tier "${t}" (${TIERS.join(', ')})`);
  const tiers = asked.length ? asked : TIERS;
  const results = [];
  for (const tier of tiers) {
    if (tiers.length > 1) process.stdout.write(`\n==== ${tier} (test/${tier}/) ====\n`);
    results.push(await runTier(tier));
  }
  const total = { passed: 0, failed: 0, skipped: 0 };
  if (tiers.length > 1) process.stdout.write('\n');
  for (const r of results) {
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    if (tiers.length > 1 || !r.summary) {
      const what = r.summary ? `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}` : `ended without a summary (exit ${r.signal ?? r.code}), counted as 1 failed`;
      process.stdout.write(`${r.tier}: ${what} in ${r.seconds} s\n`);
    }
  }
  const failed = results.some((r) => r.code !== 0) && total.failed === 0 ? 1 : total.failed;
  // The last line, as every tier's own: CI reads it.
  if (tiers.length > 1 || results.some((r) => !r.summary)) {
    process.stdout.write(`${total.passed} passed, ${failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}\n`);
  }
  return failed > 0 || results.some((r) => r.code !== 0) ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err.stack ?? String(err));
      console.log('0 passed, 1 failed');
      process.exit(2);
    },
  );
}
