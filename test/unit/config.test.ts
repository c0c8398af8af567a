// How partial configs are resolved over the defaults (the documentation of each key is checked
// by settings.test.ts).

import * as assert from 'node:assert/strict';
import { DEFAULT_CONFIG, resolveConfig, resolveConfigWithProblems } from '../../server/src/core/config';

describe('configuration', () => {
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
