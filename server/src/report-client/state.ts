// What the page shows (the request or test, the merged tree or the one in call order, the search,
// the finding) and the elements its views share. Only the views change it.

import type { CallTree } from './callTree';
import type { Graph, Side } from './flameGraph';

export interface PageState {
  /** Index into data.after.entries of the shown request or test; -1 before one is. */
  entry: number;
  /** The flame graph's tree (same calls merged) rather than the one in call order. */
  merged: boolean;
  /** Each frame's children by time, the most first (speedscope's left-heavy), rather than in call order. */
  leftHeavy: boolean;
  /** What the search box holds… */
  search: string;
  /** …or a SQL shape picked in the SQL table, matched exactly. */
  exact: string | null;
  /** The finding shown, and which of its places (an index into its targets). */
  finding: { f: number; t: number } | null;
  graphs: Partial<Record<Side, Graph>>;
}

export const state: PageState = { entry: -1, merged: true, leftHeavy: false, search: '', exact: null, finding: null, graphs: {} };

/** The page's shared elements; page.ts builds them before anything uses them. */
export interface PageElements {
  notes: HTMLElement;
  sidebar: HTMLElement;
  main: HTMLElement;
  /** The requests and tests listed in the sidebar, by entry index. */
  entryItems: HTMLLIElement[];
  entryHead: HTMLElement;
  search: HTMLInputElement;
  merge: HTMLInputElement;
  leftHeavy: HTMLInputElement;
  reset: HTMLButtonElement;
  searchInfo: HTMLElement;
  findingInfo: HTMLElement;
  graphs: HTMLElement;
  treeBox: HTMLElement;
  sqlBox: HTMLElement;
  sandwichBox: HTMLElement;
  timelineBox: HTMLElement;
  /** The shown entry's call tree, when it has one. */
  callTree: CallTree | null;
}

export const ui = {} as PageElements;
