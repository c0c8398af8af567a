// Derived state, one discipline for every cache of the core: a value is declared with the inputs
// it is computed from, each input with a version (a file's stamp, an index's generation, a
// document's or the configuration's version), and is computed again only when the version of one
// of them changed. What is derived from what, and when it is recomputed, is listed in
// ARCHITECTURE.md ("Derived state"). Each recomputation is counted by name, so tests prove
// "computed once" by counting (as countWork), never by the clock.

/** The versions of a value's inputs, in a fixed order; compared one by one with Object.is. */
export type Versions = readonly unknown[];

/** Recomputations by name, over all tables: a test hook, as the work counter; nothing in the core reads it. */
const recomputed = new Map<string, number>();

/** How many times values declared under `name` were computed since the process started. */
export function recomputations(name: string): number {
  return recomputed.get(name) ?? 0;
}

function sameVersions(a: Versions, b: Versions): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

export interface DerivedDeclaration<K, T> {
  /** The versions of what the value of `key` is computed from, asked before each use (cheaply: no reading here). */
  inputs: (key: K) => Versions;
  compute: (key: K) => T;
  /** Values kept at most (the table is emptied when full: a bound, not a policy). Unbounded if not given. */
  maxEntries?: number;
}

/**
 * A table of values derived per key (a file, a name). A value is computed on first use and again
 * when its inputs' versions differ from those it was computed with; `forget` drops one whose input
 * changed without a version to show it (an event said so).
 */
export class Derived<K, T> {
  readonly name: string;
  /** How many values this table computed. */
  recomputations = 0;
  private readonly declaration: DerivedDeclaration<K, T> | undefined;
  private readonly entries = new Map<K, { versions: Versions; value: T }>();

  constructor(name: string, declaration?: DerivedDeclaration<K, T>) {
    this.name = name;
    this.declaration = declaration;
  }

  /** The value of `key`, computed if its inputs moved since. */
  get(key: K): T {
    const d = this.declaration;
    if (!d) throw new Error(`${this.name}: no declared inputs; use getWith`);
    return this.getWith(key, d.inputs(key), () => d.compute(key));
  }

  /**
   * The same for a table whose values are declared where they are asked for (a snapshot's memos:
   * one table, a computation per name): `versions` are the inputs' versions now.
   */
  getWith(key: K, versions: Versions, compute: () => T): T {
    const known = this.entries.get(key);
    if (known && sameVersions(known.versions, versions)) return known.value;
    // Versions are taken before computing: a change while it runs is seen on the next use.
    const value = compute();
    const max = this.declaration?.maxEntries;
    if (max !== undefined && !known && this.entries.size >= max) this.entries.clear();
    this.entries.set(key, { versions, value });
    this.recomputations++;
    recomputed.set(this.name, (recomputed.get(this.name) ?? 0) + 1);
    return value;
  }

  /** Whether a value of `key` is held (whatever its versions). */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  forget(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** One derived value (a table of one key). */
export class DerivedValue<T> {
  private readonly table: Derived<0, T>;

  constructor(name: string, inputs: () => Versions, compute: () => T) {
    this.table = new Derived(name, { inputs, compute });
  }

  get(): T {
    return this.table.get(0);
  }

  get recomputations(): number {
    return this.table.recomputations;
  }

  forget(): void {
    this.table.clear();
  }
}
