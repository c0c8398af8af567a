// The routes of Flask and FastAPI apps: the objects that hold routes (`Flask(__name__)`,
// `Blueprint('auth', __name__, url_prefix='/auth')`, `FastAPI()`, `APIRouter(prefix='/items')`),
// the functions decorated with their routes (`@app.route('/x', methods=['POST'])`, `@bp.get('/x')`,
// `@router.get('/{id}')`, `@app.api_route('/x', methods=[…])`) or named by `add_url_rule('/x',
// view_func=…)` (a function, or a MethodView's `as_view`: its method per HTTP method), and where each is mounted
// (`app.register_blueprint(bp, url_prefix='/y')`, which replaces the blueprint's own prefix;
// `app.include_router(router, prefix='/api')`, which comes before the router's own), objects of
// other modules followed through their imports. A blueprint or router mounted nowhere that runlens
// can follow serves nothing here. Flask serves the most specific route, FastAPI the first declared.

import type { Node } from 'web-tree-sitter';
import { descendants, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { countWork } from '../../workCounter';
import { importsOf, linesOf, moduleViews, pythonString, PythonModules, View } from './python';
import { DeclaredRoute, HandlerLines, joinPath, patternOf } from './table';

type Kind = 'flask' | 'blueprint' | 'fastapi' | 'router';
const KINDS: Record<string, Kind> = { Flask: 'flask', Blueprint: 'blueprint', FastAPI: 'fastapi', APIRouter: 'router' };
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

interface Holder {
  kind: Kind;
  prefix: string;
}

interface PyRoute {
  holder: string;
  /** The methods given (`methods=[…]`); for `add_url_rule` without them, those of the view. */
  methods: string[] | undefined;
  path: string;
  /** The decorated function, or the view `add_url_rule` names (a function, or a class's `as_view`). */
  handler: HandlerLines | { file: string; name: string };
}

interface Mount {
  parent: string;
  child: string;
  /** The prefix given where it is mounted (Flask's replaces the blueprint's own). */
  prefix: string | undefined;
}

export function flaskRoutes(index: SourceIndex): DeclaredRoute[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  const files = index.files.list(['.py']);
  const modules = new PythonModules(files);
  const holders = new Map<string, Holder>();
  const routes: PyRoute[] = [];
  const mounts: Mount[] = [];
  for (const file of files) {
    const text = index.text(file);
    if (text === undefined || !/\b(Flask|Blueprint|FastAPI|APIRouter)\b/.test(text)) continue;
    withTree(parsers, 'python', text, (root) => readApp(root, file, modules, holders, routes, mounts));
  }
  const mountedIn = new Map<string, Mount[]>();
  for (const m of mounts) {
    countWork();
    const list = mountedIn.get(m.child);
    if (list) list.push(m);
    else mountedIn.set(m.child, [m]);
  }
  /** The full prefixes of a holder: none for an app, those of its mounts for the others. */
  const memo = new Map<string, string[]>();
  const prefixesOf = (key: string, depth: number): string[] => {
    const known = memo.get(key);
    if (known) return known;
    const holder = holders.get(key);
    let out: string[] = [];
    if (holder?.kind === 'flask' || holder?.kind === 'fastapi') out = [holder.prefix];
    else if (holder && depth < 8) {
      for (const m of mountedIn.get(key) ?? []) {
        for (const parent of prefixesOf(m.parent, depth + 1)) {
          countWork();
          const own = holder.kind === 'blueprint' ? m.prefix ?? holder.prefix : joinPath(m.prefix ?? '', holder.prefix);
          out.push(joinPath(parent, own));
        }
      }
    }
    memo.set(key, out);
    return out;
  };
  const out: DeclaredRoute[] = [];
  /** The views of a module (for `add_url_rule`), read once. */
  const views = new Map<string, Map<string, View> | null>();
  const viewOf = (file: string, name: string): View | undefined => {
    let defs = views.get(file);
    if (defs === undefined) {
      const text = index.text(file);
      defs = (text !== undefined && withTree(parsers, 'python', text, (root) => moduleViews(root, file))) || null;
      views.set(file, defs);
    }
    return defs?.get(name);
  };
  routes.forEach((r, order) => {
    const holder = holders.get(r.holder);
    if (!holder) return;
    const flask = holder.kind === 'flask' || holder.kind === 'blueprint';
    const view = 'name' in r.handler ? viewOf(r.handler.file, r.handler.name) : { byMethod: new Map<string, HandlerLines>(), other: r.handler };
    if (!view) return;
    // A MethodView serves the methods it defines; a function, GET unless told.
    const methods = r.methods ?? (view.byMethod.size ? [...view.byMethod.keys()] : ['get']);
    for (const prefix of prefixesOf(r.holder, 0)) {
      const full = joinPath(prefix, r.path);
      for (const method of methods) {
        countWork();
        const handler = view.byMethod.get(method) ?? view.other;
        out.push({ method, ...patternOf(full), handler, route: `${method.toUpperCase()} ${full}`, family: flask ? 'flask' : `fastapi ${r.holder}`, firstMatch: !flask, order });
      }
    }
  });
  return out;
}

function readApp(root: Node, file: string, modules: PythonModules, holders: Map<string, Holder>, routes: PyRoute[], mounts: Mount[]): void {
  const imports = importsOf(root, file, modules);
  const local = new Set<string>();
  /** The holder an expression names: `bp`, `auth_bp` imported, `users.router` through its module. */
  const holderOf = (node: Node | null | undefined): string | undefined => {
    if (node?.type === 'identifier') {
      if (local.has(node.text)) return `${file}\u0000${node.text}`;
      const imported = imports.get(node.text);
      return imported?.name !== undefined ? `${imported.file}\u0000${imported.name}` : undefined;
    }
    if (node?.type === 'attribute') {
      const object = node.childForFieldName('object');
      const module = object?.type === 'identifier' ? imports.get(object.text) : undefined;
      return module && module.name === undefined ? `${module.file}\u0000${node.childForFieldName('attribute')?.text}` : undefined;
    }
    return undefined;
  };
  const keyword = (call: Node, name: string) => call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value');
  for (const node of descendants(root)) {
    countWork();
    if (node.type !== 'assignment') continue;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const kind = right?.type === 'call' ? KINDS[(right.childForFieldName('function')?.text ?? '').replace(/^.*\./, '')] : undefined;
    if (left?.type !== 'identifier' || !right || !kind) continue;
    local.add(left.text);
    const prefix = pythonString(keyword(right, kind === 'blueprint' ? 'url_prefix' : kind === 'router' ? 'prefix' : 'root_path')) ?? '';
    holders.set(`${file}\u0000${left.text}`, { kind, prefix: kind === 'fastapi' ? '' : prefix });
  }
  for (const node of descendants(root)) {
    countWork();
    if (node.type === 'call') {
      // `app.register_blueprint(bp, url_prefix='/y')`, `app.include_router(router, prefix='/api')`
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (method === 'add_url_rule') {
        // `app.add_url_rule('/x', view_func=show)`, `bp.add_url_rule('/x', view_func=UserAPI.as_view('users'))`.
        const holder = holderOf(fn!.childForFieldName('object'));
        const path = pythonString(node.childForFieldName('arguments')?.namedChild(0));
        let view = keyword(node, 'view_func') ?? node.childForFieldName('arguments')?.namedChildren.filter((a) => a?.type !== 'keyword_argument')[2];
        if (view?.type === 'call' && view.childForFieldName('function')?.type === 'attribute' && view.childForFieldName('function')?.childForFieldName('attribute')?.text === 'as_view') {
          view = view.childForFieldName('function')!.childForFieldName('object') ?? undefined;
        }
        const imported = view?.type === 'identifier' ? imports.get(view.text) : undefined;
        const target = view?.type !== 'identifier' ? undefined : imported ? (imported.name !== undefined ? { file: imported.file, name: imported.name } : undefined) : { file, name: view.text };
        const listed = keyword(node, 'methods');
        const methods = listed?.type === 'list' || listed?.type === 'tuple' ? listed.namedChildren.map((m) => pythonString(m)?.toLowerCase()).filter((m): m is string => m !== undefined) : undefined;
        if (holder && path !== undefined && target) routes.push({ holder, methods, path, handler: target });
        continue;
      }
      if (method !== 'register_blueprint' && method !== 'include_router') continue;
      const parent = holderOf(fn!.childForFieldName('object'));
      const child = holderOf(node.childForFieldName('arguments')?.namedChild(0));
      const given = keyword(node, method === 'register_blueprint' ? 'url_prefix' : 'prefix');
      if (parent && child) mounts.push({ parent, child, prefix: given ? pythonString(given) : undefined });
      continue;
    }
    if (node.type !== 'decorated_definition') continue;
    const def = node.childForFieldName('definition');
    if (def?.type !== 'function_definition') continue;
    for (const decorator of node.namedChildren) {
      const call = decorator?.type === 'decorator' ? decorator.namedChild(0) : undefined;
      const fn = call?.type === 'call' ? call.childForFieldName('function') : undefined;
      if (!call || fn?.type !== 'attribute') continue;
      const verb = fn.childForFieldName('attribute')?.text ?? '';
      const holder = holderOf(fn.childForFieldName('object'));
      const path = pythonString(call.childForFieldName('arguments')?.namedChild(0));
      if (!holder || path === undefined) continue;
      let methods: string[];
      if (VERBS.has(verb)) methods = [verb];
      else if (verb === 'route' || verb === 'api_route') {
        const listed = keyword(call, 'methods');
        methods = listed?.type === 'list' || listed?.type === 'tuple' ? listed.namedChildren.map((m) => pythonString(m)?.toLowerCase()).filter((m): m is string => m !== undefined) : ['get'];
      } else continue;
      routes.push({ holder, methods, path, handler: linesOf(file, def) });
    }
  }
}
