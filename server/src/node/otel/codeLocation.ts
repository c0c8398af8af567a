// The span processor of `runlens record --otel` that says which line of the application issued each
// database query and outgoing HTTP call: at the span's start it captures the stack (V8's async
// frames included) and adds `code.stacktrace`, `code.file.path`, `code.line.number`,
// `code.column.number` and `code.function.name` of the first application frame (outside
// node_modules, Node's internals and runlens itself). Runs inside the recorded process.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The frames captured per span: the deepest ORM stacks seen are about 30 frames above the app's. */
export const MAX_STACK_FRAMES = 64;

/** The frames of OpenTelemetry's own packages (the SDK, the API, the instrumentations). */
const OTEL_FRAME = /[\\/]node_modules[\\/]@opentelemetry[\\/]/;

/** SpanKind.CLIENT of @opentelemetry/api, without loading it here. */
const SPAN_KIND_CLIENT = 2;

export interface StackFrame {
  /** The function as V8 names it (`listProjects`, `Runner.run`), without `async `; absent for anonymous code. */
  fn?: string;
  /** The file as V8 wrote it: an absolute path, or `node:…`/`internal/…` for Node's own. */
  file: string;
  line: number;
  column: number;
  /** The line of the stack this frame was read from. */
  text: string;
}

export interface CodeLocationOptions {
  /** The project's folder: frames under it are written relative to it (POSIX), so recordings read the same wherever they were made. */
  root: string;
  /** Folders whose frames are never the application's (runlens's own files). */
  ignoredDirs: string[];
}

/** Adds the application frame's `code.*` attributes to database and outgoing spans at their start. */
export class CodeLocationSpanProcessor implements SpanProcessor {
  /** How many spans got a location, and how many database or client spans had no application frame. */
  readonly counts = { located: 0, unlocated: 0 };

  constructor(private readonly options: CodeLocationOptions) {}

  onStart(span: Span, _parentContext: Context): void {
    if (!wantsLocation(span)) return;
    const attributes = codeAttributes(captureStack(this.onStart), this.options);
    if (attributes) {
      span.setAttributes(attributes);
      this.counts.located++;
    } else this.counts.unlocated++;
  }

  onEnd(_span: ReadableSpan): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

/** Database spans (any kind: knex's are INTERNAL) and client spans (outgoing HTTP, Redis, …). */
export function wantsLocation(span: { kind: number; attributes: Record<string, unknown> }): boolean {
  const a = span.attributes;
  return span.kind === SPAN_KIND_CLIENT || a['db.system.name'] !== undefined || a['db.system'] !== undefined;
}

/**
 * The stack above `below`, as many frames deep as MAX_STACK_FRAMES (Error.stackTraceLimit is
 * raised for this capture only: its default of 10 often ends inside the ORM).
 */
export function captureStack(below: Function): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_STACK_FRAMES;
  const holder: { stack?: string } = {};
  try {
    Error.captureStackTrace(holder, below);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return typeof holder.stack === 'string' ? holder.stack : '';
}

/** The `code.*` attributes of a captured stack, or undefined when no frame is the application's. */
export function codeAttributes(stack: string, options: CodeLocationOptions): Record<string, string | number> | undefined {
  const frames = parseStack(stack);
  const app = frames.find((f) => isApplicationFrame(f, options.ignoredDirs));
  if (!app) return undefined;
  // The stack from the traced library down: the SDK's and the instrumentation's own frames left out.
  const shown = frames.filter((f) => !isIgnored(f.file, options.ignoredDirs) && !OTEL_FRAME.test(f.file));
  const attributes: Record<string, string | number> = {
    'code.stacktrace': shown.map((f) => f.text.replace(f.file, displayFile(f.file, options.root))).join('\n'),
    'code.file.path': displayFile(app.file, options.root),
    'code.line.number': app.line,
    'code.column.number': app.column,
  };
  if (app.fn) attributes['code.function.name'] = app.fn;
  return attributes;
}

/** V8's stack lines (`    at fn (file:line:col)`, `    at async fn (…)`, `    at file:line:col`), the header skipped. */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of stack.split('\n')) {
    const m = /^\s*at (?:async )?(?:(.*?) \((.+):(\d+):(\d+)\)|(.+):(\d+):(\d+))\s*$/.exec(raw);
    if (!m) continue;
    const fn = m[1] && m[1] !== '<anonymous>' ? m[1] : undefined;
    frames.push({ ...(fn ? { fn } : {}), file: m[2] ?? m[5], line: Number(m[3] ?? m[6]), column: Number(m[4] ?? m[7]), text: raw.trim() });
  }
  return frames;
}

/** A file of the application: on disk (a path or file: URL), not a dependency's, not Node's, not runlens's. */
export function isApplicationFrame(frame: StackFrame, ignoredDirs: string[]): boolean {
  const file = frame.file;
  if (!(file.startsWith('/') || file.startsWith('file://') || /^[A-Za-z]:[\\/]/.test(file))) return false;
  if (/[\\/]node_modules[\\/]/.test(file)) return false;
  return !isIgnored(file, ignoredDirs);
}

function isIgnored(file: string, ignoredDirs: string[]): boolean {
  const p = localPath(file);
  return ignoredDirs.some((dir) => p === dir || p.startsWith(dir + path.sep));
}

/** A frame's file relative to the root (POSIX separators) when it is under it, else as V8 wrote it. */
export function displayFile(file: string, root: string): string {
  const p = localPath(file);
  const rel = path.relative(root, p);
  if (!path.isAbsolute(p) || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

function localPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    return file;
  }
}
