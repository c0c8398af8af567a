// JPA (Spring Data JPA over Hibernate) on test/workspaces/java-jpa-owners, an app written as such
// apps are. No Java recorder can run here (the AppMap and OpenTelemetry Java agents come from Maven
// Central, which this machine cannot reach), so its recordings are GENERATED in memory, in the shape
// appmap-java writes (package-relative paths, Hibernate 5's aliased SQL as in the corpus's real
// petclinic recordings) and named "generated …". Each N+1 sits on the repository call whose rows
// the loop walks, with the exact @EntityGraph edit on the repository method (its import added),
// the exact `join fetch` edit of JPQL, or the exact declaration to add for an inherited finder.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeAction } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { findingsIn } from '../support/check';
import { Finding } from '../../server/src/core/findings/finding';
import { applyEdit, eagerLoadingFix } from '../../server/src/core/fixes/index';
import { jpaModels, relationsOf } from '../../server/src/core/orm/jpa/models';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { loadParsers } from '../../server/src/node/treeSitter';
import { REPO } from '../support/corpus';
import { Workspace, loadWorkspace, memoryFiles } from '../support/fixture';
import { copyWorkspace, startInProcess } from '../support/lspClient';
import { RecordingBuilder } from '../support/recordingBuilder';

const APP = path.join(REPO, 'test/workspaces/java-jpa-owners');
const PKG = 'com/example/clinic/owner';
const SRC = `src/main/java/${PKG}`;
const OWNERS_BY_NAME = "select owner0_.id as id1_0_, owner0_.city as city2_0_, owner0_.last_name as last_nam3_0_ from owners owner0_ where owner0_.last_name like ?";
const OWNERS_BY_CITY = 'select owner0_.id as id1_0_, owner0_.city as city2_0_, owner0_.last_name as last_nam3_0_ from owners owner0_ where owner0_.city=?';
const ALL_OWNERS = 'select owner0_.id as id1_0_, owner0_.city as city2_0_, owner0_.last_name as last_nam3_0_ from owners owner0_';
const PETS_OF_OWNER = 'select pets0_.owner_id as owner_id4_1_0_, pets0_.id as id1_1_0_, pets0_.id as id1_1_1_, pets0_.birth_date as birth_da2_1_1_, pets0_.name as name3_1_1_, pets0_.owner_id as owner_id4_1_1_ from pets pets0_ where pets0_.owner_id=? order by pets0_.name';

let parsers: SourceParsers;

/** A generated recording of one request to the controller method at `line`: the owners query, then each owner's pets. */
function generated(route: string, method: string, line: number, ownersSql: string, owners: number): string {
  const b = new RecordingBuilder({ name: `generated ${route} over the JPA example`, language: { name: 'java' }, client: { name: 'runlens-test-builder' } });
  b.request('GET', route, 40, () => {
    b.call(`com.example.clinic.owner.OwnerController`, method, `${PKG}/OwnerController.java`, line, 38, () => {
      b.sql(ownersSql, 0.4, 'H2');
      for (let i = 0; i < owners; i++) b.sql(PETS_OF_OWNER, 0.2, 'H2');
    });
  });
  return b.json();
}

function nPlusOnes(workspace: Workspace, recording: string): { index: SourceIndex; found: Finding[] } {
  const index = new SourceIndex(memoryFiles(workspace), parsers, resolveConfig({}));
  const found = findingsIn(readRecording('generated.appmap.json', recording).trace, index, resolveConfig({})).filter((f) => f.rule === 'n-plus-one');
  return { index, found };
}

function where(f: Finding): string {
  const l = f.location;
  const ref = f.ref.kind === 'queryset' ? `${f.ref.orm} ${f.ref.model}` : f.ref.kind;
  return `${l.path}:${l.line}:${l.column}-${l.endLine}:${l.endColumn} ${ref}: ${f.message}`;
}

