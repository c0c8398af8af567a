// The routes of a Rails app's `config/routes.rb`: `get 'x', to: 'c#a'`, `get 'x' => 'c#a'`,
// `match 'x', to: 'c#a', via: [:get, :post]`, `root 'c#a'`, `resources :books` (index, create, new,
// edit, show, update, destroy; `only:`/`except:`; `member`/`collection` blocks, `on:`; nested
// resources under `/books/:book_id`), `resource :profile`, and the prefixes of `namespace :admin`
// (path and controller module) and `scope` (`'/api'`, `path:`, `module:`), in the order Rails
// draws them (a resource's block first). The handler is the action's method in
// `app/controllers/<module>/<name>_controller.rb`; a route whose action is not found there has none.

import type { Node } from 'web-tree-sitter';
import { descendants, lastLineOf, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { countWork } from '../../workCounter';
import { DeclaredRoute, HandlerLines, joinPath, patternOf } from './table';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete']);
const ROUTES_FILE = 'config/routes.rb';

interface Scope {
  path: string;
  /** The controllers' module folder (`admin/`). */
  module: string;
  /** Inside `resources :users`: its controller (without the module), the paths of its members, its collection, and what nests under it. */
  resource?: { controller: string; member: string; collection: string; nested: string };
  /** Inside `member do` or `collection do` of a resource: the path its routes hang under. */
  on?: string;
}

interface RailsRoute {
  method: string;
  path: string;
  controller: string;
  action: string;
}

export function railsRoutes(index: SourceIndex): DeclaredRoute[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  const routesFiles = index.files.list(['routes.rb']).filter((p) => p === ROUTES_FILE || p.endsWith(`/${ROUTES_FILE}`));
  const out: DeclaredRoute[] = [];
  for (const file of routesFiles) {
    const text = index.text(file);
    if (text === undefined) continue;
    const routes = withTree(parsers, 'ruby', text, (root) => readRoutes(root)) ?? [];
    const app = file.slice(0, file.length - ROUTES_FILE.length);
    const actions = new Map<string, Map<string, HandlerLines> | null>();
    const actionsOf = (controller: string) => {
      let known = actions.get(controller);
      if (known === undefined) {
        const path = `${app}app/controllers/${controller}_controller.rb`;
        const source = index.text(path);
        known = (source !== undefined && withTree(parsers, 'ruby', source, (root) => methodsOf(root, path))) || null;
        actions.set(controller, known);
      }
      return known;
    };
    routes.forEach((r, order) => {
      countWork();
      const handler = actionsOf(r.controller)?.get(r.action);
      if (!handler) return;
      const path = `${r.path}(.:format)`;
      out.push({ method: r.method, ...patternOf(path), handler, route: `${r.method.toUpperCase()} ${path}`, family: `rails ${file}`, firstMatch: true, order });
    });
  }
  return out;
}

/** The methods of a controller file, by name. */
function methodsOf(root: Node, path: string): Map<string, HandlerLines> {
  const out = new Map<string, HandlerLines>();
  for (const node of descendants(root)) {
    countWork();
    const name = node.type === 'method' ? node.childForFieldName('name')?.text : undefined;
    if (name && !out.has(name)) out.set(name, { path, fromLine: lineOf(node.startPosition), toLine: lastLineOf(node) });
  }
  return out;
}

function readRoutes(root: Node): RailsRoute[] {
  const out: RailsRoute[] = [];
  const visit = (body: Node | null | undefined, scope: Scope, depth: number) => {
    for (const node of body?.namedChildren ?? []) {
      countWork();
      if (node?.type !== 'call') continue;
      // `Rails.application.routes.draw do … end`: its block.
      if (node.childForFieldName('receiver')) {
        if (node.childForFieldName('method')?.text === 'draw') visit(blockOf(node), scope, depth + 1);
      } else draw(node, scope, depth);
    }
  };
  const blockOf = (call: Node) => call.childForFieldName('block')?.childForFieldName('body');
  const draw = (call: Node, scope: Scope, depth: number) => {
    const name = call.childForFieldName('method')?.text ?? '';
    const { positional, options } = argumentsOf(call);
    const controllerOf = (c: string) => `${scope.module}${c}`;
    const to = (target: string | undefined, fallback: { controller?: string; action?: string }): { controller: string; action: string } | undefined => {
      const [c, a] = target?.includes('#') ? target.split('#') : [options.get('controller') ?? fallback.controller, options.get('action') ?? fallback.action ?? target];
      return c && a ? { controller: controllerOf(c), action: a } : undefined;
    };
    if (depth > 16) return;
    if (name === 'root') {
      const target = to(positional[0] ?? options.get('to'), {});
      if (target) out.push({ method: 'get', path: joinPath(scope.path, ''), ...target });
    } else if (VERBS.has(name) || name === 'match') {
      const via = name === 'match' ? (options.get('via') ?? '').split(',').filter((v) => v !== '') : [name];
      const methods = via.includes('all') ? ['all'] : via;
      const arrow = options.get('=>');
      const paths = arrow !== undefined ? [options.get('=>path') ?? ''] : positional;
      for (const written of paths) {
        const on = options.get('on');
        const base = scope.on ?? (scope.resource && on === 'member' ? scope.resource.member : scope.resource && on === 'collection' ? scope.resource.collection : scope.path);
        // Inside a resource, `get :search` is the resource's action; elsewhere `get 'photos/search'` is photos#search.
        const inferred = scope.resource ? { controller: scope.resource.controller, action: written.replace(/^\//, '') } : inferredTarget(written);
        const target = to(arrow ?? options.get('to'), inferred ?? {});
        if (!target) continue;
        const path = joinPath(base, options.get('path') ?? written);
        for (const method of methods) out.push({ method, path, ...target });
      }
    } else if (name === 'namespace') {
      const space = positional[0];
      if (space === undefined) return;
      visit(blockOf(call), { path: joinPath(scope.path, options.get('path') ?? space), module: `${scope.module}${options.get('module') ?? space}/` }, depth + 1);
    } else if (name === 'scope') {
      const path = positional[0] ?? options.get('path') ?? '';
      if (path.includes('(')) return; // optional segments (`'(:locale)'`): not followed
      const module = options.get('module');
      visit(blockOf(call), { ...scope, path: joinPath(scope.path, path), module: module ? `${scope.module}${module}/` : scope.module, on: undefined }, depth + 1);
    } else if (name === 'constraints' || name === 'defaults' || name === 'controller') {
      visit(blockOf(call), scope, depth + 1);
    } else if ((name === 'member' || name === 'collection') && scope.resource) {
      visit(blockOf(call), { ...scope, on: name === 'member' ? scope.resource.member : scope.resource.collection }, depth + 1);
    } else if (name === 'resources' || name === 'resource') {
      const plural = name === 'resources';
      for (const resource of positional) {
        const controllerName = options.get('controller') ?? (plural ? resource : `${resource}s`);
        const controller = controllerOf(controllerName);
        const collection = joinPath(scope.path, options.get('path') ?? resource);
        const member = plural ? joinPath(collection, ':id') : collection;
        const nested = plural ? joinPath(collection, `:${singular(resource)}_id`) : collection;
        visit(blockOf(call), { path: nested, module: scope.module, resource: { controller: controllerName, member, collection, nested } }, depth + 1);
        const only = options.get('only');
        const except = (options.get('except') ?? '').split(',');
        const wanted = (action: string) => (only === undefined || only.split(',').includes(action)) && !except.includes(action);
        const add = (method: string, path: string, action: string) => {
          if (wanted(action)) out.push({ method, path, controller, action });
        };
        if (plural) add('get', collection, 'index');
        add('post', collection, 'create');
        add('get', joinPath(collection, 'new'), 'new');
        add('get', joinPath(member, 'edit'), 'edit');
        add('get', member, 'show');
        add('patch', member, 'update');
        add('put', member, 'update');
        add('delete', member, 'destroy');
      }
    }
  };
  visit(root, { path: '', module: '' }, 0);
  return out;
}

/** `get 'photos/search'` without `to:`: photos#search. */
function inferredTarget(path: string): { controller: string; action: string } | undefined {
  const parts = path.replace(/^\//, '').split('/');
  return parts.length === 2 && /^\w+$/.test(parts[0]) && /^\w+$/.test(parts[1]) ? { controller: parts[0], action: parts[1] } : undefined;
}

function singular(name: string): string {
  return name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.endsWith('ses') ? name.slice(0, -2) : name.replace(/s$/, '');
}

/** The positional strings and symbols of a call, and its options (arrays joined with commas). */
function argumentsOf(call: Node): { positional: string[]; options: Map<string, string> } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!arg) continue;
    if (arg.type === 'pair') {
      const key = arg.childForFieldName('key');
      const value = valueOf(arg.childForFieldName('value'));
      if (!key || value === undefined) continue;
      if (key.type === 'string') {
        // `get 'path' => 'c#a'`
        options.set('=>path', valueOf(key) ?? '');
        options.set('=>', value);
      } else options.set(key.text.replace(/^:/, '').replace(/:$/, ''), value);
    } else {
      const value = valueOf(arg);
      if (value !== undefined) positional.push(value);
    }
  }
  return { positional, options };
}

function valueOf(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string':
      return node.namedChildren.some((c) => c?.type === 'interpolation') ? undefined : node.namedChildren.map((c) => c?.text ?? '').join('');
    case 'simple_symbol':
      return node.text.slice(1);
    case 'array':
    case 'symbol_array':
    case 'string_array':
      return node.namedChildren.map((c) => (c?.type === 'bare_symbol' || c?.type === 'bare_string' ? c.text : valueOf(c))).filter((v) => v !== undefined).join(',');
    default:
      return undefined;
  }
}
