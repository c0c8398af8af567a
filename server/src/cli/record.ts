// `runlens record [--root DIR] [--otel] -- <command…>`: records a Node project's command with
// appmap-node, or with the OpenTelemetry Node SDK (--otel: OTLP JSON Lines in .runlens/traces/,
// written by node/otel/bootstrap.ts inside the recorded processes), and prints the findings of the
// recordings it wrote, as `runlens scan` does. The agents of the other ecosystems hook into their
// own build tools, so for Python, Ruby and Java projects nothing is run: it prints how to record
// with that ecosystem's agent, then to run `runlens scan`.
//
// Exit codes: the command's own status when it fails (128 + the signal's number when a signal
// stopped it, 127 when it could not be started), else those of `runlens scan` (1 when a finding
// reaches error); 1 when the command wrote no recording; 2 when the project is not a Node one
// (the instructions were printed instead) or on usage errors (thrown as UsageError).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOOTSTRAP_FILE, ENV_ROOT, ENV_TRACES_DIR, SDK_PACKAGES } from '../node/otel/recordEnv';
import { recordingsUnder } from '../node/recordings';
import { displayPath, isInside, readTextSync, workspaceFiles } from '../node/workspaceFiles';
import { Io, isDirectory, runScan } from './scan';
import { RECORD_USAGE, unknownOption, UsageError } from './usage';

export type ProjectKind = 'node' | 'python' | 'ruby' | 'java';

/** The exit code when runlens printed how to record instead of recording. */
export const EXIT_NOT_RECORDED = 2;

/** The files that tell a project's kind, in the order they are looked for. */
export const PROJECT_MARKERS: ReadonlyArray<{ kind: ProjectKind; file: string }> = [
  { kind: 'python', file: 'pyproject.toml' },
  { kind: 'python', file: 'requirements.txt' },
  { kind: 'python', file: 'setup.py' },
  { kind: 'python', file: 'manage.py' },
  { kind: 'ruby', file: 'Gemfile' },
  { kind: 'java', file: 'pom.xml' },
  { kind: 'java', file: 'build.gradle' },
  { kind: 'java', file: 'build.gradle.kts' },
  { kind: 'node', file: 'package.json' },
];

export interface RecordOptions {
  /**
   * Where the command's output goes, chunk by chunk, instead of the terminal runlens has (the MCP
   * server's stdout carries protocol only: a test runner writing there would break it). Its stdin
   * is then nothing.
   */
  commandOutput?: (text: string) => void;
}

export async function runRecord(args: string[], io: Io, options: RecordOptions = {}): Promise<number> {
  const { rootArg, command, otel } = parseRecordArgs(args);
  const root = path.resolve(io.cwd, rootArg);
  if (!isDirectory(root)) throw new UsageError(`--root ${rootArg}: not a folder`);
  const marker = projectKindOf(root, command);
  if (!marker) {
    const names = PROJECT_MARKERS.map((m) => m.file);
    throw new UsageError(`${rootArg}: cannot tell which AppMap agent records this folder: none of ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]} is there (give the project's folder with --root)`);
  }
  if (marker.kind !== 'node' && otel) {
    throw new UsageError(
      `record --otel: ${rootArg} is a ${KIND_NAMES[marker.kind]} project (${marker.file}); runlens records Node projects only with OpenTelemetry: ` +
        "run this one under its ecosystem's OpenTelemetry agent with a file exporter writing OTLP JSON Lines, then runlens scan",
      { pointsToHelp: false },
    );
  }
  if (marker.kind !== 'node') {
    io.stdout(agentInstructions(marker.kind, marker.file, command, rootArg));
    return EXIT_NOT_RECORDED;
  }
  return otel ? recordNodeOtel(root, command, io, options) : recordNode(root, command, io, options);
}

