// Entry point of the `runlens` command line: parses arguments and dispatches to a command.
// Exit codes: 0 fine, 1 a finding reached --fail-on (scan) or something regressed (compare),
// 2 usage error or no recordings found, 3 internal error.

import { packageVersion } from '../node/packageInfo';
import { colorWanted } from './color';
import type { Io, ScanOptions } from './scan';
import { BASELINE_USAGE, COMPARE_USAGE, didYouMean, eachArg, isOption, MCP_USAGE, oneOf, RECORD_USAGE, REPORT_USAGE, SCAN_USAGE, unknownOption, UsageError } from './usage';

/**
 * The commands besides the language server, each `(args, io) → exit code`, in the order the help
 * lists them. Each command's module is loaded when it runs, not before: `scan` never loads what
 * only `report`, `compare` or `record` need (test/system/cli.test.ts lists what `scan` loads).
 */
const COMMANDS: Record<string, { usage: string; run: (args: string[], io: Io) => Promise<number> }> = {
  scan: { usage: SCAN_USAGE, run: async (args, io) => (await import('./scan')).runScan(parseScanArgs(args), io) },
  baseline: { usage: BASELINE_USAGE, run: async (args, io) => (await import('./baseline')).runBaseline(args, io) },
  compare: {
    usage: COMPARE_USAGE,
    run: async (args, io) => {
      const { parseCompareArgs, runCompare } = await import('./compare');
      return runCompare(parseCompareArgs(args), io);
    },
  },
  report: {
    usage: REPORT_USAGE,
    run: async (args, io) => {
      const { parseReportArgs, runReport } = await import('./report');
      return runReport(parseReportArgs(args), io);
    },
  },
  record: { usage: RECORD_USAGE, run: async (args, io) => (await import('./record')).runRecord(args, io) },
};

const HELP = `runlens: recorded performance on the line of code that caused it

Usage:
  runlens --stdio     the language server, over stdin and stdout
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n')}
${MCP_USAGE}
Exit codes: 0 fine, 1 a finding reached --fail-on (scan) or something regressed (compare), 2 usage error
or no recordings found (scan and report take --allow-empty).
`;

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version') {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    const known = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (known) {
      // Not in what follows `--` (record's command has flags of its own).
      const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
      if (own.includes('--help') || own.includes('-h')) {
        io.stdout(`Usage:\n${known.usage}`);
        return 0;
      }
      return await known.run(rest, io);
    }
    if (command === '--stdio' || command === 'lsp') {
      // The language server over stdin/stdout (lsp/stdio.ts): from here on stdout carries protocol
      // only. Loaded here, so that the other commands never load the protocol library.
      const { serveStdio } = await import('../lsp/stdio');
      return await serveStdio();
    }
    if (command === 'mcp') {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`Usage:\n${MCP_USAGE}`);
        return 0;
      }
      // The MCP server (mcp/stdio.ts): loaded here, so that no other command loads the MCP SDK.
      const { serveMcp } = await import('../mcp/stdio');
      return await serveMcp(rest, io.cwd);
    }
    throw new UsageError(`unknown command "${command}"${didYouMean(command, [...Object.keys(COMMANDS), 'mcp', 'help', '--help', '--version', '--stdio'])}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`runlens: ${err.message}\n${err.pointsToHelp ? 'Run "runlens --help" for usage.\n' : ''}`);
      return 2;
    }
    throw err;
  }
}

export function parseScanArgs(args: string[]): ScanOptions {
  const options: ScanOptions = { paths: [], root: '.', format: 'text', failOn: 'error', configFile: undefined, fixHints: false, allowEmpty: false };
  eachArg(args, (flag, value, arg) => {
    switch (flag) {
      case '--root':
        options.root = value();
        break;
      case '--format':
        options.format = oneOf(flag, value(), ['text', 'json', 'sarif'] as const);
        break;
      case '--fail-on':
        options.failOn = oneOf(flag, value(), ['error', 'warning', 'never'] as const);
        break;
      case '--config':
        options.configFile = value();
        break;
      case '--fix-hints':
        options.fixHints = true;
        break;
      case '--allow-empty':
        options.allowEmpty = true;
        break;
      default:
        if (isOption(flag)) throw unknownOption(flag, SCAN_USAGE);
        options.paths.push(arg);
    }
  });
  return options;
}

/**
 * The process's own streams. A reader that goes away (`runlens scan | head`: EPIPE) ends what is
 * written to that stream, not the command: the rest is dropped, quietly, and runlens exits with the
 * status it would have had (0, or 1 when a finding reached --fail-on), so that a `set -o pipefail`
 * step fails for what runlens found and never because `head` had read enough. (git dies of SIGPIPE,
 * status 141, which pipefail counts as a failure; ripgrep exits 0 on a broken pipe, which would
 * hide a failed gate.) Any other failure to write (a full disk) is said on stderr and makes the
 * status 3 (exitStatus): output was lost.
 */
function processIo(): Io {
  const closed = { stdout: false, stderr: false };
  const writer = (name: 'stdout' | 'stderr') => {
    const stream = process[name];
    stream.on('error', (err: NodeJS.ErrnoException) => {
      closed[name] = true;
      if (err.code === 'EPIPE') return;
      outputLost = true;
      process.exitCode = 3;
      if (!closed.stderr) process.stderr.write(`runlens: cannot write to ${name}: ${err.code ?? err.message}\n`);
    });
    return (text: string) => {
      if (!closed[name]) stream.write(text);
    };
  };
  return {
    stdout: writer('stdout'),
    stderr: writer('stderr'),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    color: { stdout: colorWanted(process.env, Boolean(process.stdout.isTTY)), stderr: colorWanted(process.env, Boolean(process.stderr.isTTY)) },
  };
}

/** Set when writing to stdout or stderr failed for another reason than a reader gone. */
let outputLost = false;

/** The process's exit status for a command that returned `code`: 3 if output was lost (processIo). */
export function exitStatus(code: number): number {
  return outputLost ? 3 : code;
}
