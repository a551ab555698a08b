/**
 * The `einsight` command: dispatches a subcommand. Usage errors exit 2 with a message;
 * anything unexpected is reported as an internal error (also 2), never a stack dump alone.
 */
import { readFileSync } from 'node:fs';
import { nameTable } from '../core/name-table';
import { UsageError } from './args';
import { SERVER_VERSION } from '../service/version';
import { PATH_USAGE, runPath, type Io } from './path';

const USAGE = `usage: einsight <command> [options]

commands:
  path     contraction path and cost of one equation, or of a JSON Lines batch
  check    find einsum sites in Python/TypeScript files and report wasted work
  fix      apply the quick fixes to Python/TypeScript files (a unified diff, or --write)
  measure  run a contraction as written and optimized on onnxruntime: the measured speedup
  lsp      the language server, for any editor (over stdio; --stdio is accepted)
  record   run your program and record the shapes and time of every einsum it calls

Run 'einsight <command> --help' for a command's options; 'einsight --version' prints the version.`;

const LSP_USAGE = `usage: einsight lsp [--stdio]

Starts the einsight language server on stdin/stdout (the Language Server Protocol): diagnostics,
hover, quick fixes, inlay hints and code lenses for Python and TypeScript/JavaScript, in any
editor with an LSP client. Settings come in one shape, { "einsight": { ... } }, as
initializationOptions, as the answer to workspace/configuration, or with
workspace/didChangeConfiguration. The README's "Other editors" section has configurations for
Neovim, Helix, Zed and Emacs.`;

type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

/** `passThrough`: the arguments end with another program's command line, whose --help is its own. */
const COMMANDS = nameTable<{ run: () => Command; usage: () => string; passThrough?: boolean }>({
  path: { run: () => runPath, usage: () => PATH_USAGE },
  // Loaded on use: the Python parser is not needed by the other commands.
  measure: { run: () => loadMeasure().runMeasure, usage: () => loadMeasure().MEASURE_USAGE },
  check: { run: () => loadCheck().runCheck, usage: () => loadCheck().CHECK_USAGE },
  fix: { run: () => loadFix().runFix, usage: () => loadFix().FIX_USAGE },
  lsp: { run: () => runLanguageServer, usage: () => LSP_USAGE },
  record: { run: () => loadRecord().runRecord, usage: () => loadRecord().RECORD_USAGE, passThrough: true },
});

/** Serves until the client says exit (the server ends the process then); never resolves before. */
function runLanguageServer(argv: readonly string[], io: Io): Promise<number> | number {
  const unknown = argv.filter((arg) => arg !== '--stdio');
  if (unknown.length > 0) {
    io.stderr(`einsight lsp: unknown argument '${unknown[0]}'\n\n${LSP_USAGE}`);
    return 2;
  }
  require('../server');
  return new Promise<number>(() => undefined);
}

function loadCheck(): typeof import('./check') {
  return require('./check') as typeof import('./check');
}

function loadMeasure(): typeof import('./measure') {
  return require('./measure') as typeof import('./measure');
}

function loadFix(): typeof import('./fix') {
  return require('./fix') as typeof import('./fix');
}

function loadRecord(): typeof import('./record') {
  return require('./record') as typeof import('./record');
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  readStdin: () => readFileSync(0, 'utf8'),
};

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`einsight ${SERVER_VERSION}`);
    return 0;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    io.stderr(`einsight: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const own = command.passThrough ? rest.slice(0, 1) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(command.usage());
    return 0;
  }
  try {
    return await command.run()(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`einsight ${name}: ${error.message}\n\n${command.usage()}`);
      return 2;
    }
    io.stderr(`einsight ${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 2;
  }
}

// `node server/out/cli/main.js …` (how the extension runs the CLI) starts here too.
if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
