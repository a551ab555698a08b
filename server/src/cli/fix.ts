/**
 * `einsight fix PATH... [--diff | --write]`: the language server's quick fixes, from the command
 * line, for Python and TypeScript/JavaScript files. Every finding's preferred fix is combined as
 * the editor's "fix all" does; by default the result is printed as a unified diff, `--write`
 * replaces the files atomically.
 * Exit status: 0 nothing to fix or fixes written, 1 fixes available (diff mode) or files left
 * untouched because they cannot be read, decoded, parsed or written, 2 bad arguments.
 */
import { relative, resolve, sep } from 'node:path';
import type { AnalysisOptions, FileAnalysis, RuleCode } from '../analysis/model';
import { analyzePython } from '../analysis/python/analyze';
import { ParserCrashedError } from '../analysis/python/parser';
import { analyzeTypeScript } from '../analysis/typescript/analyze';
import { TypeScriptParser } from '../analysis/typescript/parser';
import { isTooDeep } from '../analysis/too-deep';
import { applyEdits } from '../rewrite/edits';
import { fixAll, prepareRewrites, type Fix } from '../rewrite/index';
import { syntaxErrors } from '../rewrite/python-parsers';
import { UsageError, parseArgs, parseDims, parseTimeLimit } from './args';
import { LineIndex } from './line-index';
import type { Io } from './path';
import { isTestPath } from '../analysis/test-paths';
import { ProjectEnvironment } from './project-environment';
import { CliObservations, OBSERVED_FLAGS } from './observed-options';
import { decodeUtf8, readBytes, type Read } from './source-text';
import { printable } from './printable';
import { unifiedDiff } from './unified-diff';
import { WriteGuard, removeStaleTemporaries, replaceFile, signalExitCode } from './write-file';
import { collectSourceFiles, describeError, type SourceFile, type SourceKind } from './walk';

/** The codes that have fixes, and what each fix does. */
const FIXABLE: Record<string, string> = {
  EIN001: 'contract pairwise in the best order',
  EIN004: 'fuse a chain of einsums',
  EIN005: 'apply scalar factors once, to the smallest tensor',
  EIN006: 're-parenthesize a matrix-product chain',
  EIN007: 'fix the contraction path instead of searching it at every call',
};

export const FIX_USAGE = `usage: einsight fix PATH... [--diff | --write] [options]

Applies einsight's quick fixes to Python and TypeScript/JavaScript files (folders are
walked as by 'einsight check'; notebooks are fixed in the editor): every finding's
preferred fix, as the editor's "Fix all" does.

options:
  --diff                  print the fixes as a unified diff (the default)
  --write                 rewrite the files in place (atomically; a file that does not
                          parse before or after is left untouched)
  --only CODE,...         only these fixes: ${Object.entries(FIXABLE)
    .map(([code, what]) => `${code} (${what})`)
    .join(',\n                          ')}
  --dims NAME=SIZE,...    sizes of named dimensions, e.g. --dims batch=1000,B=64
  --python PATH           the interpreter asked what the environment has (as for check)
  --observed FILE         use the recordings of 'einsight record' in FILE (default: the
                          project's .einsight/observed.json, when there is one); a fix
                          that depends on recorded sizes is applied only where it pays off
                          at every recorded shape
  --no-observed           ignore recorded shapes
  --time-limit SECONDS    time limit on reading and pricing each file's contractions
                          (default 10); a file not
                          fully analysed within it is left untouched

A file that cannot be read, is not UTF-8, or does not parse is reported and left
untouched; the others are still fixed.

exit status: 0 nothing to fix or fixes written, 1 fixes to apply (diff mode) or files
             left untouched because of a problem, 2 bad arguments or paths that do not exist`;

/** Notebooks are fixed in the editor, cell by cell. */
type FixableKind = Exclude<SourceKind, 'notebook'>;

