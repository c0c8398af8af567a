// The small Node apps of test/workspaces/node-apps as tests see them: which apps there are, where
// their recordings are, whether the real agent is installed to record them again, and what the
// inline markers in their sources expect (issue 16: where each finding must sit).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { missingNodeDependencies } from './installed';

const REPO = path.resolve(__dirname, '../../../..');
export const NODE_APPS = path.join(REPO, 'test/workspaces/node-apps');

/** The apps (each a folder with an appmap.yml and a fixed twin APP-fixed), sorted. */
export function nodeApps(): string[] {
  return fs
    .readdirSync(NODE_APPS)
    .filter((name) => !name.endsWith('-fixed') && fs.existsSync(path.join(NODE_APPS, name, 'appmap.yml')))
    .sort();
}

/** Why the apps cannot be recorded here, or undefined when they can. */
export function missingDependencies(): string | undefined {
  return missingNodeDependencies(NODE_APPS, 'test/workspaces/node-apps', [
    { what: 'sqlite3', file: 'sqlite3/build/Release/node_sqlite3.node' },
    { what: 'better-sqlite3', file: 'better-sqlite3/build/Release/better_sqlite3.node' },
  ]);
}

/**
 * What one finding marker says: the finding of `rule` about `repeats` ("12 × tasks", as runlens
 * details it) sits on this line, and its per-row call is on the line of the `per-row` marker
 * naming the same table (`table`).
 */
export interface FindingMarker {
  rule: string;
  repeats: string;
  /** The table of the marker's repeats, which its per-row marker names. */
  table: string;
  /** `path:line`, the path relative to the app. */
  at: string;
}

/**
 * The markers of an app's sources (`src/`): `// expect: RULE N × TABLE[, N × TABLE…]` on the line
 * where the finding must sit, `// expect: per-row TABLE` on the line of the call that runs once per
 * row. Every finding marker has exactly one per-row marker, and the other way round; a marker
 * this cannot read is an error, so a typo fails the test rather than expecting nothing.
 */
export function markersOf(app: string): { findings: FindingMarker[]; perRow: Map<string, string> } {
  const dir = path.join(NODE_APPS, app);
  const findings: FindingMarker[] = [];
  const perRow = new Map<string, string>();
  for (const rel of sourceFiles(dir, 'src')) {
    const lines = fs.readFileSync(path.join(dir, rel), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const comment = /\/\/ expect:(.*)$/.exec(line);
      if (!comment) return;
      const at = `${rel}:${i + 1}`;
      const row = /^ per-row (\w+)$/.exec(comment[1]);
      if (row) {
        if (perRow.has(row[1])) throw new Error(`${app}/${at}: a second per-row marker for ${row[1]}`);
        perRow.set(row[1], at);
        return;
      }
      const finding = /^ ([a-z-]+) ((\d+) × (\w+)(, \d+ × \w+)*)$/.exec(comment[1]);
      if (!finding) throw new Error(`${app}/${at}: a marker that is neither "expect: RULE N × TABLE" nor "expect: per-row TABLE": ${comment[0]}`);
      findings.push({ rule: finding[1], repeats: finding[2], table: finding[4], at });
    });
  }
  for (const f of findings) if (!perRow.has(f.table)) throw new Error(`${app}/${f.at}: no per-row marker for ${f.table}`);
  for (const [table, at] of perRow) if (!findings.some((f) => f.table === table)) throw new Error(`${app}/${at}: a per-row marker for ${table}, which no finding marker names`);
  return { findings, perRow };
}

/** The .js and .ts files under `dir/sub`, relative to `dir`, POSIX, sorted. */
function sourceFiles(dir: string, sub: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    const rel = `${sub}/${entry.name}`;
    if (entry.isDirectory()) for (const f of sourceFiles(dir, rel)) out.push(f);
    else if (/\.(js|ts)$/.test(entry.name)) out.push(rel);
  }
  return out.sort();
}