describe('JPA (generated recordings over a Spring Data JPA app)', function () {
  this.timeout(60_000);
  let workspace: Workspace;
  before(async () => {
    parsers = await loadParsers();
    workspace = loadWorkspace(APP, (f) => f.endsWith('.java'));
  });

  it('reads the entities with their tables and relations (a mapped superclass\'s included) and the repository\'s methods', () => {
    const index = new SourceIndex(memoryFiles(workspace), parsers, resolveConfig({}));
    const models = jpaModels(index);
    assert.deepEqual(
      models.entities.map((e) => [e.name, e.tables.join('|'), e.parent ?? '-', e.mapped, relationsOf(models, e).map((r) => `${r.name} ${r.kind} ${r.target} mappedBy=${r.mappedBy ?? '-'} join=${r.joinColumn ?? '-'}`)]),
      [
        ['BaseEntity', 'base_entity|BaseEntity', '-', true, []],
        ['Owner', 'owners', 'BaseEntity', false, ['pets one-to-many Pet mappedBy=owner join=-']],
        ['Pet', 'pets', 'BaseEntity', false, ['owner many-to-one Owner mappedBy=- join=owner_id']],
      ],
    );
    assert.deepEqual(
      models.repositories.map((r) => [r.name, r.entity, r.path, r.importsEndLine, r.importsEntityGraph, r.methods.map((m) => `${m.name}@${m.range.line} query=${m.query ?? '-'}`)]),
      [['OwnerRepository', 'Owner', `${SRC}/OwnerRepository.java`, 7, false, ['findByLastName@11 query=SELECT owner FROM Owner owner WHERE owner.lastName LIKE :lastName%', 'findByCity@14 query=-']]],
    );
  });

  it('puts the N+1 on the repository call with @Query, and the edit adds @EntityGraph above the method with its import', () => {
    const { index, found } = nPlusOnes(workspace, generated('/owners', 'listOwners', 22, OWNERS_BY_NAME, 12));
    assert.deepEqual(found.map(where), [`${SRC}/OwnerController.java:23:25-23:61 jpa Owner: N+1: 12 queries from this query`]);
    const fix = eagerLoadingFix(found[0], index)!;
    assert.equal(fix.title, 'Load eagerly: @EntityGraph(attributePaths = {"pets"}) on OwnerRepository.findByLastName');
    assert.equal(
      fix.hint,
      `add @EntityGraph(attributePaths = {"pets"}) to OwnerRepository.findByLastName (${SRC}/OwnerRepository.java:11), so the query at ${SRC}/OwnerController.java:23:25 loads each owner's pets with it (reading owner.getPets() then takes the loaded rows)`,
    );
    assert.equal(fix.edit!.path, `${SRC}/OwnerRepository.java`);
    const before = workspace.files.get(`${SRC}/OwnerRepository.java`)!;
    const after = applyEdit(before, fix.edit!);
    assert.equal(
      after,
      before
        .replace('import org.springframework.data.repository.query.Param;\n', 'import org.springframework.data.repository.query.Param;\nimport org.springframework.data.jpa.repository.EntityGraph;\n')
        .replace('\t@Query(', '\t@EntityGraph(attributePaths = {"pets"})\n\t@Query('),
    );
    // Applied: the method has the graph, and the same finding (recorded before the fix) is offered no second edit, only the general hint.
    const fixed = { files: new Map(workspace.files).set(`${SRC}/OwnerRepository.java`, after) };
    const again = nPlusOnes(fixed, generated('/owners', 'listOwners', 22, OWNERS_BY_NAME, 12));
    assert.equal(eagerLoadingFix(again.found[0], again.index)?.title, 'How to load eagerly (hint)');
  });

  it('a derived query method gets the same edit; its import is not added twice', () => {
    const withImport = { files: new Map(workspace.files) };
    const repo = `${SRC}/OwnerRepository.java`;
    withImport.files.set(repo, withImport.files.get(repo)!.replace('import org.springframework.data.jpa.repository.Query;', 'import org.springframework.data.jpa.repository.EntityGraph;\nimport org.springframework.data.jpa.repository.Query;'));
    const { index, found } = nPlusOnes(withImport, generated('/owners/by-city', 'ownersByCity', 32, OWNERS_BY_CITY, 8));
    assert.deepEqual(found.map(where), [`${SRC}/OwnerController.java:33:25-33:48 jpa Owner: N+1: 8 queries from this query`]);
    const fix = eagerLoadingFix(found[0], index)!;
    assert.equal(fix.title, 'Load eagerly: @EntityGraph(attributePaths = {"pets"}) on OwnerRepository.findByCity');
    const before = withImport.files.get(repo)!;
    assert.equal(applyEdit(before, fix.edit!), before.replace('\tList<Owner> findByCity', '\t@EntityGraph(attributePaths = {"pets"})\n\tList<Owner> findByCity'));
  });

  it('an inherited finder (findAll) is a hint with the exact declaration to add', () => {
    const { index, found } = nPlusOnes(workspace, generated('/owners/all', 'allOwners', 41, ALL_OWNERS, 10));
    assert.deepEqual(found.map(where), [`${SRC}/OwnerController.java:42:25-42:41 jpa Owner: N+1: 10 queries from this query`]);
    const fix = eagerLoadingFix(found[0], index)!;
    assert.equal(fix.edit, undefined);
    assert.equal(fix.title, 'Load eagerly (hint): @EntityGraph(attributePaths = {"pets"}) on OwnerRepository.findAll');
    assert.equal(
      fix.hint,
      `declare @EntityGraph(attributePaths = {"pets"}) List<Owner> findAll(); in OwnerRepository (${SRC}/OwnerRepository.java), so the query at ${SRC}/OwnerController.java:42:25 loads each owner's pets with it (reading owner.getPets() then takes the loaded rows)`,
    );
  });

  it('JPQL handed to an entity manager gets `left join fetch` after its root, with distinct for a collection', () => {
    const controller = `${SRC}/OwnerController.java`;
    const withEm = { files: new Map(workspace.files) };
    withEm.files.set(
      controller,
      withEm.files.get(controller)!.replace('List<Owner> results = owners.findAll();', 'List<Owner> results = em.createQuery("select o from Owner o where o.city is not null", Owner.class).getResultList();'),
    );
    const { index, found } = nPlusOnes(withEm, generated('/owners/all', 'allOwners', 41, ALL_OWNERS, 10));
    assert.deepEqual(found.map(where), [`${controller}:42:25-42:102 jpa Owner: N+1: 10 queries from this query`]);
    const fix = eagerLoadingFix(found[0], index)!;
    assert.equal(fix.title, 'Load eagerly: select distinct o from Owner o left join fetch o.pets where o.city is not null');
    assert.equal(
      applyEdit(withEm.files.get(controller)!, fix.edit!).split('\n')[41],
      '\t\tList<Owner> results = em.createQuery("select distinct o from Owner o left join fetch o.pets where o.city is not null", Owner.class).getResultList();',
    );
  });
});

