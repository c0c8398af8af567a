// The HTML report's own script as real source: server/src/report-client/ is compiled here in
// memory, with its own tsconfig (the DOM library, strict), and must have no type error; what it
// compiles to must be what the build wrote (server/out/…/report-client/, else the build is out of
// date), and the bookshop's page must inline exactly those modules, linked. A change to the
// report's data types that the page does not follow fails the compile (shown with a field
// renamed in memory). The linker takes only what `main` requires and refuses a require it cannot
// serve in the page. The page running in a browser is test/system/reportHtmlBrowser.test.ts.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ts from 'typescript';
import { resolveConfig } from '../../server/src/core/config';
import { ClientModule, linkClientScript, withoutSourceMap } from '../../server/src/core/report/clientScript';
import { scriptText } from '../../server/src/core/report/html';
import { renderHtmlReportFromFiles, REPORT_CLIENT_DIR, reportClientModules } from '../../server/src/node/reportAssets';
import { BOOKSHOP, RECORDINGS } from '../support/bookshop';
import { REPO } from '../support/corpus';

const TSCONFIG = path.join(REPO, 'server/tsconfig.report-client.json');
const PAGE_DATA = path.join(REPO, 'server/src/core/report/pageData.ts');

interface Compiled {
  errors: string[];
  /** The emitted modules of report-client (name → code). */
  modules: Map<string, string>;
  program: ts.Program;
}

/** The client's program as `tsc -p server/tsconfig.report-client.json` makes it, in memory; `edit` changes a file's text first. */
function compileClient(edit?: (file: string, text: string) => string, oldProgram?: ts.Program): Compiled {
  const config = ts.getParsedCommandLineOfConfigFile(TSCONFIG, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) });
  assert.ok(config);
  assert.deepEqual(config.errors, []);
  const host = ts.createCompilerHost(config.options);
  if (edit) {
    const read = host.readFile.bind(host);
    host.readFile = (file) => {
      const text = read(file);
      return text === undefined ? undefined : edit(path.resolve(file), text);
    };
  }
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, oldProgram });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(REPO, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  const modules = new Map<string, string>();
  program.emit(undefined, (file, text) => {
    if (path.dirname(path.resolve(file)) === REPORT_CLIENT_DIR && file.endsWith('.js')) modules.set(path.basename(file, '.js'), text);
  });
  return { errors, modules, program };
}

describe('the HTML report\'s script, compiled from server/src/report-client', function () {
  // A hang guard: the compile takes a few seconds on a busy machine.
  this.timeout(120_000);
  let compiled: Compiled;
  before(() => {
    compiled = compileClient();
  });

  it('type-checks against the report\'s data types, with the DOM library and no Node', () => {
    assert.deepEqual(compiled.errors, []);
    assert.ok(compiled.modules.has('main') && compiled.modules.size >= 5, [...compiled.modules.keys()].join(', '));
  });

  it('is built: the compiled modules beside the server are what the sources compile to now (else run npm run build)', () => {
    const built = new Map(reportClientModules().map((m) => [m.name, m.code]));
    for (const [name, code] of compiled.modules) assert.equal(built.get(name), code, `${name}.js in ${REPORT_CLIENT_DIR} is out of date: run npm run build`);
  });

  it('the bookshop\'s page inlines exactly those modules, linked into one script', async () => {
    const html = await renderHtmlReportFromFiles({ root: BOOKSHOP, recordings: [path.join(BOOKSHOP, RECORDINGS)], config: resolveConfig({}), title: 'bookshop' });
    const fresh: ClientModule[] = [...compiled.modules].map(([name, code]) => ({ name, code }));
    const script = linkClientScript(fresh);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts[scripts.length - 1], scriptText(script), 'the page\'s last script is the compiled client, linked');
    for (const m of fresh) assert.ok(html.includes(scriptText(withoutSourceMap(m.code))), `${m.name}.js inlined as compiled`);
  });

  it('fails to compile when the report\'s data changes under the page (a field renamed)', () => {
    const renamed = compileClient((file, text) => (file === PAGE_DATA ? text.replace('moreSqlShapes: {', 'otherSqlShapes: {') : text), compiled.program);
    assert.ok(renamed.errors.length > 0, 'no error');
    // Only the page's reading of the field fails (SQL by shape, in the shown entry).
    assert.deepEqual([...new Set(renamed.errors.map((e) => e.split(':')[0]))], ['server/src/report-client/entry.ts']);
    for (const e of renamed.errors) assert.match(e, /Property 'moreSqlShapes' does not exist on type 'EntryView'/);
  });
});

describe('linking the page\'s script', () => {
  const module = (name: string, code: string): ClientModule => ({ name, code: `"use strict";\n${code}\n//# sourceMappingURL=${name}.js.map` });

  it('takes the modules main requires, directly or not, each once, and runs main', () => {
    const script = linkClientScript([
      module('main', 'const a_1 = require("./a");\nconst b_1 = require("./b");\nglobalThis.ran = [a_1.x, b_1.y];'),
      module('a', 'const b_1 = require("./b");\nexports.x = "a" + b_1.y;'),
      module('b', 'globalThis.loadedB = (globalThis.loadedB || 0) + 1;\nexports.y = "b";'),
      module('stale', 'throw new Error("a module no one requires is not in the page");'),
    ]);
    assert.doesNotMatch(script, /stale|sourceMappingURL/);
    const g = {} as { ran?: string[]; loadedB?: number };
    new Function('globalThis', script)(g);
    assert.deepEqual(g, { loadedB: 1, ran: ['ab', 'b'] });
  });

  it('refuses a module it lacks, and a require the page cannot serve', () => {
    assert.throws(() => linkClientScript([module('main', 'require("./gone");')]), { message: "the HTML report's script has no module gone (build it: npm run build)" });
    assert.throws(() => linkClientScript([module('main', 'require("../core/report/model");')]), { message: "the HTML report's script module main requires ../core/report/model, which the page cannot load (only ./module of its own folder)" });
    assert.throws(() => linkClientScript([]), /has no module main/);
  });
});
