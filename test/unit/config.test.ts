// The configuration is documented once, in the README's table; this test keeps that table equal
// to the defaults in server/src/core/config.ts, and checks how partial configs are resolved.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG, resolveConfig, resolveConfigWithProblems } from '../../server/src/core/config';
import { REPO } from './corpus';

/** Flattens `{ a: { b: 1 } }` to `{ "a.b": 1 }`. */
function flatten(value: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[prefix + k] = v;
  }
  return out;
}

describe('configuration', () => {
  it('is documented in the README with the defaults of the code', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- config-table'));
    const documented: Record<string, unknown> = {};
    for (const line of table.split('\n').slice(3)) {
      const m = /^\| `([\w.]+)` \| `(.+?)` \|/.exec(line);
      if (!m) break;
      documented[m[1]] = JSON.parse(m[2]);
    }
    assert.deepEqual(documented, flatten(DEFAULT_CONFIG));
  });

  it('takes valid values over the defaults and ignores invalid ones', () => {
    const { config, ignored } = resolveConfigWithProblems({
      nPlusOne: { errorCount: 20, warningCount: -1 },
      slowCallMs: 250,
      slowQueryMs: 'fast',
      sourceRoots: ['java'],
      rules: { 'slow-call': 'off', 'n-plus-one': 'fatal', 'no-such-rule': 'error' },
      lenses: 'yes',
      pathMappings: { '/app': '.' },
    });
    assert.deepEqual(config, {
      ...DEFAULT_CONFIG,
      nPlusOne: { ...DEFAULT_CONFIG.nPlusOne, errorCount: 20 },
      slowCallMs: 250,
      sourceRoots: ['java'],
      rules: { 'slow-call': 'off' },
      pathMappings: { '/app': '.' },
    });
    assert.deepEqual(ignored, [
      'nPlusOne.warningCount: expected a whole number of at least 1; the default is used',
      'slowQueryMs: expected milliseconds, a number of at least 0; the default is used',
      'rules.n-plus-one: expected error, warning, info or off; the default is used',
      'rules.no-such-rule: expected one of n-plus-one, slow-call, slow-request, slow-query, repeated-query, too-many-queries; the default is used',
      'lenses: expected true or false; the default is used',
    ]);
    assert.deepEqual(resolveConfig(null), DEFAULT_CONFIG);
  });
});
