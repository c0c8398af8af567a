// The package's own metadata, read once from package.json at the repository root.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The version in package.json (compiled files live in server/out/server/src/node/). */
export function packageVersion(): string {
  const file = path.resolve(__dirname, '../../../../../package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
