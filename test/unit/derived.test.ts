// Derived state (core/derived.ts): a value is computed once while the versions of its inputs stay
// the same, and once more when one moves; counted, never timed. Held here for the table itself and
// for what uses it: the source index's parses (by file stamp), the snapshot and its merged views
// (by index generation), and the session's source index (by configuration).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { DEFAULT_CONFIG, resolveConfig } from '../../server/src/core/config';
import { Derived, DerivedValue, recomputations } from '../../server/src/core/derived';
import { summarize } from '../../server/src/core/index/summary';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { djangoModels } from '../../server/src/core/orm/django/models';
import { sequelizeModels } from '../../server/src/core/orm/sequelize/models';
import { SourceParsers } from '../../server/src/core/source/language';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { Session } from '../../server/src/lsp/session';
import { loadParsers } from '../../server/src/node/treeSitter';
import { memoryFiles } from '../support/fixture';

/** How many times `name` was computed while `f` ran. */
function recomputedDuring(name: string, f: () => void): number {
  const before = recomputations(name);
  f();
  return recomputations(name) - before;
}

describe('derived state', () => {
  let parsers: SourceParsers;
  before(async () => {
    parsers = await loadParsers();
  });

  it('a table computes a value once per versions of its inputs, again when one moves, and after forget', () => {
    const version = new Map<string, number>([['a', 1], ['b', 1]]);
    const table = new Derived<string, string>('test.table', { inputs: (k) => [version.get(k), 'fixed'], compute: (k) => `${k}${version.get(k)}` });
    assert.equal(table.get('a'), 'a1');
    assert.equal(table.get('a'), 'a1');
    assert.equal(table.get('b'), 'b1');
    assert.equal(table.recomputations, 2);
    version.set('a', 2);
    assert.equal(table.get('a'), 'a2');
    assert.equal(table.get('b'), 'b1');
    assert.equal(table.recomputations, 3);
    table.forget('b');
    assert.equal(table.get('b'), 'b1');
    assert.equal(table.recomputations, 4);
    // NaN is the same version as NaN (Object.is), -0 is not 0.
    const odd = new DerivedValue('test.value', () => [NaN], () => ({}));
    assert.equal(odd.get(), odd.get());
    assert.equal(odd.recomputations, 1);
    assert.equal(recomputations('test.table'), 4);
  });

  it('a bounded table is emptied when full, and a value that throws is not kept', () => {
    const table = new Derived<number, number>('test.bounded', { inputs: () => [], compute: (k) => k * 2, maxEntries: 2 });
    table.get(1);
    table.get(2);
    assert.equal(table.size, 2);
    table.get(3);
    assert.equal(table.size, 1);
    let fail = true;
    const flaky = new DerivedValue('test.flaky', () => [], () => {
      if (fail) throw new Error('not now');
      return 1;
    });
    assert.throws(() => flaky.get(), /not now/);
    fail = false;
    assert.equal(flaky.get(), 1);
    assert.equal(flaky.recomputations, 1);
  });

  it('the source index parses a file once per stamp, compared once per revalidation', () => {
    const workspace = { files: new Map([['app/views.py', 'def index(request):\n    pass\n']]) };
    const stamps = new Map([['app/views.py', 's1']]);
    const files = { ...memoryFiles(workspace), stamp: (rel: string) => stamps.get(rel) };
    const index = new SourceIndex(files, parsers, DEFAULT_CONFIG);
    const stale: string[] = [];
    index.onStale = (rel) => stale.push(rel);
    const names = () => index.definitionsOf('app/views.py')?.map((d) => d.name);
    assert.equal(recomputedDuring('source.parse', () => {
      for (let i = 0; i < 5; i++) assert.deepEqual(names(), ['index']);
      index.revalidate();
      assert.deepEqual(names(), ['index']);
    }), 1);
    assert.deepEqual(files.reads, ['app/views.py']);
    // The file changes on disk: not seen until the next revalidation, then parsed once more.
    workspace.files.set('app/views.py', 'def index(request):\n    pass\n\n\ndef detail(request):\n    pass\n');
    stamps.set('app/views.py', 's2');
    const generation = index.generation;
    assert.equal(recomputedDuring('source.parse', () => assert.deepEqual(names(), ['index'])), 0);
    index.revalidate();
    assert.equal(recomputedDuring('source.parse', () => {
      assert.deepEqual(names(), ['index', 'detail']);
      assert.deepEqual(names(), ['index', 'detail']);
    }), 1);
    assert.deepEqual(stale, ['app/views.py']);
    assert.ok(index.generation > generation, 'what was derived from the text elsewhere is stale too');
    assert.deepEqual(files.reads, ['app/views.py', 'app/views.py']);
    // An event says it changed (the editor): forgotten at once, whatever the stamp.
    index.invalidate('app/views.py');
    assert.equal(recomputedDuring('source.parse', () => names()), 1);
  });

  it('Django models are worked out once per generation of the source index, each models file parsed again only when its text changes', () => {
    const workspace = {
      files: new Map([
        ['shop/models.py', 'from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=10)\n'],
        ['blog/models.py', 'from django.db import models\n\n\nclass Post(models.Model):\n    pass\n'],
        ['shop/views.py', 'def index(request):\n    pass\n'],
      ]),
    };
    const index = new SourceIndex(memoryFiles(workspace), parsers, DEFAULT_CONFIG);
    const names = () => djangoModels(index).map((m) => m.name);
    let parsed = 0;
    assert.equal(recomputedDuring('orm.django.models', () => {
      parsed = recomputedDuring('orm.django.file', () => {
        for (let i = 0; i < 3; i++) assert.deepEqual(names(), ['Post', 'Book']);
      });
    }), 1);
    assert.equal(parsed, 2);
    // Another file changes: the generation moves, the models are worked out again from the same parses.
    index.invalidate('shop/views.py');
    assert.equal(recomputedDuring('orm.django.models', () => {
      parsed = recomputedDuring('orm.django.file', () => assert.deepEqual(names(), ['Post', 'Book']));
    }), 1);
    assert.equal(parsed, 0);
    // A models file changes: that one is parsed again.
    workspace.files.set('blog/models.py', 'from django.db import models\n\n\nclass Article(models.Model):\n    pass\n');
    index.invalidate('blog/models.py');
    assert.equal(recomputedDuring('orm.django.file', () => assert.deepEqual(names(), ['Article', 'Book'])), 1);
  });

  it('a Node ORM\'s workspace scan reads each file once per text, and combines them once per generation', () => {
    const workspace = {
      files: new Map([
        ['models/author.js', `module.exports = (sequelize, DataTypes) => sequelize.define('Author', { name: DataTypes.STRING });\n`],
        ['models/book.js', `module.exports = (sequelize, DataTypes) => sequelize.define('Book', { title: DataTypes.STRING });\n`],
        ['routes/books.js', `module.exports = function list(req, res) {};\n`],
      ]),
    };
    const index = new SourceIndex(memoryFiles(workspace), parsers, DEFAULT_CONFIG);
    const names = () => sequelizeModels(index).map((m) => m.name);
    let read = 0;
    assert.equal(recomputedDuring('orm.sequelize.models', () => {
      read = recomputedDuring('orm.sequelize.file', () => {
        for (let i = 0; i < 3; i++) assert.deepEqual(names(), ['Author', 'Book']);
      });
    }), 1);
    assert.equal(read, 3);
    workspace.files.set('models/book.js', `module.exports = (sequelize, DataTypes) => sequelize.define('Volume', { title: DataTypes.STRING });\n`);
    index.invalidate('models/book.js');
    assert.equal(recomputedDuring('orm.sequelize.models', () => {
      read = recomputedDuring('orm.sequelize.file', () => assert.deepEqual(names(), ['Author', 'Volume']));
    }), 1);
    assert.equal(read, 1);
  });

  it('the snapshot is taken once per generation of the index, and each merged view is computed once per snapshot', () => {
    const recording = (name: string) =>
      readRecording(
        `${name}.generated.appmap.json`,
        JSON.stringify({ version: '1.9', events: [{ event: 'call', id: 1, thread_id: 1, defined_class: 'app.views', method_id: name, path: 'app/views.py', lineno: 1 }, { event: 'return', id: 2, parent_id: 1, thread_id: 1, elapsed: 0.5 }] }),
      );
    const sources = new SourceIndex(memoryFiles({ files: new Map() }), undefined, DEFAULT_CONFIG);
    const summaryOf = (name: string) => {
      const { trace, problems } = recording(name);
      return summarize(trace, problems, sources, DEFAULT_CONFIG);
    };
    const index = new WorkspaceIndex();
    index.set(summaryOf('a'));
    let first: unknown;
    assert.equal(recomputedDuring('index.snapshot', () => {
      first = index.snapshot();
      assert.equal(index.snapshot(), first);
    }), 1);
    const snapshot = index.snapshot();
    assert.equal(recomputedDuring('snapshot.stats', () => {
      for (let i = 0; i < 3; i++) assert.equal(snapshot.stats().functions.size, 1);
    }), 1);
    assert.equal(recomputedDuring('snapshot.memo', () => {
      assert.equal(snapshot.memo('n', 7, () => 1), 1);
      assert.equal(snapshot.memo('n', 7, () => 2), 1);
      assert.equal(snapshot.memo('n', 8, () => 3), 3);
    }), 2);
    // A recording added: a new snapshot, and its views computed anew; the old one keeps its own.
    index.set(summaryOf('b'));
    assert.equal(recomputedDuring('index.snapshot', () => assert.notEqual(index.snapshot(), first)), 1);
    assert.equal(recomputedDuring('snapshot.stats', () => {
      assert.equal(index.snapshot().stats().functions.size, 2);
      assert.equal(snapshot.stats().functions.size, 1);
    }), 1);
    // Deleting what is not there changes nothing.
    assert.equal(index.delete('nothing.appmap.json'), false);
    assert.equal(recomputedDuring('index.snapshot', () => index.snapshot()), 0);
  });

  it('the session\'s source index is derived from the configuration: the same settings again keep it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-derived-'));
    try {
      const session = new Session(root, DEFAULT_CONFIG, undefined);
      const first = session.sourceIndex;
      assert.equal(session.sourceIndex, first);
      assert.equal(session.setConfig(resolveConfig({})), false);
      assert.equal(session.sourceIndex, first);
      assert.equal(session.setConfig(resolveConfig({ sourceRoots: ['src'] })), true);
      const second = session.sourceIndex;
      assert.notEqual(second, first);
      assert.equal(session.sourceIndex, second);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