interface FileOutcome {
  /** As the file system knows it (bytes for a name that is not UTF-8), and as shown (`/` separators, escaped). */
  file: string | Buffer;
  path: string;
  kind: FixableKind;
  original: string;
  fix: Fix;
}

export async function runFix(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['--only', '--dims', '--time-limit', '--python', ...OBSERVED_FLAGS.values], switches: ['--diff', '--write', ...OBSERVED_FLAGS.switches] });
  if (args.positional.length === 0) throw new UsageError('give at least one file or folder to fix');
  if (args.switches.has('--diff') && args.switches.has('--write')) throw new UsageError('--diff and --write exclude each other');
  const write = args.switches.has('--write');
  const only = args.values.has('--only') ? parseOnly(args.values.get('--only')!) : undefined;
  const dims = args.values.has('--dims') ? parseDims(args.values.get('--dims')!) : {};
  const timeLimitMs = parseTimeLimit(args.values.get('--time-limit'));
  const observations = CliObservations.fromArgs(args);
  await prepareRewrites();

  const walked = collectSourceFiles(args.positional, { notebooks: false });
  const problems = [...walked.missing.map((path) => ({ path, message: 'no such file or folder' })), ...walked.errors].map(
    ({ path, message }) => `einsight fix: cannot read '${printable(path)}': ${message}`,
  );
  const project = new ProjectEnvironment(args.values.get('--python'));
  const outcomes: FileOutcome[] = [];
  for (const file of walked.files) {
    let outcome: FileOutcome | string | null;
    try {
      const options = await project.optionsFor(file.path, { dims, timeLimitMs, testFile: isTestPath(file.path) });
      options.observed = file.kind === 'python' ? observations.for(file.path) : null;
      outcome = await fixFile(file, only, options);
    } catch (error) {
      // A defect in einsight, or a crash of the Python parser while rewriting, leaves this
      // file untouched and the others still fixed.
      outcome =
        error instanceof ParserCrashedError
          ? `einsight fix: '${printable(file.path)}' left untouched: ${error.message}${error.restarted ? '' : '; restart einsight to fix Python files'}`
          : `einsight fix: '${printable(file.path)}' not analysed, left untouched: internal error in einsight (please report it): ${describeError(error)}`;
    }
    if (typeof outcome === 'string') problems.push(outcome);
    else if (outcome) outcomes.push(outcome);
  }

  let interrupted: NodeJS.Signals | null = null;
  if (write) {
    const guard = new WriteGuard();
    try {
      for (const [i, outcome] of outcomes.entries()) {
        for (const stale of removeStaleTemporaries(outcome.file)) io.stderr(`einsight fix: removed '${printable(stale)}', left by an interrupted run`);
        const problem = writeFixed(outcome);
        if (problem) problems.push(problem);
        else io.stdout(`${outcome.path}: ${outcome.fix.title.replace(/^Apply/, 'applied')}`);
        interrupted = await guard.stopped();
        if (interrupted && i + 1 < outcomes.length) {
          problems.push(`einsight fix: stopped by ${interrupted}: ${outcomes.length - i - 1} of ${outcomes.length} files not written (each file is whole: fixed or as it was)`);
          break;
        }
      }
    } finally {
      guard.release();
    }
  } else {
    for (const outcome of outcomes) io.stdout(unifiedDiff(diffPath(outcome.path), outcome.original, outcome.fix.edits).trimEnd());
    if (outcomes.length > 0) io.stderr(`einsight fix: fixes for ${outcomes.length} file${outcomes.length === 1 ? '' : 's'}; run with --write to apply them`);
  }
  for (const { path, reason } of [...walked.skipped, ...project.skipped]) io.stderr(`einsight fix: skipped '${printable(path)}': ${reason}`);
  for (const problem of project.problems) io.stderr(`einsight fix: ${problem}`);
  for (const problem of observations.problems) io.stderr(`einsight fix: ${problem}`);
  for (const problem of problems) io.stderr(problem);
  if (interrupted) return signalExitCode(interrupted);
  if (walked.missing.length > 0) return 2;
  return problems.length > 0 || (!write && outcomes.length > 0) ? 1 : 0;
}

