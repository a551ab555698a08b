/**
 * `npm run bench:measure`: predicted speedup beside measured speedup, on onnxruntime and in the
 * site's own library (numpy, torch: as written against the quick fix's code), for a list of
 * realistic contractions and for every contraction site found in examples/ at run time.
 * Target: `ij,jk,kl,l->i` at 512 measures at least 20x on onnxruntime.
 *
 * onnxruntime's "predicted" is as-written FLOPs (its Einsum runs left to right) over optimized
 * FLOPs; "finding" is what the editor predicts against the library's own baseline (numpy's naive
 * loop, torch left to right, a matmul chain as parenthesized) over the best path — the number the
 * native columns answer. Options: --python PATH (default: the first of python3, /usr/bin/python3
 * that has numpy and torch, else numpy).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import type { ContractionSite, FileAnalysis } from 'einsight-server/analysis/model';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { measure, type MeasureReport } from 'einsight-server/measure/measure';
import { MeasureError, problemFromContraction, type MeasureProblem } from 'einsight-server/measure/problem';
import { problemFromSite } from 'einsight-server/measure/site';
import { measureNative, type NativeSection } from 'einsight-server/measure/native/native';
import { equationSite } from 'einsight-server/measure/native/equation-site';
import type { ArrayLibrary } from 'einsight-server/measure/native/python-program';
import { inputShapes } from 'einsight-server/measure/problem';
import { formatCount } from 'einsight-server/core/counts';
import { unitOf } from 'einsight-server/measure/native/program';
import { unitFinding } from 'einsight-server/measure/summary';
import { REPO_ROOT } from '../support/oracle';
import { findPython } from '../support/python-runner';

const RUNS = 20;
const WARMUP = 3;
/** Above the editor's 2,048 MB default: attention's 512 MB score tensors exist once per model. */
const MAX_MEMORY_MB = 8192;
/** Sizes the examples leave symbolic (the four-index transform's operands come in as arguments). */
const DEFAULT_SIZE = 10;
const TARGET = { equation: 'ij,jk,kl,l->i', speedup: 20 };
/** numpy's one loop takes about a second per 10^9 steps here: beyond 10^10 a run takes minutes. */
const MAX_LOOP_STEPS = 1e10;
const NATIVE = { seed: 0, warmup: 1, budgetMs: 2000, maxMemoryMB: MAX_MEMORY_MB, runTimeoutMs: 600_000, loadTimeoutMs: 120_000 };
const PYTHON = process.argv.includes('--python') ? process.argv[process.argv.indexOf('--python') + 1] : (findPython(['numpy', 'torch']) ?? findPython(['numpy']) ?? 'python3');

const REALISTIC: { name: string; equation: string; shapes: number[][] }[] = [
  { name: 'matrix chain times vector', equation: 'ij,jk,kl,l->i', shapes: [[512, 512], [512, 512], [512, 512], [512]] },
  { name: 'matrix chain times vector, 128', equation: 'ij,jk,kl,l->i', shapes: [[128, 128], [128, 128], [128, 128], [128]] },
  { name: 'batched matmul-matvec', equation: 'bij,bjk,bk->bi', shapes: [[64, 256, 256], [64, 256, 256], [64, 256]] },
  { name: 'four-index transform, N=16', equation: 'pi,qj,ijkl,rk,sl->pqrs', shapes: [[16, 16], [16, 16], [16, 16, 16, 16], [16, 16], [16, 16]] },
  { name: 'biaffine scorer', equation: 'bxi,oij,byj->boxy', shapes: [[16, 40, 256], [8, 256, 256], [16, 40, 256]] },
  { name: 'biaffine scorer, small enough for numpy\'s loop', equation: 'bxi,oij,byj->boxy', shapes: [[4, 40, 128], [8, 128, 128], [4, 40, 128]] },
  { name: 'matrix chain, skinny', equation: 'ab,bc,cd->ad', shapes: [[2000, 16], [16, 2000], [2000, 16]] },
  { name: 'MPS overlap, bond 64', equation: 'ia,ajb,bk,ic,cjd,dk->', shapes: [[2, 64], [64, 2, 64], [64, 2], [2, 64], [64, 2, 64], [64, 2]] },
  { name: 'opt_einsum_fx README (tiny)', equation: 'zij,zjk,zk->zi', shapes: [[7, 4, 5], [7, 5, 3], [7, 3]] },
];

