// textDocument/prepareCallHierarchy, callHierarchy/incomingCalls and callHierarchy/outgoingCalls:
// the recorded callers and callees of a function (core/ide/callHierarchy.ts) as protocol items.
// An item's `data` is `{ node }`, the node of the recorded call graph it stands for.

import {
  CallHierarchyIncomingCall,
  CallHierarchyIncomingCallsParams,
  CallHierarchyItem,
  CallHierarchyOutgoingCall,
  CallHierarchyOutgoingCallsParams,
  CallHierarchyPrepareParams,
  SymbolKind,
} from 'vscode-languageserver/node';
import { CallItem, incomingCalls, outgoingCalls, prepareCallItem } from '../core/ide/callHierarchy';
import { relPathOf, toRange, uriOf } from './convert';
import { Session } from './session';

export interface CallItemData {
  node: string;
}

export function prepareCallHierarchy(session: Session, params: CallHierarchyPrepareParams): CallHierarchyItem[] | null {
  const rel = relPathOf(session.root, params.textDocument.uri);
  const item = rel === undefined ? undefined : prepareCallItem(session.index.snapshot(), session.sourceIndex, rel, params.position.line + 1);
  const protocolItem = item && toItem(session, item);
  return protocolItem ? [protocolItem] : null;
}

export function provideIncomingCalls(session: Session, params: CallHierarchyIncomingCallsParams): CallHierarchyIncomingCall[] {
  const node = nodeOf(session, params.item);
  if (node === undefined) return [];
  // No agent records where a call was made, so the caller's name stands for the call site.
  const out: CallHierarchyIncomingCall[] = [];
  for (const e of incomingCalls(session.index.snapshot(), session.sourceIndex, node)) {
    const from = toItem(session, e.item);
    if (from) out.push({ from, fromRanges: [toRange(e.item.selection)] });
  }
  return out;
}

export function provideOutgoingCalls(session: Session, params: CallHierarchyOutgoingCallsParams): CallHierarchyOutgoingCall[] {
  const node = nodeOf(session, params.item);
  if (node === undefined) return [];
  const out: CallHierarchyOutgoingCall[] = [];
  for (const e of outgoingCalls(session.index.snapshot(), session.sourceIndex, node)) {
    const to = toItem(session, e.item);
    if (to) out.push({ to, fromRanges: [params.item.selectionRange] });
  }
  return out;
}

/** The protocol's item; undefined for one in a file no URI can name (left out, never the others). */
function toItem(session: Session, item: CallItem): CallHierarchyItem | undefined {
  const data: CallItemData = { node: item.node };
  const uri = uriOf(session.root, item.range.path);
  if (uri === undefined) return undefined;
  return {
    name: item.name,
    kind: item.kind === 'route' ? SymbolKind.Event : item.kind === 'method' ? SymbolKind.Method : SymbolKind.Function,
    detail: item.detail,
    uri,
    range: toRange(item.range),
    selectionRange: toRange(item.selection),
    data,
  };
}

/** The node an item stands for: its `data`, or, from a client that dropped it, the function at the item's place. */
function nodeOf(session: Session, item: CallHierarchyItem): string | undefined {
  const node = (item.data as Partial<CallItemData> | undefined)?.node;
  if (typeof node === 'string') return node;
  const rel = relPathOf(session.root, item.uri);
  return rel === undefined ? undefined : prepareCallItem(session.index.snapshot(), session.sourceIndex, rel, item.selectionRange.start.line + 1)?.node;
}
