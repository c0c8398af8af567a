// Lists the classes, functions and methods a source file defines now, and finds which of them a
// recorded function (AppMap defined_class + method_id) is, even after it moved. Callers parse a file
// once with findDefinitions and keep the list; locateFunction is a pure lookup on it.

import type { Node, Point } from 'web-tree-sitter';
import { SourceLanguage, SourceParsers, isField, lastLineOf, lineOf, withTree } from './language';

export { languageOfPath } from './language';
export type { SourceLanguage, SourceParsers } from './language';

export interface Definition {
  kind: 'class' | 'function' | 'method';
  /** As written; Java constructors carry the class name, JavaScript ones are "constructor". */
  name: string;
  /** Enclosing class, module and namespace names, outermost first. */
  container: string[];
  /** Python @staticmethod/@classmethod, Ruby `def self.x` or `class << self`, Java/JS `static`. */
  isStatic: boolean;
  /** 1-based line where the definition starts after its decorators or annotations. */
  line: number;
  /** 1-based UTF-16 column of that start (`async`, `def`, `public`, the method name, …). */
  column: number;
  /** 1-based last line of the body. */
  endLine: number;
}

/** A function's identity as an AppMap recording gives it. */
export interface RecordedFunction {
  definedClass: string;
  methodId: string;
  isStatic: boolean;
  /** The recorded line; may be stale. */
  lineno?: number;
}

/**
 * Classes and the functions and methods reachable from the top level or class, module and
 * namespace bodies, in document order. Functions nested in function bodies are left out on purpose:
 * agents do not record them under a name we could match, and listing them would let a local helper
 * shadow a module function of the same name. Java/TypeScript bodiless declarations (abstract and
 * interface methods, overload signatures) are left out too: they never run.
 */
export function findDefinitions(parsers: SourceParsers, language: SourceLanguage, text: string): Definition[] {
  return withTree(parsers, language, text, (root) => collect(root, VISITORS[language])) ?? [];
}

/**
 * The current definition of a recorded function, or undefined when it is gone (renamed, deleted).
 * Members of a class named like the last segment of defined_class (split on ".", "::", "$", "/")
 * come first; among several, the one whose enclosing names match more of defined_class wins, then
 * the one with the recorded static flag, then the one nearest the recorded line (0 when the line
 * falls inside it). Only when no such class exists in the file (Python and JavaScript module
 * functions, whose defined_class names the module) do functions of that name qualify. Java
 * constructors may come as method_id "<init>".
 */
export function locateFunction(defs: Definition[], recorded: RecordedFunction): Definition | undefined {
  const segments = recorded.definedClass.split(/::|[.$/]/).filter((s) => s.length > 0);
  const className = segments[segments.length - 1];
  if (className !== undefined) {
    const wanted = recorded.methodId === '<init>' ? className : recorded.methodId;
    const members = defs.filter(
      (d) => d.kind !== 'class' && d.name === wanted && d.container[d.container.length - 1] === className,
    );
    if (members.length > 0) return best(members, recorded, segments);
    const classExists = defs.some(
      (d) => (d.kind === 'class' && d.name === className) || d.container.includes(className),
    );
    if (classExists) return undefined;
  }
  return best(
    defs.filter((d) => d.kind === 'function' && d.name === recorded.methodId),
    recorded,
    segments,
  );
}

/** Where the definitions walk stands: the names around it and what a `def` there would be. */
interface Scope {
  container: string[];
  inClass: boolean;
  /** Inside Ruby `class << self`. */
  staticScope: boolean;
}

/** Looks at one node, records any definition it is, and returns the scope to visit its children
 *  in, or undefined not to visit them. */
type Visitor = (node: Node, scope: Scope, defs: Definition[]) => Scope | undefined;

const TOP: Scope = { container: [], inClass: false, staticScope: false };

function collect(root: Node, visit: Visitor): Definition[] {
  const defs: Definition[] = [];
  // An explicit stack: module-level expressions can nest deeper than the call stack allows.
  const stack: Array<[Node, Scope]> = [[root, TOP]];
  while (stack.length > 0) {
    const [node, scope] = stack.pop()!;
    const inner = visit(node, scope, defs);
    if (!inner) continue;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push([child, inner]);
    }
  }
  return defs;
}

