// The documentation is checked like code: every output it quotes is the real command's output,
// every relative link leads to a file and heading that exist, and the README stays short.
//
// A quoted output is a fenced block right after a marker such as
//   <!-- output: runlens compare ../django-meetups . | in: test/workspaces/django-meetups-fixed | status: 0 -->
// `in` is the folder the command runs in (default: the repository), `status` its exit status
// (default 0), `stream: stderr` quotes its standard error instead of its standard output and
// `stream: both` the two one after the other, `lines: A-B` only those lines (1-based, inclusive).
// The repository's absolute path reads /path/to/runlens in a quote, so that it holds on any clone.
// With UPDATE_EXPECT=1 the blocks are rewritten from the real output instead of compared.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../support/cli';
import { BEFORE_AND_AFTER, FROM_GIT, FROM_TARBALL } from '../support/installCommands';
import { REPO } from '../support/corpus';

/** Every page of the documentation, relative to the repository. */
const PAGES = [
  'README.md',
  ...fs.readdirSync(path.join(REPO, 'server/docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `server/docs/${f}`),
  'server/ARCHITECTURE.md',
  'server/LSP_EXTENSIONS.md',
  'clients/nvim/README.md',
  'clients/emacs/README.md',
  'clients/vscode/README.md',
  'test/e2e/README.md',
];

const README_MAX_LINES = 200;

describe('documentation', () => {
  it(`the README is a short front page (at most ${README_MAX_LINES} lines) that links every page of server/docs`, () => {
    const readme = read('README.md');
    const nLines = readme.split('\n').length;
    assert.ok(nLines <= README_MAX_LINES, `README.md has ${nLines} lines`);
    const unlinked = PAGES.filter((p) => p.startsWith('server/docs/') && !readme.includes(`](${p})`));
    assert.deepEqual(unlinked, []);
  });

  it('the README installs and runs runlens on a project with exactly the lines test/system/pack.test.ts runs', () => {
    const shBlocks = [...read('README.md').matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    for (const block of [FROM_TARBALL, FROM_GIT, BEFORE_AND_AFTER]) {
      assert.ok(shBlocks.includes(block.lines.join('\n') + '\n'), `README.md has no sh block of exactly:\n${block.lines.join('\n')}`);
    }
  });

  for (const page of PAGES) {
    it(`${page}: every relative link leads to a file, and its #anchor to a heading there`, () => {
      assert.deepEqual(brokenLinks(page), []);
    });

    const blocks = outputBlocks(page);
    if (!blocks.length) continue;
    it(`${page}: the ${blocks.length} quoted output${blocks.length > 1 ? 's are' : ' is'} what the commands print`, function () {
      this.timeout(180_000);
      let text = read(page);
      const wrong: string[] = [];
      // From the last block to the first, so that rewriting one keeps the offsets of those before.
      for (const block of [...blocks].reverse()) {
        const actual = run(block.marker);
        if (process.env.UPDATE_EXPECT === '1') {
          text = text.slice(0, block.bodyStart) + actual.quoted + text.slice(block.bodyEnd);
          continue;
        }
        if (actual.status !== block.marker.status) wrong.push(`${block.marker.command}: exit status ${actual.status}, the page says ${block.marker.status}\n${actual.stderr}`);
        const quoted = text.slice(block.bodyStart, block.bodyEnd);
        if (quoted !== actual.quoted) wrong.push(`${block.marker.command} (line ${lineOf(text, block.bodyStart)}):\n--- the page\n${quoted}--- the command\n${actual.quoted}`);
      }
      if (process.env.UPDATE_EXPECT === '1') fs.writeFileSync(path.join(REPO, page), text);
      assert.deepEqual(wrong, [], wrong.join('\n'));
    });
  }
});

// ---- helpers ------------------------------------------------------------------------------------

function read(rel: string): string {
  return fs.readFileSync(path.join(REPO, rel), 'utf8');
}

interface Marker {
  command: string;
  args: string[];
  cwd: string;
  status: number;
  stream: 'stdout' | 'stderr' | 'both';
  lines?: [number, number];
}

interface OutputBlock {
  marker: Marker;
  /** Offsets of the fenced block's body (after the opening fence's line, up to the closing fence). */
  bodyStart: number;
  bodyEnd: number;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function outputBlocks(page: string): OutputBlock[] {
  const text = read(page);
  const blocks: OutputBlock[] = [];
  for (const m of text.matchAll(/<!-- output: (.*?) -->\n/g)) {
    const marker = parseMarker(m[1], page);
    const fenceStart = m.index! + m[0].length;
    const open = /^(`{3,})[^\n]*\n/.exec(text.slice(fenceStart));
    if (!open) throw new Error(`${page}:${lineOf(text, fenceStart)}: an output marker must be followed by a fenced block`);
    const bodyStart = fenceStart + open[0].length;
    const close = text.indexOf(`\n${open[1]}\n`, bodyStart - 1);
    if (close < 0) throw new Error(`${page}:${lineOf(text, fenceStart)}: the fenced block is not closed`);
    blocks.push({ marker, bodyStart, bodyEnd: close + 1 });
  }
  return blocks;
}

function parseMarker(spec: string, page: string): Marker {
  const [command, ...options] = spec.split(' | ');
  const words = command.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  if (words[0] !== 'runlens') throw new Error(`${page}: only runlens commands are checked, not ${command}`);
  const marker: Marker = { command, args: words.slice(1).map((w) => w.replace(/^(["'])(.*)\1$/, '$2')), cwd: REPO, status: 0, stream: 'stdout' };
  for (const option of options) {
    const [key, value] = option.split(': ');
    if (key === 'in') marker.cwd = path.join(REPO, value);
    else if (key === 'status') marker.status = Number(value);
    else if (key === 'stream' && (value === 'stdout' || value === 'stderr' || value === 'both')) marker.stream = value;
    else if (key === 'lines') marker.lines = value.split('-').map(Number) as [number, number];
    else throw new Error(`${page}: unknown marker option ${option}`);
  }
  return marker;
}

function run(marker: Marker): { status: number | null; quoted: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...marker.args], { cwd: marker.cwd, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  let quoted = marker.stream === 'stdout' ? r.stdout : marker.stream === 'stderr' ? r.stderr : r.stdout + r.stderr;
  quoted = quoted.split(REPO).join('/path/to/runlens');
  if (marker.lines) {
    const [from, to] = marker.lines;
    quoted = quoted.split('\n').slice(from - 1, to).join('\n') + '\n';
  }
  return { status: r.status, quoted, stderr: r.stderr };
}

function brokenLinks(page: string): string[] {
  const text = read(page).replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
  const broken: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z][\w+.-]*:/i.test(target)) continue;
    const [file, anchor] = target.split('#');
    const resolved = file ? path.join(path.dirname(path.join(REPO, page)), decodeURIComponent(file)) : path.join(REPO, page);
    if (!fs.existsSync(resolved)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${target}: no such heading`);
  }
  return broken;
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
  for (const m of text.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = m[1]
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n ? `${slug}-${n}` : slug);
  }
  return anchors;
}
