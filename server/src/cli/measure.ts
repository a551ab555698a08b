/**
 * `einsight measure`: runs a contraction as written and optimized, in the site's own library
 * with the user's Python (native) and on onnxruntime, and reports the measured speedups beside
 * the predicted one. The site comes from a file position (through the analysis) or from
 * `--equation/--shapes`. Everything runs in child processes; SIGINT or SIGTERM (the editor's
 * cancel) stops them.
 */
import { EquationError, bindShapes, parseEquation } from '../core/equation';
import { OPTIMIZERS, type OptimizerName } from '../core/paths/types';
import { MEASURE_DEFAULTS } from '../measure/measure';
import { EQUATION_LIBRARIES, equationSite } from '../measure/native/equation-site';
import type { ArrayLibrary } from '../measure/native/python-program';
import { NATIVE_DEFAULTS, measureAll, type AnyProgress, type MeasureAllOptions, type MeasureRequest } from '../measure/output';
import { MeasureError, problemFromContraction, type ScalarFactor } from '../measure/problem';
import { UsageError, parseArgs, parseDims, parseNonNegativeInteger, type ParsedArgs } from './args';
import { toJson } from './format';
import { measureOutputJson, measureOutputText } from './measure-report';
import { requestFromFile } from './measure-site';
import { CliObservations, OBSERVED_FLAGS } from './observed-options';
import { parseShapes, type Io } from './path';

export const MEASURE_USAGE = `usage: einsight measure FILE:LINE[:COL] [options]
       einsight measure FILE --site ID [options]
       einsight measure --equation EQUATION --shapes SHAPES [--library LIB] [options]

Measures the contraction twice, with seeded random inputs:
  native       in its own library (numpy, torch, jax, tensorflow) with your Python: the call
               exactly as written (its keyword arguments, the library's own path search or
               loop) against the code einsight's quick fix writes, in turns until the time
               budget is spent (at least 5 runs each). No code of yours is imported or run.
  onnxruntime  as written (one Einsum node, operands in source order; a chain call by call)
               and optimized (pairwise steps in path order, as Einsum and as MatMul where a
               step is GEMM-like; the faster one is kept).

  --python PATH            the Python interpreter for the native measurement (default
                           ${process.platform === 'win32' ? 'python' : 'python3'} on PATH)
  --library LIB            (with --equation) measure natively in numpy, torch, jax or tensorflow
  --dtype NAME             float16, bfloat16, float32, float64 (default: the library's own)
  --budget SECONDS         native: time each form for about this long (default ${NATIVE_DEFAULTS.budgetMs / 1000})
  --no-native              onnxruntime only
  --no-onnxruntime         native only
  --dims B=64,N=512        sizes of symbolic names and of labels whose size is unknown
  --shapes 64x32,32x16     (with --equation) one shape per operand; names take --dims
  --scalars 0.5@0,/8@out   (with --equation) scalar factors on an operand or the output;
                           /V divides by V
  --site ID                (with FILE) the site with this id, as 'einsight check --json' lists
  --language ID            (with FILE) a VS Code language id (python, typescript,
                           javascript, …) instead of guessing from the extension
  --runs N                 onnxruntime: timed runs of each model (default ${MEASURE_DEFAULTS.runs})
  --warmup N               untimed runs first (default ${MEASURE_DEFAULTS.warmup})
  --ep cpu|cuda            onnxruntime's execution provider (default cpu); without CUDA
                           libraries, cuda falls back to CPU and says so (torch uses CUDA
                           whenever torch.cuda.is_available())
  --max-memory MB          refuse when the data would need more; each process is also capped
                           there, where the OS allows (default ${MEASURE_DEFAULTS.maxMemoryMB})
  --timeout SECONDS        longest one run may take (default ${MEASURE_DEFAULTS.runTimeoutMs / 1000})
  --seed N                 seed of the random inputs (default ${MEASURE_DEFAULTS.seed})
  --optimize M             path optimizer for --equation (default ${MEASURE_DEFAULTS.optimizer})
  --observed FILE          (with FILE) sizes recorded by 'einsight record' in FILE (default: the
                           project's .einsight/observed.json); a site recorded at several
                           shapes is measured at the most called one
  --no-observed            (with FILE) ignore recorded sizes
  --stdin                  read FILE's text from stdin (an unsaved editor buffer)
  --json                   one JSON object (docs/measure.schema.json); errors as
                           {"error": {...}}, progress as JSON lines on stderr

Measuring writes no file and sends nothing over the network.

Exit status: 0 measured and every measured section's outputs agree, 1 some outputs disagree
(no speedup claimed there), 2 bad input or refused (memory, missing sizes), 3 nothing could
run (a run took longer than --timeout, a runtime failed), 130 cancelled.`;

