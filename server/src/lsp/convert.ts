// All conversions between the core's positions (workspace-relative POSIX paths, 1-based lines
// and columns) and the protocol's (URIs, 0-based lines and UTF-16 characters) live here.

import * as path from 'node:path';
import { Range } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { SourceLocation } from '../core/sourceIndex';
import { isWellFormed } from '../core/text';

export function toRange(location: SourceLocation): Range {
  const start = { line: location.line - 1, character: location.column - 1 };
  const end = location.endLine !== undefined && location.endColumn !== undefined ? { line: location.endLine - 1, character: location.endColumn - 1 } : start;
  return { start, end };
}

/**
 * The file URI of a workspace-relative path; undefined for a recorded path no URI can hold (not
 * well-formed Unicode: a file name in another encoding, `caf\udce9.py`), where URI.toString
 * throws. Every caller leaves that one item out: one such path lost every diagnostic and symbol.
 */
export function uriOf(root: string, relPath: string): string | undefined {
  if (!isWellFormed(relPath)) return undefined;
  return URI.file(path.join(root, relPath)).toString();
}

/** The workspace-relative path of a file URI, or undefined when it is not a file inside the root. */
export function relPathOf(root: string, uri: string): string | undefined {
  let parsed: URI;
  try {
    parsed = URI.parse(uri);
  } catch {
    return undefined;
  }
  if (parsed.scheme !== 'file') return undefined;
  const rel = path.relative(root, parsed.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
