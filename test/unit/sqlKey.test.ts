// The literal-free key of SQL texts (core/sql/key.ts): shape and facts are computed once per key,
// so two texts with the same key must have the same shape and facts. Proved over every SQL text of
// the shared corpus and the bundled examples (AppMap and OTLP), each also with its literals
// changed, and over texts written to trip a key (comments, quotes, escapes, numbers inside names).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { carriesValues, lastValuesHash, literalFreeKey } from '../../server/src/core/sql/key';
import { dialectOf, normalizeSql, sqlFacts } from '../../server/src/core/sql/normalize';
import { CORPUS, REPO } from '../support/corpus';

interface Recorded {
  text: string;
  databaseType: string | undefined;
}

describe('the literal-free key of SQL texts', () => {
  it('gives texts of one key one shape and one set of facts, over every SQL text of the corpus and the examples, literals changed too', () => {
    const recorded = corpusTexts();
    assert.ok(recorded.length > 2_000, `only ${recorded.length} SQL texts found in ${CORPUS} and test/workspaces`);
    const texts: Recorded[] = [];
    for (const r of recorded) texts.push(r, { text: otherLiterals(r.text), databaseType: r.databaseType });
    const { keys, shared } = checkKeys(texts);
    // The key must actually be shared, or shapes would be computed per call again.
    assert.ok(keys < texts.length / 4, `${keys} keys for ${texts.length} texts`);
    assert.ok(shared > 1_000, `only ${shared} texts share a key with another`);
  });

  it('keeps what it is not sure of, and never gives two shapes one key', () => {
    const tricky = [
      "SELECT * FROM t WHERE a = 5 -- it's 6\nAND b = 'x'",
      "SELECT * FROM t WHERE a = 6 -- it's 6\nAND b = 'y'",
      "SELECT * FROM t /* it's */ WHERE a = 'it''s' AND b = 1",
      "SELECT * FROM t /* /* nested */ 'x' */ WHERE a = 'q'",
      "SELECT * FROM t WHERE a = 'it\\'s' AND b = 'x'",
      "SELECT * FROM t WHERE a = E'a\\nb'",
      "SELECT * FROM t WHERE a = $$it's$$ AND b = 'x'",
      "SELECT * FROM t WHERE a = $tag$it's$tag$ AND b = 'y'",
      'SELECT * FROM t WHERE a = $1 AND b = $2',
      'SELECT * FROM t WHERE a = ?1 AND b = :2 AND c = @3',
      'SELECT * FROM t1 JOIN t2 ON t1.id = t2.t1_id WHERE t2.v = 12',
      'SELECT * FROM t1 JOIN t2 ON t1.id = t2.t1_id WHERE t2.v = 13',
      'SELECT 5abc FROM t',
      'SELECT 6abc FROM t',
      'SELECT 1e5, 1.5, 1., .5, 0x1F, 1_000 FROM t',
      'SELECT 2e5, 2.5, 2., .6, 0x2F, 2_000 FROM t',
      'SELECT * FROM t WHERE a = -5 AND b = +6 AND c = 7-8',
      'SELECT * FROM "t 1" WHERE "col""5" = 5',
      'SELECT * FROM `t1` WHERE `c2` = 2 # mysql comment 3',
      'SELECT * FROM [t 1] WHERE [c] = 4',
      'SELECT arr[1] FROM t WHERE a = 5',
      "SELECT '{}'::integer[], a[2] FROM t WHERE b = 'x'",
      "SELECT * FROM t WHERE a IN (1, 2, 3) AND b = 'a'",
      "SELECT * FROM t WHERE a IN (4, 5) AND b = 'b'",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (1, 'x')",
      "SELECT 'unterminated FROM t WHERE a = 5",
      'SELECT 5::int, x::text FROM t',
      "SELECT N'abc', X'1F', B'01', U&'d' FROM t",
      'DECLARE "c_1" CURSOR FOR SELECT 1',
      'SAVEPOINT s_2',
      'SELECT * FROM t LIMIT 21 OFFSET 40',
      "SELECT * FROM t WHERE a = 'ü' AND b = 'ß' AND c = 5",
      'SELECT * FROM t WHERE a = 5\u00a06',
    ];
    const texts: Recorded[] = [];
    for (const dialect of ['sqlite', 'postgresql', 'mysql', undefined]) for (const text of tricky) texts.push({ text, databaseType: dialect }, { text: otherLiterals(text), databaseType: dialect });
    checkKeys(texts);
    // Whole-text keys for what the key does not take apart.
    for (const text of [tricky[4], tricky[6], tricky[18], tricky[19], tricky[26]]) assert.equal(literalFreeKey(text), '\u0003' + text, text);
    // Numbers inside names and words stay.
    assert.ok(literalFreeKey('SELECT 5abc FROM t1').includes('5abc FROM t1'));
  });

  it('hashes the literals: equal texts have equal hashes, and texts of one key with other literals other hashes', () => {
    const seen = new Map<string, string>();
    for (const r of corpusTexts()) {
      for (const text of [r.text, otherLiterals(r.text)]) {
        const key = literalFreeKey(text);
        const id = `${key}\u0000${lastValuesHash()}`;
        const before = seen.get(id);
        if (before !== undefined) assert.equal(text, before, 'two texts with one key and one hash of literals');
        else seen.set(id, text);
      }
    }
    literalFreeKey("SELECT * FROM t WHERE a = 1 AND b = 'x'");
    const h1 = lastValuesHash();
    literalFreeKey("SELECT * FROM t WHERE a = 1 AND b = 'x'");
    assert.equal(lastValuesHash(), h1);
    literalFreeKey("SELECT * FROM t WHERE a = 1 AND b = 'y'");
    assert.notEqual(lastValuesHash(), h1);
    literalFreeKey("SELECT * FROM t WHERE a = 12 AND b = '3'");
    const h2 = lastValuesHash();
    literalFreeKey("SELECT * FROM t WHERE a = 1 AND b = '23'");
    assert.notEqual(lastValuesHash(), h2, 'literal boundaries are part of the hash');
  });
});

