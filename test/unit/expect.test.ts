// The re-bless mechanism itself (support/expect.ts): on a temporary test file compiled with its
// source map, a differing expectation fails and says how to re-bless; with UPDATE_EXPECT=1 the
// run passes and the file's literals are rewritten exactly (several in one file, the right one of
// two on a line); run again without it, the rewritten file passes.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { checkParsers } from '../support/check';
import { dedent } from '../support/expect';

const SUPPORT = path.resolve(__dirname, '../support/expect');
const CHECK = path.resolve(__dirname, '../support/check');
const BUILDER = path.resolve(__dirname, '../support/recordingBuilder');

/** A findings fixture built from a shared part (`${MODELS}`), with one marker stale and one missing. */
const FINDINGS_SAMPLE = `import { checkFindings } from ${JSON.stringify(CHECK)};
import { RecordingBuilder } from ${JSON.stringify(BUILDER)};

const MODELS = \`
//- app/models.py
class Report:
    pass
\`;

export function run(): void {
  const r = new RecordingBuilder();
  r.call('app.views', 'totals', 'app/views.py', 1, 2500, () => r.sql('SELECT \\\`total\\\` FROM payments', 1200));
  r.call('app.views', 'fast', 'app/views.py', 4, 1);
  checkFindings(
    \`\${MODELS}
    //- app/views.py
    def totals():
    #@1 ^^^^^^^^^^^^^ warning slow-call: stale
        return 1
    def fast():
        return 2
    \`,
    r,
  );
}
`;

/** A test file in the style of the real ones: a checker comparing its text with expect`…` literals. */
const SAMPLE = `import { assertExpect, expect } from ${JSON.stringify(SUPPORT)};

function checkUpper(text: string, expected: ReturnType<typeof expect>): void {
  assertExpect(text.toUpperCase(), expected);
}

export function run(): void {
  checkUpper('one\\ntwo \`quoted\` \${x}', expect\`
    stale
  \`);
  checkUpper('kept', expect\`KEPT\`);
  checkUpper('a', expect\`A\`); checkUpper('b', expect\`wrong\`);
  if (Math.random() < 2) {
    checkUpper('indented\\n  deeper\\n\\nafter a blank line', expect\`\`);
  }
}
`;

const REBLESSED = `import { assertExpect, expect } from ${JSON.stringify(SUPPORT)};

function checkUpper(text: string, expected: ReturnType<typeof expect>): void {
  assertExpect(text.toUpperCase(), expected);
}

export function run(): void {
  checkUpper('one\\ntwo \`quoted\` \${x}', expect\`
    ONE
    TWO \\\`QUOTED\\\` \\\${X}
  \`);
  checkUpper('kept', expect\`KEPT\`);
  checkUpper('a', expect\`A\`); checkUpper('b', expect\`B\`);
  if (Math.random() < 2) {
    checkUpper('indented\\n  deeper\\n\\nafter a blank line', expect\`
      INDENTED
        DEEPER

      AFTER A BLANK LINE
    \`);
  }
}
`;

/** Compiles `file` (TypeScript) beside itself with its source map, as tsc does, and loads it afresh. */
function load(file: string): { run: () => void } {
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), { fileName: path.basename(file), compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true } });
  const js = file.replace(/\.ts$/, '.js');
  fs.writeFileSync(js, out.outputText);
  fs.writeFileSync(`${js}.map`, out.sourceMapText as string);
  delete require.cache[require.resolve(js)];
  return require(js);
}

function withUpdate<T>(value: string | undefined, f: () => T): T {
  const saved = process.env.UPDATE_EXPECT;
  if (value === undefined) delete process.env.UPDATE_EXPECT;
  else process.env.UPDATE_EXPECT = value;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.UPDATE_EXPECT;
    else process.env.UPDATE_EXPECT = saved;
  }
}

describe('expectations re-blessed in place (UPDATE_EXPECT=1)', () => {
  before(async () => {
    await checkParsers();
  });

  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-expect-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails on a differing text, naming the literal and UPDATE_EXPECT=1, and leaves the file alone', () => {
    const file = path.join(dir, 'sample.test.ts');
    fs.writeFileSync(file, SAMPLE);
    const sample = load(file);
    assert.throws(() => withUpdate(undefined, sample.run), (err: Error) => {
      assert.equal(err.name, 'AssertionError');
      assert.match(err.message, new RegExp(`differs from the expectation at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8 \\(UPDATE_EXPECT=1 rewrites it\\)`));
      return true;
    });
    assert.equal(fs.readFileSync(file, 'utf8'), SAMPLE);
  });

  it('rewrites every differing literal exactly, then the file passes without it', () => {
    const file = path.join(dir, 'sample.test.ts');
    fs.writeFileSync(file, SAMPLE);
    withUpdate('1', load(file).run);
    assert.equal(fs.readFileSync(file, 'utf8'), REBLESSED);
    withUpdate(undefined, load(file).run);
    // A second re-bless has nothing to change.
    withUpdate('1', load(file).run);
    assert.equal(fs.readFileSync(file, 'utf8'), REBLESSED);
  });

  it('rewrites a findings fixture\'s markers under its own lines, around an interpolated part, then it passes', () => {
    const file = path.join(dir, 'findings.test.ts');
    fs.writeFileSync(file, FINDINGS_SAMPLE);
    assert.throws(() => withUpdate(undefined, load(file).run), /UPDATE_EXPECT=1 rewrites them/);
    withUpdate('1', load(file).run);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      FINDINGS_SAMPLE.replace(
        '    #@1 ^^^^^^^^^^^^^ warning slow-call: stale\n',
        '    #@1 ^^^^^^^^^^^^^ warning slow-call: slow call: views#totals took 2.5 s\n    #@1 ^^^^^^^^^^^^^ warning slow-query: slow query: 1.2 s on payments\n',
      ),
    );
    withUpdate(undefined, load(file).run);
  });

  it('reads a literal back as it was written: first line break, common indentation and trailing blank lines dropped', () => {
    assert.equal(dedent('\n    a\n      b\n\n    c\n  '), 'a\n  b\n\nc');
    assert.equal(dedent('one line'), 'one line');
    assert.equal(dedent(''), '');
  });
});
