// The routes of Django's URL configurations: each module's `urlpatterns` (`path('books/<int:pk>/',
// views.book_detail)`, `re_path(r'^books/(?P<pk>\d+)/$', …)`, the older `url(…)`), followed
// through `include('app.urls')` (a module's name, the module imported, a list in place or of the
// module, a `(patterns, app_name)` tuple) with
// their prefixes joined, from every configuration that no other includes. A view is a function
// (imported, named through its module, or of the same file) or a class-based view's
// `.as_view()`: the class's method for the request's method (`get`, `post`…), else the class.

import type { Node } from 'web-tree-sitter';
import { withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { countWork } from '../../workCounter';
import { importsOf, Imported, moduleViews, pythonString, PythonModules, View } from './python';
import { DeclaredRoute, PLACEHOLDER } from './table';

/** An entry of `urlpatterns`: its pattern as a regular expression's text, and what it leads to. */
interface Entry {
  regex: string;
  /** `path()` and a `re_path()` ending in `$` match to the end. */
  anchored: boolean;
  written: string;
  target: { view: View } | { include: string } | { entries: Entry[] };
}

const CONVERTERS: Record<string, string> = { int: `(?:[0-9]+|${PLACEHOLDER})`, slug: `(?:[-a-zA-Z0-9_]+|${PLACEHOLDER})`, uuid: `(?:[0-9a-fA-F-]+|${PLACEHOLDER})`, path: '.+', str: '[^/]+' };

export function djangoRoutes(index: SourceIndex): DeclaredRoute[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  const files = index.files.list(['.py']);
  const modules = new PythonModules(files);
  /** The top-level functions and classes of a module, read once. */
  const definitions = new Map<string, Map<string, View> | null>();
  const viewsOf = (file: string): Map<string, View> | undefined => {
    let defs = definitions.get(file);
    if (defs === undefined) {
      const text = index.text(file);
      defs = (text !== undefined && withTree(parsers, 'python', text, (root) => moduleViews(root, file))) || null;
      definitions.set(file, defs);
    }
    return defs ?? undefined;
  };
  const confs = new Map<string, Entry[]>();
  for (const file of files) {
    const text = index.text(file);
    if (text === undefined || !/\burlpatterns\b/.test(text)) continue;
    const entries = withTree(parsers, 'python', text, (root) => readUrlconf(root, file, modules, viewsOf));
    if (entries?.length) confs.set(file, entries);
  }
  const included = new Set<string>();
  const walkIncludes = (entries: Entry[]) => {
    for (const e of entries) {
      countWork();
      if ('include' in e.target) included.add(e.target.include);
      else if ('entries' in e.target) walkIncludes(e.target.entries);
    }
  };
  for (const entries of confs.values()) walkIncludes(entries);
  const out: DeclaredRoute[] = [];
  // The roots: the configurations no other includes; of those, the project's own (beside its
  // settings.py, wsgi.py or asgi.py) when there is one, so that an app's urls.py that runlens
  // cannot see included is not served without its prefix.
  const roots = [...confs.keys()].filter((f) => !included.has(f));
  const projects = roots.filter((f) => ['settings.py', 'wsgi.py', 'asgi.py'].some((n) => index.files.exists(f.replace(/[^/]*$/, n))));
  for (const root of projects.length ? projects : roots) {
    const entries = confs.get(root)!;
    let order = 0;
    const visit = (list: Entry[], prefix: string, written: string, depth: number) => {
      for (const e of list) {
        countWork();
        const regex = prefix + e.regex;
        const route = written + e.written;
        if ('view' in e.target) {
          let pattern: RegExp;
          try {
            pattern = new RegExp(`^/${regex}${e.anchored ? '$' : ''}`);
          } catch {
            continue;
          }
          const specificity = 2 * route.split('/').filter((s) => s !== '' && !/[<(\\[]/.test(s)).length;
          const common = { pattern, specificity, key: keyOf(regex, e.anchored), family: `django ${root}`, firstMatch: true, order: order++ };
          for (const [method, handler] of e.target.view.byMethod) out.push({ ...common, method, handler, route: `${method.toUpperCase()} /${route}` });
          out.push({ ...common, method: 'all', handler: e.target.view.other, route: `ALL /${route}` });
        } else if (depth < 8) {
          const sub = 'entries' in e.target ? e.target.entries : confs.get(e.target.include);
          if (sub) visit(sub, regex, route, depth + 1);
        }
      }
    };
    visit(entries, '', '', 0);
  }
  return out;
}

function readUrlconf(root: Node, file: string, modules: PythonModules, viewsOf: (file: string) => Map<string, View> | undefined): Entry[] {
  const imports = importsOf(root, file, modules);
  const own = () => viewsOf(file);
  /** The lists assigned at the module's top level, by name (`extra_patterns = [path(…), …]`). */
  const lists = new Map<string, Node>();
  const expanding = new Set<number>();
  for (const node of root.namedChildren) {
    countWork();
    const statement = node?.type === 'expression_statement' ? node.namedChild(0) : undefined;
    const left = statement?.type === 'assignment' ? statement.childForFieldName('left') : undefined;
    const right = statement?.childForFieldName('right');
    if (left?.type === 'identifier' && right?.type === 'list' && left.text !== 'urlpatterns') lists.set(left.text, right);
  }
  /** The view an expression names: `detail`, `views.detail`, `BookView.as_view()`, `views.BookView.as_view(…)`. */
  const viewOf = (node: Node): View | undefined => {
    let expr = node;
    if (expr.type === 'call') {
      const fn = expr.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'as_view') return undefined;
      expr = fn.childForFieldName('object')!;
    }
    if (expr.type === 'identifier') {
      const imported = imports.get(expr.text);
      if (!imported) return own()?.get(expr.text);
      return imported.name !== undefined ? viewsOf(imported.file)?.get(imported.name) : undefined;
    }
    if (expr.type === 'attribute') {
      const object = expr.childForFieldName('object');
      const name = expr.childForFieldName('attribute')?.text ?? '';
      const module: Imported | undefined = object?.type === 'identifier' ? imports.get(object.text) : undefined;
      return module && module.name === undefined ? viewsOf(module.file)?.get(name) : undefined;
    }
    return undefined;
  };
  const includeOf = (call: Node): Entry['target'] | undefined => {
    let arg = call.childForFieldName('arguments')?.namedChild(0);
    if (arg?.type === 'tuple') arg = arg.namedChild(0);
    if (!arg) return undefined;
    const name = pythonString(arg);
    if (name !== undefined) {
      const target = modules.resolve(name, file);
      return target ? { include: target } : undefined;
    }
    if (arg.type === 'list') return { entries: entriesOf(arg) };
    // A list of this module (`include(extra_patterns)`), or a module imported (`include(shop_urls)`,
    // `include(shop_urls.urlpatterns)`).
    const local = arg.type === 'identifier' ? lists.get(arg.text) : undefined;
    if (local) {
      // A list that includes itself is followed once.
      if (expanding.has(local.id)) return undefined;
      expanding.add(local.id);
      const entries = entriesOf(local);
      expanding.delete(local.id);
      return { entries };
    }
    const object = arg.type === 'attribute' && arg.childForFieldName('attribute')?.text === 'urlpatterns' ? arg.childForFieldName('object') : arg;
    const imported = object?.type === 'identifier' ? imports.get(object.text) : undefined;
    return imported && imported.name === undefined ? { include: imported.file } : undefined;
  };
  const entriesOf = (list: Node): Entry[] => {
    const out: Entry[] = [];
    for (const item of list.namedChildren) {
      countWork();
      if (item?.type !== 'call') continue;
      const fn = item.childForFieldName('function')?.text ?? '';
      const kind = fn === 'path' || fn.endsWith('.path') ? 'path' : fn === 're_path' || fn === 'url' || fn.endsWith('.re_path') ? 'regex' : undefined;
      if (!kind) continue;
      const args = item.childForFieldName('arguments');
      const written = pythonString(args?.namedChild(0));
      const second = args?.namedChild(1);
      if (written === undefined || !second) continue;
      let target: Entry['target'] | undefined;
      if (second.type === 'call' && /(^|\.)include$/.test(second.childForFieldName('function')?.text ?? '')) target = includeOf(second);
      else {
        const view = viewOf(second);
        if (view) target = { view };
      }
      if (!target) continue;
      if (kind === 'path') out.push({ regex: pathRegex(written), anchored: true, written, target });
      else {
        const anchored = written.endsWith('$') && !written.endsWith('\\$');
        const regex = written.replace(/^\^/, '').replace(/\$$/, '').replace(/\(\?P<\w+>/g, '(?:');
        out.push({ regex, anchored, written, target });
      }
    }
    return out;
  };
  const out: Entry[] = [];
  for (const node of root.namedChildren) {
    countWork();
    const statement = node?.type === 'expression_statement' ? node.namedChild(0) : undefined;
    if ((statement?.type !== 'assignment' && statement?.type !== 'augmented_assignment') || statement.childForFieldName('left')?.text !== 'urlpatterns') continue;
    const right = statement.childForFieldName('right');
    if (right?.type === 'list') for (const e of entriesOf(right)) out.push(e);
  }
  return out;
}

/** `books/<int:pk>/` → `books/(?:[0-9]+|…)/`, as Django's `path()` converts it. */
function pathRegex(route: string): string {
  let out = '';
  let last = 0;
  for (const m of route.matchAll(/<(?:(\w+):)?(\w+)>/g)) {
    out += escape(route.slice(last, m.index));
    out += CONVERTERS[m[1] ?? 'str'] ?? '[^/]+';
    last = m.index! + m[0].length;
  }
  return out + escape(route.slice(last));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The table's key of a pattern: its first two segments while written as text, each followed by a slash or the anchored end. */
function keyOf(regex: string, anchored: boolean): string {
  if (regex === '' && anchored) return '';
  const m = /^([\w-]+)(\/|$)(?:([\w-]+)(\/|$))?/.exec(regex);
  if (!m || (m[2] === '' && !anchored)) return '*';
  return m[3] !== undefined && (m[4] === '/' || anchored) ? `${m[1]}/${m[3]}` : m[1];
}
