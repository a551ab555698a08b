/**
 * `einsight fix PATH... [--diff | --write]`: the language server's quick fixes, from the command
 * line. Every finding's preferred fix is combined as the editor's "fix all" does; by default the
 * result is printed as a unified diff, `--write` replaces the files atomically.
 * Exit status: 0 nothing to fix or fixes written, 1 fixes available (diff mode), 2 bad
 * arguments or files that cannot be read, decoded or parsed (those are left untouched).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { RuleCode } from '../analysis/model';
import { analyzePython } from '../analysis/python/analyze';
import { applyEdits } from '../rewrite/edits';
import { fixAll, prepareRewrites, type Fix } from '../rewrite/index';
import { syntaxErrors } from '../rewrite/python-parsers';
import { UsageError, parseArgs, parseDims } from './args';
import { LineIndex } from './line-index';
import type { Io } from './path';
import { OptEinsumDetector } from './project';
import { unifiedDiff } from './unified-diff';
import { collectPythonFiles, describeFsError } from './walk';

/** The codes that have fixes, and what each fix does. */
const FIXABLE: Record<string, string> = {
  EIN001: 'contract pairwise in the best order',
  EIN004: 'fuse a chain of einsums',
  EIN005: 'apply scalar factors once, to the smallest tensor',
  EIN006: 're-parenthesize a matrix-product chain',
  EIN007: 'fix the contraction path instead of searching it at every call',
};

export const FIX_USAGE = `usage: einsight fix PATH... [--diff | --write] [options]

Applies einsight's quick fixes to Python files (folders are walked as by 'einsight check'):
every finding's preferred fix, as the editor's "Fix all" does.

options:
  --diff                  print the fixes as a unified diff (the default)
  --write                 rewrite the files in place (atomically; a file that does not
                          parse before or after is left untouched)
  --only CODE,...         only these fixes: ${Object.entries(FIXABLE)
    .map(([code, what]) => `${code} (${what})`)
    .join(',\n                          ')}
  --dims NAME=SIZE,...    sizes of named dimensions, e.g. --dims batch=1000,B=64

exit status: 0 nothing to fix or fixes written, 1 fixes to apply (diff mode),
             2 bad arguments, or files that cannot be read or parsed`;

interface FileOutcome {
  path: string;
  original: string;
  fix: Fix;
}

export async function runFix(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['--only', '--dims'], switches: ['--diff', '--write'] });
  if (args.positional.length === 0) throw new UsageError('give at least one file or folder to fix');
  if (args.switches.has('--diff') && args.switches.has('--write')) throw new UsageError('--diff and --write exclude each other');
  const write = args.switches.has('--write');
  const only = args.values.has('--only') ? parseOnly(args.values.get('--only')!) : undefined;
  const dims = args.values.has('--dims') ? parseDims(args.values.get('--dims')!) : {};
  await prepareRewrites();

  const walked = collectPythonFiles(args.positional);
  const problems = walked.errors.map(({ path, message }) => `einsight fix: cannot read '${path}': ${message}`);
  const detector = new OptEinsumDetector();
  const outcomes: FileOutcome[] = [];
  for (const file of walked.files) {
    const path = file.split(sep).join('/');
    const read = readText(file);
    if (typeof read !== 'string') {
      problems.push(`einsight fix: cannot read '${path}': ${read.error}`);
      continue;
    }
    // The byte-order mark becomes a space for the parser; edits then apply to the file as read.
    const analysed = read.startsWith('\uFEFF') ? ` ${read.slice(1)}` : read;
    const errors = syntaxErrors(analysed);
    if (errors.length > 0) {
      const { line, column } = new LineIndex(analysed).position(errors[0].start);
      problems.push(`${path}:${line}:${column}: syntax error; fix the file before applying fixes to it`);
      continue;
    }
    const analysis = await analyzePython(analysed, { dims, torchUsesOptEinsum: detector.listedFor(file) });
    const fix = fixAll(analysis, analysed, { only });
    if (fix) outcomes.push({ path, original: read, fix });
  }

  if (write) {
    for (const outcome of outcomes) {
      const problem = writeFixed(outcome);
      if (problem) problems.push(problem);
      else io.stdout(`${outcome.path}: ${outcome.fix.title.replace(/^Apply/, 'applied')}`);
    }
  } else {
    for (const outcome of outcomes) io.stdout(unifiedDiff(outcome.path, outcome.original, outcome.fix.edits).trimEnd());
    if (outcomes.length > 0) io.stderr(`einsight fix: fixes for ${outcomes.length} file${outcomes.length === 1 ? '' : 's'}; run with --write to apply them`);
  }
  for (const problem of problems) io.stderr(problem);
  if (problems.length > 0) return 2;
  return !write && outcomes.length > 0 ? 1 : 0;
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
function readText(file: string): string | { error: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return { error: describeFsError(error) };
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { error: 'not valid UTF-8' };
  }
}

/**
 * Writes the fixed text through a temporary file in the same folder and a rename, so a reader
 * never sees half a file; refuses when the file changed since it was read or the result does not parse.
 */
function writeFixed({ path, original, fix }: FileOutcome): string | null {
  const fixed = applyEdits(original, fix.edits).text;
  const parsed = fixed.startsWith('\uFEFF') ? ` ${fixed.slice(1)}` : fixed;
  if (syntaxErrors(parsed).length > 0) return `einsight fix: '${path}' not written: the fixed text would not parse`;
  const temporary = join(dirname(path), `.${basename(path)}.einsight-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const mode = statSync(path).mode;
    writeFileSync(temporary, fixed, { encoding: 'utf8', flag: 'wx' });
    chmodSync(temporary, mode & 0o7777);
    if (readText(path) !== original) {
      unlinkSync(temporary);
      return `einsight fix: '${path}' not written: it changed while einsight was fixing it`;
    }
    renameSync(temporary, path);
    return null;
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was created, or it is already gone.
    }
    return `einsight fix: '${path}' not written: ${describeFsError(error)}`;
  }
}