interface Row {
  name: string;
  report: MeasureReport | null;
  editor: number | null;
  note: string;
  /** In the library, by library name, with the editor's prediction there. */
  native: Record<string, NativeSection | string>;
  predicted: Record<string, number | null>;
}

async function run(name: string, problem: MeasureProblem, editor: number | null): Promise<Row> {
  try {
    const report = await measure(problem, { runs: RUNS, warmup: WARMUP, runTimeoutMs: 300_000, maxMemoryMB: MAX_MEMORY_MB });
    return { name, report, editor, note: '', native: {}, predicted: {} };
  } catch (error) {
    if (error instanceof MeasureError) return { name, report: null, editor, note: `${error.code}: ${error.message}`, native: {}, predicted: {} };
    throw error;
  }
}

function examples(): string[] {
  const dir = join(REPO_ROOT, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => join(dir, f));
}

/** Each site once; a chain once (through its first member), as the editor's Measure would run it. */
function measurableSites(analysis: FileAnalysis): ContractionSite[] {
  const seenChains = new Set<number>();
  return analysis.sites.filter((site) => {
    if (site.chain === null) return true;
    if (seenChains.has(site.chain)) return false;
    seenChains.add(site.chain);
    return true;
  });
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

async function exampleRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const file of examples()) {
    const text = readFileSync(file, 'utf8');
    let analysis = await analyzePython(text);
    for (const first of measurableSites(analysis)) {
      let site = first;
      const where = `${relative(REPO_ROOT, file)}:${lineOf(text, site.range.start)}`;
      let problem: MeasureProblem;
      try {
        problem = problemFromSite(analysis, site);
      } catch (error) {
        if (!(error instanceof MeasureError)) throw error;
        rows.push({ name: where, report: null, editor: null, note: error.message, native: {}, predicted: {} });
        continue;
      }
      const symbols = [...new Set(problem.fused.sizes.flatMap((s) => (s.symbol === null ? [] : [s.symbol])))];
      if (symbols.length > 0) {
        // Sizes the code leaves open: analyse again with a stand-in, as the editor's input box would.
        analysis = await analyzePython(text, { dims: Object.fromEntries(symbols.map((s) => [s, DEFAULT_SIZE])) });
        site = analysis.sites.find((s) => s.range.start === first.range.start) as ContractionSite;
        problem = problemFromSite(analysis, site);
      }
      const chain = site.chain === null ? undefined : analysis.chains.find((c) => c.id === site.chain);
      const editor = chain?.fused ? chain.speedup : site.speedup;
      const finding = unitFinding(analysis, unitOf(analysis, site));
      const sized = symbols.length > 0 ? ` (${symbols.join(',')}=${DEFAULT_SIZE})` : '';
      const row = await run(`${where} ${problem.fused.labels.length > 0 ? problem.title : ''}${sized}`, problem, editor);
      row.predicted[site.library] = finding?.predictedSpeedup ?? editor;
      row.native[site.library] = await native({ file, analysis, text, site, shapes: inputShapes(problem) }, problem.fused.sizes.map((d) => d.value), site.baseline?.method === 'naive');
      rows.push(row);
    }
  }
  return rows;
}

/** Measures natively, unless numpy's one loop would take minutes per run. */
async function native(target: Parameters<typeof measureNative>[0], sizes: number[], naiveLoop: boolean): Promise<NativeSection | string> {
  const steps = sizes.reduce((product, n) => product * n, 1);
  if (naiveLoop && steps > MAX_LOOP_STEPS) return `one loop of ${formatCount(BigInt(steps))} steps as written: minutes per run, not timed`;
  return measureNative(target, { ...NATIVE, python: PYTHON });
}

function times(x: number | null): string {
  if (x === null) return '—';
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;
}

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

function table(rows: Row[]): string {
  const header = '| contraction | as written (ms) | optimized (ms) | kept | measured | predicted (FLOPs) | editor (library) | max abs diff | note |';
  const lines = [header, '|---|---:|---:|---|---:|---:|---:|---:|---|'];
  for (const { name, report: r, editor, note } of rows) {
    if (!r) {
      lines.push(`| ${name} | — | — | — | — | — | ${times(editor)} | — | ${note} |`);
      continue;
    }
    const agree = r.agree ? r.maxAbsDiff.toExponential(1) : `${r.maxAbsDiff.toExponential(1)} (disagree)`;
    const ep = r.ep.message ? `CPU fallback: ${r.ep.message}` : '';
    lines.push(
      `| ${name} | ${ms(r.asWritten.timing.medianMs)} | ${ms(r.optimized.timing.medianMs)} | ${r.optimized.kind} | ` +
        `${times(r.measuredSpeedup)} | ${times(r.predictedSpeedup)} | ${times(editor)} | ${agree} | ${ep}${note} |`,
    );
  }
  return lines.join('\n');
}

