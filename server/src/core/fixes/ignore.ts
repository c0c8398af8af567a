// Ignore comments: `# runlens: ignore n-plus-one` (in the file's own comment syntax) on the line of
// a finding or the line above it silences that rule there, in the CLI and in the server alike.

import { Finding } from '../findings/finding';
import { SourceLocation } from '../sourceIndex';

/** `# runlens: ignore n-plus-one`, `// runlens: ignore slow-call`, `<%# runlens: ignore … %>`… */
export function ignoreComment(rule: string, path: string): string {
  const body = `runlens: ignore ${rule}`;
  if (/\.(py|rb|rake|ya?ml|sh|toml)$/.test(path)) return `# ${body}`;
  if (/\.erb$/.test(path)) return `<%# ${body} %>`;
  if (/\.(html|htm|xml|vue|svelte)$/.test(path)) return /\.html?$/.test(path) && path.includes('templates') ? `{# ${body} #}` : `<!-- ${body} -->`;
  if (/\.sql$/.test(path)) return `-- ${body}`;
  return `// ${body}`;
}

/** True when the finding's line, or the line above it, says to ignore its rule (or all rules). */
export function isIgnored(rule: string, location: SourceLocation, text: string | undefined): boolean {
  if (text === undefined) return false;
  const lines = text.split('\n');
  const pattern = new RegExp(`runlens:\\s*ignore(\\s+[\\w-]+(\\s*,\\s*[\\w-]+)*)?`);
  for (const n of [location.line - 1, location.line - 2]) {
    const m = n >= 0 ? pattern.exec(lines[n] ?? '') : null;
    if (!m) continue;
    const rules = m[1]?.split(',').map((r) => r.trim()) ?? [];
    if (rules.length === 0 || rules.includes(rule)) return true;
  }
  return false;
}

/** Findings whose place does not carry an ignore comment, reading texts through `textOf`. */
export function withoutIgnored(findings: Finding[], textOf: (path: string) => string | undefined): Finding[] {
  return findings.filter((f) => !isIgnored(f.rule, f.location, textOf(f.location.path)));
}

/** The edit that puts an ignore comment on its own line above the finding, indented like it. */
export function ignoreEdit(finding: Finding, text: string): { line: number; newText: string } {
  const line = text.split('\n')[finding.location.line - 1] ?? '';
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  return { line: finding.location.line, newText: `${indent}${ignoreComment(finding.rule, finding.location.path)}\n` };
}
