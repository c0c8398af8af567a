#!/usr/bin/env node
'use strict';
// The `runlens` command: a thin launcher for the compiled CLI.
const cli = require('../out/server/src/cli/main.js');
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = cli.exitStatus(code); },
  (err) => { process.stderr.write(`runlens: internal error: ${err && err.stack || err}\n`); process.exitCode = 3; }
);
