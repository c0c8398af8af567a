// The walks of a recorded call tree that placing takes: up to the nearest call that answers, down
// breadth first to the shallowest one, back or up with every step remembered, and the deepest call
// enclosing many. Each remembers what it walked, so the walks of thousands of findings under one
// request walk each call once. Nothing here recurses: recorded trees can be deeper than the stack.

import { Call, Trace } from '../trace';
import { countWork } from '../workCounter';

/**
 * For many calls: the answer of `call` or of its nearest ancestor that has one. Each call walked is
 * remembered with its answer, so calls sharing ancestors are walked once (thousands of queries under
 * a chain of thousands of framework calls took seconds to minutes, each walked to the root: 118 s
 * for 105,000).
 */
export function nearestAbove<T>(trace: Trace, answerOf: (call: Call) => T | undefined): (call: Call | undefined) => T | undefined {
  const { parent } = trace.calls;
  const known = new Map<number, T | null>();
  const walked: number[] = [];
  /** `call` may be -1 (the parent of a root): no call, so no answer. */
  return (call) => {
    walked.length = 0;
    let found: T | null | undefined;
    for (let c = call ?? -1; c !== -1 && found === undefined; c = parent[c]) {
      countWork();
      found = known.get(c);
      if (found !== undefined) break;
      walked.push(c);
      found = answerOf(c);
    }
    const answer = found ?? null;
    for (const i of walked) known.set(i, answer);
    return answer ?? undefined;
  };
}

/** The answer of the shallowest call under `root` that has one (breadth first, at most 64 levels down). */
export function shallowestBelow<T>(trace: Trace, root: Call, answerOf: (call: Call) => T | undefined): T | undefined {
  const { firstChild, nextSibling } = trace.calls;
  let level: Call[] = [root];
  for (let depth = 0; depth < 64 && level.length; depth++) {
    const next: Call[] = [];
    for (const c of level) {
      for (let k = firstChild[c]; k !== -1; k = nextSibling[k]) {
        countWork();
        const answer = answerOf(k);
        if (answer !== undefined) return answer;
        next.push(k);
      }
    }
    level = next;
  }
  return undefined;
}

/**
 * Walks from `from` by `next` (-1 ends) to the first node where `stop` holds, and returns it (-1:
 * none). Every node walked is remembered with that answer, so a later walk that reaches one stops
 * there: over many walks, each node is walked once.
 */
export function walkRemembering(memo: Map<number, number>, from: number, next: (i: number) => number, stop: (i: number) => boolean): number {
  const walked: number[] = [];
  let answer = -1;
  for (let i = from; i !== -1; i = next(i)) {
    countWork();
    const known = memo.get(i);
    if (known !== undefined) {
      answer = known;
      break;
    }
    walked.push(i);
    if (stop(i)) {
      answer = i;
      break;
    }
  }
  for (const w of walked) memo.set(w, answer);
  return answer;
}

/** The memo kept under `key`, made on first use. */
export function memoOf<K, V>(memos: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let memo = memos.get(key);
  if (!memo) memos.set(key, (memo = new Map()));
  return memo;
}

/**
 * The deepest call that encloses all of `calls` (undefined when they share no ancestor): the
 * deepest strict ancestor of the first that is an ancestor, or the call itself, of each other.
 * Only the calls below the answer are walked (each once, however many queries run under it), and
 * the answer climbs from the first call's parent: never the whole chain above, so that thousands
 * of findings under one deep chain do not each walk it to the root.
 */
export function commonAncestor(trace: Trace, calls: Call[]): Call | undefined {
  const { parent, depth } = trace.calls;
  if (calls.length === 0 || parent[calls[0]] === -1) return undefined;
  let answer = parent[calls[0]];
  // Calls known to be under the answer (under an earlier answer, so under every later one): for
  // many calls a byte per call of the trace (a Set of the calls of an N+1 of millions of queries
  // took tens of MB), for a few a Set (zeroing a byte per call for each of thousands of findings
  // would cost their number times the trace's size).
  const dense = calls.length * 8 >= trace.calls.length ? new Uint8Array(trace.calls.length) : undefined;
  const sparse = dense ? undefined : new Set<number>();
  const isUnder = (c: number) => (dense ? dense[c] === 1 : (sparse as Set<number>).has(c));
  const markUnder = (list: number[]) => {
    if (dense) for (const w of list) dense[w] = 1;
    else for (const w of list) (sparse as Set<number>).add(w);
  };
  const walked: number[] = [];
  for (let k = 1; k < calls.length; k++) {
    walked.length = 0;
    let c = calls[k];
    while (depth[c] > depth[answer] && !isUnder(c)) {
      countWork();
      walked.push(c);
      c = parent[c]; // deeper than the answer, so not a root
    }
    if (depth[c] > depth[answer]) {
      markUnder(walked);
      continue;
    }
    while (depth[answer] > depth[c]) {
      countWork();
      answer = parent[answer];
    }
    while (c !== answer) {
      countWork();
      walked.push(c);
      const up = parent[c];
      const answerUp = parent[answer];
      if (up === -1 || answerUp === -1) return undefined; // different roots: different threads or trees
      c = up;
      answer = answerUp;
    }
    markUnder(walked);
  }
  return answer;
}
