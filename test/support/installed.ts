// Whether a bundled Node project's own dependencies (test/workspaces/bookshop, node-apps, otel-apps) are
// installed as its package-lock.json lists them, with their native drivers built: the tests that
// record such a project again with the real agent need them.

import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Why the project in `dir` (named `name` in messages) cannot be recorded here, or undefined when
 * it can: appmap-node installed, each of `natives` (paths of built addons under node_modules)
 * present, and every package at the version its package-lock.json names. Compared by content, not
 * by file times: a checkout's lock file is as new as the checkout, and node_modules may be a link
 * to an install shared by several checkouts.
 */
export function missingNodeDependencies(dir: string, name: string, natives: Array<{ what: string; file: string }>, options: { agent?: boolean } = {}): string | undefined {
  const modules = path.join(dir, 'node_modules');
  // The OpenTelemetry examples (otel-apps) are recorded by runlens's own dependencies: no agent of theirs.
  if (options.agent !== false && !fs.existsSync(path.join(modules, '.bin/appmap-node'))) return `appmap-node is not installed in ${name}`;
  for (const native of natives) {
    if (!fs.existsSync(path.join(modules, native.file))) return `${native.what} is not built in ${name}`;
  }
  const installed = path.join(modules, '.package-lock.json');
  if (!fs.existsSync(installed)) return `${name}'s node_modules was not installed by npm (no .package-lock.json)`;
  type Lock = { packages: Record<string, { version?: string }> };
  const wanted = (JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as Lock).packages;
  const have = (JSON.parse(fs.readFileSync(installed, 'utf8')) as Lock).packages;
  const stale = Object.keys(wanted).filter((k) => k !== '' && !wanted[k].version?.startsWith('file:') && have[k]?.version !== wanted[k].version);
  if (stale.length) return `${name}'s node_modules is not what its package-lock.json lists (${stale.length} packages, first ${stale[0]}: ${have[stale[0]]?.version ?? 'missing'}, not ${wanted[stale[0]].version})`;
  return undefined;
}