/** `[--root DIR] [--otel] -- <command…>`; everything after `--` is the command, word for word. */
export function parseRecordArgs(args: string[]): { rootArg: string; command: string[]; otel?: true } {
  let rootArg = '.';
  let otel = false;
  let i = 0;
  for (; i < args.length && args[i] !== '--'; i++) {
    const arg = args[i];
    if (arg === '--otel') {
      otel = true;
    } else if (arg === '--root') {
      const value = args[++i];
      if (value === undefined || value === '--') throw new UsageError('--root needs a value');
      rootArg = value;
    } else if (arg.startsWith('--root=')) {
      rootArg = arg.slice('--root='.length);
    } else if (arg.startsWith('-')) {
      throw unknownOption(arg.split('=')[0], RECORD_USAGE, 'record: ');
    } else {
      throw new UsageError(`record: the command goes after "--": runlens record [--root DIR] -- ${[arg, ...args.slice(i + 1)].join(' ')}`);
    }
  }
  const command = args.slice(i + 1);
  if (i === args.length || command.length === 0) {
    throw new UsageError('record: no command to record; give it after "--", e.g. runlens record -- npm test');
  }
  return { rootArg, command, ...(otel ? { otel: true as const } : {}) };
}

/** Programs that run JavaScript: with several kinds of project files, these make it a Node project. */
const NODE_PROGRAMS = new Set(['node', 'npm', 'npx', 'yarn', 'pnpm', 'mocha', 'jest', 'vitest', 'ts-node', 'tsx']);

/**
 * The kind of the project in `root` and the file that tells it, or undefined. A Rails or Django
 * project often has a package.json for its front end, so with several kinds present it is Node
 * only when the command runs JavaScript; else the first marker found wins.
 */
export function projectKindOf(root: string, command: string[]): { kind: ProjectKind; file: string } | undefined {
  const markers = PROJECT_MARKERS.filter((m) => isFile(path.join(root, m.file)));
  const node = markers.find((m) => m.kind === 'node');
  const other = markers.find((m) => m.kind !== 'node');
  if (!node || !other) return markers[0];
  const program = command[0];
  const runsNode = NODE_PROGRAMS.has(path.basename(program)) || /\.[cm]?[jt]s$/.test(program) || program.split(/[\\/]/).includes('node_modules');
  return runsNode ? node : other;
}

/** How to record a project of another ecosystem with its agent, and scan it afterwards. */
export function agentInstructions(kind: Exclude<ProjectKind, 'node'>, marker: string, command: string[], rootArg: string): string {
  const scanCommand = rootArg === '.' ? 'runlens scan' : `runlens scan --root ${shellQuote(rootArg)}`;
  const inRoot = rootArg === '.' ? '' : `, in ${shellQuote(rootArg)}`;
  const [program = '', ...rest] = command;
  const tool = path.basename(program);
  const head = (agent: string) =>
    `runlens record: a ${KIND_NAMES[kind]} project (${marker}). runlens runs the agent itself for Node projects only;\n` +
    `record this one with ${agent}, then scan what it wrote:\n\n`;
  if (kind === 'python') {
    return (
      head('appmap-python') +
      '  1. Install the agent in the project\'s environment:\n' +
      '       pip install appmap\n' +
      '     (Poetry: poetry add --group=dev appmap; Pipenv: pipenv install --dev appmap)\n' +
      `  2. Run the command under it${inRoot}:\n` +
      `       appmap-python ${shellJoin(command)}\n` +
      `     (or: APPMAP=true ${shellJoin(command)}). pytest writes tmp/appmap/pytest/; unittest and\n` +
      '     Django\'s manage.py test write tmp/appmap/unittest/.\n' +
      '  3. Scan the recordings:\n' +
      `       ${scanCommand}\n`
    );
  }
  if (kind === 'ruby') {
    return (
      head('appmap-ruby') +
      '  1. Add the agent to the Gemfile, before any other gem, in the development and test groups:\n' +
      '       group :development, :test do\n' +
      "         gem 'appmap'\n" +
      '       end\n' +
      '     then run bundle install.\n' +
      `  2. Run the command with recording on${inRoot}:\n` +
      `       APPMAP=true ${shellJoin(command)}\n` +
      '     RSpec writes tmp/appmap/rspec/, Minitest tmp/appmap/minitest/, Cucumber tmp/appmap/cucumber/\n' +
      "     (outside Rails, require 'appmap/rspec' or 'appmap/minitest' first in spec_helper.rb or test_helper.rb).\n" +
      '  3. Scan the recordings:\n' +
      `       ${scanCommand}\n`
    );
  }
  if (marker === 'pom.xml') {
    const run = /^mvnw?(\.cmd)?$/.test(tool) ? shellJoin([program, 'com.appland:appmap-maven-plugin:prepare-agent', ...rest]) : 'mvn com.appland:appmap-maven-plugin:prepare-agent test';
    return (
      head('appmap-java') +
      `  1. Run the tests with the agent attached by its Maven plugin (Maven fetches it)${inRoot}:\n` +
      `       ${run}\n` +
      '     or add com.appland:appmap-maven-plugin with the goal prepare-agent to the pom.xml\'s plugins.\n' +
      '     JUnit tests write tmp/appmap/junit/.\n' +
      '  2. Scan the recordings:\n' +
      `       ${scanCommand}\n`
    );
  }
  const run = /^gradlew?(\.bat)?$/.test(tool) ? shellJoin([program, 'appmap', ...rest]) : 'gradle appmap test';
  const plugin = marker === 'build.gradle.kts' ? 'plugins { id("com.appland.appmap") version "<version>" }' : 'plugins { id "com.appland.appmap" version "<version>" }';
  return (
    head('appmap-java') +
    `  1. Add the AppMap Gradle plugin to ${marker}, with the version of its latest release:\n` +
    `       ${plugin}\n` +
    `  2. Run the tests with the agent attached${inRoot}:\n` +
    `       ${run}\n` +
    '     They write build/appmap/.\n' +
    '  3. Scan the recordings:\n' +
    `       ${scanCommand}\n`
  );
}

