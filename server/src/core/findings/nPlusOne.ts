// The n-plus-one rule: the same normalised SELECT repeated under one request or test. Repeated
// shapes are grouped by the query that produced the rows (the source query: the latest SELECT
// before the first repeat that ran fewer times), so one queryset gives one finding with the total
// and a related entry per repeated shape. A shape whose every run had the same text and values is
// no N+1 but a repeated query (repeatedQuery.ts).

import { RunlensConfig } from '../config';
import { Scope } from '../analysis/scopes';
import { factsOf, shapeOfSql } from '../analysis/stats';
import { append } from '../arrays';
import { Call, Trace } from '../trace';
import { ormByName } from '../orm/index';
import { Anchoring } from '../placement/index';
import { Anchor, Finding } from './finding';
import { formatCount, tableCounts } from './format';
import { groupCalls, sameQuestion } from './group';
import { countWork } from '../workCounter';

export interface NPlusOneResult {
  findings: Finding[];
  /** The repeated calls of every finding, so that other rules do not report them again. */
  covered: Set<Call>;
}

export function nPlusOneFindings(trace: Trace, scopes: Scope[], anchors: Anchoring, config: RunlensConfig): NPlusOneResult {
  const findings: Finding[] = [];
  const covered = new Set<Call>();
  const { warningCount, errorCount, minTotalMs } = config.nPlusOne;
  for (const scope of scopes) {
    const selects = scope.sqlCalls.filter((c) => {
      const facts = factsOf(trace, c);
      return facts.kind === 'select' && !facts.isCatalog;
    });
    if (selects.length < warningCount) continue;
    // Grouped by entry (distinct literal-free text) first, then entries by shape: one shape
    // lookup per entry, not per call.
    const sqlOfCall = trace.calls.sql;
    const byEntry = groupCalls(selects, (c) => sqlOfCall[c]);
    const byShape = new Map<string, Call[]>();
    const groupSize = new Map<number, number>();
    for (const [entry, calls] of byEntry) {
      const shape = shapeOfSql(trace.calls.sqlTexts[entry]);
      const group = byShape.get(shape);
      if (group) append(group, calls);
      else byShape.set(shape, calls.slice());
    }
    for (const [entry] of byEntry) groupSize.set(entry, (byShape.get(shapeOfSql(trace.calls.sqlTexts[entry])) as Call[]).length);
    // Calls of one shape from several entries were appended entry by entry: back to call order.
    for (const calls of byShape.values()) if (!isSorted(calls)) calls.sort((a, b) => a - b);
    const position = new Map<Call, number>();
    for (let i = 0; i < selects.length; i++) position.set(selects[i], i);
    const earlier = earlierFewer(selects.map((c) => groupSize.get(sqlOfCall[c]) as number));
    // Group the repeated shapes by their source query.
    const groups = new Map<Call | string, { source: Call | undefined; shapes: { shape: string; calls: Call[] }[] }>();
    for (const [shape, calls] of byShape) {
      if (calls.length < warningCount) continue;
      // The same text with the same values each time (an unmemoised current_user per row) asks one
      // question again: no eager loading removes it; the repeated-query rule reports it, for keeping
      // the result.
      if (sameQuestion(trace, calls)) continue;
      const source = sourceQuery(selects, earlier, calls.map((c) => position.get(c) as number));
      const key = source ?? shape;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { source, shapes: [] }));
      group.shapes.push({ shape, calls });
    }
    for (const group of groups.values()) {
      const repeated = group.shapes.flatMap((s) => s.calls).sort((a, b) => a - b);
      const { elapsedMs } = trace.calls;
      let totalMs = 0;
      for (const c of repeated) if (!Number.isNaN(elapsedMs[c])) totalMs += elapsedMs[c];
      if (totalMs < minTotalMs) continue;
      group.shapes.sort((a, b) => a.calls[0] - b.calls[0]);
      const count = repeated.length;
      let worst = 0;
      for (const s of group.shapes) worst = Math.max(worst, s.calls.length);
      const anchor = anchors.repeatedQueries(scope.call, group.source, repeated);
      const related = group.shapes.map((s) => ({ sql: s.shape, count: s.calls.length, table: factsOf(trace, s.calls[0]).tables[0] }));
      findings.push({
        rule: 'n-plus-one',
        severity: worst >= errorCount ? 'error' : 'warning',
        message: `N+1: ${formatCount(count)} queries ${wording(anchor)}`,
        detail: tableCounts(related),
        location: anchor.location,
        count,
        related,
        recordings: [trace.recordingPath],
        ref: anchor.ref,
        scope: scope.label,
        ...(anchor.also?.length ? { also: anchor.also } : {}),
      });
      for (const c of repeated) covered.add(c);
    }
  }
  return { findings, covered };
}

/**
 * The query whose rows the repeats iterate: the latest SELECT before the first repeat that ran
 * fewer times than the repeated shape (a sibling repeated shape ran as often, so it is skipped).
 * When there is none, the first repeat was a lone lookup before the loop (Rails' `current_user`
 * before the feed), and the source is looked for between it and the second repeat: the latest
 * SELECT before the second repeat that ran fewer times, if it came after the first.
 */
function sourceQuery(selects: Call[], earlier: Int32Array, positions: number[]): Call | undefined {
  const before = earlier[positions[0]];
  if (before !== -1) return selects[before];
  const between = positions.length > 1 ? earlier[positions[1]] : -1;
  return between > positions[0] ? selects[between] : undefined;
}

/**
 * For each position, the latest earlier position whose count is smaller (-1: none), in one pass
 * over a stack of positions whose counts rise: a position below a later one with a count as small
 * can never be the answer again, so each leaves the stack once. Searching back from each repeated
 * shape instead was quadratic (20,000 shapes run 6 times in one request took 175 s).
 */
function earlierFewer(counts: number[]): Int32Array {
  const earlier = new Int32Array(counts.length);
  const stack: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    countWork();
    while (stack.length && counts[stack[stack.length - 1]] >= counts[i]) {
      countWork();
      stack.pop();
    }
    earlier[i] = stack.length ? stack[stack.length - 1] : -1;
    stack.push(i);
  }
  return earlier;
}

function wording(anchor: Anchor): string {
  switch (anchor.ref.kind) {
    case 'queryset': return `from this ${ormByName(anchor.ref.orm)?.noun ?? 'query'}`;
    case 'sql-statement': return 'from this statement';
    case 'query-site': return 'from this query';
    case 'loop': return anchor.ref.at === 'source' ? 'from this query' : 'from this per-row call';
    case 'function': return 'in this function, exact line unknown';
    case 'test': return 'in this test';
    case 'recording': return 'in this recording';
  }
}

function isSorted(calls: Call[]): boolean {
  for (let i = 1; i < calls.length; i++) if (calls[i - 1] > calls[i]) return false;
  return true;
}
