// The settings are described once, in server/src/core/settingsSchema.ts. This test keeps every
// other description equal to it: the keys and defaults the server reads (config.ts), the documented
// table, the VS Code extension's contributes.configuration and the Emacs package's defcustoms.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../../server/src/core/config';
import { SETTINGS } from '../../server/src/core/settingsSchema';
import { REPO } from '../support/corpus';

/** Flattens `{ a: { b: 1 } }` to `{ "a.b": 1 }` (objects that hold maps, such as `rules`, stay whole). */
function flatten(value: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[prefix + k] = v;
  }
  return out;
}

const read = (rel: string) => fs.readFileSync(path.join(REPO, rel), 'utf8');

describe('settings', () => {
  it('are the keys the server reads, with its defaults', () => {
    const defaults = Object.fromEntries(Object.entries(SETTINGS).map(([key, s]) => [key, s.default]));
    assert.deepEqual(defaults, flatten(DEFAULT_CONFIG));
  });

  it('are documented in server/docs/configuration.md, key, default and meaning', () => {
    const readme = read('server/docs/configuration.md');
    const table = readme.slice(readme.indexOf('<!-- config-table'));
    const documented: Record<string, [unknown, string]> = {};
    for (const line of table.split('\n').slice(3)) {
      const m = /^\| `([\w.]+)` \| `(.+?)` \| (.*) \|$/.exec(line);
      if (!m) break;
      documented[m[1]] = [JSON.parse(m[2]), m[3]];
    }
    assert.deepEqual(documented, Object.fromEntries(Object.entries(SETTINGS).map(([key, s]) => [key, [s.default, s.markdownDescription]])));
  });

  it('are the VS Code extension settings, under runlens.', () => {
    const manifest = JSON.parse(read('clients/vscode/package.json')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    const properties = manifest.contributes.configuration.properties;
    const serverSettings = Object.fromEntries(Object.entries(properties).filter(([key]) => !CLIENT_ONLY.includes(key)));
    assert.deepEqual(serverSettings, Object.fromEntries(Object.entries(SETTINGS).map(([key, s]) => [`runlens.${key}`, { ...s, scope: 'resource' }])));
  });

  it('are the Emacs defcustoms runlens-<key in kebab case>', () => {
    const el = read('clients/emacs/runlens.el');
    const defcustoms = [...el.matchAll(/^\(defcustom (runlens-[\w-]+)/gm)].map((m) => m[1]);
    const expected = Object.keys(SETTINGS).map((key) => `runlens-${key.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    assert.deepEqual(expected.filter((name) => !defcustoms.includes(name)), []);
  });
});

/** Settings of the extension itself, not of the server. */
const CLIENT_ONLY = ['runlens.server.path', 'runlens.trace.server'];
