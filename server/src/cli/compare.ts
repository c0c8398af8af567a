// `runlens compare BEFORE AFTER`: each side is recordings (read through scan, as `runlens scan`
// reads them) or a saved baseline; prints the change per route, test and function, the findings
// new and resolved, and exits 1 when something regressed beyond the thresholds.

import * as path from 'node:path';
import { Baseline } from '../core/baseline/baseline';
import { compare } from '../core/baseline/compare';
import { compareJson, compareMarkdown, compareText } from '../core/baseline/report';
import { CompareConfig, resolveConfig, RunlensConfig, Severity } from '../core/config';
import { Problem } from '../core/problem';
import { baselineOfRecordings, readSavedBaseline, rootOf } from './baseline';
import { Io, printProblems, readConfigFile } from './scan';
import { COMPARE_USAGE, eachArg, isOption, oneOf, unknownOption, UsageError } from './usage';
import { append } from '../core/arrays';

export interface CompareOptions {
  /** Recordings or folders of them, or one baseline file. */
  before: string[];
  /** The same; empty means the recordings under the root. */
  after: string[];
  root: string;
  format: 'text' | 'markdown' | 'json';
  configFile: string | undefined;
  all: boolean;
  /** Thresholds given as flags, over those of --config. */
  thresholds: Partial<CompareConfig>;
}

export function parseCompareArgs(args: string[]): CompareOptions {
  const options: CompareOptions = { before: [], after: [], root: '.', format: 'text', configFile: undefined, all: false, thresholds: {} };
  const positional: string[] = [];
  let baseline: string | undefined;
  eachArg(args, (flag, value, arg) => {
    switch (flag) {
      case '--root':
        options.root = value();
        break;
      case '--format':
        options.format = oneOf(flag, value(), ['text', 'markdown', 'json'] as const);
        break;
      case '--config':
        options.configFile = value();
        break;
      case '--all':
        options.all = true;
        break;
      case '--baseline':
        baseline = value();
        break;
      case '--before':
        options.before.push(value());
        break;
      case '--after':
        options.after.push(value());
        break;
      case '--max-time-increase': {
        const v = value();
        const m = /^(\d+(?:\.\d+)?)\s*(%|ms)$/.exec(v);
        if (!m) throw new UsageError(`--max-time-increase takes a percentage or milliseconds (20% or 10ms), not "${v}"`);
        if (m[2] === '%') options.thresholds.maxTimeIncreasePercent = Number(m[1]);
        else options.thresholds.maxTimeIncreaseMs = Number(m[1]);
        break;
      }
      case '--max-sql-increase': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--max-sql-increase takes a whole number of at least 0, not "${v}"`);
        options.thresholds.maxSqlIncrease = Number(v);
        break;
      }
      case '--fail-on-new':
        options.thresholds.failOnNewFinding = oneOf<Severity | 'never'>(flag, value(), ['error', 'warning', 'info', 'never']);
        break;
      case '--noise-factor': {
        const v = value();
        if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`--noise-factor takes a number of at least 0, not "${v}"`);
        options.thresholds.noiseFactor = Number(v);
        break;
      }
      default:
        if (isOption(flag)) throw unknownOption(flag, COMPARE_USAGE);
        positional.push(arg);
    }
  });
  const sides = options.before.length + options.after.length > 0;
  if (baseline !== undefined) {
    if (options.before.length) throw new UsageError('--baseline and --before both give BEFORE: use one');
    options.before = [baseline];
    append(options.after, positional);
  } else if (sides) {
    if (positional.length) throw new UsageError(`with --before and --after, "${positional[0]}" is neither: give it as --before or --after`);
    if (!options.before.length || !options.after.length) throw new UsageError('compare needs both --before and --after');
  } else {
    if (positional.length !== 2) throw new UsageError(`compare needs two paths, BEFORE and AFTER (or --baseline FILE); ${positional.length ? positional.length : 'none'} given`);
    options.before = [positional[0]];
    options.after = [positional[1]];
  }
  return options;
}

export async function runCompare(options: CompareOptions, io: Io): Promise<number> {
  const root = rootOf(options.root, io);
  const config = options.configFile ? readConfigFile(path.resolve(io.cwd, options.configFile)) : resolveConfig({});
  const thresholds: CompareConfig = { ...config.compare, ...options.thresholds };
  const before = await readSide('BEFORE', options.before, root, config, io);
  const after = await readSide('AFTER', options.after.length ? options.after : [root], root, config, io);
  const problems = [...before.problems, ...after.problems];
  const comparison = compare(before.baseline, after.baseline, thresholds);
  const sources = { before: before.label, after: options.after.length ? after.label : options.root };
  if (options.format === 'json') io.stdout(compareJson(comparison, problems, { sources }));
  else {
    printProblems(problems, io);
    io.stdout(options.format === 'markdown' ? compareMarkdown(comparison, { all: options.all, sources }) : compareText(comparison, { all: options.all, sources }));
  }
  return comparison.regressed ? 1 : 0;
}

// ---- helpers ----------------------------------------------------------------------------------

/** One side: a saved baseline (one `.json` file that is not a recording), else recordings (also the MCP server's compare). */
export async function readSide(name: string, given: string[], root: string, config: RunlensConfig, io: Io): Promise<{ baseline: Baseline; problems: Problem[]; label: string }> {
  const label = given.map((p) => (path.isAbsolute(p) ? p : p.split(path.sep).join('/'))).join(', ');
  const abs = given.map((p) => path.resolve(io.cwd, p));
  if (abs.length === 1 && abs[0].endsWith('.json') && !abs[0].endsWith('.appmap.json')) {
    return { ...readSavedBaseline(name, given[0], root, io), label };
  }
  const { baseline, problems } = await baselineOfRecordings(root, abs, config, name, { syncReads: true });
  return { baseline, problems, label };
}