function visitPython(node: Node, scope: Scope, defs: Definition[]): Scope | undefined {
  switch (node.type) {
    case 'class_definition': {
      const name = fieldText(node, 'name');
      if (name === undefined) return undefined;
      defs.push(definition(node, 'class', name, scope.container, false));
      return classScope(scope, [name]);
    }
    case 'function_definition': {
      const name = fieldText(node, 'name');
      if (name !== undefined) {
        const kind = scope.inClass ? 'method' : 'function';
        defs.push(definition(node, kind, name, scope.container, scope.inClass && isPythonStatic(node)));
      }
      return undefined;
    }
    case 'lambda':
      return undefined;
    default:
      return scope;
  }
}

function visitRuby(node: Node, scope: Scope, defs: Definition[]): Scope | undefined {
  switch (node.type) {
    case 'class':
    case 'module': {
      // `class Api::KeysController` nests like `module Api; class KeysController`.
      const parts = (fieldText(node, 'name') ?? '').split('::').filter((s) => s.length > 0);
      const name = parts[parts.length - 1];
      if (name === undefined) return undefined;
      // Modules only name containers: Definition has no kind for them.
      if (node.type === 'class') {
        defs.push(definition(node, 'class', name, [...scope.container, ...parts.slice(0, -1)], false));
      }
      return classScope(scope, parts);
    }
    case 'singleton_class':
      return { ...scope, staticScope: true };
    case 'method':
    case 'singleton_method': {
      const name = fieldText(node, 'name');
      if (name !== undefined) {
        const isStatic = node.type === 'singleton_method' || scope.staticScope;
        defs.push(definition(node, scope.inClass ? 'method' : 'function', name, scope.container, isStatic));
      }
      return undefined;
    }
    default:
      return scope;
  }
}

function visitJava(node: Node, scope: Scope, defs: Definition[]): Scope | undefined {
  switch (node.type) {
    case 'program':
    case 'class_body':
    case 'interface_body':
    case 'enum_body':
    case 'enum_body_declarations':
    case 'annotation_type_body':
      return scope;
    case 'class_declaration':
    case 'interface_declaration':
    case 'enum_declaration':
    case 'record_declaration':
    case 'annotation_type_declaration': {
      const name = fieldText(node, 'name');
      if (name === undefined) return undefined;
      defs.push(definition(node, 'class', name, scope.container, hasJavaModifier(node, 'static')));
      return classScope(scope, [name]);
    }
    case 'method_declaration':
    case 'constructor_declaration':
    case 'compact_constructor_declaration': {
      const name = fieldText(node, 'name');
      if (name !== undefined && node.childForFieldName('body')) {
        defs.push(definition(node, 'method', name, scope.container, hasJavaModifier(node, 'static')));
      }
      return undefined;
    }
    default:
      // Field initialisers, anonymous classes, lambdas: agents name these `$1`, `lambda$x$0`.
      return undefined;
  }
}

function visitJavaScript(node: Node, scope: Scope, defs: Definition[]): Scope | undefined {
  switch (node.type) {
    case 'class_declaration':
    case 'abstract_class_declaration':
    case 'class': {
      const name = fieldText(node, 'name') ?? declaredName(node);
      if (name === undefined) return undefined;
      defs.push(definition(node, 'class', name, scope.container, false));
      return classScope(scope, [name]);
    }
    case 'method_definition': {
      // Object-literal methods are not listed: agents do not record them under an object name.
      const name = propertyName(node.childForFieldName('name'));
      if (name !== undefined && node.parent?.type === 'class_body') {
        defs.push(definition(node, 'method', name, scope.container, hasToken(node, 'static')));
      }
      return undefined;
    }
    case 'field_definition':
    case 'public_field_definition': {
      const name = propertyName(node.childForFieldName('property') ?? node.childForFieldName('name'));
      if (name !== undefined && isFunctionValue(node.childForFieldName('value'))) {
        defs.push(definition(node, 'method', name, scope.container, hasToken(node, 'static')));
      }
      return undefined;
    }
    case 'function_declaration':
    case 'generator_function_declaration': {
      const name = fieldText(node, 'name');
      if (name !== undefined) defs.push(definition(node, 'function', name, scope.container, false));
      return undefined;
    }
    case 'variable_declarator': {
      const nameNode = node.childForFieldName('name');
      if (nameNode?.type !== 'identifier' || !isFunctionValue(node.childForFieldName('value'))) return scope;
      defs.push(definition(node, 'function', nameNode.text, scope.container, false));
      return undefined;
    }
    case 'internal_module':
    case 'module': {
      // `namespace A.B {}` and `declare module "x" {}` name their members like classes do.
      const parts = unquote(fieldText(node, 'name') ?? '').split('.').filter((s) => s.length > 0);
      return parts.length > 0 ? { container: [...scope.container, ...parts], inClass: false, staticScope: false } : undefined;
    }
    case 'arrow_function':
    case 'function_expression':
    case 'function':
    case 'generator_function':
    case 'class_static_block':
    case 'interface_declaration':
    case 'type_alias_declaration':
      return undefined;
    default:
      return scope;
  }
}