/** The same rows in their own library: as written against the quick fix's code. */
function nativeTable(rows: Row[]): string {
  const lines = ['| contraction | library | as written (ms) | fixed (ms) | measured | finding predicted | runs | fix | note |', '|---|---|---:|---:|---:|---:|---:|---|---|'];
  for (const row of rows) {
    for (const [library, n] of Object.entries(row.native)) {
      const predicted = times(library in row.predicted ? row.predicted[library] : row.editor);
      if (typeof n === 'string' || n.status !== 'measured') {
        lines.push(`| ${row.name} | ${library} | — | — | — | ${predicted} | — | — | ${typeof n === 'string' ? n : `${n.status}: ${n.reason}`} |`);
        continue;
      }
      const written = n.asWritten.timing ? ms(n.asWritten.timing.medianMs) : `cannot run (${n.asWritten.error})`;
      const fixed = n.rewritten?.timing ? ms(n.rewritten.timing.medianMs) : '—';
      const runs = `${n.asWritten.timing?.samplesMs.length ?? 0} / ${n.rewritten?.timing?.samplesMs.length ?? 0}`;
      const fix = n.rewritten ? n.rewritten.fixes.map((f) => f.code).join(', ') : '—';
      const note = [n.agreement && !n.agreement.agree ? `disagree: ${n.agreement.why}` : '', n.rewritten ? '' : (n.withheld ?? '')].filter(Boolean).join('; ');
      lines.push(`| ${row.name} | ${n.library.name} ${n.library.version} | ${written} | ${fixed} | ${times(n.measuredSpeedup)} | ${predicted} | ${runs} | ${fix} | ${note} |`);
    }
  }
  return lines.join('\n');
}

/** A realistic contraction as a call in `library`, with its editor prediction. */
async function nativeRow(row: Row, equation: string, shapes: number[][], library: ArrayLibrary): Promise<void> {
  const c = bindShapes(parseEquation(equation), shapes);
  const target = await equationSite(c, [], library);
  row.native[library] = await native({ ...target, shapes: inputShapes(problemFromContraction(c)) }, c.sizes.map((d) => d.value), library === 'numpy');
  row.predicted[library] = unitFinding(target.analysis, unitOf(target.analysis, target.site))?.predictedSpeedup ?? null;
}

async function main(): Promise<void> {
  console.log(
    `einsight measure benchmark: onnxruntime-node CPU, ${WARMUP} warm-up + ${RUNS} timed runs per model, interleaved, medians ` +
      `(memory limit ${MAX_MEMORY_MB} MB)\n`,
  );
  const realistic: Row[] = [];
  for (const { name, equation, shapes } of REALISTIC) {
    const problem = problemFromContraction(bindShapes(parseEquation(equation), shapes));
    const row = await run(`${name}: \`${equation}\``, problem, null);
    for (const library of ['numpy', 'torch'] as const) await nativeRow(row, equation, shapes, library);
    realistic.push(row);
  }
  console.log('Realistic contractions');
  console.log(table(realistic));
  console.log(`\nThe same, in the library (${PYTHON}; as written: np.einsum / torch.einsum without options)`);
  console.log(nativeTable(realistic));
  const examples = await exampleRows();
  console.log('\nexamples/ (every contraction site, chains once)');
  console.log(table(examples));
  console.log('\nexamples/ in the library');
  console.log(nativeTable(examples));
  const target = realistic.find((r) => r.report?.equation === TARGET.equation)?.report;
  const measured = target?.measuredSpeedup ?? 0;
  console.log(
    `\n${TARGET.equation} at 512: measured ${times(measured)} (${target?.optimized.kind}), predicted ${times(target?.predictedSpeedup ?? null)}; ` +
      `target >= ${TARGET.speedup}x: ${measured >= TARGET.speedup ? 'met' : 'MISSED'}`,
  );
  if (measured < TARGET.speedup) process.exitCode = 1;
}

void main();
