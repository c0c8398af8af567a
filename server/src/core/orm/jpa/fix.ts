// The eager-loading fix for a JPA N+1: the relations of the entity that the repeated queries load
// (found from each query's tables and filter columns: `from pets where owner_id = ?` is Owner's
// `@OneToMany(mappedBy = "owner") pets`), fetched with the rows. On a Spring Data repository
// method the repository declares, the edit adds `@EntityGraph(attributePaths = {"pets"})` above it
// (and its import); in JPQL handed to `createQuery`, the edit adds `left join fetch o.pets` after
// the root (with `distinct` for a collection). An inherited finder (`findAll()`) is a hint: the
// declaration to add with the graph. Reading `owner.getPets()` per row then takes the loaded rows,
// so nothing remains in the loop.

import type { Node } from 'web-tree-sitter';
import { RelatedEntry } from '../../findings/finding';
import { Fix, OrmQuery } from '../../placement/orm';
import { withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';
import { sqlFacts } from '../../sql/normalize';
import { explainRepeats } from '../explain';
import { filtersOn, lowerFirst, sameName, upperFirst } from '../js/names';
import { rangeOfNode } from '../js/syntax';
import { JpaModels, JpaRelation, JpaRepository, jpaModels, relationsOf } from './models';
import { jpaQueriesIn } from './queries';

const ENTITY_GRAPH_IMPORT = 'import org.springframework.data.jpa.repository.EntityGraph;';

export function jpaFix(index: SourceIndex, query: OrmQuery, related: RelatedEntry[]): Fix | undefined {
  const { location } = query;
  const models = jpaModels(index);
  const entity = models.entities.find((e) => e.name === query.model && !e.mapped);
  const text = index.text(location.path);
  if (!entity || text === undefined || !index.parsers) return undefined;
  const relations = relationsOf(models, entity);
  const { loaded, unexplained } = explainRepeats(related, (entry) => explain(models, relations, entry));
  if (loaded.length === 0) return undefined;
  const names = loaded.map((r) => r.name);
  const graph = `@EntityGraph(attributePaths = {${names.map((n) => JSON.stringify(n)).join(', ')}})`;
  const at = `${location.path}:${location.line}:${location.column}`;
  const rows = lowerFirst(entity.name);
  const reads = ` (reading ${names.map((n) => `${rows}.${getter(n)}()`).join(', ')} then takes the loaded rows)`;
  const byHand = unexplained.length ? `; the repeated queries on ${unexplained.map((r) => r.table ?? 'query').join(', ')} match no relation of ${entity.name} and need loading by hand` : '';
  // What the fix needs of the query, read while its tree lives (trees are freed after withTree).
  const found = withTree(index.parsers, 'java', text, (root) => {
    const q = jpaQueriesIn(root, entity.name, models).find((c) => startsAt(c.call, location.line, location.column));
    const literal = q?.jpql;
    return q && { method: q.method, repository: q.repository, jpql: literal && { joined: fetchJoined(literal, entity.name, loaded), range: rangeOfNode(literal) } };
  });
  if (!found) return undefined;
  if (found.jpql) {
    const jpql = found.jpql.joined;
    if (!jpql) return { title: `Load eagerly (hint): join fetch ${names.join(', ')}`, hint: `add left join fetch for ${names.join(', ')} to the JPQL at ${at}${reads}${byHand}` };
    const range = { path: location.path, ...found.jpql.range };
    const edit = unexplained.length ? undefined : { path: location.path, range, newText: JSON.stringify(jpql) };
    return { title: `Load eagerly${edit ? '' : ' (hint)'}: ${jpql}`, ...(edit ? { edit } : {}), hint: `fetch the rows with their ${names.join(', ')} in the query at ${at}: ${jpql}${reads}${byHand}` };
  }
  const repository = found.repository;
  if (!repository) return undefined;
  const method = repository.methods.find((m) => m.name === found.method);
  const where = `${repository.name}.${found.method}`;
  if (!method) {
    const declaration = `${graph} List<${entity.name}> ${found.method}();`;
    const inherited = found.method === 'findAll' ? `declare ${declaration} in ${repository.name} (${repository.path})` : `declare ${found.method} in ${repository.name} (${repository.path}) with ${graph} above it`;
    return { title: `Load eagerly (hint): ${graph} on ${where}`, hint: `${inherited}, so the query at ${at} loads each ${rows}'s ${names.join(', ')} with it${reads}${byHand}` };
  }
  // The graph loads them already: what repeats is not their loading.
  if (method.entityGraph && names.every((n) => new RegExp(`["'.]${n}["']`).test(method.entityGraph!))) return undefined;
  if (method.entityGraph || unexplained.length) {
    const what = method.entityGraph ? `add ${names.map((n) => JSON.stringify(n)).join(', ')} to the attributePaths of its ${method.entityGraph}` : `add ${graph} to it`;
    return { title: `Load eagerly (hint): ${graph} on ${where}`, hint: `${what} (${repository.path}:${method.range.line}), so the query at ${at} loads each ${rows}'s ${names.join(', ')} with it${reads}${byHand}` };
  }
  const edit = graphEdit(index, repository, method.range.line, graph);
  if (!edit) return undefined;
  return {
    title: `Load eagerly: ${graph} on ${where}`,
    edit,
    hint: `add ${graph} to ${where} (${repository.path}:${method.range.line}), so the query at ${at} loads each ${rows}'s ${names.join(', ')} with it${reads}`,
  };
}

/** The relation of the entity that one repeated query loads, if exactly one is certain. */
function explain(models: JpaModels, relations: JpaRelation[], entry: RelatedEntry): JpaRelation | undefined {
  const facts = sqlFacts(entry.sql);
  const onTarget = relations.filter((r) => {
    const target = models.entities.find((e) => e.name === r.target && !e.mapped);
    return (target && facts.tables.some((t) => target.tables.some((x) => sameName(x, t)))) || (r.joinTable !== undefined && facts.tables.some((t) => sameName(t, r.joinTable!)));
  });
  if (onTarget.length <= 1) return onTarget.length === 1 && keyed(models, onTarget[0], facts.filterColumns) !== false ? onTarget[0] : undefined;
  const keyedOnes = onTarget.filter((r) => keyed(models, r, facts.filterColumns) === true);
  return keyedOnes.length === 1 ? keyedOnes[0] : undefined;
}

/** Whether the query filters on the relation's key (undefined: the key is not known). */
function keyed(models: JpaModels, relation: JpaRelation, filters: readonly string[]): boolean | undefined {
  const target = models.entities.find((e) => e.name === relation.target);
  if (!target) return undefined;
  const table = target.tables[0];
  if (relation.kind === 'one-to-many' || (relation.kind === 'one-to-one' && relation.mappedBy)) {
    const owning = relation.mappedBy ? relationsOf(models, target).find((r) => r.name === relation.mappedBy) : undefined;
    const column = owning?.joinColumn ?? (relation.mappedBy ? `${relation.mappedBy}_id` : relation.joinColumn);
    return column === undefined ? undefined : target.tables.some((t) => filtersOn(filters, t, column));
  }
  if (relation.kind === 'many-to-many') return undefined;
  return filtersOn(filters, table, 'id') || target.tables.some((t) => filtersOn(filters, t, 'id'));
}

/** The edit that puts `graph` above the method declared at `line`, with its import when missing. */
function graphEdit(index: SourceIndex, repository: JpaRepository, line: number, graph: string): Fix['edit'] | undefined {
  const text = index.text(repository.path);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const indent = /^\s*/.exec(lines[line - 1] ?? '')![0];
  const annotation = `${indent}${graph}\n`;
  const path = repository.path;
  if (repository.importsEntityGraph || repository.importsEndLine === 0) return { path, range: { path, line, column: 1, endLine: line, endColumn: 1 }, newText: annotation };
  // One edit from after the last import to the method: the import, the lines between as they are, the annotation.
  const from = repository.importsEndLine + 1;
  const between = lines.slice(from - 1, line - 1).join('\n');
  return { path, range: { path, line: from, column: 1, endLine: line, endColumn: 1 }, newText: `${ENTITY_GRAPH_IMPORT}\n${between}${between.length ? '\n' : ''}${annotation}` };
}

/** The JPQL with `left join fetch alias.relation` after its root, `distinct` added for a collection. */
function fetchJoined(literal: Node, entity: string, loaded: JpaRelation[]): string | undefined {
  const jpql = literal.namedChildren.filter((c) => c.type === 'string_fragment').map((c) => c.text).join('');
  if (literal.namedChildren.some((c) => c.type === 'escape_sequence')) return undefined;
  const root = new RegExp(`\\bfrom\\s+${entity}(?:\\s+(?:as\\s+)?(?!where\\b|join\\b|left\\b|inner\\b|order\\b|group\\b)([A-Za-z_]\\w*))?`, 'i').exec(jpql);
  if (!root || !root[1]) return undefined;
  const alias = root[1];
  if (loaded.some((r) => new RegExp(`join\\s+fetch\\s+${alias}\\.${r.name}\\b`, 'i').test(jpql))) return undefined;
  const end = root.index + root[0].length;
  const joins = loaded.map((r) => ` left join fetch ${alias}.${r.name}`).join('');
  let out = jpql.slice(0, end) + joins + jpql.slice(end);
  if (loaded.some((r) => r.kind === 'one-to-many' || r.kind === 'many-to-many') && !/^\s*select\s+distinct\b/i.test(out)) out = out.replace(/^(\s*select)\s+/i, '$1 distinct ');
  return out;
}

function startsAt(node: Node, line: number, column: number): boolean {
  return node.startPosition.row + 1 === line && node.startPosition.column + 1 === column;
}

/** `pets` → `getPets`. */
function getter(field: string): string {
  return `get${upperFirst(field)}`;
}
