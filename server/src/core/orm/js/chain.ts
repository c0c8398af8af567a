// Method chains of the query builders (Knex, Objection, Drizzle): `knex('tasks').where(…).orderBy('id')`
// read as its links, from the call that starts it to the outermost call that ends it.

import type { Node } from 'web-tree-sitter';
import { callArguments, unwrap } from './syntax';

export interface ChainLink {
  /** The call of this link: `….orderBy('id')`. */
  call: Node;
  /** The method called; undefined for the call that starts the chain when it is not a method (`knex('tasks')`). */
  method: string | undefined;
  args: Node[];
}

/** The outermost call of the chain `call` is a link of: `a().b().c()` from `a()`. */
export function chainTop(call: Node): Node {
  let top = call;
  for (;;) {
    const member = top.parent;
    const outer = member?.parent;
    if (member?.type !== 'member_expression' || member.childForFieldName('object')?.id !== top.id || outer?.type !== 'call_expression' || outer.childForFieldName('function')?.id !== member.id) return top;
    top = outer;
  }
}

/** The links of the chain ending at `top`, first to last; `root` is what the first link is called on (or the called function). */
export function chainLinks(top: Node): { root: Node; links: ChainLink[] } {
  const links: ChainLink[] = [];
  let n = unwrap(top);
  for (;;) {
    if (n.type !== 'call_expression') break;
    const callee = n.childForFieldName('function');
    if (!callee) break;
    if (callee.type === 'member_expression') {
      const property = callee.childForFieldName('property');
      const object = callee.childForFieldName('object');
      links.unshift({ call: n, method: property?.text, args: callArguments(n) });
      if (!object) break;
      const inner = unwrap(object);
      if (inner.type !== 'call_expression') return { root: inner, links };
      n = inner;
    } else {
      links.unshift({ call: n, method: undefined, args: callArguments(n) });
      return { root: callee, links };
    }
  }
  return { root: n, links };
}
