// One measurement in a fresh process, so that peak memory (max RSS) belongs to it alone.
// Usage: node measure.js <json-parse|runlens-read|runlens-scan|idle> <file> [root]
// Prints one JSON line: { ms, parseMs?, maxRssMB, calls? }.

import * as fs from 'node:fs';
import { scan } from '../../server/src/cli/scan';
import { resolveConfig } from '../../server/src/core/config';
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
    const { trace, problems } = readRecordingFileSync(file, file);
    if (problems.some((p) => p.severity === 'error')) throw new Error(JSON.stringify(problems));
    result.calls = trace.calls.length;
  } else if (mode === 'runlens-scan') {
    const output = await scan(root, [file], resolveConfig({}));
    result.findings = output.findings.length;
    result.count = output.findings[0]?.count ?? 0;
  } else if (mode !== 'idle') throw new Error(`unknown mode ${mode}`);
  result.ms = ms();
  result.maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
