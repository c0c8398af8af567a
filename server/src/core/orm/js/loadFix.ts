// The fix of a Node ORM's eager-loading edit together with the per-row reads of its loops: one
// replacement over the query and the loops, and the words of its title (the code action's and
// SARIF's description) and hint, which say what the edit rewrote and what still runs per row.

import type { Node } from 'web-tree-sitter';
import { Fix } from '../../placement/orm';
import { append } from '../../arrays';
import { Edit } from './syntax';
import { RowLoop, editOver, joined, removeStatement } from './rowLoops';

export interface RowRead {
  /** What the row reads once the relation is loaded: `project.tasks`. */
  read: string;
  /** The per-row call, as said (`project.getTasks()`, `$relatedQuery('tasks')`); undefined: a query. */
  call?: string;
  /** Its line; 0 when it was found nowhere in the file. */
  line: number;
}

export interface RowReads {
  edits: Edit[];
  rewritten: RowRead[];
  remaining: RowRead[];
}

export interface LoadFixWords {
  /** The file and the query's `path:line:column`. */
  path: string;
  at: string;
  /** What the edit adds, as the title says it: `include: ['tasks']`. */
  added: string;
  /** The hint's first words; `add <added> to the query at <at>` unless said. */
  action?: string;
  /** `calling getTasks() per row` rather than `calling getTasks()`. */
  perRow: boolean;
  /** Said at the end of the hint only. */
  tail?: string;
}

/**
 * The fix: the query's edits and the reads' in one replacement; the title `Load eagerly: <added>`
 * followed by the reads rewritten (` and read project.tasks instead of calling …`) and those that
 * remain (`, then read project.tasks instead of calling …`), the hint the same with the lines of
 * the rewritten reads.
 */
export function loadFix(text: string, query: Node, queryEdits: Edit[], reads: RowReads, words: LoadFixWords): Fix {
  const { range, newText } = editOver(text, query, [...queryEdits, ...reads.edits]);
  const { rewritten, remaining } = reads;
  const instead = (items: RowRead[]) => (items.every((r) => r.call !== undefined) ? `calling ${joined(items, (r) => r.call!)}${words.perRow ? ' per row' : ''}` : 'querying per row');
  const done = rewritten.length ? ` and read ${joined(rewritten, (r) => r.read)} instead of ${instead(rewritten)}` : '';
  const where = rewritten.length ? ` (${joined(rewritten, (r) => `${words.path}:${r.line}`)})` : '';
  const remains = remaining.length ? `, then read ${joined(remaining, (r) => r.read)} instead of ${instead(remaining)}` : '';
  return {
    title: `Load eagerly: ${words.added}${done}${remains}`,
    edit: { path: words.path, range: { path: words.path, ...range }, newText },
    hint: `${words.action ?? `add ${words.added} to the query at ${words.at}`}${done}${where}${remains}${words.tail ?? ''}`,
  };
}

/**
 * The edit removing a per-row statement that the loaded relation makes needless
 * (`project.tasks = await …`, `await project.tasks.init()`), with a note of its loop in `emptied`,
 * for `removeEmptiedLoops`.
 */
export function removeRowStatement(text: string, statement: Node, loop: RowLoop, emptied: Map<number, { loop: RowLoop; removed: number }>): Edit {
  const entry = emptied.get(loop.node.id) ?? { loop, removed: 0 };
  entry.removed++;
  emptied.set(loop.node.id, entry);
  return removeStatement(text, statement);
}

/** A for…of loop whose every statement went is removed whole, instead of its statements. */
export function removeEmptiedLoops(text: string, edits: Edit[], emptied: Map<number, { loop: RowLoop; removed: number }>): void {
  for (const { loop, removed } of emptied.values()) {
    const statements = loop.body.type === 'statement_block' ? loop.body.namedChildren.filter((c) => c.type !== 'comment') : [];
    if (statements.length !== removed || loop.node.type !== 'for_in_statement') continue;
    const inside = (e: Edit) => e.start >= loop.node.startIndex && e.end <= loop.node.endIndex + 1;
    const kept = edits.filter((e) => !inside(e));
    edits.length = 0;
    append(edits, kept);
    edits.push(removeStatement(text, loop.node));
  }
}
