// One checker per feature of the pure core, each comparing exact text: findings as markers in a
// fixture (checkFindings), code lenses as markers under their lines (checkLenses), the hover's
// markdown (checkHover), the call hierarchy's item and its incoming and outgoing calls
// (checkCallHierarchy), workspace symbols (checkSymbols) and an ORM fix applied to the fixture's
// text (checkFix). Expectations are `` expect`…` `` literals in the test file, which UPDATE_EXPECT=1
// rewrites in place (support/expect.ts). This file is the tests' only door to findingsOf.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { readAnyRecording } from '../../server/src/core/readRecording';
import { baselineOf } from '../../server/src/core/baseline/baseline';
import { resolveConfig, RunlensConfig } from '../../server/src/core/config';
import { Finding, mergeFindings } from '../../server/src/core/findings/finding';
import { findingsOf } from '../../server/src/core/findings/index';
import { applyEdit, fixOf } from '../../server/src/core/fixes/index';
import { CallEdge, CallItem, callItem, incomingCalls, outgoingCalls, prepareCallItem } from '../../server/src/core/ide/callHierarchy';
import { codeLenses } from '../../server/src/core/ide/codeLens';
import { hoverAt } from '../../server/src/core/ide/hover';
import { Since } from '../../server/src/core/ide/since';
import { workspaceSymbols } from '../../server/src/core/ide/symbols';
import { summarize } from '../../server/src/core/index/summary';
import { Snapshot, WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex, SourceLocation } from '../../server/src/core/sourceIndex';
import { Trace } from '../../server/src/core/trace';
import { loadParsers } from '../../server/src/node/treeSitter';
import { assertExpect, Expect, updating } from './expect';
import { loadWorkspace, memoryFiles, normalizeFixture, parseWorkspace, renderMarks, renderWorkspace, Workspace } from './fixture';
import { reblessFixture } from './reblessFixture';
import { RecordingBuilder } from './recordingBuilder';

let parsers: SourceParsers | undefined;

/** Loads the source parsers the checkers use; call it in a `before` hook. */
export async function checkParsers(): Promise<SourceParsers> {
  parsers = await loadParsers();
  return parsers;
}

function loaded(): SourceParsers {
  if (!parsers) throw new Error('call `await checkParsers()` in a before hook first');
  return parsers;
}

// ---- findings -------------------------------------------------------------------------------

/** The findings of one recording's trace: the only call of findingsOf in the tests. */
export function findingsIn(trace: Trace, index: SourceIndex, config: RunlensConfig): Finding[] {
  return findingsOf(trace, index, config);
}

/**
 * The fixture's markers must be exactly the findings of the recordings (built by the test, so
 * their names say `generated`), merged as the workspace merges them. Returns the files read.
 */
export function checkFindings(fixture: string, recording: RecordingBuilder | RecordingBuilder[], config: Partial<RunlensConfig> = {}): string[] {
  const workspace = parseWorkspace(fixture);
  const files = memoryFiles(workspace);
  const resolved = resolveConfig(config);
  const index = new SourceIndex(files, loaded(), resolved);
  const recordings = Array.isArray(recording) ? recording : [recording];
  const findings = mergeFindings(
    recordings.flatMap((r, i) => {
      const { trace, problems } = readRecording(`tmp/appmap/test${i}.generated.appmap.json`, r.json());
      assert.deepEqual(problems, []);
      return findingsIn(trace, index, resolved);
    }),
  );
  const rendered = renderWorkspace(workspace, findings);
  if (rendered !== normalizeFixture(fixture) && updating()) reblessFixture(new Error().stack ?? '', [__filename], 'checkFindings', fixture, rendered);
  else assert.equal(rendered, normalizeFixture(fixture), 'the findings differ from the fixture\'s markers (UPDATE_EXPECT=1 rewrites them)');
  return files.reads;
}

// ---- a recorded workspace -------------------------------------------------------------------

