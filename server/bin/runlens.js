#!/usr/bin/env node
'use strict';
// The `runlens` command: a thin launcher for the compiled CLI.

// From Node 22.1, V8's compiled code of runlens's modules is kept between runs (Node's own cache, in
// the system's temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): measured, a scan of a
// small workspace starts about 20 ms sooner. Node 20 has no such cache, and nothing happens there.
const { enableCompileCache } = require('node:module');
if (typeof enableCompileCache === 'function') {
  try {
    enableCompileCache();
  } catch {
    // A cache that cannot be set up only makes the start slower.
  }
}

const cli = require('../out/server/src/cli/main.js');
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = cli.exitStatus(code); },
  (err) => { process.stderr.write(`runlens: internal error: ${err && err.stack || err}\n`); process.exitCode = 3; }
);
