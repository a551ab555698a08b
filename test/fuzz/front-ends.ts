/**
 * Fuzz targets: the Python and TypeScript front ends on mutated real-looking files. A failure is
 * an exception, an analysis over a second, a range outside the text, an intact contraction
 * placed before or after the damage that is missed or mispriced, or an incremental analysis
 * that disagrees with a fresh one.
 */
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import type { FileAnalysis, SourceRange } from 'einsight-server/analysis/model';
import { PythonDocument, analyzePython } from 'einsight-server/analysis/python/analyze';
import { TypeScriptDocument, analyzeTypeScript, type ScriptFlavor } from 'einsight-server/analysis/typescript/analyze';
import type { PythonParser } from 'einsight-server/analysis/python/parser';
import { compareParsers, treeSitterOnly } from '../support/parser-diff';
import type { Failure } from './core';
import { pick, type Random } from './generate';
import { mutateSource, seeds, type Language } from './sources';

/**
 * An analysis may take this much processor time on any one file, a megabyte line included.
 * Processor time, not wall time: CI and the development machine share their two cores with
 * other jobs, and wall time there measured the neighbours (the same 1 MiB analysis took 0.5 s
 * or 1.5 s by the load). The parsers alone take about half of it on a megabyte (BENCHMARKS.md,
 * "Huge lines"); einsight's own passes must stay a small part of the rest.
 */
export const FILE_BUDGET_MS = 1000;

/** A contraction whose analysis is known exactly: opt_einsum 3.4's counts, worked by hand. */
export interface KnownSite {
  /** Lines that define it; `marker` is where the site's range starts. */
  lines: string;
  marker: string;
  equation: string;
  baseline: bigint;
  best: bigint;
}

export const KNOWN_SITES: Record<Language, KnownSite[]> = {
  python: [
    {
      lines: "import numpy as __fz_np\n__fz_r = __fz_np.einsum('ij,jk,kl->il', __fz_np.ones((10, 100)), __fz_np.ones((100, 50)), __fz_np.ones((50, 5)))",
      marker: '__fz_np.einsum(',
      equation: 'ij,jk,kl->il',
      // Numpy without optimize: one loop over i, j, k, l, 3 operations per point: 3·10·100·50·5.
      baseline: 750_000n,
      // (jk,kl) then (ij,jl): 2·100·50·5 + 2·10·100·5.
      best: 60_000n,
    },
    {
      lines: 'import numpy as __fz_np\n__fz_m = __fz_np.ones((10, 100)) @ __fz_np.ones((100, 50)) @ __fz_np.ones((50, 5))',
      marker: '__fz_np.ones((10, 100)) @',
      equation: 'ab,bc,cd->ad',
      // Left to right: 2·10·100·50 + 2·10·50·5.
      baseline: 105_000n,
      best: 60_000n,
    },
    {
      lines: "import torch as __fz_torch\n__fz_t = __fz_torch.einsum('bij,bjk->bik', __fz_torch.randn(8, 30, 40), __fz_torch.randn(8, 40, 20))",
      marker: '__fz_torch.einsum(',
      equation: 'bij,bjk->bik',
      // One batched product: 2·8·30·40·20.
      baseline: 384_000n,
      best: 384_000n,
    },
  ],
  typescript: [
    {
      lines: "import * as __fz_tf from '@tensorflow/tfjs';\nconst __fz_r = __fz_tf.einsum('ij,jk->ik', __fz_tf.ones([10, 100]), __fz_tf.ones([100, 50]));",
      marker: '__fz_tf.einsum(',
      equation: 'ij,jk->ik',
      baseline: 100_000n,
      best: 100_000n,
    },
    {
      lines:
        "import * as __fz_tf from '@tensorflow/tfjs';\nconst __fz_m = __fz_tf.matMul(__fz_tf.matMul(__fz_tf.ones([10, 100]), __fz_tf.ones([100, 50])), __fz_tf.ones([50, 5]));",
      marker: '__fz_tf.matMul(__fz_tf.matMul(',
      equation: 'ab,bc,cd->ad',
      baseline: 105_000n,
      best: 60_000n,
    },
  ],
};

interface Placed {
  text: string;
  known: KnownSite;
  /** Where the known site's range must start. */
  offset: number;
  /** The known site must be found when no syntax error starts before this offset… */
  cleanBefore: number;
  /** …or, for a site after the damage, only when the whole file parses. */
  needsCleanFile: boolean;
}

