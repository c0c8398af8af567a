// The command line on OpenTelemetry traces: `runlens scan` finds the otel-probe's traces under
// .runlens/traces/ by the default `traces` globs and prints each N+1 on its exact line; `runlens
// compare` of the trace against itself finds nothing new. The traces are the real SDK's
// (test/workspaces/otel-probe/record.js).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runlens } from '../support/cli';

const PROBE = path.join(__dirname, '../../../../test/workspaces/otel-probe');

describe('runlens scan and compare on OTLP JSON traces (otel-probe)', function () {
  this.timeout(120_000);
  let root: string;

  before(() => {
    // A copy elsewhere, as a checkout on another machine: the traces' absolute paths are mapped.
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-otlp-cli-')));
    fs.cpSync(path.join(PROBE, 'src'), path.join(root, 'src'), { recursive: true });
    fs.cpSync(path.join(PROBE, '.runlens'), path.join(root, '.runlens'), { recursive: true });
    const recorded = /"key":"process\.command","value":\{"stringValue":"([^"]+)\/record\.js"\}/.exec(fs.readFileSync(path.join(PROBE, '.runlens/traces/stacks.otlp.jsonl'), 'utf8'))?.[1];
    assert.ok(recorded);
    fs.writeFileSync(path.join(root, 'runlens.json'), JSON.stringify({ pathMappings: { [recorded]: '.' } }));
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('scan finds the traces by the default globs and prints each N+1 on its line', () => {
    assert.deepEqual(runlens(['scan', '--config', 'runlens.json'], root), {
      code: 1,
      stdout: [
        'src/app.js:8:25 error N+1: 12 queries from this query (12 × books) [n-plus-one]',
        'src/app.js:10:5 error N+1: 12 queries from this query (12 × books) [n-plus-one]',
        'src/app.js:16:25 error N+1: 12 queries from this query (12 × books) [n-plus-one]',
        'src/app.js:19:7 error N+1: 12 queries from this query (12 × books) [n-plus-one]',
        '2 recordings read, 4 findings (4 errors, 0 warnings)',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('compare of a trace with itself: no finding new or resolved, no regression', () => {
    const trace = '.runlens/traces/stacks.otlp.jsonl';
    const r = runlens(['compare', '--config', 'runlens.json', trace, trace], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nFindings: 0 resolved, 0 new\n/);
    assert.match(r.stdout, /\nNo regression\.\n/);
  });
});
