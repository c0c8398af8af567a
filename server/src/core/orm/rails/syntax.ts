// The Ruby syntax the ActiveRecord readers share: constant paths, method names, symbols, strings
// and hash keys as tree-sitter gives them.

import type { Node } from 'web-tree-sitter';

/** The names of a constant path (`Admin::User` → ['Admin', 'User']); `absolute` for `::User`. */
export function constantParts(node: Node | null | undefined): { names: string[]; absolute: boolean } | undefined {
  if (!node) return undefined;
  if (node.type === 'constant') return { names: [node.text], absolute: false };
  if (node.type !== 'scope_resolution') return undefined;
  const name = node.childForFieldName('name');
  const scope = node.childForFieldName('scope');
  if (name?.type !== 'constant') return undefined;
  if (!scope) return { names: [name.text], absolute: true };
  const outer = constantParts(scope);
  return outer && { names: [...outer.names, name.text], absolute: outer.absolute };
}

export function methodName(call: Node): string | undefined {
  return call.childForFieldName('method')?.text;
}

export function symbolName(node: Node): string | undefined {
  if (node.type === 'simple_symbol') return node.text.slice(1);
  return undefined;
}

/** `:user`, `"user"`, `'user'`, `:"user"` → user; undefined for anything else (interpolation too). */
export function symbolOrString(node: Node): string | undefined {
  if (node.type === 'simple_symbol') return node.text.slice(1);
  if (node.type === 'delimited_symbol' || node.type === 'string') return stringContent(node);
  return undefined;
}

export function stringContent(node: Node): string | undefined {
  if (node.type !== 'string' && node.type !== 'delimited_symbol') return undefined;
  const parts = node.namedChildren;
  if (parts.length === 0) return '';
  if (parts.length !== 1 || parts[0].type !== 'string_content') return undefined;
  return parts[0].text;
}

export function pairKey(pair: Node): string | undefined {
  const key = pair.childForFieldName('key');
  if (!key) return undefined;
  if (key.type === 'hash_key_symbol') return key.text;
  return symbolOrString(key);
}

export function sameNode(a: Node | null, b: Node): boolean {
  return a !== null && a.id === b.id;
}
