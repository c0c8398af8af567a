// The data the HTML report's page reads (the JSON it embeds), as types only: core/report/model.ts
// builds it, the page's own script (server/src/report-client/) reads it. Nothing here is imported
// at run time, and this file imports nothing, so the page's program (DOM library, no Node) checks
// its reading of the data against these very types: a change here that breaks the page fails the
// build.

export const enum FrameKind {
  Function = 0,
  Sql = 1,
  HttpServer = 2,
  HttpClient = 3,
  /** Calls folded into one frame: too small or too deep to draw. */
  More = 4,
  /** The recording as a whole: the root of a test's tree, above its root calls. */
  Test = 5,
}

/** A tree as the page holds it: node 0 is the root; parents come before their children. */
export interface CompactTree {
  /** Index into the report's string table: function key, SQL shape, route, … */
  name: number[];
  /** Index of the parent node; -1 for the root. */
  parent: number[];
  kind: FrameKind[];
  /**
   * Inclusive time in microseconds as recorded (whole numbers keep the page small); unknown ones
   * are the children's sum. It can be less than the children's sum (they overlapped: concurrent
   * calls, or clocks that disagree): the page draws those children scaled to it and says so.
   */
  us: number[];
  /** SQL queries in the frame and below it. */
  sql: number[];
  /** Calls the frame stands for: 1 for a call, more for a merged or folded frame. */
  calls: number[];
  /** Calls of the subtree that are folded into "more" frames rather than drawn as their own. */
  folded: number;
  /**
   * The tree in call order only: each frame's estimated start, µs after the root's (core/trace.ts
   * Call.startMs: from the order of the recorded events and their times); a "more" frame's is
   * the earliest of its calls'. For the timeline.
   */
  startUs?: number[];
  /** In the page, instead of startUs (smaller: starts follow call order): each frame's start minus the one before it (node 0: its own). */
  startStepUs?: number[];
}

export interface ReportModel {
  title: string;
  /** Names of frames and SQL shapes; trees refer to them by index. */
  strings: string[];
  /** Function key (string index) → `path:line` as recorded. */
  locations: Record<number, string>;
  after: SideView;
  /** With before recordings: their requests and tests that match the after side's embedded ones. */
  before?: SideView;
  /** With a before (recordings or a saved baseline): the comparison, as `runlens compare` makes it. */
  comparison?: ComparisonView;
  findings: FindingView[];
  problems: string[];
  /** What the page left out, for people. */
  notes: string[];
}

export interface SideView {
  /** Workspace-relative paths of the recordings read. */
  recordings: string[];
  /** Listed requests and tests, slowest first; `id` is the index here. */
  entries: EntryView[];
  /** Requests and tests beyond the listed ones, summed up per label (the most time first)… */
  unlisted: UnlistedGroup[];
  /** …and those of the labels beyond MAX_UNLISTED_GROUPS, all together. */
  unlistedRest?: UnlistedRest;
  nEntries: number;
}

export interface UnlistedRest {
  /** Labels (routes, tests) summed up here. */
  groups: number;
  count: number;
  totalMs: number;
  sql: number;
}

/** What a request or test entry is, the same while it is read (PendingEntry) and in the page (EntryView). */
export interface EntryFacts {
  kind: 'request' | 'test';
  /** The route (`GET /books`) or the test's name. */
  label: string;
  /** The request's path and status, its test, the recording. */
  detail: string;
  /** The identity matched between before and after: kind, label, test and ordinal. */
  key: string;
  recording: string;
  /** Time (a test's: its root calls'), SQL queries and calls in it. */
  ms: number;
  sql: number;
  calls: number;
}

export interface EntryView extends EntryFacts {
  id: number;
  /** In call order; absent when not embedded (see REPORT_LIMITS). */
  tree?: CompactTree;
  /** Same-named sibling calls merged: the flame graph's tree. */
  merged?: CompactTree;
  sqlShapes: SqlShapeView[];
  /** Shapes beyond sqlShapes, with their queries. */
  moreSqlShapes: { shapes: number; count: number };
  /** Indices into ReportModel.findings of the findings placed in this entry. */
  findings: number[];
}

export interface SqlShapeView {
  /** Index into strings. */
  shape: number;
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface UnlistedGroup {
  kind: 'request' | 'test';
  label: string;
  count: number;
  totalMs: number;
  maxMs: number;
  sql: number;
}

export interface FindingView {
  rule: string;
  severity: string;
  message: string;
  detail?: string;
  path: string;
  line: number;
  count: number;
  scope?: string;
  related: { sql: string; count: number }[];
  /** The link to its line (`--link-base` or relative to the report), when its path can be one. */
  href?: string;
  /** Its fix, as the Markdown report shows it: the lines the edit changes as a diff, or the new code, or a hint. */
  fix?: FixView;
  /** Where the finding is in the recorded trees, the recording with the largest count first. */
  targets: FindingTarget[];
}

export interface FixView {
  /** The edit's place (none for a hint). */
  path?: string;
  line?: number;
  endLine?: number;
  href?: string;
  /** `-` the lines now, `+` the same lines edited (core/report/markdown.ts editDiff). */
  diff?: string[];
  /** The edit's new text, when the file's text is not known. */
  code?: string;
  /** A fix in words, when there is no exact edit. */
  hint?: string;
}

export interface FindingTarget {
  /** Index into after.entries. */
  entry: number;
  recording: string;
  /** In the entry's tree in call order: the frame to zoom to and the frames to highlight. */
  focus: number;
  frames: number[];
  /** The same in the merged tree. */
  mergedFocus: number;
  mergedFrames: number[];
  /** The finding's frames in the recording, of which `frames` are those embedded. */
  nFrames: number;
}

export interface ComparisonView {
  sources: { before: string; after: string };
  recordings: { before: number; after: number };
  regressed: boolean;
  regressions: string[];
  sections: ComparisonSection[];
  findings: ComparisonFinding[];
  notes: string[];
}

/** A finding resolved, new or changed since before, as `runlens compare` lists it. */
export interface ComparisonFinding {
  status: 'resolved' | 'new' | 'changed';
  text: string;
  /** What it is, short (the message up to its colon: `N+1`), for a request's or test's headline. */
  name: string;
  /** The route or test it is in, when it is in one. */
  scope?: string;
}

export interface ComparisonSection {
  title: string;
  perCall: string;
  calls: string;
  rows: ComparisonRow[];
  /** Entries with nothing notable, counted rather than listed. */
  hidden: number;
}

export interface ComparisonRow {
  key: string;
  time: string;
  change: string;
  sql: string;
  calls: string;
  noise: string;
  regression: boolean;
}
