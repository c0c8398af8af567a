// What a rule reports: a Finding with rule id, severity, message, location, count, related
// entries and the place it sits by identity (AnchorRef). Plain data, shared by the rules, placement
// (core/placement/), the ORMs (core/orm/), the CLI, the server and the reports; it imports no module
// of theirs, so all of them can import it.

import { RuleName, Severity } from '../config';
import { FunctionIdentity, SourceLocation } from '../sourceIndex';
import { countWork } from '../workCounter';

export type RuleId = RuleName;

export const RULES: { id: RuleId; summary: string }[] = [
  { id: 'n-plus-one', summary: 'The same SELECT repeated once per row of an earlier query, under one request or test.' },
  { id: 'slow-call', summary: 'A call to a project function that took longer than slowCallMs (the innermost such call).' },
  { id: 'slow-request', summary: 'An HTTP request that took longer than slowRequestMs.' },
  { id: 'slow-query', summary: 'One SQL query that took longer than slowQueryMs.' },
  { id: 'repeated-query', summary: 'The identical query, with identical literals, run more than once in one request or test.' },
  { id: 'too-many-queries', summary: 'A request or test that ran more queries than tooManyQueriesCount, not counting those of an N+1 finding.' },
];

export interface RelatedEntry {
  /** Normalised SQL (literals as ?). */
  sql: string;
  count: number;
  /** The main table of the query, where known. */
  table?: string;
}

/** The ORMs runlens knows (core/orm/), by the name an anchor keeps. */
export type OrmName = 'django' | 'rails' | 'sqlalchemy' | 'sequelize' | 'prisma' | 'typeorm' | 'objection' | 'mikro-orm' | 'drizzle' | 'knex' | 'jpa';

/** Where a finding sits, by identity; core/placement's `resolveAnchor` turns it into a location in the current source. */
export type AnchorRef =
  /** The ORM expression that builds the query (Django `Model.objects…`) in a recorded function. */
  | { kind: 'queryset'; orm: OrmName; fn: FunctionIdentity; model: string }
  /** The line in a recorded function that runs the SQL itself. */
  | { kind: 'sql-statement'; fn: FunctionIdentity; table: string }
  /** The definition of a recorded project function. */
  | { kind: 'function'; fn: FunctionIdentity }
  /**
   * The line the recorder says a query was made on (an OTel span's code.stacktrace or
   * code.file.path and code.line.number): exact as recorded, and kept as that line.
   */
  /**
   * The line the trace recorded for the query (code.stacktrace, code.line.number), with its text
   * then, so that it is found again after lines are added or removed above it.
   */
  | { kind: 'query-site'; location: SourceLocation; text?: string }
  /** The recorded test (metadata.recording.source_location), or nowhere in the project: the recording. */
  | { kind: 'test' | 'recording'; location: SourceLocation }
  /**
   * An N+1's loop, found in its host function's text whatever the ORM (core/placement/loopCall.ts):
   * the query before the loop whose rows it iterates (`source`), or the call in it that runs once
   * per row (`per-row`), found again by the repeated queries' tables and filter columns.
   */
  | { kind: 'loop'; at: LoopEnd; host: LoopHost; tables: string[]; columns: string[]; wrapper?: string };

/** An end of an N+1's loop: the query before it, the call in it run per row, or (an ERB partial's loop) the collection render of the template that rendered it. */
export type LoopEnd = 'source' | 'per-row' | 'render';

/**
 * The function whose text holds an N+1's loop: a recorded one (an ERB partial rendered for a
 * collection: with the template that rendered it, `caller`), or the handler of a request's route.
 */
export type LoopHost = { fn: FunctionIdentity; caller?: FunctionIdentity } | { route: { method: string; path: string } };

/** A place: where it is in the current text, and what it is by identity. */
export interface Anchor {
  location: SourceLocation;
  ref: AnchorRef;
  /** Other places of the same code (the per-row call of an N+1 on its source query). */
  also?: AlsoAt[];
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** The diagnostic text, without the related details. */
  message: string;
  /** Short details appended in text output, e.g. "500 × meetups_venue, 500 × meetups_topic". */
  detail?: string;
  /** Where the finding sits; for a finding with no place in the project, the recording file at line 1. */
  location: SourceLocation;
  /** The number the finding is about: queries for SQL rules, calls for slow calls. */
  count: number;
  related: RelatedEntry[];
  /** Recording paths the finding was seen in. */
  recordings: string[];
  /** Where the finding sits by identity, so the server can follow edits (see core/placement/). */
  ref: AnchorRef;
  /** The request or test the finding belongs to, e.g. "GET /meetings/past/". */
  scope?: string;
  /** For the slow-* rules: the time of the slowest call. */
  elapsedMs?: number;
  /**
   * The other places of the code the finding is about (issue 16), shown as related information:
   * for an N+1 on its source query, the per-row call in the loop, and the other way round.
   */
  also?: AlsoAt[];
}

/** A related place of a finding's code, and what it is ("the per-row call", "the source query"). */
export interface AlsoAt {
  /** Where it was when placed; `ref` finds it in the current text. */
  location: SourceLocation;
  what: string;
  /** The place by identity (an N+1's loop: its source query or per-row call), resolved as a finding's own. */
  ref: AnchorRef;
}

/** Orders findings by path, line, column, then rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.path, b.location.path) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.message, b.message)
  );
}

/**
 * Merges findings of several recordings: the same rule at the same place about the same queries
 * is one finding, its count the largest seen in one recording, its recordings all of them. Two
 * different N+1s that sit on one function (when no better place is known) stay two findings.
 */
export function mergeFindings(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  // The recordings of each merged finding as a set: looked up in its list, the same finding in
  // thousands of recordings cost the square of their number.
  const recordings = new Map<Finding, Set<string>>();
  for (const f of findings) {
    countWork(1 + f.related.length + f.recordings.length);
    const shapes = f.related.map((r) => r.sql).sort().join('\u0001');
    const key = `${f.rule}\u0000${f.location.path}\u0000${f.location.line}\u0000${f.location.column}\u0000${shapes}`;
    const seen = byKey.get(key);
    if (!seen) {
      const merged = { ...f, recordings: [...f.recordings], related: [...f.related] };
      byKey.set(key, merged);
      recordings.set(merged, new Set(f.recordings));
      continue;
    }
    const known = recordings.get(seen) as Set<string>;
    for (const r of f.recordings) {
      if (known.has(r)) continue;
      known.add(r);
      seen.recordings.push(r);
    }
    if (f.count > seen.count || (f.count === seen.count && (f.elapsedMs ?? 0) > (seen.elapsedMs ?? 0))) {
      seen.elapsedMs = f.elapsedMs;
      seen.count = f.count;
      seen.message = f.message;
      seen.detail = f.detail;
      seen.related = [...f.related];
      seen.scope = f.scope;
    }
    if (severityRank(f.severity) > severityRank(seen.severity)) seen.severity = f.severity;
  }
  for (const f of byKey.values()) f.recordings.sort(compareStrings);
  return [...byKey.values()].sort(compareFindings);
}

export function severityRank(s: Severity): number {
  return s === 'error' ? 2 : s === 'warning' ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
