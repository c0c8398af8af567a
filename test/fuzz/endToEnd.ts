// The nastiest inputs through the real programs: the `runlens` binary in a child process (every
// command that reads recordings, on a folder of them) and the language server in process (it keeps
// answering while they sit in its workspace and while one more is written). Each check returns
// what went wrong, as sentences, rather than stopping at the first.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { CodeLens, Diagnostic, Hover, Range } from 'vscode-languageserver-protocol';
import { runlens } from '../support/cli';
import { startInProcess } from '../support/lspClient';
import { REPO } from '../support/corpus';
import { CI_SCALE, corpusFiles, InputSpec, inputArbitrary, labelOf, materialize } from './inputs';
import { MAX_LINE } from './properties';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');

/** The nastiest inputs: limits of the parser, known weak spots, broken and generated recordings. */
export function nastySpecs(seed: number): { name: string; spec: InputSpec }[] {
  const shape = (s: string, size: number) => ({ kind: 'shape', shape: s, size }) as InputSpec;
  const largest = corpusFiles().indexOf('python/django-misago-pytest-noscript-pagination-large.appmap.json');
  const specs: { name: string; spec: InputSpec }[] = [
    { name: 'deep-arrays', spec: shape('deep-arrays', 100_000) },
    { name: 'deep-in-sql-query', spec: shape('deep-in-sql-query', 9_999) },
    { name: 'huge-string-sql', spec: shape('huge-string-sql', 24_000_000) },
    { name: 'huge-string-route', spec: shape('huge-string-route', 3_000_000) },
    { name: 'wide-classmap-children', spec: shape('wide-classmap-children', 15_000) },
    { name: 'many-open-sql', spec: shape('many-open-sql', 3_000) },
    { name: 'deep-chain-distinct-functions', spec: shape('deep-chain-distinct-functions', 20_000) },
    { name: 'sql-under-deep-chain', spec: shape('sql-under-deep-chain', 8_000) },
    { name: 'many-shapes-per-request', spec: shape('many-shapes-per-request', 5_000) },
    { name: 'deep-classmap-before-events', spec: shape('deep-classmap-before-events', 20_002) },
    { name: 'absurd-elapsed', spec: shape('absurd-elapsed', 500) },
    { name: 'self-parent-returns', spec: shape('self-parent-returns', 1_000) },
    { name: 'many-event-updates', spec: shape('many-event-updates', 3_000) },
    { name: 'long-numbers', spec: shape('long-numbers', 5_000) },
    { name: 'truncated', spec: { kind: 'mutated', file: largest, eventEdits: [], byteEdits: [{ edit: 'truncate', at: 1_234_567 }] } },
    { name: 'utf16', spec: { kind: 'bytes', bytes: [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00] } },
    { name: 'empty', spec: { kind: 'bytes', bytes: [] } },
    // Recorded paths that are not well-formed Unicode (surrogate escapes of non-UTF-8 file names): no URI can hold them.
    { name: 'lone-surrogate-paths', spec: { kind: 'json', text: '{"metadata":{"recorder":{"type":"tests"},"source_location":"meetups/caf\\udce9.py:3"},"events":[{"id":1,"event":"call","thread_id":1,"defined_class":"meetups.Caf","method_id":"m","path":"meetups/caf\\udce9.py","lineno":3},{"id":2,"event":"return","thread_id":1,"parent_id":1,"elapsed":2}]}' } },
    // Names that hold line breaks, CI commands and terminal escapes: every output keeps them on their line.
    { name: 'control-characters-in-names', spec: { kind: 'json', text: controlCharacterRecording() } },
    { name: 'odd-version-and-lines', spec: { kind: 'json', text: '{"version":{"toString":1},"metadata":{"recorder":{"type":"tests"},"source_location":"meetups/views.py:99999999999"},"events":[{"id":1,"event":"call","defined_class":"A","method_id":"m","path":"app/a.py","lineno":1e308},{"id":2,"event":"return","parent_id":1,"elapsed":1e308}]}' } },
  ];
  const generated = fc.sample(inputArbitrary(CI_SCALE).filter((s) => s.kind === 'generated'), { seed, numRuns: 3 });
  generated.forEach((spec, k) => specs.push({ name: `generated-${k}`, spec }));
  return specs;
}