const VISITORS: Record<SourceLanguage, Visitor> = {
  python: visitPython,
  ruby: visitRuby,
  java: visitJava,
  javascript: visitJavaScript,
  typescript: visitJavaScript,
  tsx: visitJavaScript,
};

function definition(
  node: Node,
  kind: Definition['kind'],
  name: string,
  container: string[],
  isStatic: boolean,
): Definition {
  const start = startAfterDecorations(node);
  return { kind, name, container, isStatic, line: lineOf(start), column: start.column + 1, endLine: lastLineOf(node) };
}

function classScope(scope: Scope, names: string[]): Scope {
  return { container: [...scope.container, ...names], inClass: true, staticScope: false };
}

/** Where a definition starts once decorators (JavaScript) and annotations (Java) are passed over;
 *  Python's decorated_definition already keeps them outside the function node. */
function startAfterDecorations(node: Node): Point {
  for (const child of node.children) {
    if (DECORATIONS.has(child.type)) continue;
    if (child.type !== 'modifiers') return child.startPosition;
    const modifier = child.children.find((m) => !DECORATIONS.has(m.type));
    if (modifier) return modifier.startPosition;
  }
  return node.startPosition;
}

const DECORATIONS = new Set(['decorator', 'marker_annotation', 'annotation', 'comment', 'line_comment', 'block_comment']);

function isPythonStatic(fn: Node): boolean {
  const decorated = fn.parent;
  if (decorated?.type !== 'decorated_definition') return false;
  return decorated.namedChildren.some((decorator) => {
    if (decorator.type !== 'decorator') return false;
    const expression = decorator.namedChild(0);
    const name = expression?.type === 'attribute' ? fieldText(expression, 'attribute') : expression?.text;
    return name === 'staticmethod' || name === 'classmethod';
  });
}

function hasJavaModifier(node: Node, modifier: string): boolean {
  const modifiers = node.namedChildren.find((c) => c.type === 'modifiers');
  return modifiers ? hasToken(modifiers, modifier) : false;
}

function hasToken(node: Node, token: string): boolean {
  return node.children.some((c) => c.type === token);
}

function isFunctionValue(node: Node | null): boolean {
  return node !== null && FUNCTION_VALUES.has(node.type);
}

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

/** The name of a class expression from `const Name = class {…}`. */
function declaredName(node: Node): string | undefined {
  const parent = node.parent;
  if (parent?.type !== 'variable_declarator' || !isField(parent, 'value', node)) return undefined;
  const name = parent.childForFieldName('name');
  return name?.type === 'identifier' ? name.text : undefined;
}

function propertyName(node: Node | null): string | undefined {
  if (!node) return undefined;
  return node.type === 'string' ? unquote(node.text) : node.text;
}

function unquote(text: string): string {
  return /^(["'`]).*\1$/s.test(text) ? text.slice(1, -1) : text;
}

function fieldText(node: Node, field: string): string | undefined {
  return node.childForFieldName(field)?.text;
}

function best(candidates: Definition[], recorded: RecordedFunction, segments: string[]): Definition | undefined {
  let chosen: Definition | undefined;
  let chosenScore: number[] = [];
  for (const candidate of candidates) {
    const score = [
      -sharedSuffix(candidate.container, segments),
      candidate.isStatic === recorded.isStatic ? 0 : 1,
      recorded.lineno === undefined ? 0 : lineDistance(candidate, recorded.lineno),
    ];
    if (chosen === undefined || isLess(score, chosenScore)) {
      chosen = candidate;
      chosenScore = score;
    }
  }
  return chosen;
}

/** How many trailing names of `container` equal trailing segments of the recorded class. */
function sharedSuffix(container: string[], segments: string[]): number {
  let n = 0;
  while (
    n < container.length &&
    n < segments.length &&
    container[container.length - 1 - n] === segments[segments.length - 1 - n]
  ) {
    n++;
  }
  return n;
}

/** 0 when the recorded line falls inside the definition (agents record the `def`, a decorator or
 *  the first body line), else the distance to its nearer end. */
function lineDistance(def: Definition, line: number): number {
  if (line < def.line) return def.line - line;
  if (line > def.endLine) return line - def.endLine;
  return 0;
}

function isLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return false;
}