/** The file's combined fix; null when there is nothing to fix; a message when the file is refused. */
async function fixFile(file: SourceFile, only: RuleCode[] | undefined, options: AnalysisOptions): Promise<FileOutcome | string | null> {
  // As text output shows it: control characters in a name are escaped, never written raw.
  const path = printable(file.path.split(sep).join('/'));
  if (file.kind === 'notebook') return `einsight fix: '${path}' not fixed: notebooks are fixed in the editor`;
  const read = readText(file.bytes ?? file.path);
  if ('error' in read) return `einsight fix: cannot read '${path}': ${read.error}`;
  // The byte-order mark becomes a space for the parser; edits then apply to the file as read.
  const analysed = withoutBom(read.ok);
  const { dims, timeLimitMs } = options;
  const analysis: FileAnalysis = file.kind === 'python' ? await analyzePython(analysed, options) : analyzeTypeScript(analysed, { dims, timeLimitMs }, file.kind);
  const at = (offset: number) => {
    const { line, column } = new LineIndex(analysed).position(offset);
    return `${path}:${line}:${column}`;
  };
  // Fixes are only offered for a file analysed whole: unknown beats wrong.
  const skipped = analysis.notAnalysed ?? analysis.incomplete;
  if (skipped) return `${at(skipped.range.start)}: ${skipped.reason}; left as it is`;
  if (analysis.syntaxErrors.length > 0) return `${at(analysis.syntaxErrors[0].start)}: syntax error; fix the file before applying fixes to it`;
  // Again for each file: after a parser crash the rewrites' parsers are made anew.
  await prepareRewrites();
  const fix = fixAll(analysis, analysed, { only });
  return fix && { file: file.bytes ?? file.path, path, kind: file.kind, original: read.ok, fix };
}

function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
}

/**
 * Whether the text parses as its language without error: tree-sitter's verdict for Python, the
 * TypeScript parser's diagnostics otherwise; text too deeply nested to parse does not.
 */
function parsesCleanly(text: string, kind: FixableKind): boolean {
  try {
    return (kind === 'python' ? syntaxErrors(text) : new TypeScriptParser(kind).parse(text).syntaxErrors).length === 0;
  } catch (error) {
    if (isTooDeep(error)) return false;
    throw error;
  }
}

function parseOnly(text: string): RuleCode[] {
  const codes = text.split(',').map((c) => c.trim().toUpperCase());
  for (const code of codes) {
    if (!Object.hasOwn(FIXABLE, code)) {
      throw new UsageError(`--only: '${code}' has no fix; choose from ${Object.keys(FIXABLE).join(', ')}`);
    }
  }
  return codes as RuleCode[];
}

/** The file as UTF-8 text; bytes that are not UTF-8 would not survive a rewrite, so they refuse it. */
function readText(file: string | Buffer): Read<string> {
  const bytes = readBytes(file);
  return 'error' in bytes ? bytes : decodeUtf8(bytes.ok);
}

/** Writes the fixed text (write-file.ts says how); refuses when the result does not parse. */
function writeFixed({ file, path, kind, original, fix }: FileOutcome): string | null {
  const fixed = applyEdits(original, fix.edits).text;
  if (!parsesCleanly(withoutBom(fixed), kind)) return `einsight fix: '${path}' not written: the fixed text would not parse`;
  const problem = replaceFile(file, Buffer.from(fixed, 'utf8'), (target) => {
    const current = readText(target);
    return 'ok' in current && current.ok === original;
  });
  return problem && `einsight fix: '${path}' not written: ${problem}`;
}

/** Diff headers name files relative to the working directory, with `/`, so `patch -p1` and `git apply` take them there. */
function diffPath(path: string): string {
  return relative(process.cwd(), resolve(path)).split(sep).join('/');
}
