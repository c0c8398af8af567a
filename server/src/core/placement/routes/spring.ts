// The routes of Spring MVC controllers: a class annotated `@RestController` or `@Controller`, its
// prefix (`@RequestMapping("/api")`, `value =`/`path =`), and its methods annotated
// `@GetMapping("/{id}")`, `@PostMapping`, `@PutMapping`, `@PatchMapping`, `@DeleteMapping`, or
// `@RequestMapping(value = "/x", method = RequestMethod.POST)` (every method when none is given).
// Spring serves the most specific route of all.

import type { Node } from 'web-tree-sitter';
import { descendants, lastLineOf, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { countWork } from '../../workCounter';
import { DeclaredRoute, joinPath, patternOf } from './table';

const MAPPINGS: Record<string, string | undefined> = { GetMapping: 'get', PostMapping: 'post', PutMapping: 'put', PatchMapping: 'patch', DeleteMapping: 'delete', RequestMapping: undefined };

export function springRoutes(index: SourceIndex): DeclaredRoute[] {
  const parsers = index.parsers;
  if (!parsers) return [];
  const out: DeclaredRoute[] = [];
  let order = 0;
  for (const file of index.files.list(['.java'])) {
    const text = index.text(file);
    if (text === undefined || !/@(Rest)?Controller\b/.test(text)) continue;
    withTree(parsers, 'java', text, (root) => {
      for (const cls of descendants(root)) {
        countWork();
        if (cls.type !== 'class_declaration') continue;
        const annotations = annotationsOf(cls);
        if (!annotations.some((a) => a.name === 'RestController' || a.name === 'Controller')) continue;
        const prefixes = annotations.find((a) => a.name === 'RequestMapping')?.paths ?? [''];
        for (const member of cls.childForFieldName('body')?.namedChildren ?? []) {
          countWork();
          if (member?.type !== 'method_declaration') continue;
          for (const a of annotationsOf(member)) {
            if (!(a.name in MAPPINGS)) continue;
            const methods = MAPPINGS[a.name] ? [MAPPINGS[a.name]!] : a.methods.length ? a.methods : ['all'];
            for (const prefix of prefixes) {
              for (const path of a.paths) {
                const full = joinPath(prefix, path);
                for (const method of methods) {
                  out.push({
                    method,
                    ...patternOf(full),
                    handler: { path: file, fromLine: lineOf(member.startPosition), toLine: lastLineOf(member) },
                    route: `${method.toUpperCase()} ${full}`,
                    family: 'spring',
                    firstMatch: false,
                    order: order++,
                  });
                }
              }
            }
          }
        }
      }
    });
  }
  return out;
}

interface Annotation {
  name: string;
  /** `"/x"`, `value = "/x"`, `path = {"/a", "/b"}`; `['']` when none. */
  paths: string[];
  /** `method = RequestMethod.POST` (or several), lower case. */
  methods: string[];
}

function annotationsOf(declaration: Node): Annotation[] {
  const modifiers = declaration.namedChildren.find((c) => c?.type === 'modifiers');
  const out: Annotation[] = [];
  for (const a of modifiers?.namedChildren ?? []) {
    if (a?.type !== 'annotation' && a?.type !== 'marker_annotation') continue;
    const name = (a.childForFieldName('name')?.text ?? '').replace(/^.*\./, '');
    const paths: string[] = [];
    const methods: string[] = [];
    for (const arg of a.childForFieldName('arguments')?.namedChildren ?? []) {
      if (!arg) continue;
      if (arg.type === 'element_value_pair') {
        const key = arg.childForFieldName('key')?.text;
        const value = arg.childForFieldName('value');
        if (key === 'value' || key === 'path') for (const p of stringsOf(value)) paths.push(p);
        else if (key === 'method') for (const m of methodsOf(value)) methods.push(m);
      } else for (const p of stringsOf(arg)) paths.push(p);
    }
    out.push({ name, paths: paths.length ? paths : [''], methods });
  }
  return out;
}

function stringsOf(node: Node | null | undefined): string[] {
  if (!node) return [];
  if (node.type === 'string_literal') return [node.namedChildren.map((c) => c?.text ?? '').join('')];
  if (node.type === 'element_value_array_initializer') return node.namedChildren.flatMap((c) => stringsOf(c));
  return [];
}

function methodsOf(node: Node | null | undefined): string[] {
  if (!node) return [];
  if (node.type === 'element_value_array_initializer') return node.namedChildren.flatMap((c) => methodsOf(c));
  const name = node.type === 'field_access' ? node.childForFieldName('field')?.text : node.type === 'identifier' ? node.text : undefined;
  return name ? [name.toLowerCase()] : [];
}
