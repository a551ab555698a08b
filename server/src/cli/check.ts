/**
 * `einsight check PATH...`: finds every einsum and matrix-product chain in Python files, prices
 * what the library runs against the best path, and reports the sites worth improving.
 * Exit status: 0 nothing to report, 1 findings, 2 bad arguments or unreadable paths.
 */
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { analyzePython } from '../analysis/python/analyze';
import { UsageError, parseArgs, parseDims } from './args';
import { jsonReport, textReport, type FileReport } from './check-report';
import { LineIndex } from './line-index';
import type { Io } from './path';
import { OptEinsumDetector } from './project';
import { sarifReport } from './sarif';
import { collectPythonFiles, describeFsError } from './walk';

export const CHECK_USAGE = `usage: einsight check PATH... [options]

Finds einsum calls and matrix-product chains in Python files (folders are walked,
honouring .gitignore and skipping virtual environments and node_modules) and reports
the ones the library runs in a costlier order than necessary.

options:
  --format text|json|sarif     text: one line per finding (default); json: every site;
                               sarif: SARIF 2.1.0 for code-scanning upload
  --dims NAME=SIZE,...         sizes of named dimensions, e.g. --dims batch=1000,B=64
  --min-speedup X              report a cost finding only when the best path is at least
                               X times cheaper (default 2)
  --torch-opt-einsum yes|no|auto
                               whether torch finds opt_einsum installed (default auto: yes
                               when the project's dependency files list opt_einsum)

Shape hints: '# einsight: x[batch, 64] batch=32' (see docs/shape-hints.md).
exit status: 0 no findings, 1 findings, 2 bad arguments or unreadable paths`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export async function runCheck(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['--format', '--dims', '--min-speedup', '--torch-opt-einsum'], switches: [] });
  if (args.positional.length === 0) throw new UsageError('give at least one file or folder to check');
  const format = (args.values.get('--format') ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or sarif, got '${format}'`);
  const dims = args.values.has('--dims') ? parseDims(args.values.get('--dims')!) : {};
  const minSpeedup = parseMinSpeedup(args.values.get('--min-speedup'));
  const torchFlag = args.values.get('--torch-opt-einsum') ?? 'auto';
  if (!['yes', 'no', 'auto'].includes(torchFlag)) throw new UsageError(`--torch-opt-einsum must be yes, no or auto, got '${torchFlag}'`);

  const walked = collectPythonFiles(args.positional);
  const problems = walked.errors.map(({ path, message }) => `einsight check: cannot read '${path}': ${message}`);
  const detector = new OptEinsumDetector();
  const reports: FileReport[] = [];
  for (const file of walked.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`einsight check: cannot read '${file}': ${describeFsError(error)}`);
      continue;
    }
    // A byte-order mark becomes a space, so offsets still match the file.
    if (text.startsWith('\uFEFF')) text = ` ${text.slice(1)}`;
    const torchUsesOptEinsum = torchFlag === 'yes' || (torchFlag === 'auto' && detector.listedFor(file));
    const analysis = await analyzePython(text, { dims, minSpeedup, torchUsesOptEinsum });
    reports.push({ path: file.split(sep).join('/'), analysis, lines: new LineIndex(text) });
  }
  for (const problem of problems) io.stderr(problem);
  if (format === 'json') io.stdout(jsonReport(reports));
  else if (format === 'sarif') io.stdout(sarifReport(reports, packageVersion(), process.cwd()));
  else io.stdout(textReport(reports));
  if (problems.length > 0) return 2;
  return reports.some((r) => r.analysis.findings.length > 0) ? 1 : 0;
}

function parseMinSpeedup(text: string | undefined): number {
  if (text === undefined) return 2;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value >= 1)) throw new UsageError(`--min-speedup expects a number of at least 1, got '${text}'`);
  return value;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve('../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