const EXIT_DISAGREE = 1;
const EXIT_REFUSED = 2;
const EXIT_FAILED = 3;
const EXIT_CANCELLED = 130;

export async function runMeasure(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: [
      '--equation', '--shapes', '--dims', '--scalars', '--site', '--language', '--runs', '--warmup', '--ep',
      '--max-memory', '--timeout', '--seed', '--optimize', '--python', '--library', '--dtype', '--budget', ...OBSERVED_FLAGS.values,
    ],
    switches: ['--json', '--stdin', '--no-native', '--no-onnxruntime', ...OBSERVED_FLAGS.switches],
  });
  const json = args.switches.has('--json');
  const options = measureOptions(args);
  // Messages about a file name the position the user gave.
  let location = args.positional.length === 1 ? `${args.positional[0]}${args.values.has('--site') ? ` (site ${args.values.get('--site')})` : ''}` : '';
  try {
    const request = await buildRequest(args, io);
    if (request.source) location = `${request.source.file}:${request.source.line}:${request.source.column}`;
    const output = await withCancellation((signal) => measureAll(request, { ...options, signal, onAnyProgress: progressPrinter(io, json) }));
    io.stdout(json ? toJson(measureOutputJson(output), 2) : measureOutputText(output));
    return exitStatus(output);
  } catch (error) {
    if (error instanceof EquationError && args.values.has('--equation')) {
      const equation = args.values.get('--equation') as string;
      const width = (text: string) => [...text].length;
      const { start, end } = error.range;
      const caret = ' '.repeat(width(equation.slice(0, start))) + '^'.repeat(Math.max(1, width(equation.slice(start, end))));
      if (json) io.stdout(toJson({ error: { code: 'invalid', message: error.message, missingDims: [], location: null, range: error.range } }, 2));
      else io.stderr(`einsight measure: ${error.message}\n  ${equation}\n  ${caret}`);
      return EXIT_REFUSED;
    }
    if (!(error instanceof MeasureError)) throw error;
    if (json) {
      io.stdout(toJson({ error: { code: error.code, message: error.message, missingDims: error.missingDims, location: location || null } }, 2));
    } else {
      io.stderr(`einsight measure: ${location ? `${location}: ` : ''}${error.message}`);
    }
    if (error.code === 'cancelled') return EXIT_CANCELLED;
    // The input was fine; running it was not (a time limit, or onnxruntime itself).
    return error.code === 'timeout' || error.code === 'runtime' ? EXIT_FAILED : EXIT_REFUSED;
  }
}

async function buildRequest(args: ParsedArgs, io: Io): Promise<MeasureRequest> {
  const dims = args.values.has('--dims') ? parseDims(args.values.get('--dims') as string) : {};
  const equation = args.values.get('--equation');
  if (equation !== undefined) {
    if (args.positional.length > 0) throw new UsageError('give either FILE:LINE or --equation, not both');
    for (const flag of ['--site', '--language', '--stdin']) {
      if (args.values.has(flag) || args.switches.has(flag)) throw new UsageError(`${flag} goes with FILE, not --equation`);
    }
    const shapesText = args.values.get('--shapes');
    const c = bindShapes(parseEquation(equation), shapesText === undefined ? null : parseShapes(shapesText), { dims });
    const scalarsText = args.values.get('--scalars');
    const scalars = scalarsText === undefined ? [] : parseScalars(scalarsText, c.inputs.length);
    const problem = problemFromContraction(c, scalars);
    const library = args.values.get('--library');
    if (library === undefined) {
      const noSiteReason = `an equation names no library: add --library (${EQUATION_LIBRARIES.join(', ')}) to measure it natively`;
      return { problem, source: null, site: null, noSiteReason };
    }
    if (!(EQUATION_LIBRARIES as string[]).includes(library)) throw new UsageError(`--library must be one of ${EQUATION_LIBRARIES.join(', ')} (got '${library}')`);
    return { problem, source: null, site: await equationSite(c, scalars, library as ArrayLibrary, args.values.get('--dtype') ?? null) };
  }
  for (const flag of ['--shapes', '--scalars', '--optimize', '--library']) if (args.values.has(flag)) throw new UsageError(`${flag} goes with --equation`);
  if (args.positional.length !== 1) throw new UsageError('give one FILE:LINE[:COL], FILE --site ID, or --equation');
  const site = args.values.has('--site') ? parseNonNegativeInteger('--site', args.values.get('--site') as string) : undefined;
  const readText = args.switches.has('--stdin') ? io.readStdin : undefined;
  const json = args.switches.has('--json');
  const warn = (message: string) => io.stderr(json ? JSON.stringify({ warning: message }) : `einsight measure: ${message}`);
  const observations = CliObservations.fromArgs(args);
  const observed = (file: string) => {
    const found = observations.for(file);
    for (const problem of observations.problems.splice(0)) warn(problem);
    return found;
  };
  return requestFromFile(args.positional[0], { site, dims, readText, language: args.values.get('--language'), warn, observed, python: args.values.get('--python') });
}