// ---- Node: appmap-node --------------------------------------------------------------------------

async function recordNode(root: string, command: string[], io: Io, options: RecordOptions): Promise<number> {
  const local = path.join(root, 'node_modules', '.bin', 'appmap-node');
  const [program, ...programArgs] = fs.existsSync(local) ? [local, ...command] : ['npx', 'appmap-node', ...command];
  const outputDir = appmapOutputDir(root);
  refuseOutsideRoot(root, outputDir);
  const before = recordingTimes(outputDir);
  const display = shellJoin(command);
  io.stderr(`runlens record: recording ${display} with ${program === local ? 'node_modules/.bin/appmap-node' : 'npx appmap-node'}\n`);

  const exit = await runInherited(program, programArgs, root, options.commandOutput);
  // The command may have replaced the folder meanwhile (by a link out): checked again before it is walked.
  refuseOutsideRoot(root, outputDir);
  const written = [...recordingTimes(outputDir)].filter(([file, mtimeMs]) => before.get(file) !== mtimeMs).map(([file]) => file).sort();

  return scanWritten(root, written, program, display, exit, io, `wrote no recording to ${displayPath(root, outputDir)}`);
}

/**
 * After the command: the files it wrote are scanned, and the status is the scan's, unless the
 * command could not run (127), was stopped by a signal (128 + its number), failed (its status) or
 * wrote nothing (1, saying `noneWritten`).
 */
async function scanWritten(root: string, written: string[], program: string, display: string, exit: Exit, io: Io, noneWritten: string): Promise<number> {
  let status = 0;
  if (written.length > 0) {
    status = await runScan({ paths: written, root, format: 'text', failOn: 'error', configFile: undefined, fixHints: false }, io);
  }
  if ('error' in exit) {
    io.stderr(`runlens record: cannot run ${program}: ${exit.error.message}\n`);
    return 127;
  }
  if (exit.signal) {
    io.stderr(`runlens record: ${display} was stopped by ${exit.signal}\n`);
    return 128 + (os.constants.signals[exit.signal] ?? 0);
  }
  if (exit.code !== 0) {
    io.stderr(`runlens record: ${display} exited with status ${exit.code}\n`);
    return exit.code;
  }
  if (written.length === 0) {
    io.stderr(`runlens record: ${display} ${noneWritten}\n`);
    return 1;
  }
  return status;
}

