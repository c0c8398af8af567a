// The routes of Express, Koa and Fastify apps: apps and routers (`express()`, `express.Router()`,
// `Router()`, `new Router({ prefix })`, `fastify()`), their routes (`router.get('/x', …, handler)`,
// handlers written in place; `router.route('/x').get(…).post(…)`; Fastify's `fastify.route({ method,
// url, handler })`), routers mounted with a prefix (`app.use('/api/users',
// require('./routes/users'))`, `router.use('/v1', child.routes())`, through `module.exports =`,
// `export default` and `import`), mounts of mounts included; Fastify plugins registered with a
// prefix (`fastify.register(plugin, { prefix: '/v1' })`: a plugin of the same file, required or
// imported, or written in place), whose routes are declared on the plugin's first parameter.

import type { Node } from 'web-tree-sitter';
import { descendants, languageOfPath, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { countWork } from '../../workCounter';
import { DeclaredRoute, joinPath, patternOf } from './table';

interface Route {
  router: string;
  method: string;
  path: string;
  fromLine: number;
  toLine: number;
  /** A handler exported by another file (`routes.list`, `const { list } = require('./routes')`): found there by name. */
  ref?: { file: string; name: string };
}

interface FileRoutes {
  routes: Route[];
  /** `router.use('/prefix', child)`, `fastify.register(child, { prefix })`: the child as a file's export, or a router of this file. */
  mounts: Array<{ router: string; prefix: string; child: { file: string } | { local: string } }>;
  /** The router that `module.exports =` or `export default` gives. */
  exported: string | undefined;
  /** Koa routers' own prefixes (`new Router({ prefix: '/api' })`). */
  prefixes: Map<string, string>;
  /** Fastify's instances and plugins: their most specific route serves a request, not the first declared. */
  fastify: Set<string>;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
export const JS_SUFFIXES = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const FUNCTIONS = new Set(['arrow_function', 'function_expression', 'function', 'function_declaration']);

/** The routes of every JavaScript and TypeScript file of the workspace that names a router. */
export function expressRoutes(index: SourceIndex): DeclaredRoute[] {
  const files = new Map<string, FileRoutes>();
  if (!index.parsers) return [];
  for (const path of index.files.list(JS_SUFFIXES)) {
    const language = languageOfPath(path);
    const text = index.text(path);
    if (!language || text === undefined || !/\b(Router|express|fastify|Fastify|register)\b|\.(get|post|put|patch|delete|all)\(\s*['"`]|\.route\(/.test(text)) continue;
    const read = withTree(index.parsers, language, text, (root) => readRoutes(root, path, (p) => index.files.exists(p)));
    if (read && (read.routes.length || read.mounts.length)) files.set(path, read);
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
  const routes: DeclaredRoute[] = [];
  const exportsOf = new Map<string, Map<string, { fromLine: number; toLine: number }>>();
  const exported = (file: string) => {
    let found = exportsOf.get(file);
    if (found) return found;
    const language = languageOfPath(file);
    const text = index.text(file);
    found = (language && text !== undefined && withTree(index.parsers as NonNullable<typeof index.parsers>, language, text, exportedFunctions)) || new Map();
    exportsOf.set(file, found);
    return found;
  };
  for (const [file, f] of files) {
    f.routes.forEach((r, order) => {
      const at = r.ref ? exported(r.ref.file).get(r.ref.name) : undefined;
      if (r.ref && !at) return;
      const handler = r.ref && at ? { path: r.ref.file, ...at } : { path: file, fromLine: r.fromLine, toLine: r.toLine };
      for (const prefix of prefixesOf(key(file, r.router), 0)) {
        countWork();
        const full = joinPath(joinPath(prefix, ownPrefix.get(key(file, r.router)) ?? ''), r.path);
        routes.push({
          method: r.method,
          ...patternOf(full),
          handler,
          route: `${r.method.toUpperCase()} ${full}`,
          family: `express ${key(file, r.router)} ${prefix}`,
          firstMatch: !f.fastify.has(r.router),
          order,
        });
      }
    });
  }
  return routes;
}

function readRoutes(root: Node, path: string, exists: (p: string) => boolean): FileRoutes {
  const out: FileRoutes = { routes: [], mounts: [], exported: undefined, prefixes: new Map(), fastify: new Set() };
  const routers = new Set<string>();
  const required = new Map<string, string>();
  /** Names bound to another file's export: `const { list } = require('./routes')`, `import { list } from './routes'`. */
  const importedNames = new Map<string, { file: string; name: string }>();
  /** Functions declared by name (`async function users(fastify) {…}`), as plugins. */
  const named = new Map<string, Node>();
  for (const node of descendants(root)) {
    countWork();
    if (node.type === 'variable_declarator') {
      const name = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (name?.type === 'object_pattern') {
        const file = value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'require' ? requiredFile(path, stringArgument(value, 0), exists) : undefined;
        if (!file) continue;
        for (const p of name.namedChildren) {
          if (p?.type === 'shorthand_property_identifier_pattern') importedNames.set(p.text, { file, name: p.text });
          else if (p?.type === 'pair_pattern' && p.childForFieldName('value')?.type === 'identifier') importedNames.set((p.childForFieldName('value') as Node).text, { file, name: p.childForFieldName('key')?.text ?? '' });
        }
        continue;
      }
      if (name?.type !== 'identifier') continue;
      if (value && FUNCTIONS.has(value.type)) named.set(name.text, value);
      // Koa's `new Router({ prefix: '/api' })`: a router whose routes all start with its prefix.
      if (value?.type === 'new_expression' && /(^|\.)Router$/.test(value.childForFieldName('constructor')?.text ?? '')) {
        routers.add(name.text);
        const options = value.childForFieldName('arguments')?.namedChild(0);
        const prefix = options ? optionString(options, 'prefix') : undefined;
        if (prefix !== undefined) out.prefixes.set(name.text, prefix);
        continue;
      }
      const call = value?.type === 'await_expression' ? value.namedChild(0) : value;
      if (call?.type !== 'call_expression') continue;
      const callee = call.childForFieldName('function');
      const calleeText = callee?.text ?? '';
      // Express (`express()`, `express.Router()`, `Router()`) and Fastify (`fastify()`, `require('fastify')()`).
      if (/(^|\.)(Router|express|fastify|Fastify)$/.test(calleeText) || /^require\(['"](fastify|express)['"]\)$/.test(calleeText)) {
        routers.add(name.text);
        if (/fastify/i.test(calleeText)) out.fastify.add(name.text);
      }
      if (calleeText === 'require') {
        const file = requiredFile(path, stringArgument(call, 0), exists);
        if (file) required.set(name.text, file);
      }
    } else if (node.type === 'function_declaration') {
      const name = node.childForFieldName('name');
      if (name) named.set(name.text, node);
    } else if (node.type === 'import_statement') {
      // `import users from './routes/users'`: the default export of a workspace file.
      const source = node.childForFieldName('source');
      const file = source?.type === 'string' ? requiredFile(path, source.text.slice(1, -1), exists) : undefined;
      const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
      const local = clause?.namedChild(0);
      if (file && local?.type === 'identifier') required.set(local.text, file);
      // `import * as routes from './routes'`, `import { list, show as one } from './routes'`.
      for (const part of clause?.namedChildren ?? []) {
        if (!file || !part) continue;
        if (part.type === 'namespace_import') {
          const id = part.namedChildren.find((c) => c?.type === 'identifier');
          if (id) required.set(id.text, file);
        } else if (part.type === 'named_imports') {
          for (const spec of part.namedChildren) {
            if (spec?.type !== 'import_specifier') continue;
            const name = spec.childForFieldName('name')?.text;
            const alias = spec.childForFieldName('alias')?.text ?? name;
            if (name && alias) importedNames.set(alias, { file, name });
          }
        }
      }
    } else if (node.type === 'assignment_expression' && node.childForFieldName('left')?.text === 'module.exports') {
      const right = node.childForFieldName('right');
      if (right?.type === 'identifier') out.exported = right.text;
      else if (right && FUNCTIONS.has(right.type)) out.exported = pluginKey(right);
    } else if (node.type === 'export_statement' && /^export\s+default\s/.test(node.text)) {
      const value = node.childForFieldName('value') ?? node.childForFieldName('declaration');
      if (value?.type === 'identifier') out.exported = value.text;
      else if (value && FUNCTIONS.has(value.type)) out.exported = value.childForFieldName('name')?.text ?? pluginKey(value);
    }
  }
  // A plugin named in the file is known by its name; one written in place by its position.
  const plugins = new Map<number, string>();
  for (const [name, fn] of named) plugins.set(fn.id, name);
  for (const node of descendants(root)) {
    countWork();
    if (node.type !== 'call_expression') continue;
    const callee = node.childForFieldName('function');
    if (callee?.type !== 'member_expression') continue;
    const object = callee.childForFieldName('object');
    const method = callee.childForFieldName('property')?.text ?? '';
    const args = node.childForFieldName('arguments');
    if (!args) continue;
    // Express: `router.route('/books').get(function …).post(function …)`.
    const chained = object?.type === 'call_expression' && METHODS.has(method) ? chainedRoute(object) : undefined;
    if (chained && routers.has(chained.router)) {
      const handler = args.namedChild(args.namedChildCount - 1);
      if (handler && FUNCTIONS.has(handler.type)) out.routes.push({ router: chained.router, method, path: chained.path, fromLine: handler.startPosition.row + 1, toLine: handler.endPosition.row + 1 });
      continue;
    }
    if (object?.type !== 'identifier' || (!METHODS.has(method) && method !== 'use' && method !== 'register' && method !== 'route')) continue;
    if (method === 'route') {
      // Fastify: `fastify.route({ method: 'GET', url: '/x', handler: async (request, reply) => { … } })`.
      const options = args.namedChild(0);
      const url = options ? optionString(options, 'url') ?? optionString(options, 'path') : undefined;
      const handler = options?.type === 'object' ? options.namedChildren.find((p) => p?.type === 'pair' && p.childForFieldName('key')?.text === 'handler')?.childForFieldName('value') : undefined;
      const methodsNode = options?.type === 'object' ? options.namedChildren.find((p) => p?.type === 'pair' && p.childForFieldName('key')?.text === 'method')?.childForFieldName('value') : undefined;
      const methods = methodsNode?.type === 'array' ? methodsNode.namedChildren.map((m) => m?.text.slice(1, -1).toLowerCase() ?? '') : methodsNode?.type === 'string' ? [methodsNode.text.slice(1, -1).toLowerCase()] : [];
      if (url === undefined || !handler || !FUNCTIONS.has(handler.type)) continue;
      const router = routers.has(object.text) ? object.text : pluginOf(node, object.text, plugins);
      if (router === undefined) continue;
      out.fastify.add(router);
      for (const m of methods) if (METHODS.has(m)) out.routes.push({ router, method: m, path: url, fromLine: handler.startPosition.row + 1, toLine: handler.endPosition.row + 1 });
      continue;
    }
    // A route on a plugin's first parameter ends with its handler: `req.get('Accept')` is none.
    const last = args.namedChild(args.namedChildCount - 1);
    const inPlugin = !routers.has(object.text) && (method === 'register' || (METHODS.has(method) && args.namedChildCount >= 2 && last !== null && FUNCTIONS.has(last.type)));
    const router = routers.has(object.text) ? object.text : inPlugin ? pluginOf(node, object.text, plugins) : undefined;
    if (router === undefined) continue;
    if (!routers.has(object.text)) out.fastify.add(router);
    if (method === 'register') {
      // Fastify: `fastify.register(plugin, { prefix: '/v1' })`.
      out.fastify.add(router);
      const child = args.namedChild(0);
      const options = args.namedChild(1);
      const prefix = (options && optionString(options, 'prefix')) ?? '';
      const mounted = child && mountedChild(child, path, required, plugins, exists);
      if (mounted) out.mounts.push({ router, prefix, child: mounted });
      continue;
    }
    const first = stringArgument(node, 0);
    if (first === undefined) continue;
    if (METHODS.has(method)) {
      const handler = args.namedChild(args.namedChildCount - 1);
      // The handler written in place, or passed by name (`app.get('/books', listBooks)`): an OTel
      // trace names no function, so the route is how its handler is found.
      const fn = handler && FUNCTIONS.has(handler.type) ? handler : handler?.type === 'identifier' ? named.get(handler.text) : undefined;
      if (fn) out.routes.push({ router, method, path: first, fromLine: fn.startPosition.row + 1, toLine: fn.endPosition.row + 1 });
      else {
        // Or exported by another file: `routes.list`, or a name required or imported from it.
        const ref = handler ? handlerRef(handler, required, importedNames) : undefined;
        if (ref) out.routes.push({ router, method, path: first, fromLine: 0, toLine: 0, ref });
      }
    } else if (method === 'use') {
      const child = args.namedChild(args.namedChildCount - 1);
      if (child?.type === 'call_expression' && /^\w+\.routes$/.test(child.childForFieldName('function')?.text ?? '')) {
        // Koa: `router.use('/prefix', child.routes())`.
        out.mounts.push({ router, prefix: first, child: { local: (child.childForFieldName('function')?.text ?? '').split('.')[0] } });
        continue;
      }
      const mounted = child && mountedChild(child, path, required, plugins, exists);
      if (mounted) out.mounts.push({ router, prefix: first, child: mounted });
    }
  }
  return out;
}

/** A handler named from another file: `routes.list` (a required or imported file), or a name bound to its export. */
function handlerRef(handler: Node, required: Map<string, string>, importedNames: Map<string, { file: string; name: string }>): { file: string; name: string } | undefined {
  if (handler.type === 'identifier') return importedNames.get(handler.text);
  if (handler.type !== 'member_expression') return undefined;
  const object = handler.childForFieldName('object');
  const property = handler.childForFieldName('property');
  const file = object?.type === 'identifier' ? required.get(object.text) : undefined;
  return file && property ? { file, name: property.text } : undefined;
}

/**
 * The functions a file exports by name, with their lines: `module.exports = { list, show: fn }`,
 * `module.exports.list = …`, `exports.list = …`, `export function list`, `export const list = …`,
 * `export { list }`.
 */
function exportedFunctions(root: Node): Map<string, { fromLine: number; toLine: number }> {
  const named = new Map<string, Node>();
  const out = new Map<string, { fromLine: number; toLine: number }>();
  const lines = (fn: Node) => ({ fromLine: fn.startPosition.row + 1, toLine: fn.endPosition.row + 1 });
  const exportsName = new Map<string, string>();
  for (const node of descendants(root)) {
    countWork();
    if (node.type === 'function_declaration') {
      const name = node.childForFieldName('name');
      if (name) named.set(name.text, node);
      if (node.parent?.type === 'export_statement' && name) out.set(name.text, lines(node));
    } else if (node.type === 'variable_declarator') {
      const name = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (name?.type === 'identifier' && value && FUNCTIONS.has(value.type)) {
        named.set(name.text, value);
        if (node.parent?.parent?.type === 'export_statement') out.set(name.text, lines(value));
      }
    } else if (node.type === 'assignment_expression') {
      const left = node.childForFieldName('left')?.text ?? '';
      const right = node.childForFieldName('right');
      const m = /^(?:module\.)?exports\.(\w+)$/.exec(left);
      if (m && right) {
        if (FUNCTIONS.has(right.type)) out.set(m[1], lines(right));
        else if (right.type === 'identifier') exportsName.set(m[1], right.text);
      } else if (left === 'module.exports' && right?.type === 'object') {
        for (const p of right.namedChildren) {
          if (p?.type === 'shorthand_property_identifier') exportsName.set(p.text, p.text);
          else if (p?.type === 'pair') {
            const key = p.childForFieldName('key')?.text.replace(/['"]/g, '');
            const value = p.childForFieldName('value');
            if (!key || !value) continue;
            if (FUNCTIONS.has(value.type)) out.set(key, lines(value));
            else if (value.type === 'identifier') exportsName.set(key, value.text);
          } else if (p?.type === 'method_definition') {
            const key = p.childForFieldName('name')?.text;
            if (key) out.set(key, lines(p));
          }
        }
      }
    } else if (node.type === 'export_specifier') {
      const name = node.childForFieldName('name')?.text;
      const alias = node.childForFieldName('alias')?.text ?? name;
      if (name && alias && node.parent?.parent?.type === 'export_statement' && !node.parent.parent.childForFieldName('source')) exportsName.set(alias, name);
    }
  }
  for (const [exportedAs, local] of exportsName) {
    const fn = named.get(local);
    if (fn && !out.has(exportedAs)) out.set(exportedAs, lines(fn));
  }
  return out;
}

/** What a `use` or `register` mounts: a required or imported file's export, a router or plugin of this file. */
function mountedChild(child: Node, path: string, required: Map<string, string>, plugins: Map<number, string>, exists: (p: string) => boolean): { file: string } | { local: string } | undefined {
  if (child.type === 'identifier') {
    const file = required.get(child.text);
    return file ? { file } : { local: child.text };
  }
  if (child.type === 'call_expression' && child.childForFieldName('function')?.text === 'require') {
    const file = requiredFile(path, stringArgument(child, 0), exists);
    return file ? { file } : undefined;
  }
  if (FUNCTIONS.has(child.type)) return { local: plugins.get(child.id) ?? pluginKey(child) };
  return undefined;
}

/** The router and path of `router.route('/path')`, under a chain of `.get(…)`, `.post(…)` calls. */
function chainedRoute(call: Node): { router: string; path: string } | undefined {
  for (let c: Node | null = call; c?.type === 'call_expression'; ) {
    countWork();
    const fn = c.childForFieldName('function');
    if (fn?.type !== 'member_expression') return undefined;
    const object = fn.childForFieldName('object');
    const property = fn.childForFieldName('property')?.text ?? '';
    if (property === 'route' && object?.type === 'identifier') {
      const path = stringArgument(c, 0);
      return path === undefined ? undefined : { router: object.text, path };
    }
    if (!METHODS.has(property)) return undefined;
    c = object;
  }
  return undefined;
}

/** The plugin whose first parameter is `name`, around `node`: its name, or its position. */
function pluginOf(node: Node, name: string, plugins: Map<number, string>): string | undefined {
  for (let n = node.parent; n; n = n.parent) {
    countWork();
    if (!FUNCTIONS.has(n.type)) continue;
    const params = n.childForFieldName('parameters') ?? n.childForFieldName('parameter');
    const first = params?.type === 'identifier' ? params : params?.namedChild(0);
    const id = first?.type === 'required_parameter' ? first.childForFieldName('pattern') : first;
    if (id?.type === 'identifier' && id.text === name) return plugins.get(n.id) ?? pluginKey(n);
  }
  return undefined;
}

function pluginKey(fn: Node): string {
  return `@${fn.startPosition.row}:${fn.startPosition.column}`;
}

/** The string value of `key` in an object literal (`{ prefix: '/v1' }`). */
function optionString(options: Node, key: string): string | undefined {
  if (options.type !== 'object') return undefined;
  const pair = options.namedChildren.find((p) => p?.type === 'pair' && p.childForFieldName('key')?.text.replace(/['"]/g, '') === key);
  const value = pair?.childForFieldName('value');
  return value && (value.type === 'string' || (value.type === 'template_string' && !value.text.includes('${'))) ? value.text.slice(1, -1) : undefined;
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
  const base = parts.join('/').replace(/\.js$/, '');
  for (const candidate of [parts.join('/'), base, ...JS_SUFFIXES.map((s) => base + s), ...JS_SUFFIXES.map((s) => `${base}/index${s}`)]) {
    if (languageOfPath(candidate) && exists(candidate)) return candidate;
  }
  return undefined;
}
