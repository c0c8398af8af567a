// The n-plus-one rule: the same normalised SELECT repeated under one request or test. Repeated
// shapes are grouped by the query that produced the rows (the source query: the latest SELECT
// before the first repeat that ran fewer times), so one queryset gives one finding with the total
// and a related entry per repeated shape. A shape whose every run had the same text and values is
// no N+1 but a repeated query (repeatedQuery.ts).

import { RunlensConfig } from '../config';
import { Scope } from '../analysis/scopes';
import { factsOf, factsOfSql, shapeOfSql } from '../analysis/stats';
import { Call, Trace } from '../trace';
import { ormByName } from '../orm/index';
import { Anchoring } from '../placement/index';
import { Anchor, Finding } from './finding';
import { formatCount, tableCounts } from './format';
import { sameQuestion } from './group';
import { countWork } from '../workCounter';

export interface NPlusOneResult {
  findings: Finding[];
  /** 1 for the repeated calls of every finding, by call, so that other rules do not report them again. */
  covered: Uint8Array;
}

export function nPlusOneFindings(trace: Trace, scopes: Scope[], anchors: Anchoring, config: RunlensConfig): NPlusOneResult {
  const findings: Finding[] = [];
  const covered = new Uint8Array(trace.calls.length);
  const { warningCount, errorCount, minTotalMs } = config.nPlusOne;
  const { sql: entryOf, sqlTexts } = trace.calls;
  // Per entry (distinct literal-free text), computed once: whether it is a SELECT to judge (1),
  // not (0), or not known yet (-1); its shape's number within the scope being judged.
  const judged = new Int8Array(sqlTexts.length).fill(-1);
  const shapeIdOf = new Int32Array(sqlTexts.length);
  for (const scope of scopes) {
    // Typed arrays here and below: an N+1 of millions of queries keeps 4 bytes per query in each.
    let nSelects = 0;
    const all = new Int32Array(scope.sqlCalls.length);
    for (const c of scope.sqlCalls) {
      const entry = entryOf[c];
      if (judged[entry] === -1) {
        const facts = factsOfSql(sqlTexts[entry]);
        judged[entry] = facts.kind === 'select' && !facts.isCatalog ? 1 : 0;
      }
      if (judged[entry] === 1) all[nSelects++] = c;
    }
    if (nSelects < warningCount) continue;
    const selects = all.subarray(0, nSelects);
    // Positions in `selects` grouped by shape, in call order; one shape lookup per entry, not per call.
    const shapeNames: string[] = [];
    const shapeIds = new Map<string, number>();
    const seenEntries: number[] = [];
    for (const c of selects) {
      const entry = entryOf[c];
      if (judged[entry] !== 2) {
        judged[entry] = 2;
        seenEntries.push(entry);
        const shape = shapeOfSql(sqlTexts[entry]);
        let id = shapeIds.get(shape);
        if (id === undefined) {
          id = shapeNames.length;
          shapeIds.set(shape, id);
          shapeNames.push(shape);
        }
        shapeIdOf[entry] = id;
      }
    }
    // Back to "a SELECT to judge" for the next scope.
    for (const entry of seenEntries) judged[entry] = 1;
    const perShape = new Int32Array(shapeNames.length);
    for (let i = 0; i < selects.length; i++) perShape[shapeIdOf[entryOf[selects[i]]]]++;
    const positionsOf = Array.from(perShape, (n) => new Int32Array(n));
    perShape.fill(0);
    for (let i = 0; i < selects.length; i++) {
      const id = shapeIdOf[entryOf[selects[i]]];
      positionsOf[id][perShape[id]++] = i;
    }
    // The calls of each shape run often enough to be judged (the others are never looked at).
    const byShape = new Map<string, Call[]>();
    for (let id = 0; id < shapeNames.length; id++) if (positionsOf[id].length >= warningCount) byShape.set(shapeNames[id], Array.from(positionsOf[id], (i) => selects[i]));
    const counts = new Int32Array(selects.length);
    for (let i = 0; i < selects.length; i++) counts[i] = positionsOf[shapeIdOf[entryOf[selects[i]]]].length;
    const earlier = earlierFewer(counts);
    // Group the repeated shapes by their source query.
    const groups = new Map<Call | string, { source: Call | undefined; shapes: { shape: string; calls: Call[] }[] }>();
    for (const [shape, calls] of byShape) {
      if (calls.length < warningCount) continue;
      // The same text with the same values each time (an unmemoised current_user per row) asks one
      // question again: no eager loading removes it; the repeated-query rule reports it, for keeping
      // the result.
      if (sameQuestion(trace, calls)) continue;
      const source = sourceQuery(selects, earlier, positionsOf[shapeIds.get(shape) as number]);
      const key = source ?? shape;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { source, shapes: [] }));
      group.shapes.push({ shape, calls });
    }
    for (const group of groups.values()) {
      // One shape's calls are in call order already; several are merged into it.
      const repeated = group.shapes.length === 1 ? group.shapes[0].calls : group.shapes.flatMap((s) => s.calls).sort((a, b) => a - b);
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
      for (const c of repeated) covered[c] = 1;
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
function sourceQuery(selects: Int32Array, earlier: Int32Array, positions: Int32Array): Call | undefined {
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
function earlierFewer(counts: Int32Array): Int32Array {
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
