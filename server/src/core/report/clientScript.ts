// The HTML report's own script as the one inline script of the page: the browser client
// (server/src/report-client/, a TypeScript program of its own) is compiled to CommonJS modules,
// which the Node side reads (node/reportAssets.ts) and hands here as text; `linkClientScript`
// puts the modules that its entry (`main`) requires, directly or not, into one function with a
// small `require` of its own. A require of anything else (a module not compiled, or one outside
// the client, which the page could not load) is an error here, not in the reader's browser.

/** A compiled module of the client: its name (`main`, `dom`: the file name without `.js`) and code. */
export interface ClientModule {
  name: string;
  code: string;
}

export const CLIENT_ENTRY = 'main';

/** What a page written without its script (the markup's own tests) runs: it says so. */
export const NO_CLIENT_SCRIPT = "document.body.setAttribute('data-error', 'this page was written without its script');";

/** `require("./name")` as tsc writes it in a CommonJS module. */
const REQUIRE = /\brequire\("([^"]*)"\)/g;

/** The modules the entry needs, in one script that runs the entry once loaded. */
export function linkClientScript(modules: ClientModule[]): string {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const linked: ClientModule[] = [];
  const seen = new Set<string>([CLIENT_ENTRY]);
  const pending = [CLIENT_ENTRY];
  while (pending.length) {
    const name = pending.pop() as string;
    const m = byName.get(name);
    if (!m) throw new Error(`the HTML report's script has no module ${name} (build it: npm run build)`);
    linked.push(m);
    for (const [, spec] of m.code.matchAll(REQUIRE)) {
      const target = /^\.\/([\w-]+)$/.exec(spec)?.[1];
      if (target === undefined) throw new Error(`the HTML report's script module ${name} requires ${spec}, which the page cannot load (only ./module of its own folder)`);
      if (!seen.has(target)) {
        seen.add(target);
        pending.push(target);
      }
    }
  }
  linked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    '(function () {',
    "'use strict';",
    'var modules = {}, loaded = {};',
    ...linked.map((m) => `modules[${JSON.stringify(m.name)}] = function (exports, require) {\n${withoutSourceMap(m.code)}\n};`),
    'function require(path) {',
    '  var name = path.slice(2);',
    '  if (!loaded[name]) { loaded[name] = { exports: {} }; modules[name](loaded[name].exports, require); }',
    '  return loaded[name].exports;',
    '}',
    `require(${JSON.stringify(`./${CLIENT_ENTRY}`)});`,
    '})();',
  ].join('\n');
}

/** The module's code without tsc's `//# sourceMappingURL=` line (the page has no map to fetch). */
export function withoutSourceMap(code: string): string {
  return code.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '').trimEnd();
}
