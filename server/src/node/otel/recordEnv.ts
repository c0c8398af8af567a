// What `runlens record --otel` tells the processes it records, by environment variables, and where
// their bootstrap is: shared by record (cli/record.ts) and the bootstrap (bootstrap.ts), which is
// the only file that loads the OpenTelemetry SDK.

import * as path from 'node:path';

/** The folder the traces are written to (absolute). */
export const ENV_TRACES_DIR = 'RUNLENS_OTEL_TRACES_DIR';
/** The project's folder (absolute): frames under it are written relative to it. */
export const ENV_ROOT = 'RUNLENS_OTEL_ROOT';

/** The file given to `node --require`. */
export const BOOTSTRAP_FILE = path.join(__dirname, 'bootstrap.js');

/** The packages record --otel needs beside runlens (its optional dependencies). */
export const SDK_PACKAGES = ['@opentelemetry/sdk-node', '@opentelemetry/otlp-transformer'];
