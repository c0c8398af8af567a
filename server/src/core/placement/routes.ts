// The handler of a request that the agent did not record (appmap-node records named functions
// only: `router.get('/', function (req, res) { … })` leaves nothing of the app in the recording),
// found from the request's method and path in the source: Express apps and routers
// (`express()`, `express.Router()`, `Router()`), their routes (`router.get('/x', …, handler)`), and
// routers mounted with a prefix (`app.use('/api/users', require('./routes/users'))`, through
// `module.exports = router`), mounts of mounts included; Koa routers (`new Router({ prefix })`,
// `router.use('/v1', child.routes())`) and Fastify's routes (`fastify.get('/x', handler)`, not its
// `register` prefixes). Every JavaScript and TypeScript file of the workspace that names a router
// is read once per index generation.

import type { Node } from 'web-tree-sitter';
import { descendants, languageOfPath, withTree } from '../source/language';
import { SourceIndex } from '../sourceIndex';
import { countWork } from '../workCounter';

/** A route handler in the source. */
export interface RouteHandler {
  path: string;
  /** The handler function's lines. */
  fromLine: number;
  toLine: number;
  /** `GET /api/users/:id`, the route as written, with its prefixes. */
  route: string;
}

interface Route {
  router: string;
  method: string;
  path: string;
  fromLine: number;
  toLine: number;
}

