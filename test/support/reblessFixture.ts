// Re-blessing a findings fixture (checkFindings with UPDATE_EXPECT=1): the fixture literal at the
// checker's call keeps its source lines and gets the new marker lines under them, with the
// indentation of their `//- path` section. A literal built with `${…}` parts works as long as the
// markers that change sit under lines of the literal itself, not of an interpolated value.

import type * as TS from 'typescript';
import { callerSite, editSource, sourceOf, typescript } from './expect';
import { isMarkerLine, normalizeFixture } from './fixture';

/** A line of the fixture as the checker got it, and where it ends: a newline of a text part of the literal, or elsewhere. */
interface Line {
  text: string;
  /** The text part holding the newline that ends the line and that newline's rank in it; part -1: in an interpolated value or at the end. */
  end: { part: number; nl: number };
  /** The same for the newline before the line (part -1 at the very start). */
  start: { part: number; nl: number };
  /** The indentation of its section, which the fixture's dedent strips. */
  indent: number;
}

/** Rewrites the fixture literal passed to `callee` at the first frame of `stack` outside `skip`, so that it renders as `rendered`. */
export function reblessFixture(stack: string, skip: string[], callee: string, fixture: string, rendered: string): void {
  const fail = (why: string): never => {
    throw new Error(`UPDATE_EXPECT=1: cannot rewrite the fixture of ${callee}: ${why}`);
  };
  const site = callerSite(stack, skip) ?? fail('no call site in the stack');
  const ts = typescript();
  const { source, original } = sourceOf(site.file);
  const at = source.getPositionOfLineAndCharacter(site.line - 1, site.column - 1);
  let call: TS.CallExpression | undefined;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === callee && node.getStart(source) <= at && at < node.end) call = node;
    ts.forEachChild(node, visit);
  };
  visit(source);
  const literal = call?.arguments[0] ?? fail(`no call at ${site.file}:${site.line}`);

  // The literal's text parts: cooked (as the checker got them) and where their raw text starts in the file.
  const parts: { cooked: string; rawStart: number; raw: string }[] = [];
  const part = (node: TS.TemplateLiteralLikeNode & TS.Node, closeLength: number) => {
    const start = node.getStart(source) + 1;
    parts.push({ cooked: node.text, rawStart: start, raw: original.slice(start, node.end - closeLength) });
  };
  if (ts.isNoSubstitutionTemplateLiteral(literal)) part(literal, 1);
  else if (ts.isTemplateExpression(literal)) {
    part(literal.head, 2);
    literal.templateSpans.forEach((s, i) => part(s.literal, i === literal.templateSpans.length - 1 ? 1 : 2));
  } else fail(`its fixture at ${site.file}:${site.line} is not a template literal`);

  // The interpolated values, between the text parts.
  const values: string[] = [];
  if (!fixture.startsWith(parts[0].cooked) || !fixture.endsWith(parts[parts.length - 1].cooked)) fail('the literal does not match the fixture');
  let pos = parts[0].cooked.length;
  for (let i = 1; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const next = last ? fixture.length - parts[i].cooked.length : parts[i].cooked ? fixture.indexOf(parts[i].cooked, pos) : fail('two ${…} side by side');
    if (next < pos) fail('the literal does not match the fixture');
    values.push(fixture.slice(pos, next));
    pos = next + parts[i].cooked.length;
  }

  // The fixture's lines, each with the newlines around it.
  const lines: Line[] = [];
  let text = '';
  let start = { part: -1, nl: -1 };
  const counts = parts.map(() => 0);
  const take = (piece: string, partIndex: number) => {
    const pieces = piece.split('\n');
    pieces.forEach((p, i) => {
      text += p;
      if (i === pieces.length - 1) return;
      const end = partIndex < 0 ? { part: -1, nl: -1 } : { part: partIndex, nl: counts[partIndex]++ };
      lines.push({ text, start, end, indent: 0 });
      start = end;
      text = '';
    });
  };
  parts.forEach((p, i) => {
    take(p.cooked, i);
    if (i < values.length) take(values[i], -1);
  });
  lines.push({ text, start, end: { part: -1, nl: -1 }, indent: 0 });

  // The fixture's dedent (support/fixture.ts), keeping track of the lines.
  if (lines[0].text === '') lines.shift();
  let indent = 0;
  for (const l of lines) {
    const header = /^( *)\/\/- /.exec(l.text);
    if (header) indent = header[1].length;
    l.indent = indent;
    l.text = l.text.slice(Math.min(indent, /^ */.exec(l.text)![0].length));
  }
  let kept = lines.filter((l, i) => {
    if (l.text !== '') return true;
    let j = i;
    while (j < lines.length && lines[j].text === '') j++;
    if (j === lines.length || !lines[j].text.startsWith('//- ')) return true;
    // A run of blank lines before a header goes, but for one at the very start.
    let k = i;
    while (k > 0 && lines[k - 1].text === '') k--;
    return k === 0 && i === 0;
  });
  while (kept.length && kept[kept.length - 1].text.trim() === '') kept = kept.slice(0, -1);
  if (kept.length) kept[kept.length - 1].text = kept[kept.length - 1].text.trimEnd();
  if (kept.map((l) => l.text).join('\n') + '\n' !== normalizeFixture(fixture)) fail('its lines could not be followed');

  // Marker lines after each source line, as written and as they should be.
  const groups = (ls: string[]) => {
    const out: { anchor: string; marks: string[] }[] = [];
    for (const l of ls) {
      if (isMarkerLine(l) && out.length) out[out.length - 1].marks.push(l);
      else out.push({ anchor: l, marks: [] });
    }
    return out;
  };
  const anchors: { line: Line; marks: Line[] }[] = [];
  for (const l of kept) {
    if (isMarkerLine(l.text) && anchors.length) anchors[anchors.length - 1].marks.push(l);
    else anchors.push({ line: l, marks: [] });
  }
  const wanted = groups(rendered.replace(/\n$/, '').split('\n'));
  if (wanted.length !== anchors.length || wanted.some((w, i) => w.anchor !== anchors[i].line.text)) fail('its source lines differ from the rendered ones (only markers are rewritten)');

  const newlines = parts.map((p) => [...p.raw.matchAll(/\n/g)].map((m) => m.index as number));
  if (newlines.some((n, i) => n.length !== counts[i])) fail('a text part has escaped line breaks');
  anchors.forEach((a, i) => {
    const now = a.marks.map((m) => m.text);
    if (JSON.stringify(now) === JSON.stringify(wanted[i].marks)) return;
    const where = a.line.end;
    const last = a.marks.length ? a.marks[a.marks.length - 1].end : where;
    if (where.part < 0 || last.part !== where.part || a.marks.some((m) => m.start.part !== where.part || m.end.part !== where.part)) fail(`the markers under ${JSON.stringify(a.line.text)} are in an interpolated value`);
    const p = parts[where.part];
    const from = p.rawStart + newlines[where.part][where.nl] + 1;
    const to = p.rawStart + newlines[where.part][last.nl] + 1;
    editSource(site.file, from, to, wanted[i].marks.map((m) => `${' '.repeat(a.line.indent)}${m.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\n`).join(''));
  });
}
