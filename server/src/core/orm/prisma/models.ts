// Prisma's models: the workspace's schema (`prisma/schema.prisma`, or any `*.prisma` file) read line
// by line (`model Book { … @@map("books") }`, relation fields with `@relation(fields, references)`,
// back-relations `reviews Review[]`, implicit many-to-many).

import { SourceIndex } from '../../sourceIndex';
import { scanWorkspace } from '../js/workspace';

export interface PrismaModel {
  name: string;
  /** `@@map`, else the model name. */
  table: string;
  fields: PrismaField[];
  path: string;
  line: number;
}

export interface PrismaField {
  name: string;
  /** The type as written, without `[]` and `?`. */
  type: string;
  list: boolean;
  /** The database column (`@map`, else the name). */
  column: string;
  isId: boolean;
  /** `@relation("Name", …)` or `@relation(name: "Name")`. */
  relationName?: string;
  /** `@relation(fields: [authorId], references: [id])`: this side holds the foreign key. */
  fields?: string[];
  references?: string[];
  line: number;
}

/** Where `prisma init` puts the schema. */
const SCHEMA = 'prisma/schema.prisma';

/** The models of every `*.prisma` file of the workspace, read once per file text. */
export function prismaModels(index: SourceIndex): PrismaModel[] {
  return scanWorkspace(index, 'prisma', ['.prisma'], /\bmodel\s/, (path, text) => parsePrismaSchema(path, text), (found) => {
    // A schema copied into build output describes the same models: the first one counts.
    const models: PrismaModel[] = [];
    for (const m of found.flatMap((f) => f.value)) if (!models.some((x) => x.name === m.name)) models.push(m);
    return models;
  }, [SCHEMA]);
}

/**
 * The models of a Prisma schema. Line based: a `model X {` line opens a block, `}` closes it; each
 * field is `name Type[]? @attributes…` on one line, as `prisma format` writes them. Comments (`//`)
 * are dropped; enums, views and types are not models.
 */
export function parsePrismaSchema(path: string, text: string): PrismaModel[] {
  const models: PrismaModel[] = [];
  let current: PrismaModel | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = stripComment(raw).trim();
    if (!current) {
      const open = /^model\s+(\w+)\s*\{/.exec(line);
      if (open) current = { name: open[1], table: open[1], fields: [], path, line: i + 1 };
      return;
    }
    if (line.startsWith('}')) {
      models.push(current);
      current = undefined;
      return;
    }
    const map = /^@@map\(\s*(?:name:\s*)?"([^"]*)"/.exec(line);
    if (map) {
      current.table = map[1];
      return;
    }
    const field = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
    if (!field) return;
    const attributes = field[5];
    const relation = /@relation\(([^)]*)\)/.exec(attributes)?.[1];
    const f: PrismaField = {
      name: field[1],
      type: field[2],
      list: field[3] === '[]',
      column: /@map\(\s*(?:name:\s*)?"([^"]*)"/.exec(attributes)?.[1] ?? field[1],
      isId: /@id\b/.test(attributes),
      line: i + 1,
    };
    if (relation !== undefined) {
      const name = /^\s*"([^"]*)"/.exec(relation)?.[1] ?? /\bname:\s*"([^"]*)"/.exec(relation)?.[1];
      if (name !== undefined) f.relationName = name;
      const fields = /\bfields:\s*\[([^\]]*)\]/.exec(relation)?.[1];
      const references = /\breferences:\s*\[([^\]]*)\]/.exec(relation)?.[1];
      if (fields !== undefined) f.fields = names(fields);
      if (references !== undefined) f.references = names(references);
    }
    current.fields.push(f);
  });
  return models;
}

function stripComment(line: string): string {
  // `//` outside strings (URLs in datasource blocks are never in model blocks, but defaults may hold them).
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

function names(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