/** A workspace and its recordings indexed as the language server indexes them (summaries merged into a snapshot). */
export interface Recorded {
  workspace: Workspace;
  index: SourceIndex;
  snapshot: Snapshot;
  since?: Since;
}

/** A recording: its workspace-relative path and its bytes (read from disk, or a builder's, named `generated`). */
export interface RecordingInput {
  path: string;
  text: string | Buffer;
}

/** Indexes `recordings` over `workspace` (in memory), every problem of a recording failing the check. */
export function recorded(workspace: Workspace, recordings: RecordingInput[], config: Partial<RunlensConfig> = {}): Recorded {
  const resolved = resolveConfig(config);
  const index = new SourceIndex(memoryFiles(workspace), loaded(), resolved);
  const wi = new WorkspaceIndex();
  for (const r of recordings) {
    // Either format, told by the name: AppMap, or OTLP JSON (core/readRecording.ts).
    const { trace, problems } = readAnyRecording(r.path, r.text);
    assert.deepEqual(problems.filter((p) => p.severity === 'error'), [], r.path);
    wi.set(summarize(trace, problems, index, resolved));
  }
  return { workspace, index, snapshot: wi.snapshot() };
}

/** `after` with a baseline saved from `before` (as the server's saveBaseline makes it), so lenses and hovers say what changed since. */
export function since(after: Recorded, before: Recorded, config: Partial<RunlensConfig> = {}): Recorded {
  return { ...after, since: { baseline: baselineOf(before.snapshot, { findings: before.snapshot.findings() }), thresholds: resolveConfig(config).compare } };
}

/**
 * A workspace folder's source files (those `accept` takes; with more folders, each over the one
 * before, as a fixed twin over its original) with recordings read from disk:
 * `recordings` relative to the folder, or absolute (a corpus file, indexed under its base name
 * in tmp/appmap/).
 */
export function recordedFolder(dir: string | string[], accept: (relPath: string) => boolean, recordings: string[], config: Partial<RunlensConfig> = {}): Recorded {
  // A folder with overlays (a fixed twin over its original): the last that has a recording gives it.
  const dirs = Array.isArray(dir) ? dir : [dir];
  const fileOf = (r: string) => (path.isAbsolute(r) ? r : path.join([...dirs].reverse().find((d) => fs.existsSync(path.join(d, r))) ?? dirs[0], r));
  const inputs = recordings.map((r) => ({ path: path.isAbsolute(r) ? `tmp/appmap/${path.basename(r)}` : r, text: fs.readFileSync(fileOf(r)) }));
  return recorded(loadWorkspace(dirs[0], accept, ...dirs.slice(1)), inputs, config);
}

/** A fixture's files (`//- path` sections, markers dropped) with recordings built by the test. */
export function recordedFixture(fixture: string, recordings: RecordingBuilder[], config: Partial<RunlensConfig> = {}): Recorded {
  return recorded(
    parseWorkspace(fixture),
    recordings.map((r, i) => ({ path: `tmp/appmap/test${i}.generated.appmap.json`, text: r.json() })),
    config,
  );
}

/**
 * The 1-based line of `relPath` that `cursor` names: a piece of one line of the file with `$0`
 * where the cursor is (`async function $0listBooks(`); it must match exactly one line.
 */
export function lineOf(r: Recorded, relPath: string, cursor: string): number {
  const text = r.workspace.files.get(relPath);
  assert.ok(text !== undefined, `${relPath} is not in the workspace`);
  assert.ok(cursor.includes('$0'), `the cursor ${JSON.stringify(cursor)} has no $0`);
  const wanted = cursor.replace('$0', '');
  const lines = text
    .split('\n')
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.includes(wanted));
  assert.equal(lines.length, 1, `${JSON.stringify(wanted)} is on ${lines.length} lines of ${relPath}`);
  return lines[0].i + 1;
}

// ---- editor features ------------------------------------------------------------------------