interface FileRoutes {
  routers: Set<string>;
  routes: Route[];
  /** `router.use('/prefix', child)`: the child as a file's export, or a router of this file. */
  mounts: Array<{ router: string; prefix: string; child: { file: string } | { local: string } }>;
  /** The router that `module.exports =` or `export default` gives. */
  exported: string | undefined;
  /** Koa routers' own prefixes (`new Router({ prefix: '/api' })`). */
  prefixes: Map<string, string>;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
const SUFFIXES = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
interface RouteEntry {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/** The routes by the first segment of their path ('*' when it is a parameter or a wildcard). */
type RouteTable = Map<string, RouteEntry[]>;

const cache = new WeakMap<SourceIndex, { generation: number; routes: RouteTable }>();

/** The handler of `method` `path` (the path as requested, or as the framework normalised it), if one route matches. */
export function routeHandler(index: SourceIndex, method: string, path: string): RouteHandler | undefined {
  const table = routeTable(index);
  const m = method.toLowerCase();
  let found: RouteHandler | undefined;
  const segment = path.split('/')[1] ?? '';
  for (const r of [...(table.get(segment) ?? []), ...(segment === '*' ? [] : table.get('*') ?? [])]) {
    countWork();
    if ((r.method !== m && r.method !== 'all') || !r.pattern.test(path)) continue;
    if (found) return undefined; // two routes match: not certain
    found = r.handler;
  }
  return found;
}

function routeTable(index: SourceIndex): RouteTable {
  const known = cache.get(index);
  if (known && known.generation === index.generation) return known.routes;
  const files = new Map<string, FileRoutes>();
  if (index.parsers) {
    for (const path of index.files.list(SUFFIXES)) {
      const language = languageOfPath(path);
      const text = index.text(path);
      if (!language || text === undefined || !/\b(Router|express|fastify|Fastify)\b/.test(text)) continue;
      const read = withTree(index.parsers, language, text, (root) => readRoutes(root, path, (p) => index.files.exists(p)));
      if (read && (read.routes.length || read.mounts.length)) files.set(path, read);
    }
  }
  // The prefixes of each router (file and name): the mounts that name it, joined to theirs.
  const prefixes = new Map<string, string[]>();
  const key = (file: string, router: string) => `${file}\u0000${router}`;
  const mountedIn = new Map<string, Array<{ parent: string; prefix: string }>>();
  const ownPrefix = new Map<string, string>();
  for (const [file, f] of files) {
    for (const [router, prefix] of f.prefixes) ownPrefix.set(key(file, router), prefix);
    for (const mount of f.mounts) {
      countWork();
      const child = 'file' in mount.child ? files.get(mount.child.file) : f;
      const childFile = 'file' in mount.child ? mount.child.file : file;
      const childRouter = 'file' in mount.child ? child?.exported : mount.child.local;
      if (!childRouter) continue;
      const list = mountedIn.get(key(childFile, childRouter)) ?? [];
      list.push({ parent: key(file, mount.router), prefix: mount.prefix });
      mountedIn.set(key(childFile, childRouter), list);
    }
  }
  const prefixesOf = (k: string, depth: number): string[] => {
    const memo = prefixes.get(k);
    if (memo) return memo;
    const mounts = mountedIn.get(k);
    let out: string[];
    if (!mounts || depth > 8) out = [''];
    else {
      out = [];
      for (const m of mounts) for (const p of prefixesOf(m.parent, depth + 1)) out.push(joinPath(joinPath(p, ownPrefix.get(m.parent) ?? ''), m.prefix));
    }
    prefixes.set(k, out);
    return out;
  };
  const routes: RouteTable = new Map();
  for (const [file, f] of files) {
    for (const r of f.routes) {
      for (const prefix of prefixesOf(key(file, r.router), 0)) {
        countWork();
        const full = joinPath(joinPath(prefix, ownPrefix.get(key(file, r.router)) ?? ''), r.path);
        const first = full.split('/')[1] ?? '';
        const segment = first.startsWith(':') || first.includes('*') ? '*' : first;
        const entry = { method: r.method, pattern: patternOf(full), handler: { path: file, fromLine: r.fromLine, toLine: r.toLine, route: `${r.method.toUpperCase()} ${full}` } };
        const list = routes.get(segment);
        if (list) list.push(entry);
        else routes.set(segment, [entry]);
      }
    }
  }
  cache.set(index, { generation: index.generation, routes });
  return routes;
}

function readRoutes(root: Node, path: string, exists: (p: string) => boolean): FileRoutes {
  const out: FileRoutes = { routers: new Set(), routes: [], mounts: [], exported: undefined, prefixes: new Map() };
  const required = new Map<string, string>();
  /** Functions of the file by name, for a handler passed by name (`app.get('/books', listBooks)`). */
  const functions = new Map<string, { fromLine: number; toLine: number }>();
  const lines = (n: Node) => ({ fromLine: n.startPosition.row + 1, toLine: n.endPosition.row + 1 });
  for (const node of descendants(root)) {
    countWork();
    if (node.type === 'function_declaration') {
      const name = node.childForFieldName('name');
      if (name?.type === 'identifier' && !functions.has(name.text)) functions.set(name.text, lines(node));
      continue;
    }
    if (node.type === 'variable_declarator') {
      const name = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (name?.type !== 'identifier') continue;
      if ((value?.type === 'arrow_function' || value?.type === 'function_expression' || value?.type === 'function') && !functions.has(name.text)) functions.set(name.text, lines(value));
      // Koa's `new Router({ prefix: '/api' })`: a router whose routes all start with its prefix.
      if (value?.type === 'new_expression' && /(^|\.)Router$/.test(value.childForFieldName('constructor')?.text ?? '')) {
        out.routers.add(name.text);
        const options = value.childForFieldName('arguments')?.namedChild(0);
        const prefix = options?.type === 'object' ? options.namedChildren.find((p) => p?.type === 'pair' && p.childForFieldName('key')?.text.replace(/['"]/g, '') === 'prefix')?.childForFieldName('value') : undefined;
        if (prefix?.type === 'string') out.prefixes.set(name.text, prefix.text.slice(1, -1));
        continue;
      }
      if (value?.type !== 'call_expression') continue;
      const callee = value.childForFieldName('function');
      const calleeText = callee?.text ?? '';
      // Express (`express()`, `express.Router()`, `Router()`) and Fastify (`fastify()`, `require('fastify')()`).
      if (/(^|\.)(Router|express|fastify|Fastify)$/.test(calleeText) || /^require\(['"]fastify['"]\)$/.test(calleeText)) out.routers.add(name.text);
      if (calleeText === 'require') {
        const file = requiredFile(path, stringArgument(value, 0), exists);
        if (file) required.set(name.text, file);
      }
    } else if (node.type === 'assignment_expression' && node.childForFieldName('left')?.text === 'module.exports') {
      const right = node.childForFieldName('right');
      if (right?.type === 'identifier') out.exported = right.text;
    } else if (node.type === 'export_statement' && /^export\s+default\s/.test(node.text)) {
      const value = node.childForFieldName('value') ?? node.childForFieldName('declaration');
      if (value?.type === 'identifier') out.exported = value.text;
    }
  }
  for (const node of descendants(root)) {
    countWork();
    if (node.type !== 'call_expression') continue;
    const callee = node.childForFieldName('function');
    if (callee?.type !== 'member_expression') continue;
    const router = callee.childForFieldName('object');
    const method = callee.childForFieldName('property')?.text ?? '';
    if (router?.type !== 'identifier' || !out.routers.has(router.text)) continue;
    const args = node.childForFieldName('arguments');
    const first = stringArgument(node, 0);
    if (!args || first === undefined) continue;
    if (METHODS.has(method)) {
      const handler = args.namedChild(args.namedChildCount - 1);
      if (handler && (handler.type === 'arrow_function' || handler.type === 'function_expression' || handler.type === 'function')) {
        out.routes.push({ router: router.text, method, path: first, fromLine: handler.startPosition.row + 1, toLine: handler.endPosition.row + 1 });
      } else if (handler?.type === 'identifier' && functions.has(handler.text)) {
        out.routes.push({ router: router.text, method, path: first, ...(functions.get(handler.text) as { fromLine: number; toLine: number }) });
      }
    } else if (method === 'use') {
      const child = args.namedChild(args.namedChildCount - 1);
      if (child?.type === 'identifier') {
        const file = required.get(child.text);
        out.mounts.push({ router: router.text, prefix: first, child: file ? { file } : { local: child.text } });
      } else if (child?.type === 'call_expression' && /^\w+\.routes$/.test(child.childForFieldName('function')?.text ?? '')) {
        // Koa: `router.use('/prefix', child.routes())`.
        out.mounts.push({ router: router.text, prefix: first, child: { local: (child.childForFieldName('function')?.text ?? '').split('.')[0] } });
      } else if (child?.type === 'call_expression' && child.childForFieldName('function')?.text === 'require') {
        const file = requiredFile(path, stringArgument(child, 0), exists);
        if (file) out.mounts.push({ router: router.text, prefix: first, child: { file } });
      }
    }
  }
  return out;
}

function stringArgument(call: Node, i: number): string | undefined {
  const arg = call.childForFieldName('arguments')?.namedChild(i);
  if (!arg || (arg.type !== 'string' && arg.type !== 'template_string')) return undefined;
  const text = arg.text.slice(1, -1);
  return arg.type === 'template_string' && text.includes('${') ? undefined : text;
}

/** The workspace file a relative `require('./routes/users')` names, if it is one. */
function requiredFile(from: string, spec: string | undefined, exists: (p: string) => boolean): string | undefined {
  if (!spec || !spec.startsWith('.')) return undefined;
  const parts = from.split('/').slice(0, -1);
  for (const segment of spec.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.' && segment !== '') parts.push(segment);
  }
  const base = parts.join('/');
  for (const candidate of [base, ...SUFFIXES.map((s) => base + s), ...SUFFIXES.map((s) => `${base}/index${s}`)]) {
    if (languageOfPath(candidate) && exists(candidate)) return candidate;
  }
  return undefined;
}

function joinPath(prefix: string, path: string): string {
  const joined = `/${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** `/api/users/:id` → ^/api/users/[^/]+/?$ */
function patternOf(route: string): RegExp {
  const escaped = route
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped === '/' ? '' : escaped}/?$`);
}