// ---- Node: the OpenTelemetry SDK --------------------------------------------------------------------

/** Where record --otel writes, under the project's folder. */
export const TRACES_DIR = '.runlens/traces';
export const TRACE_SUFFIX = '.otlp.jsonl';

/**
 * Runs the command with NODE_OPTIONS requiring runlens's OpenTelemetry bootstrap in every Node
 * process it starts; each process that traced something writes its own
 * `.runlens/traces/<name>-<time>-<pid>.otlp.jsonl`. Then scans those files, as recordNode does
 * appmap-node's, with the same exit codes.
 */
async function recordNodeOtel(root: string, command: string[], io: Io, options: RecordOptions): Promise<number> {
  const missing = SDK_PACKAGES.filter((pkg) => !resolvable(pkg));
  if (missing.length) {
    throw new UsageError(
      `record --otel: the OpenTelemetry packages are not installed beside runlens (its optional dependencies): ${missing.join(', ')}; ` +
        'install runlens again without --omit=optional, or install them where runlens is',
      { pointsToHelp: false },
    );
  }
  const outputDir = path.join(root, TRACES_DIR);
  refuseTracesOutsideRoot(root, outputDir);
  const before = traceFileSizes(outputDir);
  const display = shellJoin(command);
  io.stderr(`runlens record: recording ${display} with OpenTelemetry (traces to ${TRACES_DIR}/)\n`);
  const env = {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${nodeOptionsQuote(BOOTSTRAP_FILE)}`].filter(Boolean).join(' '),
    [ENV_TRACES_DIR]: outputDir,
    [ENV_ROOT]: root,
  };
  const [program, ...programArgs] = command;
  const exit = await runInherited(program, programArgs, root, options.commandOutput, env);
  refuseTracesOutsideRoot(root, outputDir);
  const written = [...traceFileSizes(outputDir)].filter(([file, size]) => before.get(file) !== size).map(([file]) => file).sort();
  if (written.length > 0) {
    io.stderr(`runlens record: wrote ${written.length === 1 ? 'one trace file' : `${written.length} trace files`}: ${written.map((f) => displayPath(root, f)).join(', ')}\n`);
  }

  return scanWritten(root, written, program, display, exit, io, `wrote no trace to ${TRACES_DIR}: no Node process of it made a span of the libraries traced`);
}

/** Whether a package resolves from runlens's own folder, as the bootstrap will load it. */
function resolvable(pkg: string): boolean {
  try {
    require.resolve(pkg, { paths: [path.dirname(BOOTSTRAP_FILE)] });
    return true;
  } catch {
    return false;
  }
}

/** A word of NODE_OPTIONS: double-quoted (with `\\` and `"` escaped) when it holds a space or quote. */
export function nodeOptionsQuote(word: string): string {
  return /[\s"'\\]/.test(word) ? `"${word.replace(/["\\]/g, (c) => `\\${c}`)}"` : word;
}

/** As refuseOutsideRoot: the traces folder, by its name or through a link, stays inside the root. */
function refuseTracesOutsideRoot(root: string, outputDir: string): void {
  const rel = path.relative(root, outputDir).split(path.sep).join('/');
  if (isInside(root, outputDir) && !workspaceFiles(root).leavesRoot(rel)) return;
  throw new UsageError(`record --otel: ${TRACES_DIR} leads outside the root ${root} (a link): runlens writes traces only inside the root`, { pointsToHelp: false });
}

/** Every trace file in the folder (not below it), with its size: a file appended to is one of this run. */
function traceFileSizes(dir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return sizes;
  }
  for (const name of names) {
    if (!name.endsWith(TRACE_SUFFIX)) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (st.isFile()) sizes.set(file, st.size);
    } catch {
      // Removed while listed: not a trace of this run.
    }
  }
  return sizes;
}

type Exit = { code: number; signal?: undefined } | { code?: undefined; signal: NodeJS.Signals } | { error: Error };

/**
 * Runs the command on the terminal runlens has (or with its output handed to `output`). Ctrl-C
 * reaches the command directly (same process group), so runlens ignores it meanwhile and reports
 * what was recorded; a SIGTERM sent to runlens alone is passed on.
 */
function runInherited(program: string, args: string[], cwd: string, output?: (text: string) => void, env?: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd, stdio: output ? ['ignore', 'pipe', 'pipe'] : 'inherit', ...(env ? { env } : {}) });
    if (output) {
      child.stdout?.on('data', (chunk: Buffer) => output(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output(chunk.toString()));
    }
    const ignore = () => {};
    const forward = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    const done = (exit: Exit) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(exit);
    };
    child.on('error', (error) => done({ error }));
    child.on('exit', (code, signal) => done(signal ? { signal } : { code: code ?? 0 }));
  });
}

/**
 * Where appmap-node writes: `appmap_dir` (default tmp/appmap) of the appmap.yml it uses, that of
 * APPMAP_ROOT, else the nearest one up from the project (it writes a default one there if none).
 */
export function appmapOutputDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  let configDir = env.APPMAP_ROOT ? path.resolve(root, env.APPMAP_ROOT) : undefined;
  for (let dir = root; !configDir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'appmap.yml'))) configDir = dir;
    else if (path.dirname(dir) === dir) configDir = root;
  }
  let text = '';
  try {
    text = readTextSync(path.join(configDir, 'appmap.yml'), { maxBytes: MAX_APPMAP_YML_BYTES });
  } catch {
    // No appmap.yml yet (appmap-node writes one with the default), or not a file it could read either.
  }
  return path.resolve(configDir, appmapDirSetting(text) ?? 'tmp/appmap');
}

/**
 * What record reads stays inside the root: the folder appmap-node writes to (appmap_dir, or
 * APPMAP_ROOT's) is walked for the recordings of this run, so `appmap_dir: /` would walk the whole
 * disk and report other projects' recordings written meanwhile. A folder outside the root, by its
 * name or through a link, is a usage error, before the command runs.
 */
function refuseOutsideRoot(root: string, outputDir: string): void {
  const rel = path.relative(root, outputDir).split(path.sep).join('/');
  if (isInside(root, outputDir) && !workspaceFiles(root).leavesRoot(rel)) return;
  throw new UsageError(
    `record: appmap-node writes to ${outputDir} (appmap_dir of its appmap.yml, or APPMAP_ROOT), outside the root ${root}: ` +
      'runlens record reads only recordings inside the root. Set appmap_dir to a folder inside it (the default is tmp/appmap), or give the folder that holds it with --root',
    { pointsToHelp: false },
  );
}

/** An appmap.yml names packages and a folder: a few hundred bytes. A larger one is not read. */
const MAX_APPMAP_YML_BYTES = 1 << 20;

/** The top-level `appmap_dir:` scalar of an appmap.yml, unquoted, without a trailing comment. */
export function appmapDirSetting(yaml: string): string | undefined {
  const m = /^appmap_dir:[ \t]*(?:"([^"]*)"|'([^']*)'|([^#\r\n]*?))[ \t]*(?:#.*)?$/m.exec(yaml);
  const value = m && (m[1] ?? m[2] ?? m[3]);
  return value ? value : undefined;
}

/** Every recording under the folder, with its modification time. */
function recordingTimes(dir: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const rel of isDirectory(dir) ? recordingsUnder(dir) : []) {
    const file = path.join(dir, rel);
    try {
      times.set(file, fs.statSync(file).mtimeMs);
    } catch {
      // Removed while listed: not a recording of this run.
    }
  }
  return times;
}

// ---- helpers ----------------------------------------------------------------------------------------

const KIND_NAMES: Record<ProjectKind, string> = { node: 'Node', python: 'Python', ruby: 'Ruby', java: 'Java' };

function shellJoin(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}


function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

