// The one wrapper every request handler runs in: it times the handler, catches and logs what it
// throws, and answers with the request's empty result instead of failing the request.

import { Connection } from 'vscode-languageserver/node';
import { HandlerTiming } from '../protocol/ext';

const KEEP = 1000;

export class Handlers {
  private readonly timings = new Map<string, { ms: number[]; count: number; errors: number }>();

  constructor(private readonly connection: Connection) {}

  /** Wraps `fn` for `method`; `empty` is answered when it throws. */
  wrap<P, R>(method: string, empty: R, fn: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
    return async (params: P) => {
      const start = process.hrtime.bigint();
      let failed = false;
      try {
        return await fn(params);
      } catch (err) {
        failed = true;
        this.connection.console.error(`${method} failed: ${(err as Error).stack ?? err}`);
        return empty;
      } finally {
        this.record(method, Number(process.hrtime.bigint() - start) / 1e6, failed);
      }
    };
  }

  /** The same for notifications (nothing to answer). */
  wrapNotification<P>(method: string, fn: (params: P) => void | Promise<void>): (params: P) => Promise<void> {
    return this.wrap<P, void>(method, undefined, fn);
  }

  summary(): Record<string, HandlerTiming> {
    const out: Record<string, HandlerTiming> = {};
    for (const [method, t] of this.timings) {
      const sorted = [...t.ms].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      out[method] = { count: t.count, errors: t.errors, p50Ms: at(0.5), p99Ms: at(0.99) };
    }
    return out;
  }

  private record(method: string, ms: number, failed: boolean): void {
    let t = this.timings.get(method);
    if (!t) this.timings.set(method, (t = { ms: [], count: 0, errors: 0 }));
    t.count++;
    if (failed) t.errors++;
    t.ms.push(ms);
    if (t.ms.length > KEEP) t.ms.shift();
  }
}
