// What the Python route readers (Django, Flask, FastAPI) share: which workspace file a module
// name is (`meetups.urls`, `.views`), what each imported name of a file is (a module, or a name
// in one), the views a module defines (functions, and classes with their methods per HTTP
// method), a definition's lines and a string literal's text.

import type { Node } from 'web-tree-sitter';
import { lastLineOf, lineOf } from '../../source/language';
import { countWork } from '../../workCounter';
import { HandlerLines } from './table';

/** The Python files of the workspace by the dotted names they may be imported as (`a/b/c.py`: `a.b.c`, `b.c`, `c`). */
export class PythonModules {
  private readonly byName = new Map<string, string[]>();
  private readonly present: Set<string>;

  constructor(files: string[]) {
    this.present = new Set(files);
    for (const file of files) {
      const parts = file.replace(/\.py$/, '').split('/');
      if (parts[parts.length - 1] === '__init__') parts.pop();
      for (let i = 0; i < parts.length; i++) {
        countWork();
        const name = parts.slice(i).join('.');
        const list = this.byName.get(name);
        if (list) list.push(file);
        else this.byName.set(name, [file]);
      }
    }
  }

  /** The file of module `name` imported from `from` (relative names too), the nearest to it when several. */
  resolve(name: string, from: string): string | undefined {
    const dots = /^\.*/.exec(name)![0].length;
    if (dots > 0) {
      const parts = from.split('/').slice(0, -1);
      for (let i = 1; i < dots; i++) parts.pop();
      const rest = name.slice(dots).split('.').filter((s) => s !== '');
      const base = [...parts, ...rest].join('/');
      for (const candidate of [`${base}.py`, `${base}/__init__.py`]) if (this.present.has(candidate)) return candidate;
      return undefined;
    }
    const candidates = this.byName.get(name) ?? [];
    if (candidates.length <= 1) return candidates[0];
    // The nearest: the longest folder shared with the importing file; a tie is no certainty.
    const shared = (file: string) => {
      const a = file.split('/');
      const b = from.split('/');
      let n = 0;
      while (n < a.length - 1 && n < b.length - 1 && a[n] === b[n]) n++;
      return n - a.length / 1000; // then the shortest path
    };
    const ranked = candidates.map((c) => ({ c, s: shared(c) })).sort((x, y) => y.s - x.s);
    return ranked[0].s === ranked[1].s ? undefined : ranked[0].c;
  }
}

/** What a name imported in a file is: a module (its file), or a name defined in a module. */
export type Imported = { file: string; name?: string };

/** The imports of a module (`from .views import a as b`, `from . import views`, `import app.views as v`). */
export function importsOf(root: Node, file: string, modules: PythonModules): Map<string, Imported> {
  const out = new Map<string, Imported>();
  for (const node of root.namedChildren) {
    countWork();
    if (node?.type === 'import_from_statement') {
      const module = node.childForFieldName('module_name')?.text ?? '';
      const moduleFile = modules.resolve(module, file);
      for (const item of node.childrenForFieldName('name')) {
        if (!item) continue;
        const name = item.type === 'aliased_import' ? item.childForFieldName('name')?.text ?? '' : item.text;
        const local = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text ?? name : name;
        // `from . import views`: a module; `from .views import detail`: a name in one.
        const sub = modules.resolve(module.endsWith('.') ? `${module}${name}` : `${module}.${name}`, file);
        if (sub) out.set(local, { file: sub });
        else if (moduleFile) out.set(local, { file: moduleFile, name });
      }
    } else if (node?.type === 'import_statement') {
      for (const item of node.childrenForFieldName('name')) {
        if (item?.type !== 'aliased_import') continue;
        const target = modules.resolve(item.childForFieldName('name')?.text ?? '', file);
        const alias = item.childForFieldName('alias')?.text;
        if (target && alias) out.set(alias, { file: target });
      }
    }
  }
  return out;
}

/** A method defined in a class's body, by name. */
export function methodOf(cls: Node, name: string): Node | undefined {
  for (const node of cls.childForFieldName('body')?.namedChildren ?? []) {
    countWork();
    const def = node?.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
  }
  return undefined;
}

/** A definition's lines, from its first decorator (where Python's `co_firstlineno`, so the agent's line, puts it). */
export function linesOf(path: string, def: Node): HandlerLines {
  const node = def.parent?.type === 'decorated_definition' ? def.parent : def;
  return { path, fromLine: lineOf(node.startPosition), toLine: lastLineOf(node) };
}

/** The text of a Python string literal (`'a'`, `r'^a/$'`, `"a"`), unless it is an f-string or a concatenation. */
export function pythonString(node: Node | null | undefined): string | undefined {
  if (node?.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  if (/f/i.test(start) || node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** A view: its handler for each method it defines (a class's `get`, `post`…), and for the others (the function, or the class). */
export interface View {
  byMethod: Map<string, HandlerLines>;
  other: HandlerLines;
}

/** The top-level functions and classes of a module, as views. */
export function moduleViews(root: Node, file: string): Map<string, View> {
  const out = new Map<string, View>();
  for (const node of root.namedChildren) {
    countWork();
    const def = node?.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    const name = def?.childForFieldName('name')?.text;
    if (!def || !name) continue;
    if (def.type === 'function_definition') out.set(name, { byMethod: new Map(), other: linesOf(file, def) });
    else if (def.type === 'class_definition') {
      const byMethod = new Map<string, HandlerLines>();
      for (const m of HTTP_METHODS) {
        const method = methodOf(def, m);
        if (method) byMethod.set(m, linesOf(file, method));
      }
      out.set(name, { byMethod, other: linesOf(file, def) });
    }
  }
  return out;
}
