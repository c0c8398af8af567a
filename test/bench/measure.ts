// One measurement in a fresh process, so that peak memory (max RSS) belongs to it alone.
// Usage: node [--expose-gc] measure.js <json-parse|runlens-read|tokenize|runlens-scan|idle> <file> [root]
// Prints one JSON line: { ms, parseMs?, maxRssMB, calls?, retainedMB?, sqlTextMB? }.
//   tokenize: the JSON parser alone, every value skipped (validated, not decoded): the byte loop's floor.
//   runlens-read with --expose-gc: also the heap the read trace keeps (after a full GC), and how
//   much of it is SQL text.

import * as fs from 'node:fs';
import { scan } from '../../server/src/cli/scan';
import { resolveConfig } from '../../server/src/core/config';
import { JsonStreamParser, Mode } from '../../server/src/core/json/streamParser';
import { readRecordingFileSync } from '../../server/src/node/readRecordingFile';

async function main(): Promise<void> {
  const [mode, file, root] = process.argv.slice(2);
  const start = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
  const result: Record<string, number> = {};
  if (mode === 'json-parse') {
    const text = fs.readFileSync(file, 'utf8');
    const readMs = ms();
    const value = JSON.parse(text);
    result.parseMs = ms() - readMs;
    result.calls = value.events.length / 2;
  } else if (mode === 'runlens-read') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const { trace, problems } = readRecordingFileSync(file, file);
    if (problems.some((p) => p.severity === 'error')) throw new Error(JSON.stringify(problems));
    result.calls = trace.calls.length;
    if (gc) {
      result.ms = ms();
      gc();
      result.retainedMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
      // One-byte strings: 16 B of header (rounded to 8) plus a byte per character; one text per literal-free key.
      result.sqlTextMB = trace.calls.sqlTexts.reduce((n, t) => n + 16 + Math.ceil(t.text.length / 8) * 8, 0) / 2 ** 20;
    }
  } else if (mode === 'tokenize') {
    const skipAll = { onKey: () => Mode.Skip, onElement: () => Mode.Skip, onValue() {}, onOpen() {}, onClose() {} };
    const parser = new JsonStreamParser(skipAll);
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) parser.write(buffer.subarray(0, n));
    fs.closeSync(fd);
    parser.end();
    if (parser.problem) throw new Error(parser.problem.message);
  } else if (mode === 'runlens-scan') {
    const output = await scan(root, [file], resolveConfig({}));
    result.findings = output.findings.length;
    result.count = output.findings[0]?.count ?? 0;
  } else if (mode !== 'idle') throw new Error(`unknown mode ${mode}`);
  result.ms ??= ms();
  result.maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