/** The mutated text with a known site before or after it. */
export function placeKnownSite(random: Random, mutated: string, language: Language): Placed {
  const known = pick(random, KNOWN_SITES[language]);
  if (random() < 0.5) {
    const text = `${known.lines}\n${mutated}`;
    return { text, known, offset: known.lines.indexOf(known.marker), cleanBefore: known.lines.length + 1, needsCleanFile: false };
  }
  const head = `${mutated}\n`;
  return { text: `${head}${known.lines}\n`, known, offset: head.length + known.lines.indexOf(known.marker), cleanBefore: 0, needsCleanFile: true };
}

/** How often each outcome came up, per front end: the intact-site check must run often to mean anything. */
export const OUTCOMES: Record<
  Language,
  { intactSiteChecked: number; notAnalysed: number; incrementalChecked: number; slowestMs: number; slowestWallMs: number; remeasured: number; descentParsed?: number }
> = {
  python: { intactSiteChecked: 0, notAnalysed: 0, incrementalChecked: 0, slowestMs: 0, slowestWallMs: 0, remeasured: 0, descentParsed: 0 },
  typescript: { intactSiteChecked: 0, notAnalysed: 0, incrementalChecked: 0, slowestMs: 0, slowestWallMs: 0, remeasured: 0 },
};

/** Processor and wall time of one run. */
interface Took {
  cpuMs: number;
  wallMs: number;
}

/** How many times in all an analysis over the budget is run before it counts as slow. */
const RUNS_OF_A_SLOW_ANALYSIS = 3;

/** V8's `gc`, exposed when first needed: importing this module sets no V8 flag. */
let gc: (() => void) | null = null;

/** A full collection, so that a remeasured run does not pay for the garbage of earlier inputs. */
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Runs one analysis (`prepare` first, untimed, each time) and returns its value, or why it was
 * too slow. A run over the budget is run again, after a full collection, and fails only if
 * every run is over: a megabyte input leaves this process a heap of a gigabyte, and the
 * collector's helper threads then charged single runs in CI with up to 1.6 s of processor time
 * that a rerun did not take. A superlinear analysis is over the budget every time.
 * `slowestMs` notes the first run, so the summary still shows how close the noise comes.
 */
export async function analyzeInBudget<T>(
  language: Language,
  what: string,
  run: () => T | Promise<T>,
  prepare: () => void = () => undefined,
  budgetMs = FILE_BUDGET_MS,
): Promise<{ value: T; slow: string | null }> {
  const outcome = OUTCOMES[language];
  const runs: Took[] = [];
  let value: T;
  do {
    if (runs.length > 0) collectGarbage();
    prepare();
    const timedRun = await timed(run);
    value = timedRun.value;
    runs.push(timedRun.took);
  } while (runs[runs.length - 1].cpuMs > budgetMs && runs.length < RUNS_OF_A_SLOW_ANALYSIS);
  const [first] = runs;
  outcome.slowestMs = Math.max(outcome.slowestMs, Math.round(first.cpuMs));
  outcome.slowestWallMs = Math.max(outcome.slowestWallMs, Math.round(first.wallMs));
  if (runs.length > 1) outcome.remeasured++;
  if (process.env.FUZZ_LOG_SLOW && first.cpuMs > Number(process.env.FUZZ_LOG_SLOW)) console.log(`slow: ${what}: ${JSON.stringify(runs)}`);
  if (runs.every((took) => took.cpuMs > budgetMs)) {
    const times = runs.map((took) => `${took.cpuMs.toFixed(0)} ms (${took.wallMs.toFixed(0)} ms wall)`).join(', ');
    return { value, slow: `${what} took more than ${budgetMs} ms of processor time in each of ${runs.length} runs: ${times}` };
  }
  return { value, slow: null };
}

/**
 * Whether CPython accepts the text, for the few files tree-sitter accepts and Python does not
 * (`from x` at the end of a line continues onto the next): there a missed site is no failure.
 * Null where python3 cannot be run.
 */
export function cpythonAccepts(text: string): boolean | null {
  // compile, not ast.parse: the parser alone accepts a `return` outside a function, which
  // tree-sitter accepts too and after which no code runs (the fuzz placed a known site there).
  const result = spawnSync('python3', ['-c', "import sys\ntry:\n    compile(sys.stdin.buffer.read(), '<fuzz>', 'exec', dont_inherit=True)\nexcept (SyntaxError, ValueError):\n    sys.exit(3)"], {
    input: text,
    maxBuffer: 1 << 20,
  });
  if (result.status === 0) return true;
  return result.status === 3 ? false : null;
}

