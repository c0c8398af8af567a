// The streaming JSON parser: JSONTestSuite conformance (every y_ accepted, every n_ rejected with a
// byte offset, no i_ crashes), values split at every chunk boundary, and clear problems.

import * as assert from 'node:assert/strict';
import { JsonStreamParser, JsonVisitor, Mode } from '../../server/src/core/json/streamParser';
import { seededRandom } from '../support/random';

/** Parses `bytes` fed in chunks of `chunkBytes`, building the whole value; returns it or the problem. */
function parse(bytes: Buffer, chunkBytes = bytes.length || 1): { value?: unknown; problem?: string; byteOffset?: number } {
  let value: unknown;
  const visitor: JsonVisitor = {
    onKey: () => Mode.Build,
    onElement: () => Mode.Build,
    onValue: (v) => (value = v),
    onOpen: () => undefined,
    onClose: () => undefined,
  };
  const parser = new JsonStreamParser(visitor);
  // The top level is built too: a visitor that builds everything from the start.
  (parser as unknown as { nextMode: Mode }).nextMode = Mode.Build;
  for (let i = 0; i < bytes.length; i += chunkBytes) parser.write(bytes.subarray(i, i + chunkBytes));
  parser.end();
  return parser.problem ? { problem: parser.problem.message, byteOffset: parser.problem.byteOffset } : { value };
}

function checkParse(text: string, expected: unknown): void {
  const bytes = Buffer.from(text, 'utf8');
  for (const chunk of [bytes.length || 1, 1, 2, 3, 7]) {
    const r = parse(bytes, chunk);
    assert.equal(r.problem, undefined, `chunk ${chunk}: ${r.problem}`);
    assert.deepEqual(r.value, expected, `chunk ${chunk}`);
  }
}

function checkProblem(text: string, expected: string): void {
  const r = parse(Buffer.from(text, 'utf8'), 1);
  assert.equal(`${r.byteOffset}: ${r.problem}`, expected);
}

describe('JSON stream parser', () => {
  it('builds values identical to JSON.parse across every chunk split', () => {
    const text = '{"a":[1,-2.5e3,0,true,false,null],"s":"h\\u00e9llo \\"q\\" \\n \\ud83d\\ude00 ü","n":{"":{}},"e":[]}';
    checkParse(text, JSON.parse(text));
  });

  it('reads decimals exactly as Number() does (the fast path for elapsed times), whole and split anywhere', () => {
    const random = seededRandom(20261125);
    const texts: string[] = ['0.0', '-0.0', '0.1', '0.30000000000000004', '123456789012345.6', '1.7976931348623157', '9007199254740993.0'];
    for (let k = 0; k < 20_000; k++) {
      const intDigits = String(Math.floor(random() * 10 ** Math.floor(random() * 9)));
      let fraction = '';
      for (let d = 1 + Math.floor(random() * 12); d > 0; d--) fraction += Math.floor(random() * 10);
      texts.push(`${random() < 0.3 ? '-' : ''}${intDigits}.${fraction}`);
    }
    const bytes = Buffer.from(`[${texts.join(',')}]`);
    const whole = parse(bytes).value as number[];
    const split = parse(bytes, 7).value as number[];
    const wrong = texts.filter((t, k) => !Object.is(whole[k], Number(t)) || !Object.is(split[k], Number(t)));
    assert.deepEqual(wrong, []);
  });

  it('reports where and why a document is malformed', () => {
    checkProblem('{"a":1,}', '7: expected a member name after ",", found "}"');
    checkProblem('[1 2]', '3: expected "," or "]" after an array element, found "2"');
    checkProblem('{"a" 1}', '5: expected ":" after a member name, found "1"');
    checkProblem('[01]', '2: expected "," or "]" after an array element, found "1"');
    checkProblem('["a\tb"]', '3: control character inside a string (must be escaped), found byte 0x09');
    checkProblem('["\\x"]', '3: invalid escape sequence in a string, found "x"');
    checkProblem('[tru]', '4: invalid literal (expected "true"), found "]"');
    checkProblem('{"events":[{"id":1', '18: unexpected end of file inside a value that starts at byte 17: the file is truncated');
    checkProblem('{"events":[{"id":1}', '19: unexpected end of file with 2 containers still open: the file is truncated');
    checkProblem('{"sql":"SELECT', '14: unexpected end of file inside a string that starts at byte 7: the file is truncated');
    checkProblem('', '0: the file is empty: no JSON value');
    checkProblem('{} x', '3: unexpected content after the end of the JSON value, found "x"');
  });
  it('skips a value nested to any depth, matching its brackets (one bit per level), and reads on', () => {
    const delivered: [string, unknown][] = [];
    let key = '';
    const visitor: JsonVisitor = {
      onKey: (k) => ((key = k), k === 'skip' ? Mode.Skip : Mode.Build),
      onElement: () => Mode.Build,
      onValue: (v) => delivered.push([key, v]),
      onOpen: () => undefined,
      onClose: () => undefined,
    };
    const deep = `${'[{"a":'.repeat(500_000)}1${'}]'.repeat(500_000)}`;
    for (const chunk of [1 << 20, 4_099]) {
      delivered.length = 0;
      const parser = new JsonStreamParser(visitor);
      const bytes = Buffer.from(`{"skip":${deep},"after":[2]}`);
      for (let i = 0; i < bytes.length; i += chunk) parser.write(bytes.subarray(i, i + chunk));
      parser.end();
      assert.equal(parser.problem, undefined);
      assert.deepEqual(delivered, [['after', [2]]]);
    }
    // Brackets matched 20,000 levels down, past the depth limit, where only the bits are kept.
    checkProblem(`${'[{"a":'.repeat(20_000)}1]${'}]'.repeat(20_000)}`, `${6 * 20_000 + 1}: expected "," or "}" after an object member, found "]"`);
    checkProblem(`${'{"a":['.repeat(20_000)}1}${']}'.repeat(20_000)}`, `${6 * 20_000 + 1}: expected "," or "]" after an array element, found "}"`);
  });

  it('cuts a built value at the depth limit: the deeper part is skipped and counted, the rest delivered, and reading goes on', () => {
    const delivered: [string, unknown][] = [];
    let key = '';
    const visitor: JsonVisitor = {
      onKey: (k) => ((key = k), Mode.Build),
      onElement: () => Mode.Build,
      onValue: (v) => delivered.push([key, v]),
      onOpen: () => undefined,
      onClose: () => undefined,
    };
    const parser = new JsonStreamParser(visitor, { maxDepth: 5 });
    const text = '{"keep":[1,[2,[3,[4,[5,[6]]]]],7],"also":{"a":{"b":{"c":{"d":{"e":1}}}},"z":2},"after":8}';
    parser.write(Buffer.from(text));
    parser.end();
    assert.equal(parser.problem, undefined);
    assert.deepEqual(delivered, [['keep', [1, [2, [3, [4]]], 7]], ['also', { a: { b: { c: {} } }, z: 2 }], ['after', 8]]);
    assert.deepEqual([parser.deepValues, parser.firstDeepValueAt], [2, text.indexOf('[5')]);
  });

  // JSONTestSuite: test/unit/conformance.test.ts.
});
