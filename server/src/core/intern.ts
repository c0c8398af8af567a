// One shared copy of values that many calls have alike (SQL shapes, SQL facts), while a trace is
// analysed: one object per distinct value instead of one per call. Bounded, so that a long-running
// server does not keep every value it ever saw; when full it starts over, which only loses sharing.
// Shared values are never mutated (their types are readonly).

export class Interner<T> {
  private readonly known = new Map<string, T>();

  constructor(private readonly capacity = 10_000) {}

  /** The shared copy of `value`, known by `key`. */
  intern(key: string, value: T): T {
    const known = this.known.get(key);
    if (known !== undefined) return known;
    if (this.known.size >= this.capacity) this.known.clear();
    this.known.set(key, value);
    return value;
  }
}
