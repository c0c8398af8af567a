// `runlens report`: one document about a set of recordings, for people: Markdown to paste into a
// ticket, a pull request or a CI job summary, or a self-contained HTML page. With --baseline or
// --before it shows before and after. The recordings are read as `runlens scan` reads them; the
// comparison is core/baseline's, as in `runlens compare`. Always exits 0 when the report is
// written: gating is scan's and compare's job.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, baselineOf } from '../core/baseline/baseline';
import { compare } from '../core/baseline/compare';
import { resolveConfig } from '../core/config';
import { RecordingSummary } from '../core/index/summary';
import { Problem } from '../core/problem';
import { reportMarkdown } from '../core/report/markdown';
import { SourceIndex, SourceLocation } from '../core/sourceIndex';
import { loadParsersOrProblem } from '../node/treeSitter';
import { displayPath, workspaceFiles } from '../node/workspaceFiles';
import { baselineOfRecordings, readSavedBaseline, rootOf } from './baseline';
import { findRecordings, Io, noRecordings, printProblems, readConfigFile, scan } from './scan';
import { eachArg, isOption, oneOf, REPORT_USAGE, unknownOption, UsageError } from './usage';
import { append } from '../core/arrays';

export interface ReportOptions {
  /** Recordings or folders of them; empty means every recording under the root. */
  paths: string[];
  root: string;
  format: 'markdown' | 'html';
  /** A saved baseline to compare with. */
  baseline: string | undefined;
  /** Recordings (or folders) of the earlier run to compare with. */
  before: string[];
  /** The file to write; undefined (or `-`) for stdout. */
  output: string | undefined;
  configFile: string | undefined;
  /** What links to source lines start with (Markdown); undefined: relative to where the report is. */
  linkBase: string | undefined;
  /** The report's heading; default `runlens report: <root folder name>`. */
  title: string | undefined;
  /** No recordings found is not an error: the report says so (for pipelines that may have none). */
  allowEmpty?: boolean;
}

export function parseReportArgs(args: string[]): ReportOptions {
  const options: ReportOptions = { paths: [], root: '.', format: 'markdown', baseline: undefined, before: [], output: undefined, configFile: undefined, linkBase: undefined, title: undefined };
  eachArg(args, (flag, value, arg) => {
    switch (flag) {
      case '--root':
        options.root = value();
        break;
      case '--format':
        options.format = oneOf(flag, value(), ['markdown', 'html'] as const);
        break;
      case '--baseline':
        options.baseline = value();
        break;
      case '--before':
        options.before.push(value());
        break;
      case '-o':
      case '--output':
        options.output = value();
        break;
      case '--config':
        options.configFile = value();
        break;
      case '--link-base':
        options.linkBase = value();
        break;
      case '--title':
        options.title = value();
        break;
      case '--allow-empty':
        options.allowEmpty = true;
        break;
      default:
        if (isOption(flag)) throw unknownOption(flag, REPORT_USAGE);
        options.paths.push(arg);
    }
  });
  if (options.baseline !== undefined && options.before.length) throw new UsageError('--baseline and --before both give the earlier run: use one');
  return options;
}

