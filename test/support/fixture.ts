// Fixtures that read like documentation: a small workspace as one string (`//- path` headers split
// files) whose expected findings are marker lines under the line they sit on:
//
//     return Meeting.objects.filter(when__lt=now()).order_by("when")
//     #      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error n-plus-one: N+1: 90 queries from this queryset
//
// Findings outside the fixture's files are listed at the end as `!! path:line:col severity rule: message`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Finding } from '../../server/src/core/findings/finding';
import { walk } from '../../server/src/node/workspaceFiles';
import { normalizeRelative, WorkspaceFiles } from '../../server/src/core/workspace';

export interface Workspace {
  files: Map<string, string>;
}

const MARKER = /^\s*(#|\/\/)(@\d+)?\s*\^+ /;
const ELSEWHERE = /^!! /;

/** Whether a fixture line is a marker (`#   ^^^ …`, `//@3 ^ …`) or a finding elsewhere (`!! …`), not source. */
export function isMarkerLine(line: string): boolean {
  return MARKER.test(line) || ELSEWHERE.test(line);
}

/** Splits a fixture into files, dropping marker lines (so line numbers are those of the real source). */
export function parseWorkspace(fixture: string): Workspace {
  const files = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (current !== undefined) files.set(current, lines.join('\n') + '\n');
  };
  for (const line of dedent(fixture).split('\n')) {
    const header = /^\/\/- (\S+)\s*$/.exec(line);
    if (header) {
      flush();
      current = header[1];
      lines = [];
    } else if (!isMarkerLine(line)) lines.push(line);
  }
  flush();
  for (const [path, text] of files) files.set(path, text.replace(/\n+$/, '\n'));
  return { files };
}

/** The fixture as it should read with `findings` as its markers. */
export function renderWorkspace(workspace: Workspace, findings: Finding[]): string {
  return renderMarks(workspace, findings.map((f) => ({ location: f.location, text: describe(f) })));
}

/** A marker: carets under `location` (to its end when on one line, else to the end of the line), then `text`. */
export interface Mark {
  location: { path: string; line: number; column: number; endLine?: number; endColumn?: number };
  text: string;
}

/**
 * The files of `workspace` (only those of `paths` when given), each after its `//- path` header,
 * with each mark on a marker line under the line it sits on; marks elsewhere are listed at the
 * end as `!! path:line:col text`.
 */
export function renderMarks(workspace: Workspace, marks: Mark[], paths?: string[]): string {
  const out: string[] = [];
  const placed = new Set<Mark>();
  for (const [path, text] of workspace.files) {
    if (paths && !paths.includes(path)) continue;
    out.push(`//- ${path}`);
    const prefix = /\.(py|rb)$/.test(path) ? '#' : '//';
    const lines = text.replace(/\n$/, '').split('\n');
    lines.forEach((line, i) => {
      out.push(line);
      for (const m of marks) {
        if (m.location.path !== path || m.location.line !== i + 1) continue;
        placed.add(m);
        out.push(markerLine(prefix, m, line));
      }
    });
  }
  for (const m of marks) {
    if (!placed.has(m)) out.push(`!! ${m.location.path}:${m.location.line}:${m.location.column} ${m.text}`);
  }
  return out.join('\n') + '\n';
}

/** Normalises a fixture literal the way renderWorkspace writes it (for comparison). */
export function normalizeFixture(fixture: string): string {
  return dedent(fixture);
}

/**
 * The files of a workspace folder that `accept` takes, in memory (so edits can be applied), with
 * the files of `overlays` over them: a fixed twin holds only the files a fix changes.
 */
export function loadWorkspace(dir: string, accept: (relPath: string) => boolean, ...overlays: string[]): Workspace {
  const files = new Map<string, string>();
  for (const folder of [dir, ...overlays]) for (const rel of walk(folder, accept)) files.set(rel, fs.readFileSync(path.join(folder, rel), 'utf8'));
  return { files };
}

/** An in-memory workspace that also records every path read, to prove what was (not) opened. */
export function memoryFiles(workspace: Workspace, rootPath = '/ws'): WorkspaceFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    rootPath,
    reads,
    exists: (rel) => workspace.files.has(rel),
    // No symlinks in memory: only a path that climbs out leaves.
    leavesRoot: (rel) => normalizeRelative(rel) === undefined,
    read: (rel) => {
      reads.push(rel);
      return workspace.files.get(rel);
    },
    list: (suffixes) => [...workspace.files.keys()].filter((p) => suffixes.some((s) => p.endsWith(s))).sort(),
  };
}

function markerLine(prefix: string, m: Mark, line: string): string {
  const col = m.location.column;
  const sameLine = m.location.endLine === m.location.line && m.location.endColumn !== undefined;
  const width = sameLine ? Math.max(1, (m.location.endColumn as number) - col) : Math.max(1, line.length - col + 1);
  const carets = '^'.repeat(width);
  const text = `${carets} ${m.text}`;
  // The carets stand under the columns they mark; too close to the margin for the comment
  // prefix, the column is written out instead.
  if (col - 1 >= prefix.length + 1) return prefix + ' '.repeat(col - 1 - prefix.length) + text;
  return `${prefix}@${col} ${text}`;
}

function describe(f: Finding): string {
  return `${f.severity} ${f.rule}: ${f.message}${f.detail ? ` (${f.detail})` : ''}`;
}

/**
 * Each `//- path` section is dedented by its header's indentation, so fixtures can be built from
 * pieces written at different depths; trailing blank lines are dropped.
 */
function dedent(text: string): string {
  let indent = 0;
  const out: string[] = [];
  for (const line of text.replace(/^\n/, '').split('\n')) {
    const header = /^( *)\/\/- /.exec(line);
    if (header) indent = header[1].length;
    const lead = /^ */.exec(line)![0].length;
    out.push(line.slice(Math.min(indent, lead)));
  }
  return out.join('\n').replace(/\n+(?=\/\/- )/g, '\n').replace(/\s+$/, '') + '\n';
}