/** What is wrong with an analysis of `placed.text`, or null. */
export function checkAnalysis(placed: Placed, analysis: FileAnalysis): string | null {
  const { text } = placed;
  const bad = (range: SourceRange | null | undefined, what: string) =>
    range && !(Number.isInteger(range.start) && Number.isInteger(range.end) && 0 <= range.start && range.start <= range.end && range.end <= text.length)
      ? `${what} range [${range.start}, ${range.end}) outside the text (length ${text.length})`
      : null;
  for (const error of analysis.syntaxErrors) {
    const problem = bad(error, 'syntax error');
    if (problem) return problem;
  }
  for (const site of analysis.sites) {
    const ranges: [SourceRange | null | undefined, string][] = [
      [site.range, `site ${site.id}`],
      [site.calleeRange, `site ${site.id} callee`],
      [site.statementRange, `site ${site.id} statement`],
      [site.equation.range, `site ${site.id} equation`],
      ...site.operands.map((o, i): [SourceRange, string] => [o.range, `site ${site.id} operand ${i}`]),
      ...(site.equation.charRanges ?? []).map((r, i): [SourceRange, string] => [r, `site ${site.id} equation character ${i}`]),
      ...site.diagnostics.map((d): [SourceRange, string] => [d.range, `site ${site.id} ${d.code}`]),
    ];
    for (const [range, what] of ranges) {
      const problem = bad(range, what);
      if (problem) return problem;
    }
    if ((site.baseline && site.baseline.flops < 0n) || (site.best && site.best.flops < 0n)) return `site ${site.id}: a negative FLOP count`;
  }
  for (const finding of analysis.findings) {
    const problem = bad(finding.range, `finding ${finding.code}`);
    if (problem) return problem;
  }
  if (analysis.notAnalysed) {
    OUTCOMES[analysis.language].notAnalysed++;
    if (analysis.sites.length > 0 || analysis.findings.length > 0) return 'a file reported as not analysed has sites or findings';
    return bad(analysis.notAnalysed.range, 'not-analysed');
  }
  const mustFind = placed.needsCleanFile ? analysis.syntaxErrors.length === 0 : !analysis.syntaxErrors.some((e) => e.start < placed.cleanBefore);
  if (!mustFind) return null;
  OUTCOMES[analysis.language].intactSiteChecked++;
  const problem = checkIntactSite(placed, analysis);
  if (!problem) return null;
  // Code tree-sitter reads leniently and CPython rejects may mean anything: no failure.
  if (analysis.language === 'python') return cpythonAccepts(text) === false ? null : problem;
  // Errors TypeScript finds after parsing (an import under a label, `ect: import …`) leave the
  // known lines no top-level import and statement: then they are not what was written either.
  return knownLinesAtTopLevel(placed) ? problem : null;
}

function knownLinesAtTopLevel({ text, known, offset }: Placed): boolean {
  const start = offset - known.lines.indexOf(known.marker);
  const statements = ts.createSourceFile('/fuzz.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX).statements;
  return (
    statements.some((s) => s.getStart() === start && ts.isImportDeclaration(s)) &&
    statements.some((s) => s.getStart() <= offset && offset < s.end && !ts.isLabeledStatement(s))
  );
}

function checkIntactSite(placed: Placed, analysis: FileAnalysis): string | null {
  const site = analysis.sites.find((s) => s.range.start === placed.offset);
  const { known } = placed;
  if (!site) {
    const near = analysis.sites.map((s) => `${s.range.start}:${s.normalizedEquation}`).join(' ');
    return `the intact site at offset ${placed.offset} (${known.equation}) was not found; sites at ${near || 'none'}`;
  }
  if (site.normalizedEquation !== known.equation) return `the intact site reads '${site.normalizedEquation}', not '${known.equation}'`;
  if (site.baseline?.flops !== known.baseline || site.best?.flops !== known.best) {
    return `the intact site costs ${site.baseline?.flops}/${site.best?.flops} FLOPs (baseline/best), not ${known.baseline}/${known.best}`;
  }
  return null;
}

/** Sites and findings in a form two analyses can be compared by. */
function summary(analysis: FileAnalysis): string {
  const sites = analysis.sites.map((s) => `${s.range.start}-${s.range.end} ${s.normalizedEquation} ${s.baseline?.flops} ${s.best?.flops}`);
  const findings = analysis.findings.map((f) => `${f.code}@${f.range.start}-${f.range.end}`);
  return JSON.stringify({ sites, findings });
}

/** The single edit that turns `before` into `after`: the span between their common prefix and suffix. */
export function diffEdit(before: string, after: string): { start: number; end: number; text: string } {
  let prefix = 0;
  const shortest = Math.min(before.length, after.length);
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, end: before.length - suffix, text: after.slice(prefix, after.length - suffix) };
}

/** The value `run` resolves to, and the processor and wall time it took. */
async function timed<T>(run: () => T | Promise<T>): Promise<{ value: T; took: Took }> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, took: { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall } };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n')}` : String(error);
}