export async function runReport(options: ReportOptions, io: Io): Promise<number> {
  const root = rootOf(options.root, io);
  const config = options.configFile ? readConfigFile(path.resolve(io.cwd, options.configFile)) : resolveConfig({});
  const searched = options.paths.length ? options.paths.map((p) => path.resolve(io.cwd, p)) : [root];
  const listed: Problem[] = [];
  const recordings = findRecordings(searched, { problems: listed, root, traces: config.traces });
  if (recordings.length === 0 && !options.allowEmpty) throw noRecordings(searched, undefined, listed);
  const savedBaseline = options.baseline === undefined ? undefined : readSavedBaseline('--baseline', options.baseline, root, io).baseline;
  const output = options.output === undefined || options.output === '-' ? undefined : path.resolve(io.cwd, options.output);
  const title = options.title ?? `runlens report: ${path.basename(root)}`;

  const text = options.format === 'html' ? await renderHtml() : await renderMarkdown();
  if (output === undefined) io.stdout(text);
  else {
    try {
      fs.mkdirSync(path.dirname(output), { recursive: true });
      fs.writeFileSync(output, text);
    } catch (err) {
      throw new UsageError(`cannot write ${output}: ${(err as Error).message}`);
    }
    io.stdout(`report written to ${displayPath(io.cwd, output)}\n`);
  }
  return 0;

  /** The Markdown report: the recordings read as scan reads them, compared as compare does. */
  async function renderMarkdown(): Promise<string> {
    const scanned = await scan(root, recordings, config, { withSummaries: true, withFixes: true, listed, syncReads: true });
    const current = baselineOf(scanned.summaries, { findings: scanned.findings });
    const problems = [...scanned.problems];
    // The warnings that a root holds few of the recorded files: said apart from the problems reading recordings.
    let wrongRoots = scanned.wrongRoot ? 1 : 0;
    let comparison;
    if (savedBaseline || options.before.length) {
      let before: Baseline;
      if (savedBaseline) before = savedBaseline;
      else {
        const earlier = await baselineOfRecordings(root, options.before.map((p) => path.resolve(io.cwd, p)), config, '--before', { syncReads: true });
        append(problems, earlier.problems);
        if (earlier.wrongRoot) wrongRoots++;
        before = earlier.baseline;
      }
      const sources = { before: options.baseline ?? options.before.map(displayArg).join(', '), after: options.paths.length ? options.paths.map(displayArg).join(', ') : options.root };
      comparison = { comparison: compare(before, current, config.compare), sources };
    }
    printProblems(problems, io);
    // Parsers that cannot be loaded were reported by scan already: recorded lines are used.
    const index = new SourceIndex(workspaceFiles(root), await loadParsersOrProblem([]), config);
    // Links relative to where the report is read: the root for stdout (pasted or committed there),
    // else the output file's folder, so that a committed report links to the lines beside it.
    const linkBase = options.linkBase === undefined ? relativeBase(output ? path.dirname(output) : root, root) : withSlash(options.linkBase);
    return reportMarkdown(
      {
        title,
        nRecordings: recordings.length,
        nProblems: problems.length - wrongRoots,
        wrongRoot: wrongRoots > 0,
        findings: scanned.findings,
        fixes: scanned.fixes,
        current,
        functionLocations: locateFunctions(index, scanned.summaries),
        sourceText: (p) => index.text(p),
        comparison,
      },
      { linkBase },
    );
  }

  /** The HTML page (node/reportAssets.ts), loaded only when asked for: it inlines a flame graph library. */
  async function renderHtml(): Promise<string> {
    const { renderHtmlReportFromFiles } = await import('../node/reportAssets');
    const before = savedBaseline ? { baseline: savedBaseline } : options.before.length ? { recordings: earlierRecordings() } : undefined;
    // Links as the Markdown report's: relative from the page's folder to the root (the root for stdout), or --link-base.
    const linkBase = options.linkBase === undefined ? relativeBase(output ? path.dirname(output) : root, root) : withSlash(options.linkBase);
    return renderHtmlReportFromFiles({ root, recordings, before, config, title, listed, linkBase, syncReads: true });
  }

  /** The --before recordings, as for the other side: a missing path or none found is a usage error (--allow-empty is for the report's own). */
  function earlierRecordings(): string[] {
    const searchedBefore = options.before.map((p) => path.resolve(io.cwd, p));
    const found = findRecordings(searchedBefore, { problems: listed, root, traces: config.traces });
    if (found.length === 0) throw noRecordings(searchedBefore, '--before', listed);
    return found;
  }
}

// ---- helpers ----------------------------------------------------------------------------------

/** Where each recorded function of the project is defined now, by function key. */
function locateFunctions(index: SourceIndex, summaries: RecordingSummary[]): Map<string, SourceLocation> {
  const out = new Map<string, SourceLocation>();
  for (const s of summaries) {
    for (const [key, fn] of s.functions) {
      if (out.has(key)) continue;
      const located = index.locate(fn);
      if (located) out.set(key, located.location);
    }
  }
  return out;
}

/** `../` from `from` to the root, `""` at the root itself; POSIX separators, ending with a slash. */
function relativeBase(from: string, root: string): string {
  const rel = path.relative(from, root).split(path.sep).join('/');
  return rel ? `${rel}/` : '';
}

function withSlash(base: string): string {
  return base === '' || base.endsWith('/') ? base : `${base}/`;
}

/** A path as the user gave it, with POSIX separators. */
function displayArg(p: string): string {
  return path.isAbsolute(p) ? p : p.split(path.sep).join('/');
}