/** Groups texts by dialect and key; every group must have one shape, one set of facts and one carriesValues. */
function checkKeys(texts: Recorded[]): { keys: number; shared: number } {
  const groups = new Map<string, { first: Recorded; shape: string; facts: string; carries: boolean; n: number }>();
  let shared = 0;
  for (const r of texts) {
    const dialect = dialectOf(r.databaseType);
    const key = `${r.databaseType ?? ''}\u0000${literalFreeKey(r.text)}`;
    const shape = normalizeSql(r.text, dialect);
    const facts = JSON.stringify(sqlFacts(r.text, dialect));
    const carries = carriesValues(r.text);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: r, shape, facts, carries, n: 1 });
      continue;
    }
    group.n++;
    if (group.n === 2) shared += 2;
    else shared++;
    assert.equal(shape, group.shape, `one key, two shapes:\n  ${group.first.text}\n  ${r.text}`);
    assert.equal(facts, group.facts, `one key, two sets of facts:\n  ${group.first.text}\n  ${r.text}`);
    assert.equal(carries, group.carries, `one key, carriesValues differs:\n  ${group.first.text}\n  ${r.text}`);
  }
  return { keys: groups.size, shared };
}

/** The text with other literals, found without the key's scanner: every digit changed, and the inside of every '…' too. */
function otherLiterals(text: string): string {
  return text.replace(/\d/g, (d) => String((Number(d) + 3) % 10)).replace(/'([^'\\]*)'/g, (_, inner: string) => `'${inner.split('').reverse().join('')}z'`);
}

let cached: Recorded[] | undefined;

/** Every SQL text recorded in the corpus and in test/workspaces (AppMap events and OTLP spans). */
function corpusTexts(): Recorded[] {
  if (cached) return cached;
  const out: Recorded[] = [];
  const files: string[] = [];
  walk(path.join(CORPUS, 'appmaps'), files);
  walk(path.join(REPO, 'test/workspaces'), files);
  for (const file of files) {
    if (file.endsWith('.appmap.json')) {
      let doc: { events?: { sql_query?: { sql?: unknown; database_type?: unknown } }[] };
      try {
        doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        continue; // the corpus holds deliberately broken files
      }
      for (const e of doc.events ?? []) {
        const q = e?.sql_query;
        if (q && typeof q.sql === 'string') out.push({ text: q.sql, databaseType: typeof q.database_type === 'string' ? q.database_type : undefined });
      }
    } else {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        let doc: unknown;
        try {
          doc = JSON.parse(line);
        } catch {
          continue;
        }
        spanTexts(doc, out);
      }
    }
  }
  assert.ok(files.length > 30, `only ${files.length} recordings found`);
  return (cached = out);
}

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.appmap\.json$|\.otlp\.jsonl?$/.test(entry.name)) out.push(full);
  }
}

type Attr = { key?: string; value?: { stringValue?: string } };

function spanTexts(doc: unknown, out: Recorded[]): void {
  const resourceSpans = (doc as { resourceSpans?: { scopeSpans?: { spans?: { attributes?: Attr[] }[] }[] }[] })?.resourceSpans ?? [];
  for (const rs of resourceSpans) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const attrs = new Map((span.attributes ?? []).map((a) => [a.key, a.value?.stringValue]));
        const text = attrs.get('db.query.text') ?? attrs.get('db.statement');
        if (typeof text === 'string') out.push({ text, databaseType: attrs.get('db.system.name') ?? attrs.get('db.system') });
      }
    }
  }
}
