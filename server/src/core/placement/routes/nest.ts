// The routes of NestJS controllers: a class decorated `@Controller('users')` (or
// `@Controller({ path: 'users' })`), its methods decorated `@Get(':id')`, `@Post()`, `@All('*')`…,
// and the application's global prefix (`app.setGlobalPrefix('api')`) when one is set.

import type { Node } from 'web-tree-sitter';
import { descendants, languageOfPath, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { countWork } from '../../workCounter';
import { JS_SUFFIXES } from './express';
import { DeclaredRoute, joinPath, patternOf } from './table';

const METHODS: Record<string, string> = { Get: 'get', Post: 'post', Put: 'put', Patch: 'patch', Delete: 'delete', Head: 'head', Options: 'options', All: 'all' };

interface NestRoute {
  controller: string;
  method: string;
  path: string;
  fromLine: number;
  toLine: number;
}

export function nestRoutes(index: SourceIndex): DeclaredRoute[] {
  if (!index.parsers) return [];
  const found: Array<{ file: string; routes: NestRoute[] }> = [];
  const globalPrefixes = new Set<string>();
  for (const path of index.files.list(JS_SUFFIXES)) {
    const language = languageOfPath(path);
    const text = index.text(path);
    if (!language || text === undefined || !/@Controller\b|\bsetGlobalPrefix\b/.test(text)) continue;
    const routes = withTree(index.parsers, language, text, (root) => readNest(root, globalPrefixes));
    if (routes?.length) found.push({ file: path, routes });
  }
  // One global prefix, or none: two would leave each route's path uncertain.
  if (globalPrefixes.size > 1) return [];
  const global = [...globalPrefixes][0] ?? '';
  const out: DeclaredRoute[] = [];
  for (const { file, routes } of found) {
    routes.forEach((r, order) => {
      countWork();
      const full = joinPath(joinPath(global, r.controller), r.path);
      out.push({
        method: r.method,
        ...patternOf(full),
        handler: { path: file, fromLine: r.fromLine, toLine: r.toLine },
        route: `${r.method.toUpperCase()} ${full}`,
        family: `nest ${file} ${r.controller}`,
        firstMatch: true,
        order,
      });
    });
  }
  return out;
}

function readNest(root: Node, globalPrefixes: Set<string>): NestRoute[] {
  const out: NestRoute[] = [];
  for (const node of descendants(root)) {
    countWork();
    if (node.type === 'call_expression') {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'setGlobalPrefix') {
        const prefix = stringOf(node.childForFieldName('arguments')?.namedChild(0));
        if (prefix !== undefined) globalPrefixes.add(prefix);
      }
      continue;
    }
    if (node.type !== 'class_declaration' && node.type !== 'class') continue;
    // The class's decorators: its own, or its export statement's.
    const decorators = [...node.childrenForFieldName('decorator'), ...(node.parent?.type === 'export_statement' ? node.parent.childrenForFieldName('decorator') : [])];
    let controller: string | undefined;
    for (const d of decorators) {
      const call = d?.namedChild(0);
      if (call?.type !== 'call_expression' || call.childForFieldName('function')?.text !== 'Controller') continue;
      const arg = call.childForFieldName('arguments')?.namedChild(0);
      controller = arg ? (arg.type === 'object' ? pathOption(arg) : stringOf(arg)) : '';
    }
    if (controller === undefined) continue;
    const body = node.childForFieldName('body');
    let pending: Array<{ method: string; paths: string[] }> = [];
    for (const member of body?.namedChildren ?? []) {
      countWork();
      if (!member) continue;
      if (member.type === 'decorator') {
        const call = member.namedChild(0);
        const name = call?.type === 'call_expression' ? call.childForFieldName('function')?.text ?? '' : '';
        if (!(name in METHODS)) continue;
        const arg = call?.childForFieldName('arguments')?.namedChild(0);
        const paths = !arg ? [''] : arg.type === 'array' ? arg.namedChildren.map((a) => stringOf(a)).filter((p): p is string => p !== undefined) : [stringOf(arg)].filter((p): p is string => p !== undefined);
        pending.push({ method: METHODS[name], paths });
      } else if (member.type === 'method_definition') {
        for (const p of pending) for (const path of p.paths) out.push({ controller, method: p.method, path, fromLine: member.startPosition.row + 1, toLine: member.endPosition.row + 1 });
        pending = [];
      } else pending = [];
    }
  }
  return out;
}

function pathOption(options: Node): string | undefined {
  const pair = options.namedChildren.find((p) => p?.type === 'pair' && p.childForFieldName('key')?.text.replace(/['"]/g, '') === 'path');
  return stringOf(pair?.childForFieldName('value') ?? undefined);
}

function stringOf(node: Node | null | undefined): string | undefined {
  if (!node || (node.type !== 'string' && node.type !== 'template_string')) return undefined;
  const text = node.text.slice(1, -1);
  return node.type === 'template_string' && text.includes('${') ? undefined : text;
}
