// Rewrites the server's settings in package.json (`contributes.configuration.properties`,
// `runlens.<key>`) from the one schema, server/src/core/settingsSchema.ts, as compiled at the
// repository root; the extension's own settings (`runlens.server.*`, `runlens.trace.*`) are kept.
// test/unit/settings.test.ts checks that the two agree; this script is how to make them agree.
//
//   node scripts/sync-settings.mjs      (after `npx tsc -p .` at the repository root)

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSION = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = path.resolve(EXTENSION, '../../server/out/server/src/core/settingsSchema.js');
const CLIENT_ONLY = /^runlens\.(server|trace)\./;

if (!fs.existsSync(SCHEMA)) {
  console.error(`sync-settings: ${SCHEMA} is missing: run \`npx tsc -p .\` at the repository root first`);
  process.exit(1);
}
const { SETTINGS } = createRequire(import.meta.url)(SCHEMA);
const file = path.join(EXTENSION, 'package.json');
const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
const properties = manifest.contributes.configuration.properties;
const clientOnly = Object.entries(properties).filter(([key]) => CLIENT_ONLY.test(key));
manifest.contributes.configuration.properties = {
  // `resource` scope: settable for the user, the workspace or one folder of it.
  ...Object.fromEntries(Object.entries(SETTINGS).map(([key, schema]) => [`runlens.${key}`, { ...schema, scope: 'resource' }])),
  ...Object.fromEntries(clientOnly),
};
fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`sync-settings: ${Object.keys(SETTINGS).length} server settings written to package.json`);