/** A test recording whose route, test, class, method and SQL hold `\n::error …`, `::add-mask::`, ESC and a bidi override. */
function controlCharacterRecording(): string {
  const events: object[] = [];
  let id = 1;
  const call = (fields: object) => (events.push({ id, event: 'call', thread_id: 1, ...fields }), id++);
  const ret = (parent: number, elapsed: number) => events.push({ id: id++, event: 'return', thread_id: 1, parent_id: parent, elapsed });
  const request = call({ http_server_request: { request_method: 'GET', path_info: '/x\n::error file=meetups/views.py,line=1::forged\r\u001b[2J' } });
  const fn = call({ defined_class: 'meetups.views.Evil\n::add-mask::hunter2', method_id: 'get\u202e', path: 'meetups/views.py', lineno: 28 });
  for (let k = 0; k < 12; k++) ret(call({ sql_query: { sql: `SELECT * FROM "meetups_venue\n::stop-commands::tok|x" WHERE id = ${k}`, database_type: 'sqlite' } }), 0.3);
  ret(fn, 1.5);
  ret(request, 2);
  return JSON.stringify({ metadata: { name: 'test\n::error::forged', recorder: { type: 'tests' } }, events });
}

/** A fresh workspace: the Django example's sources and recording, and the nasty recordings in `tmp/appmap/fuzz/`. */
export function nastyWorkspace(specs: { name: string; spec: InputSpec }[]): { root: string; files: string[] } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-fuzz-e2e-')));
  fs.cpSync(MEETUPS, root, { recursive: true });
  const dir = path.join(root, 'tmp/appmap/fuzz');
  fs.mkdirSync(dir, { recursive: true });
  const files = specs.map(({ name, spec }) => {
    const rel = `tmp/appmap/fuzz/${name}.appmap.json`;
    fs.writeFileSync(path.join(root, rel), materialize(spec));
    return rel;
  });
  return { root, files };
}

export interface CliRun {
  args: string[];
  code: number | null;
  problems: string[];
}

/**
 * Every command that reads recordings, on the folder of nasty ones: exit 0, 1 or 2 with a message,
 * never a stack trace, an internal error, a signal or a timeout; JSON and SARIF that parse, with
 * lines a viewer can show. The first command that fails is run on each file alone, to name the files.
 */
export function checkCli(root: string, files: string[]): CliRun[] {
  const folder = 'tmp/appmap/fuzz';
  const commands: string[][] = [
    ['scan', folder],
    ['scan', '--format', 'json', '--fail-on', 'never', folder],
    ['scan', '--format', 'sarif', '--fix-hints', folder],
    ['report', '--format', 'markdown', folder],
    ['report', '--format', 'html', '-o', 'out/report.html', folder],
    ['baseline', 'save', folder],
    ['compare', folder, 'tmp/appmap/pytest'],
  ];
  const runs = commands.map((args) => runChecked(args, root));
  // The first failing command, on each file alone (the others are likely the same files).
  const failed = runs.find((r) => r.problems.length);
  for (const file of failed ? files : []) {
    const alone = runChecked(failed!.args.map((a) => (a === folder ? file : a)), root);
    if (alone.problems.length) runs.push(alone);
  }
  return runs;
}

function runChecked(args: string[], cwd: string): CliRun {
  const r = runlens(args, cwd);
  const problems: string[] = [];
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.code === null) problems.push('ended by a signal or the 60 s timeout');
  else if (![0, 1, 2].includes(r.code)) problems.push(`exit code ${r.code}`);
  if (r.code !== 0 && !output.trim()) problems.push(`exit code ${r.code} without a message`);
  const stack = /^\s+at .+:\d+:\d+\)?$/m.exec(r.stderr ?? '');
  if (stack) problems.push(`a stack trace on stderr (${stack[0].trim()})`);
  const internal = /^.*internal error.*$/m.exec(output);
  if (internal) problems.push(`"${internal[0].slice(0, 300)}"`);
  // A recorded line break printed raw starts a line that GitHub Actions runs as a command.
  const forged = /^\s*::.*$/m.exec(output);
  if (forged && !args.includes('json') && !args.includes('sarif')) problems.push(`a line that starts with "::": ${JSON.stringify(forged[0].slice(0, 200))}`);
  if (args.includes('json') || args.includes('sarif')) {
    try {
      // scan's JSON gives `"line": null` for a finding in a file the root does not hold: no line, which is no wrong line.
      const lines = [...(r.stdout ?? '').matchAll(/"(?:startLine|endLine|line)":\s*([^,}\s]+)/g)].filter((m) => !(m[0].startsWith('"line"') && m[1] === 'null')).map((m) => Number(m[1]));
      JSON.parse(r.stdout);
      const bad = lines.filter((l) => !(Number.isInteger(l) && l >= 1 && l <= MAX_LINE));
      if (bad.length) problems.push(`lines no viewer can show: ${bad.slice(0, 3).join(', ')}`);
    } catch (err) {
      problems.push(`stdout is not JSON: ${(err as Error).message}`);
    }
  }
  return { args, code: r.code, problems };
}

