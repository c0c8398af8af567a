// What tests check of a language server's answers, through a TestClient (support/lspClient.ts):
// diagnostics rendered as one line each, lenses and hovers as text, and a wait until a file's
// diagnostics become what is expected.

import * as assert from 'node:assert/strict';
import { CodeLens, Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

/** Diagnostics as `line:char-line:char severity code: message` (0-based, as in the protocol). */
export function render(diagnostics: Diagnostic[] | undefined): string[] {
  const severity = ['', 'error', 'warning', 'info', 'hint'];
  return (diagnostics ?? []).map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${severity[d.severity ?? 0]}${d.code ? ` ${d.code}` : ''}: ${d.message}`);
}

export function checkDiagnostics(client: TestClient, rel: string, expected: string[]): void {
  assert.deepEqual(render(client.diagnostics.get(client.uri(rel))), expected);
}

export async function lenses(client: TestClient, rel: string): Promise<string[]> {
  const result: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: client.uri(rel) } });
  return result.map((l) => `${l.range.start.line}:${l.range.start.character} ${l.command?.title} (${l.command?.command})`);
}

export async function hover(client: TestClient, rel: string, line: number, character = 0): Promise<string | undefined> {
  const result: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: client.uri(rel) }, position: { line, character } });
  return result ? (result.contents as { value: string }).value : undefined;
}

/** Waits until the diagnostics of `rel` render as `expected`. */
export async function diagnosticsBecome(client: TestClient, rel: string, expected: string[]): Promise<void> {
  const uri = client.uri(rel);
  if (JSON.stringify(render(client.diagnostics.get(uri))) === JSON.stringify(expected)) return;
  try {
    await client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && JSON.stringify(render(p.diagnostics)) === JSON.stringify(expected), 60_000);
  } catch (err) {
    // Say what was published instead.
    assert.deepEqual(render(client.diagnostics.get(uri)), expected, String(err));
  }
}
