// The Node side of the HTML report: reads the recordings (one trace in memory at a time), the
// flame graph library's browser builds from node_modules and the page's own script (compiled from
// server/src/report-client/ beside this file's folder), then hands them to the pure core
// (core/report/), which builds the page. `renderHtmlReportFromFiles` is what `runlens report
// --format html` calls.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, baselineOf } from '../core/baseline/baseline';
import { compare, Comparison } from '../core/baseline/compare';
import { RunlensConfig } from '../core/config';
import { Finding, mergeFindings } from '../core/findings/finding';
import { findingsOf } from '../core/findings/index';
import { withoutIgnored } from '../core/fixes/ignore';
import { Fix, fixOf } from '../core/fixes/index';
import { RecordingSummary, summarize } from '../core/index/summary';
import { Problem } from '../core/problem';
import { ClientModule, linkClientScript } from '../core/report/clientScript';
import { InlineLibrary, renderHtml } from '../core/report/html';
import { createSideBuilder, reportModel, ReportModel, SideResult } from '../core/report/model';
import { SourceIndex } from '../core/sourceIndex';
import { findRecordings, readEach } from './recordings';
import { grammarProblems, loadParsersOrProblem } from './treeSitter';
import { workspaceFiles } from './workspaceFiles';
import { append } from '../core/arrays';

export interface HtmlReportRequest {
  /** The workspace root (absolute). */
  root: string;
  /** Absolute paths of the recordings to show (a folder stands for the recordings under it). */
  recordings: string[];
  /** Before recordings (shown side by side) or a saved baseline (a before/after table). */
  before?: { recordings: string[] } | { baseline: Baseline };
  config: RunlensConfig;
  title: string;
  /** What links to source lines start with (`--link-base`, or relative from the report's folder to the root: `../`); none: no links. */
  linkBase?: string;
  /** Problems met while listing the recordings (cli/scan.ts findRecordings), shown with the others. */
  listed?: Problem[];
  /** Read the recordings with blocking calls (recordings.ts readEach): the command line does. */
  syncReads?: boolean;
}

export async function renderHtmlReportFromFiles(input: HtmlReportRequest): Promise<string> {
  return renderHtml(await htmlReportModel(input), flameGraphLibraries(), reportClientScript());
}

/** The report's data, read from the files (what the page embeds as JSON). */
export async function htmlReportModel(input: HtmlReportRequest): Promise<ReportModel> {
  const problems: Problem[] = [...(input.listed ?? [])];
  const parsers = await loadParsersOrProblem(problems);
  const index = new SourceIndex(workspaceFiles(input.root), parsers, input.config);
  const withBefore = input.before !== undefined;
  const afterFiles = expand(input.recordings);
  const after = await readSide(input.root, afterFiles, index, input.config, createSideBuilder(), withBefore, problems, input.syncReads);
  // `runlens: ignore` comments silence a finding here as in `runlens scan`.
  const findings = withoutIgnored(mergeFindings(after.findings), (p) => index.text(p));
  let before: SideResult | undefined;
  let comparison: Comparison | undefined;
  let sources: { before: string; after: string } | undefined;
  const afterBaseline = () => baselineOf(after.summaries, { findings });
  if (input.before && 'recordings' in input.before) {
    const beforeFiles = expand(input.before.recordings);
    // The before side embeds the trees of the requests and tests whose trees the after side has.
    const treesFor = new Set(after.side.entries.filter((e) => e.tree).map((e) => e.key));
    const read = await readSide(input.root, beforeFiles, index, input.config, createSideBuilder({ treesFor }), true, problems, input.syncReads);
    before = read.side;
    const beforeFindings = withoutIgnored(mergeFindings(read.findings), (p) => index.text(p));
    comparison = compare(baselineOf(read.summaries, { findings: beforeFindings }), afterBaseline(), input.config.compare);
    sources = { before: countOf(beforeFiles.length), after: countOf(afterFiles.length) };
  } else if (input.before && 'baseline' in input.before) {
    comparison = compare(input.before.baseline, afterBaseline(), input.config.compare);
    sources = { before: 'a saved baseline', after: countOf(afterFiles.length) };
  }
  // Each finding's fix, as `runlens scan --fix-hints` and the Markdown report give it.
  const fixes = new Map<Finding, Fix>();
  for (const f of findings) {
    const fix = fixOf(f, index);
    if (fix) fixes.set(f, fix);
  }
  // A grammar is loaded when a file of its language is first parsed: one that failed is said here.
  append(problems, grammarProblems());
  return reportModel({ title: input.title, after: after.side, before, findings, comparison, sources, problems, fixes, sourceText: (p) => index.text(p), linkBase: input.linkBase });
}