/** 1 when a measured section's outputs disagree; 2 or 3 when no section could measure. */
function exitStatus(output: Awaited<ReturnType<typeof measureAll>>): number {
  const { native, onnxruntime } = output;
  const measured = [native.status === 'measured', onnxruntime.status === 'measured'];
  const disagree = (native.status === 'measured' && native.agreement !== null && !native.agreement.agree) || (onnxruntime.status === 'measured' && !onnxruntime.agree);
  if (disagree) return EXIT_DISAGREE;
  if (measured.some(Boolean)) return 0;
  return native.status === 'failed' || onnxruntime.status === 'failed' ? EXIT_FAILED : EXIT_REFUSED;
}

function measureOptions(args: ParsedArgs): MeasureAllOptions {
  const integer = (flag: string) => (args.values.has(flag) ? parseNonNegativeInteger(flag, args.values.get(flag) as string) : undefined);
  const positive = (flag: string) => {
    const text = args.values.get(flag);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) throw new UsageError(`${flag} expects a positive number, got '${text}'`);
    return value;
  };
  const runs = integer('--runs');
  if (runs === 0) throw new UsageError('--runs must be at least 1');
  const ep = args.values.get('--ep');
  if (ep !== undefined && ep !== 'cpu' && ep !== 'cuda') throw new UsageError(`--ep must be cpu or cuda (got '${ep}')`);
  const optimizer = args.values.get('--optimize');
  if (optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new UsageError(`--optimize must be one of ${OPTIMIZERS.join(', ')} (got '${optimizer}')`);
  }
  const timeout = positive('--timeout');
  const budget = positive('--budget');
  const dtype = args.values.get('--dtype');
  if (dtype !== undefined && !DTYPES.includes(dtype)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')} (got '${dtype}')`);
  const [native, onnxruntime] = [!args.switches.has('--no-native'), !args.switches.has('--no-onnxruntime')];
  if (!native && !onnxruntime) throw new UsageError('--no-native and --no-onnxruntime leave nothing to measure');
  return {
    native,
    onnxruntime,
    python: args.values.get('--python'),
    dtype: dtype ?? null,
    budgetMs: budget === undefined ? undefined : budget * 1000,
    runs,
    warmup: integer('--warmup'),
    seed: integer('--seed'),
    ep,
    maxMemoryMB: positive('--max-memory'),
    runTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    optimizer: optimizer as OptimizerName | undefined,
  };
}

/** `0.5@0,/8@out`: multiply operand 0 by 0.5, divide the output by 8. */
function parseScalars(text: string, operandCount: number): ScalarFactor[] {
  return text.split(',').map((entry) => {
    const match = /^\s*(\/)?([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)@(out|\d+)\s*$/i.exec(entry);
    if (!match) throw new UsageError(`--scalars expects VALUE@OPERAND or VALUE@out (/VALUE divides), got '${entry}'`);
    const value = Number(match[2]);
    if (match[1] && value === 0) throw new UsageError(`--scalars: '${entry}' divides by zero`);
    if (match[3] !== 'out' && Number(match[3]) >= operandCount) {
      throw new UsageError(`--scalars: operand ${match[3]} does not exist (the equation has ${operandCount})`);
    }
    return {
      value,
      operation: match[1] ? 'divide' : 'multiply',
      on: match[3] === 'out' ? { kind: 'call', index: 0 } : { kind: 'input', index: Number(match[3]) },
    };
  });
}

/** Runs `work` with an AbortSignal that SIGINT / SIGTERM trigger, for as long as it runs. */
async function withCancellation<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}

const DTYPES = ['float16', 'bfloat16', 'float32', 'float64'];
const VARIANT_NAMES = { 'as-written': 'as written', einsum: 'optimized (Einsum)', matmul: 'optimized (MatMul)' };

/** JSON lines for the editor's progress bar; in text mode one line as each part starts. */
function progressPrinter(io: Io, json: boolean): (p: AnyProgress) => void {
  let started = false;
  return (p) => {
    if (json) io.stderr(JSON.stringify({ progress: p }));
    else if (p.section === 'native' && !started) {
      started = true;
      io.stderr('measuring in the library…');
    } else if (p.section === 'onnxruntime' && p.phase === 'load') io.stderr(`measuring on onnxruntime, ${VARIANT_NAMES[p.variant]}…`);
  };
}