let pythonDocument: PythonDocument | null = null;

export async function fuzzPythonOnce(random: Random): Promise<Failure | null> {
  const seed = pick(random, seeds('python'));
  const placed = placeKnownSite(random, mutateSource(random, seed.text, 'python'), 'python');
  const input = { text: placed.text };
  const fail = (problem: string): Failure => ({ target: 'python', input, problem });
  try {
    const { value: analysis, slow } = await analyzeInBudget('python', `analysis of ${placed.text.length} characters`, () => analyzePython(placed.text));
    if (slow) return fail(slow);
    const problem = checkAnalysis(placed, analysis);
    if (problem) return fail(problem);
    const parsers = await compareWithTreeSitter(placed.text);
    if (parsers) return fail(parsers);
    if (random() < 0.25 && analysis.syntaxErrors.length === 0) {
      pythonDocument ??= await PythonDocument.open();
      const document = pythonDocument;
      const incremental = await analyzeInBudget(
        'python',
        'incremental analysis',
        () => document.analyze(placed.text, [diffEdit(seed.text, placed.text)]),
        () => document.analyze(seed.text, null),
      );
      OUTCOMES.python.incrementalChecked++;
      if (incremental.slow) return fail(incremental.slow);
      if (summary(incremental.value) !== summary(analysis)) return fail(`incremental analysis differs: ${summary(incremental.value)} vs ${summary(analysis)}`);
    }
  } catch (error) {
    return fail(`threw ${describe(error)}`);
  }
  return null;
}

let treeSitterParser: PythonParser | null = null;

/**
 * Whether the descent parser (analysis/python/descent/), where it accepts the text, builds
 * tree-sitter's tree; text with a syntax error it must decline.
 */
async function compareWithTreeSitter(text: string): Promise<string | null> {
  treeSitterParser ??= await treeSitterOnly();
  const comparison = compareParsers(treeSitterParser, text);
  if (comparison.declined === null && !comparison.refused) OUTCOMES.python.descentParsed!++;
  return comparison.difference && `the descent parser's tree is not tree-sitter's: ${comparison.difference}`;
}

const typescriptDocuments = new Map<ScriptFlavor, TypeScriptDocument>();

export async function fuzzTypeScriptOnce(random: Random): Promise<Failure | null> {
  const seed = pick(random, seeds('typescript'));
  const flavor = seed.flavor ?? 'ts';
  const placed = placeKnownSite(random, mutateSource(random, seed.text, 'typescript'), 'typescript');
  const input = { flavor, text: placed.text };
  const fail = (problem: string): Failure => ({ target: 'typescript', input, problem });
  try {
    const fresh = await analyzeInBudget('typescript', `analysis of ${placed.text.length} characters`, () => analyzeTypeScript(placed.text, {}, flavor));
    if (fresh.slow) return fail(fresh.slow);
    const problem = checkAnalysis(placed, fresh.value);
    if (problem) return fail(problem);
    if (random() < 0.25 && fresh.value.syntaxErrors.length === 0) {
      let document = typescriptDocuments.get(flavor);
      if (!document) typescriptDocuments.set(flavor, (document = new TypeScriptDocument(flavor)));
      const incremental = await analyzeInBudget(
        'typescript',
        'incremental analysis',
        () => document.analyze(placed.text, [diffEdit(seed.text, placed.text)]),
        () => document.analyze(seed.text, null),
      );
      OUTCOMES.typescript.incrementalChecked++;
      if (incremental.slow) return fail(incremental.slow);
      if (summary(incremental.value) !== summary(fresh.value)) return fail(`incremental analysis differs: ${summary(incremental.value)} vs ${summary(fresh.value)}`);
    }
  } catch (error) {
    return fail(`threw ${describe(error)}`);
  }
  return null;
}

/**
 * Loads the grammar and warms the JIT before the clock starts, as a running language server
 * is: every seed once, then a megabyte of them (the first parses run WebAssembly and
 * JavaScript not yet optimized, two to three times slower).
 */
export async function warmUp(): Promise<void> {
  for (const language of ['python', 'typescript'] as const) {
    const all = seeds(language);
    const analyze = (text: string, flavor: ScriptFlavor | null) => (language === 'python' ? analyzePython(text) : analyzeTypeScript(text, {}, flavor ?? 'ts'));
    for (const seed of all) await analyze(seed.text, seed.flavor);
    const joined = all.map((s) => s.text).join('\n');
    await analyze(joined.repeat(Math.ceil(1_000_000 / joined.length)), 'ts');
    await analyze(`x = [${'1, '.repeat(300_000)}]\n`, 'ts');
  }
}
