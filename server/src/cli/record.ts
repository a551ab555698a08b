/**
 * `einsight record [options] [--] COMMAND [ARGS...]`: runs the user's own program unchanged with
 * the pure-Python recorder loaded into every Python process it starts (a `sitecustomize` on a
 * temporary PYTHONPATH that also runs the one it hides), then merges what each process saw into
 * `.einsight/observed.json`. The command's exit status is passed through.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { defaultObservedPath, findProjectRoot } from '../analysis/observed/store';
import { einsumCallee } from '../analysis/python/callees';
import { parseDeclaredTarget } from '../analysis/python/wrappers';
import { ProjectConfigReader } from '../environment/project-config';
import { UsageError, parseEinsumFunctions } from './args';
import type { Io } from './path';
import { printable } from './printable';
import { saveRecording, type RecordSummary } from './record-output';

export const RECORD_USAGE = `usage: einsight record [options] [--] COMMAND [ARGS...]

Runs COMMAND unchanged (e.g. 'python train.py --steps 5' or 'pytest tests/') with a small
recorder loaded into every Python process it starts, and writes what each einsum and
matrix-product call saw (equation, operand shapes, dtypes and devices, number of calls, time
in the call) to .einsight/observed.json at the project root, merged with earlier recordings.
No tensor value is ever stored. 'einsight check', 'fix' and 'measure' and the editor use the
recorded shapes wherever the code leaves a size unknown.

options:
  --out FILE       write the recordings here instead of <project root>/.einsight/observed.json
  --python PATH    the interpreter that runs COMMAND when it is a script (x.py ...) or
                   '-m module ...' (default: python3)
  --sync           time GPU work truly: torch.cuda.synchronize() around each recorded call
  --fresh          replace earlier recordings instead of merging with them
  --einsum-functions NAME=EINSUM;...
                   the project's own einsum wrappers, recorded where they are called
                   (added to [tool.einsight.einsum-functions] in pyproject.toml)

The project root is the nearest folder at or above the current one with pyproject.toml,
setup.cfg, .git or .einsight/ (else the current folder). Calls made from files under it are
kept; calls from installed packages (site-packages) are not. Python 3.7 or newer is recorded;
3.11 or newer gives each call's exact columns. See docs/observed.md.

exit status: COMMAND's own (128+N when signal N ended it), 127 when it cannot be started,
             2 bad arguments`;

const RECORDER_FILES = ['sitecustomize.py', '_einsight_recorder.py', '_einsight_output.py'];
/** Where the recorder's Python files are: beside the bundled CLI, or in the server package. */
const RECORDER_FOLDERS = [join(__dirname, 'recorder'), join(__dirname, '..', '..', 'python', 'recorder')];

export interface RecordOptions {
  out: string | null;
  /** Declared on the command line (`--einsum-functions`), besides pyproject.toml's. */
  einsumFunctions: Record<string, string>;
  python: string;
  sync: boolean;
  fresh: boolean;
  command: string[];
}

export function parseRecordArgs(argv: readonly string[]): RecordOptions {
  const options: RecordOptions = { out: null, einsumFunctions: {}, python: process.platform === 'win32' ? 'python' : 'python3', sync: false, fresh: false, command: [] };
  let i = 0;
  const valueOf = (flag: string, inline: string | undefined) => {
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    return value;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-m') break;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag === '--out') options.out = valueOf(flag, inline);
    else if (flag === '--python') options.python = valueOf(flag, inline);
    else if (flag === '--einsum-functions') options.einsumFunctions = parseEinsumFunctions(valueOf(flag, inline));
    else if ((flag === '--sync' || flag === '--fresh') && inline === undefined) options[flag === '--sync' ? 'sync' : 'fresh'] = true;
    else throw new UsageError(`unknown option ${flag}`);
  }
  options.command = argv.slice(i);
  if (options.command.length === 0) throw new UsageError('give the command to run, e.g. einsight record -- python train.py');
  return options;
}

/** `x.py ...` and `-m module ...` run with the chosen interpreter; anything else runs as given. */
export function commandLine(options: RecordOptions): string[] {
  const [first] = options.command;
  if (first === '-m' || /\.pyw?$/i.test(first)) return [options.python, ...options.command];
  return options.command;
}

