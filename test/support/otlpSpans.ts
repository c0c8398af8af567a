// The spans of OTLP JSON Lines files as the tests of `runlens record --otel` look at them
// (attributes as a plain object, the OTLP kind, the scope), and the `// expect: db N` markers of
// the OpenTelemetry examples' sources (test/workspaces/otel-apps): how many spans of one run carry
// that line as their code.line.number.

import * as fs from 'node:fs';
import * as path from 'node:path';

export const OTEL_APPS = path.resolve(__dirname, '../../../../test/workspaces/otel-apps');

/** OTLP's SpanKind numbers (one more than @opentelemetry/api's). */
export const OTLP_KIND = { internal: 1, server: 2, client: 3 } as const;

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, string | number | boolean | undefined>;
}

/** Every span of every line of the `.otlp.jsonl` files in `dir`; each line must be one TracesData. */
export function readOtlpDir(dir: string): { files: string[]; spans: OtlpSpan[] } {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.otlp.jsonl')).sort();
  const spans: OtlpSpan[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    if (lines.pop() !== '') throw new Error(`${file}: the last line does not end with a newline`);
    for (const line of lines) {
      const data = JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: RawSpan[] }> }> };
      for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push(spanOf(s, ss.scope.name));
    }
  }
  return { files, spans };
}

interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

function spanOf(s: RawSpan, scope: string): OtlpSpan {
  const attributes: OtlpSpan['attributes'] = {};
  for (const { key, value } of s.attributes ?? []) {
    const v = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
    attributes[key] = typeof v === 'string' && 'intValue' in value ? Number(v) : (v as string | number | boolean | undefined);
  }
  return { traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), name: s.name, kind: s.kind, scope, attributes };
}

export function isDbSpan(s: OtlpSpan): boolean {
  return s.attributes['db.system.name'] !== undefined || s.attributes['db.system'] !== undefined;
}

/**
 * A database span of a connection, not of the app's queries: pg's `pg.connect`, and the statement
 * Sequelize runs first on each new connection. How many connections a pool opens for concurrent
 * queries depends on timing, so these are not counted; they are located like the query that
 * opened the connection.
 */
export function isConnectionSpan(s: OtlpSpan): boolean {
  return isDbSpan(s) && (s.name === 'pg.connect' || /^SET client_min_messages TO warning;/.test(String(s.attributes['db.query.text'])));
}

/** A query's text with its numbers as `?` (Sequelize writes values into the SQL). */
export function queryShape(text: unknown): string {
  return String(text).replace(/\b\d+\b/g, '?');
}

/** `file:line` → the spans expected there, by kind (`db`, `http`), from the `// expect: KIND N` comments of the app's .js files. */
export function expectMarkers(appDir: string): Map<string, Record<string, number>> {
  const markers = new Map<string, Record<string, number>>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(appDir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(child);
      else if (entry.isFile() && entry.name.endsWith('.js')) {
        fs.readFileSync(path.join(appDir, child), 'utf8')
          .split('\n')
          .forEach((text, i) => {
            const m = /\/\/ expect: (\w+) (\d+)/.exec(text);
            if (m) markers.set(`${child}:${i + 1}`, { ...markers.get(`${child}:${i + 1}`), [m[1]]: Number(m[2]) });
          });
      }
    }
  };
  walk('');
  return markers;
}

/** `file:line` → the located spans there, by kind (`db` for database spans, `http` for other client spans), connections' left out. */
export function locatedSpans(spans: OtlpSpan[]): Map<string, Record<string, number>> {
  const located = new Map<string, Record<string, number>>();
  for (const s of spans) {
    const file = s.attributes['code.file.path'];
    if (file === undefined || isConnectionSpan(s)) continue;
    const key = `${file}:${s.attributes['code.line.number']}`;
    const kind = isDbSpan(s) ? 'db' : 'http';
    const counts = located.get(key) ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    located.set(key, counts);
  }
  return located;
}

/** Per request (the http.route of the nearest SERVER ancestor; `-` outside any), the database spans by query shape, connections' left out. */
export function queriesPerRoute(spans: OtlpSpan[]): Record<string, Record<string, number>> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const out: Record<string, Record<string, number>> = {};
  for (const s of spans) {
    if (!isDbSpan(s) || isConnectionSpan(s)) continue;
    let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    while (p && p.kind !== OTLP_KIND.server) p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined;
    const route = p ? String(p.attributes['http.route']) : '-';
    const text = queryShape(s.attributes['db.query.text']);
    out[route] ??= {};
    out[route][text] = (out[route][text] ?? 0) + 1;
  }
  return out;
}