/** The file with each code lens as a marker under its line: `^ title`, and for a route, the recording its call tree opens. */
export function checkLenses(r: Recorded, relPath: string, expected: Expect): void {
  const marks = codeLenses(r.snapshot, r.index, relPath, r.since).map((l) => ({
    location: { path: relPath, line: l.line, column: l.column, endLine: l.line, endColumn: l.column + 1 },
    text: `${l.title}${l.route ? ` (call tree: ${l.route.recording})` : ''}`,
  }));
  assertExpect(renderMarks(r.workspace, marks, [relPath]), expected);
}

/** The hover's markdown on the line `cursor` names (support `lineOf`), or `(no hover)`. */
export function checkHover(r: Recorded, relPath: string, cursor: string, expected: Expect): void {
  assertExpect(hoverAt(r.snapshot, r.index, relPath, lineOf(r, relPath, cursor), r.since) ?? '(no hover)', expected);
}

/**
 * The call hierarchy item prepared on the line `cursor` names (or of a node: `route:GET /books`),
 * then its incoming and outgoing calls, one item a line:
 * `name (kind) path:range (selection) · detail`.
 */
export function checkCallHierarchy(r: Recorded, at: { path: string; cursor: string } | { node: string }, expected: Expect): void {
  const item = 'node' in at ? callItem(r.snapshot, r.index, at.node) : prepareCallItem(r.snapshot, r.index, at.path, lineOf(r, at.path, at.cursor));
  if (!item) return assertExpect('(no item)', expected);
  const edges = (label: string, list: CallEdge[]) => [label, ...(list.length ? list.map((e) => `  ${itemLine(e.item)}`) : ['  (none)'])];
  const text = [`item: ${itemLine(item)}`, `  node: ${item.node}`, ...edges('incoming:', incomingCalls(r.snapshot, r.index, item.node)), ...edges('outgoing:', outgoingCalls(r.snapshot, r.index, item.node))];
  assertExpect(text.join('\n'), expected);
}

/** The workspace symbols whose names contain `query`, one a line: `kind name · path:range · container`. */
export function checkSymbols(r: Recorded, query: string, expected: Expect): void {
  const symbols = workspaceSymbols(r.snapshot, r.index, query);
  assertExpect(symbols.length ? symbols.map((s) => `${s.kind} ${s.name} · ${range(s.location)} · ${s.container}`).join('\n') : '(no symbols)', expected);
}

function itemLine(item: CallItem): string {
  return `${item.name} (${item.kind}) ${range(item.range)} (${range(item.selection).replace(/^[^:]*:/, '')}) · ${item.detail}`;
}

/** `path:line:col-endLine:endCol` (1-based), `path:line:col` when there is no end. */
function range(l: SourceLocation): string {
  return `${l.path}:${l.line}:${l.column}${l.endLine !== undefined && l.endColumn !== undefined ? `-${l.endLine}:${l.endColumn}` : ''}`;
}

// ---- fixes ----------------------------------------------------------------------------------

/**
 * The fix of each finding that has one (n-plus-one, repeated-query), in the order of the
 * findings: its title, then the file it edits with the edit applied under `//- path`, or its hint.
 */
export function checkFix(r: Recorded, expected: Expect): void {
  const out: string[] = [];
  for (const f of r.snapshot.findings()) {
    const fix = fixOf(f, r.index);
    if (!fix) continue;
    out.push(`${f.rule} at ${range(f.location)}: ${fix.title}`);
    if (fix.edit) {
      const text = r.workspace.files.get(fix.edit.range.path);
      assert.ok(text !== undefined, `the fix edits ${fix.edit.range.path}, which is not in the workspace`);
      out.push(`//- ${fix.edit.range.path}`, applyEdit(text, fix.edit).replace(/\n$/, ''));
    }
    if (fix.hint) out.push(`hint: ${fix.hint}`);
  }
  assertExpect(out.length ? out.join('\n') : '(no fix)', expected);
}
