// Diagnostics: every finding at its current place, and the other end of its code at its own
// (unless an ignore comment there silences it),
// grouped by file, and the problems of broken recordings on the recording files themselves.

import { ORMS } from '../orm/index';
import { resolveAnchor } from '../placement/index';
import { Finding } from '../findings/finding';
import { isIgnored } from '../fixes/ignore';
import { Problem } from '../problem';
import { SourceIndex } from '../sourceIndex';
import { Snapshot } from '../index/workspaceIndex';

export interface FileDiagnostics {
  findings: Finding[];
  problems: Problem[];
}

/** Findings re-located against the current text, and problems, by workspace-relative file. */
export function diagnosticsByFile(snapshot: Snapshot, index: SourceIndex): Map<string, FileDiagnostics> {
  return snapshot.memo('diagnosticsByFile', index.generation, () => computeByFile(snapshot, index));
}

function computeByFile(snapshot: Snapshot, index: SourceIndex): Map<string, FileDiagnostics> {
  const byFile = new Map<string, FileDiagnostics>();
  const entry = (path: string) => {
    let e = byFile.get(path);
    if (!e) byFile.set(path, (e = { findings: [], problems: [] }));
    return e;
  };
  for (const f of snapshot.findings()) {
    const location = resolveAnchor(f.ref, index, ORMS) ?? f.location;
    // An ignore comment on the line or above it, in the current text, silences the finding.
    if (isIgnored(f.rule, location, index.text(location.path))) continue;
    // The other end of its code (the per-row call of an N+1 on its source query) moves with the text too.
    const also = f.also?.map((a) => {
      const at = resolveAnchor(a.ref, index, ORMS) ?? a.location;
      return at === a.location ? a : { ...a, location: at };
    });
    const moved = also !== undefined && also.some((a, i) => a !== f.also![i]);
    entry(location.path).findings.push(location === f.location && !moved ? f : { ...f, location, ...(moved ? { also } : {}) });
  }
  for (const p of snapshot.problems()) entry(p.file).problems.push(p);
  return byFile;
}
