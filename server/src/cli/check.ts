/**
 * `einsight check PATH...`: finds every einsum and matrix-product chain in Python,
 * TypeScript/JavaScript and notebook files, prices what the library runs against the best path,
 * and reports the sites worth improving.
 * Exit status: 0 nothing to report, 1 findings or files that could not be read or analysed,
 * 2 bad arguments or paths that do not exist (the rest is still checked).
 */
import { readFileSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import type { AnalysisOptions } from '../analysis/model';
import { analyzePython, analyzePythonCells } from '../analysis/python/analyze';
import { PythonWorkspace } from '../analysis/python/workspace';
import { analyzeTypeScript } from '../analysis/typescript/analyze';
import { UsageError, parseArgs, parseDimSpec, parseEinsumFunctions, parseTestSeverity, parseTimeLimit } from './args';
import { formatLocation, jsonReport, textReport, type FileReport } from './check-report';
import { LineIndex } from './line-index';
import { printable } from './printable';
import { NotebookIndex, readNotebook } from './notebook';
import type { Io } from './path';
import { isTestPath } from '../analysis/test-paths';
import { ProjectEnvironment } from './project-environment';
import { CliObservations, OBSERVED_FLAGS, OBSERVED_USAGE } from './observed-options';
import { sarifReport } from './sarif';
import { decodePython, decodeUtf8, readBytes, type Read } from './source-text';
import { packageVersion } from './version';
import { collectSourceFiles, describeError, type SourceFile } from './walk';

export const CHECK_USAGE = `usage: einsight check PATH... [options]

Finds einsum calls and matrix-product chains in Python (.py), Jupyter notebook (.ipynb)
and TypeScript/JavaScript (.ts .tsx .mts .cts .js .jsx .mjs .cjs) files and reports the
ones the library runs in a costlier order than necessary. Folders are walked, honouring
.gitignore and skipping virtual environments, node_modules, declaration files (.d.ts) and
symbolic links.

options:
  --format text|json|sarif     text: one line per finding (default); json: every site;
                               sarif: SARIF 2.1.0 for code-scanning upload
  --dims NAME=SIZE,...         sizes of named dimensions, e.g. --dims batch=1000,B=64;
                               NAME=MIN..MAX (or MIN..) keeps a size symbolic within a range:
                               cost claims then need hold only there
  --min-speedup X              report a cost finding only when the best path is at least
                               X times cheaper (default 2)
  --python PATH                the interpreter asked whether opt_einsum is importable and
                               which numpy and torch it has (default python3 on the PATH;
                               'none' asks none); when it does not answer, the project's
                               dependency files decide (a dependency requiring opt_einsum,
                               such as jax or e3nn, counts)
  --torch-opt-einsum yes|no|auto
                               whether torch finds opt_einsum installed (default auto: as
                               the interpreter or the dependency files say)
  --test-severity LEVEL        severity of cost findings in test code (tests/, test_*.py,
                               conftest.py...): error, warning, information, hint (default)
                               or off
  --einsum-functions NAME=EINSUM;...
                               functions that run an einsum, e.g.
                               'pyscf.lib.einsum=numpy.einsum(optimize=True)' (also read
                               from [tool.einsight.einsum-functions] in pyproject.toml)
  --time-limit SECONDS         time limit on reading and pricing each file's contractions
                               (default 10); past it the file is reported as not fully
                               analysed, from the first call left out. Files over 8 MiB
                               are not analysed.
  --sort file|time             file: findings in file order (default); time: the sites
                               that took the most time in recorded runs first
${OBSERVED_USAGE}

Shape hints: '# einsight: x[batch, 64] batch=32' in Python, '// einsight: …' in
TypeScript/JavaScript (see docs/shape-hints.md).
Notebook findings are located as FILE:cell N:LINE:COLUMN, the line counted in the cell.
A file that cannot be read is reported on stderr and the others are still checked.
A project file (.gitignore, requirements*.txt, pyproject.toml, setup.py, setup.cfg,
environment.yml, Pipfile) is read only if it is a regular file of at most 1 MiB; one that
is not is named on stderr ('skipped') and the check goes on without it.

exit status: 0 no findings, 1 findings or files that could not be read,
             2 bad arguments or paths that do not exist`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export async function runCheck(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: ['--format', '--dims', '--min-speedup', '--torch-opt-einsum', '--time-limit', '--python', '--test-severity', '--einsum-functions', '--sort', ...OBSERVED_FLAGS.values],
    switches: [...OBSERVED_FLAGS.switches],
  });
  if (args.positional.length === 0) throw new UsageError('give at least one file or folder to check');
  const format = (args.values.get('--format') ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or sarif, got '${format}'`);
  const { dims, ranges } = args.values.has('--dims') ? parseDimSpec(args.values.get('--dims')!) : { dims: {}, ranges: undefined };
  const testSeverity = parseTestSeverity(args.values.get('--test-severity'));
  const einsumFunctions = args.values.has('--einsum-functions') ? parseEinsumFunctions(args.values.get('--einsum-functions')!) : {};
  const minSpeedup = parseMinSpeedup(args.values.get('--min-speedup'));
  const timeLimitMs = parseTimeLimit(args.values.get('--time-limit'));
  const torchFlag = args.values.get('--torch-opt-einsum') ?? 'auto';
  if (!['yes', 'no', 'auto'].includes(torchFlag)) throw new UsageError(`--torch-opt-einsum must be yes, no or auto, got '${torchFlag}'`);
  const sort = args.values.get('--sort') ?? 'file';
  if (sort !== 'file' && sort !== 'time') throw new UsageError(`--sort must be file or time, got '${sort}'`);
  const observations = CliObservations.fromArgs(args);

  const walked = collectSourceFiles(args.positional, { notebooks: true });
  const problems = [...walked.missing.map((path) => ({ path, message: 'no such file or folder' })), ...walked.errors].map(
    ({ path, message }) => `einsight check: cannot read '${printable(path)}': ${message}`,
  );
  const project = new ProjectEnvironment(args.values.get('--python'), einsumFunctions);
  const reports: FileReport[] = [];
  // The Python files are one program: calls and imports between them carry shapes across.
  const workspace = await pythonWorkspace(walked.files, args.positional, (path) => project.optionsFor(path, {}));
  for (const file of walked.files) {
    const torchUsesOptEinsum = torchFlag === 'auto' ? undefined : torchFlag === 'yes';
    const base: AnalysisOptions = { dims, dimRanges: ranges, minSpeedup, timeLimitMs, torchUsesOptEinsum, testFile: isTestPath(displayPath(file.path)), testSeverity };
    const options = await project.optionsFor(file.path, base);
    // Recordings name source files; a notebook's cells run under names einsight cannot map back.
    options.observed = file.kind === 'notebook' ? null : observations.for(file.path);
    let checked: Read<FileReport | null>;
    try {
      checked = await checkFile(file, options, workspace);
    } catch (error) {
      // A defect in einsight costs this file's report, not the others'.
      problems.push(`einsight check: '${printable(file.path)}' not analysed: internal error in einsight (please report it): ${describeError(error)}`);
      continue;
    }
    if ('error' in checked) problems.push(`einsight check: cannot read '${printable(file.path)}': ${checked.error}`);
    else if (checked.ok) {
      reports.push(checked.ok);
      const { notAnalysed, incomplete } = checked.ok.analysis;
      for (const skipped of [notAnalysed, incomplete]) {
        if (skipped) problems.push(`${formatLocation(printable(checked.ok.path), checked.ok.lines.position(skipped.range.start))}: ${skipped.reason}`);
      }
    }
  }
  workspace.dispose();
  for (const { path, reason } of [...walked.skipped, ...project.skipped]) io.stderr(`einsight check: skipped '${printable(path)}': ${reason}`);
  for (const problem of project.problems) io.stderr(`einsight check: ${problem}`);
  for (const problem of observations.problems) io.stderr(`einsight check: ${problem}`);
  for (const problem of problems) io.stderr(problem);
  if (format === 'json') io.stdout(jsonReport(reports, sort));
  else if (format === 'sarif') io.stdout(sarifReport(reports, packageVersion(), process.cwd()));
  else io.stdout(textReport(reports, sort));
  if (walked.missing.length > 0) return 2;
  return problems.length > 0 || reports.some((r) => r.analysis.findings.length > 0) ? 1 : 0;
}

/** The walked Python files as one workspace, each named as a module from the folder it was found in. */
async function pythonWorkspace(files: readonly SourceFile[], roots: readonly string[], optionsFor: (path: string) => Promise<AnalysisOptions>): Promise<PythonWorkspace> {
  const workspace = await PythonWorkspace.create();
  for (const file of files) {
    if (file.kind !== 'python') continue;
    const text = readPythonText(file);
    if (text === null) continue;
    const root = roots.map((r) => resolve(r)).find((r) => resolve(file.path).startsWith(r + sep));
    // The einsum functions a file's project declares (pyproject.toml) are einsums in it.
    const { einsumFunctions } = await optionsFor(file.path);
    workspace.add(file.path, text, root ? relative(root, resolve(file.path)) : basename(file.path), einsumFunctions);
  }
  return workspace;
}

/** A Python file's text as the analysis reads it; null when it cannot be read (reported later). */
function readPythonText(file: SourceFile): string | null {
  const bytes = readBytes(file.bytes ?? file.path);
  if ('error' in bytes) return null;
  const decoded = decodePython(bytes.ok);
  if ('error' in decoded) return null;
  // A byte-order mark becomes a space, so offsets still match the file.
  return decoded.ok.startsWith('\uFEFF') ? ` ${decoded.ok.slice(1)}` : decoded.ok;
}

/** One file's report; `{ ok: null }` for a notebook in another language than Python. */
async function checkFile(file: SourceFile, options: AnalysisOptions, workspace: PythonWorkspace): Promise<Read<FileReport | null>> {
  const bytes = readBytes(file.bytes ?? file.path);
  if ('error' in bytes) return bytes;
  const decoded = file.kind === 'python' ? decodePython(bytes.ok) : decodeUtf8(bytes.ok);
  if ('error' in decoded) return decoded;
  // A byte-order mark becomes a space, so offsets still match the file.
  const text = decoded.ok.startsWith('\uFEFF') ? ` ${decoded.ok.slice(1)}` : decoded.ok;
  const path = file.path.split(sep).join('/');
  if (file.kind === 'python') {
    const analysis = workspace.analyze(file.path, options) ?? (await analyzePython(text, options));
    return { ok: { path, analysis, lines: new LineIndex(text) } };
  }
  if (file.kind !== 'notebook') return { ok: { path, analysis: analyzeTypeScript(text, options, file.kind), lines: new LineIndex(text) } };
  const notebook = readNotebook(text);
  if ('error' in notebook) return notebook;
  if (notebook.ok === null) return { ok: null };
  const { analysis, cells } = await analyzePythonCells(notebook.ok.sources, options);
  return { ok: { path, analysis, lines: new NotebookIndex(cells, notebook.ok.numbers) } };
}

/** The path as test conventions read it: from where the command runs when the file is below it. */
function displayPath(path: string): string {
  const inside = relative(process.cwd(), resolve(path));
  return inside.startsWith('..') ? path : inside;
}

function parseMinSpeedup(text: string | undefined): number {
  if (text === undefined) return 2;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value >= 1)) throw new UsageError(`--min-speedup expects a number of at least 1, got '${text}'`);
  return value;
}