export async function runRecord(argv: readonly string[], io: Io): Promise<number> {
  const options = parseRecordArgs(argv);
  const recorder = RECORDER_FOLDERS.find((folder) => RECORDER_FILES.every((file) => existsSync(join(folder, file))));
  if (!recorder) throw new Error(`the recorder's Python files are missing (looked in ${RECORDER_FOLDERS.join(', ')})`);
  const root = findProjectRoot(process.cwd()) ?? process.cwd();
  const out = resolve(options.out ?? defaultObservedPath(root));
  const scratch = mkdtempSync(join(tmpdir(), 'einsight-record-'));
  try {
    const pythonPath = join(scratch, 'path');
    const recordings = join(scratch, 'out');
    mkdirSync(pythonPath);
    mkdirSync(recordings);
    for (const file of RECORDER_FILES) copyFileSync(join(recorder, file), join(pythonPath, file));
    const config = new ProjectConfigReader();
    const wrappers = recordedWrappers({ ...config.for(join(root, 'pyproject.toml')).einsumFunctions, ...options.einsumFunctions });
    for (const problem of config.problems) io.stderr(`einsight record: ${problem}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PYTHONPATH: process.env.PYTHONPATH ? `${pythonPath}${delimiter}${process.env.PYTHONPATH}` : pythonPath,
      EINSIGHT_RECORD_DIR: recordings,
      EINSIGHT_RECORD_ROOT: root,
      EINSIGHT_RECORD_SYNC: options.sync ? '1' : '0',
      EINSIGHT_RECORD_WRAPPERS: JSON.stringify(wrappers),
      EINSIGHT_RECORD_MODULES: [...new Set(wrappers.map((w) => w.module))].join(','),
    };
    const command = commandLine(options);
    const started = new Date();
    const outcome = await runCommand(command, env);
    if ('error' in outcome) {
      io.stderr(`einsight record: cannot run '${printable(command[0])}': ${outcome.error}`);
      return 127;
    }
    const summary = saveRecording({
      recordings: readdirSync(recordings).filter((name) => name.endsWith('.json')).map((name) => join(recordings, name)),
      out,
      fresh: options.fresh,
      run: { command, started: started.toISOString(), durationMs: Date.now() - started.getTime(), exitCode: outcome.code, processes: 0, calls: 0 },
    });
    report(io, summary, root, out);
    return outcome.code ?? 128 + (constants.signals[outcome.signal as NodeJS.Signals] ?? 0);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** How the recorder reads a wrapper's arguments, from the einsum it behaves as. */
const STYLES: Record<string, string> = { 'equation-first': 'equation', 'pattern-last': 'pattern-last', expression: 'shapes' };

/**
 * Declared wrappers as the recorder wraps them: `pkg.ops.my_einsum` may be the function
 * `my_einsum` of module `pkg.ops`, or `ops.my_einsum` reached from package `pkg`; every split is
 * watched and the first module that has the function gets it wrapped.
 */
export function recordedWrappers(declared: Record<string, string>): { module: string; name: string; style: string }[] {
  const wrappers: { module: string; name: string; style: string }[] = [];
  for (const [qualified, target] of Object.entries(declared)) {
    const parsed = parseDeclaredTarget(target);
    const callee = typeof parsed === 'string' ? null : einsumCallee(parsed.qualified);
    if (!callee) continue;
    const parts = qualified.split('.');
    for (let split = parts.length - 1; split >= 1; split--) {
      wrappers.push({ module: parts.slice(0, split).join('.'), name: parts.slice(split).join('.'), style: STYLES[callee.style] });
    }
  }
  return wrappers;
}

type Outcome = { code: number | null; signal: string | null } | { error: string };

/**
 * Runs the command with the terminal's stdin, stdout and stderr. Ctrl-C reaches the command
 * from the terminal; einsight waits for it to finish so that what it recorded is still saved.
 */
function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGINT', () => undefined],
      ['SIGTERM', forward('SIGTERM')],
      ['SIGHUP', forward('SIGHUP')],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const finish = (outcome: Outcome) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      done(outcome);
    };
    child.once('error', (error: NodeJS.ErrnoException) => finish({ error: error.code === 'ENOENT' ? 'no such program' : error.message }));
    child.once('exit', (code, signal) => finish({ code, signal }));
  });
}

function report(io: Io, summary: RecordSummary, root: string, out: string): void {
  const shown = printable(relative(process.cwd(), out) || out);
  for (const problem of summary.problems) io.stderr(`einsight record: ${problem}`);
  if (summary.sites === 0) {
    io.stderr(
      `einsight record: no contraction call was recorded from files under ${printable(root)} ` +
        '(the recorder loads in Python processes the command starts; a Python run with -I or -S skips it)',
    );
  } else {
    const processes = `${summary.processes} process${summary.processes === 1 ? '' : 'es'}`;
    io.stderr(
      `einsight record: ${summary.sites} contraction site${summary.sites === 1 ? '' : 's'}, ` +
        `${summary.calls.toLocaleString('en-US')} call${summary.calls === 1 ? '' : 's'} in ${processes}, ` +
        `${(summary.timeNs / 1e6).toFixed(1)} ms in the calls → ${shown}`,
    );
  }
  if (summary.dropped > 0) {
    io.stderr(`einsight record: dropped ${summary.dropped} earlier recording${summary.dropped === 1 ? '' : 's'} of calls no longer in the code`);
  }
}