describe('JPA in the language server: the fix edits another file than the finding\'s', function () {
  this.timeout(60_000);

  it('offers the @EntityGraph edit on the repository file, with that document\'s version', async () => {
    const root = copyWorkspace(APP);
    fs.mkdirSync(path.join(root, 'tmp/appmap'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tmp/appmap/generated-owners.appmap.json'), generated('/owners', 'listOwners', 22, OWNERS_BY_NAME, 12));
    const client = await startInProcess(root, { capabilities: { workspace: { workspaceEdit: { documentChanges: true } } } });
    try {
      const controller = client.uri(`${SRC}/OwnerController.java`);
      const repository = client.uri(`${SRC}/OwnerRepository.java`);
      const repositoryText = fs.readFileSync(path.join(root, SRC, 'OwnerRepository.java'), 'utf8');
      const actionsAt = (line: number): Promise<CodeAction[]> =>
        client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: controller }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics: [] } });
      const changes = (a: CodeAction | undefined) => (a?.edit?.documentChanges ?? []).map((c) => ('textDocument' in c ? { uri: c.textDocument.uri, version: c.textDocument.version, edits: c.edits } : undefined));
      let actions = await actionsAt(22);
      assert.deepEqual(actions.map((a) => a.title), ['Load eagerly: @EntityGraph(attributePaths = {"pets"}) on OwnerRepository.findByLastName', 'Ignore n-plus-one here (// runlens: ignore n-plus-one)', 'Show the repeated query']);
      const [fix] = changes(actions[0]);
      assert.deepEqual([fix?.uri, fix?.version], [repository, null]);
      assert.match(TextDocument.applyEdits(TextDocument.create(repository, 'java', 1, repositoryText), fix!.edits), /import org\.springframework\.data\.jpa\.repository\.EntityGraph;\n[\s\S]*\t@EntityGraph\(attributePaths = \{"pets"\}\)\n\t@Query\(/);
      assert.deepEqual(changes(actions[1]).map((c) => [c?.uri, c?.version]), [[controller, null]], 'the ignore comment stays in the finding\'s file');
      client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: repository, languageId: 'java', version: 4, text: repositoryText } });
      actions = await actionsAt(22);
      assert.deepEqual(changes(actions[0]).map((c) => [c?.uri, c?.version]), [[repository, 4]]);
    } finally {
      await client.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