/** The flame graph library and the d3 modules it needs, in load order, read from node_modules. */
export function flameGraphLibraries(): InlineLibrary[] {
  const flameGraph = packageDir('d3-flame-graph', __dirname);
  // d3-flame-graph's browser build expects these d3 modules as the global `d3` (dependencies first).
  const d3 = ['d3-array', 'd3-color', 'd3-dispatch', 'd3-ease', 'd3-format', 'd3-interpolate', 'd3-timer', 'd3-time', 'd3-time-format', 'd3-scale', 'd3-selection', 'd3-transition', 'd3-hierarchy'];
  return [...d3.map((name) => library(packageDir(name, flameGraph), `dist/${name}.min.js`)), library(flameGraph, 'dist/d3-flamegraph.umd.min.js')];
}

/** The folder of the page's compiled script: out/server/src/report-client, beside this file's. */
export const REPORT_CLIENT_DIR = path.join(__dirname, '..', 'report-client');

/** The page's own script: the compiled modules of server/src/report-client, linked into one. */
export function reportClientScript(): string {
  return linkClientScript(reportClientModules());
}

/** The compiled modules of the page's script (tsconfig.report-client.json builds them: npm run build). */
export function reportClientModules(): ClientModule[] {
  let files: string[];
  try {
    files = fs.readdirSync(REPORT_CLIENT_DIR).filter((f) => f.endsWith('.js')).sort();
  } catch {
    files = [];
  }
  if (!files.length) throw new Error(`the HTML report's script is not built (no ${REPORT_CLIENT_DIR}): run npm run build`);
  return files.map((f) => ({ name: f.slice(0, -'.js'.length), code: fs.readFileSync(path.join(REPORT_CLIENT_DIR, f), 'utf8') }));
}

// ---- helpers ----------------------------------------------------------------------------------

interface ReadSide {
  side: SideResult;
  /** Each recording's findings, before merging. */
  findings: Finding[];
  /** When a comparison is made: each recording's summary (what a baseline is made of). */
  summaries: RecordingSummary[];
}

async function readSide(root: string, files: string[], index: SourceIndex, config: RunlensConfig, builder: ReturnType<typeof createSideBuilder>, withSummaries: boolean, problems: Problem[], sync?: boolean): Promise<ReadSide> {
  const findings: Finding[] = [];
  const summaries: RecordingSummary[] = [];
  await readEach(
    root,
    files,
    problems,
    (result) => {
      let own: Finding[];
      if (withSummaries) {
        const summary = summarize(result.trace, result.problems, index, config);
        summaries.push(summary);
        own = summary.findings;
      } else own = findingsOf(result.trace, index, config);
      append(findings, own);
      builder.addRecording(result.trace, own);
    },
    { analysing: 'building the report', sync },
  );
  return { side: builder.finish(), findings, summaries };
}

/** Files as given; a folder stands for the recordings (`*.appmap.json`) under it; a missing file is read like the others and reported as a problem. */
function expand(paths: string[]): string[] {
  return findRecordings(paths, { given: 'read' });
}

function countOf(n: number): string {
  return n === 1 ? '1 recording' : `${n} recordings`;
}

/**
 * The folder of package `name` as Node would find it from `from` (nested node_modules first).
 * Not require.resolve: the d3 packages' "exports" do not let their browser builds be required.
 */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`${name} is not installed (needed by the HTML report): run npm install`);
}

function library(dir: string, file: string): InlineLibrary {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const licenseFile = fs.readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
  return {
    name: pkg.name,
    version: pkg.version,
    license: pkg.license ?? 'see its package',
    licenseText: licenseFile ? fs.readFileSync(path.join(dir, licenseFile), 'utf8') : `See the ${pkg.name} package.`,
    code: fs.readFileSync(path.join(dir, file), 'utf8'),
  };
}