/**
 * The language server with the nasty recordings in its workspace: it indexes every one (none is
 * lost, none logs an internal error), and still answers lenses, hovers and symbols on the
 * example's views, also after one more nasty recording is written while it watches. Every
 * position it sends is one the protocol can carry.
 */
export async function checkServer(root: string, files: string[], late: InputSpec): Promise<string[]> {
  const problems: string[] = [];
  const client = await startInProcess(root, {}, { watch: true });
  try {
    const views = client.uri('meetups/views.py');
    const ask = async (when: string) => {
      const lenses: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: views } });
      // The example's recording records a function there; what the lenses say depends on the
      // nasty recordings too (they may record the same functions and routes).
      if (!Array.isArray(lenses) || lenses.length === 0) problems.push(`${when}: no lens on meetups/views.py, where the example's recording has a function`);
      for (const l of lenses) checkRange(l.range, `${when}: lens ${l.command?.title}`, problems);
      const line = lenses[0]?.range.start.line ?? 27;
      const hover: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: views }, position: { line, character: 4 } });
      if (!hover) problems.push(`${when}: no hover on the recorded function's line`);
      const symbols: unknown[] = await client.connection.sendRequest('workspace/symbol', { query: '' });
      // The example's test is recorded with its place: one recording cannot take the symbols of all.
      if (!Array.isArray(symbols) || symbols.length === 0) problems.push(`${when}: workspace/symbol answered ${JSON.stringify(symbols)}, not the example's test`);
      // The example's N+1 is on its views whatever else is recorded: one recording cannot take every file's diagnostics.
      if (!client.diagnostics.get(views)?.some((d) => d.code === 'n-plus-one')) problems.push(`${when}: no N+1 diagnostic on meetups/views.py`);
      const status: { recordings: number } = await client.connection.sendRequest('runlens/status');
      return status.recordings;
    };
    const indexed = await ask('after indexing');
    if (indexed !== files.length + 1) problems.push(`after indexing: ${indexed} recordings indexed of ${files.length + 1}`);
    // One more, written while the server watches.
    const rel = 'tmp/appmap/fuzz/late.appmap.json';
    const changed = client.waitFor<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.includes(rel), 30_000);
    fs.writeFileSync(path.join(root, rel), materialize(late));
    try {
      await changed;
    } catch {
      problems.push(`the server did not index ${rel} (${labelOf(late)}) within 30 s`);
    }
    const after = await ask(`after writing ${labelOf(late)}`);
    if (after !== files.length + 2) problems.push(`after writing one more: ${after} recordings indexed of ${files.length + 2}`);
    for (const [uri, diagnostics] of client.diagnostics) {
      for (const d of diagnostics as Diagnostic[]) {
        checkRange(d.range, `diagnostic on ${uri}: ${d.message.slice(0, 80)}`, problems);
        // A message is one line of text: recorded line breaks and escapes are escaped.
        if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(d.message)) problems.push(`diagnostic on ${uri} holds a raw control character: ${JSON.stringify(d.message.slice(0, 200))}`);
      }
    }
    for (const log of client.logs) if (/please report|internal error/.test(log)) problems.push(`the server logged: ${log.slice(0, 300)}`);
  } finally {
    await client.close();
  }
  return problems;
}

function checkRange(r: Range, what: string, problems: string[]): void {
  for (const p of [r.start, r.end]) {
    if (!(Number.isInteger(p.line) && p.line >= 0 && p.line < MAX_LINE && Number.isInteger(p.character) && p.character >= 0)) {
      problems.push(`${what}: position ${p.line}:${p.character} is not one the protocol can carry`);
      return;
    }
  }
}

