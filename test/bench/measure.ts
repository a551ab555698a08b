/**
 * `npm run bench:measure`: predicted speedup (FLOPs) beside measured speedup on onnxruntime,
 * for a list of realistic contractions and for every contraction site found in examples/ at
 * run time. Target: `ij,jk,kl,l->i` at 512 measures at least 20x.
 *
 * "Predicted" is as-written FLOPs (what onnxruntime's Einsum runs: left to right) over
 * optimized FLOPs; "editor" is the library baseline the editor prices (numpy's naive loop,
 * torch left to right, a matmul chain as parenthesized) over the best path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import type { ContractionSite, FileAnalysis } from 'einsight-server/analysis/model';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { measure, type MeasureReport } from 'einsight-server/measure/measure';
import { MeasureError, problemFromContraction, type MeasureProblem } from 'einsight-server/measure/problem';
import { problemFromSite } from 'einsight-server/measure/site';
import { REPO_ROOT } from '../support/oracle';

const RUNS = 20;
const WARMUP = 3;
/** Above the editor's 2,048 MB default: attention's 512 MB score tensors exist once per model. */
const MAX_MEMORY_MB = 8192;
/** Sizes the examples leave symbolic (the four-index transform's operands come in as arguments). */
const DEFAULT_SIZE = 10;
const TARGET = { equation: 'ij,jk,kl,l->i', speedup: 20 };

const REALISTIC: { name: string; equation: string; shapes: number[][] }[] = [
  { name: 'matrix chain times vector', equation: 'ij,jk,kl,l->i', shapes: [[512, 512], [512, 512], [512, 512], [512]] },
  { name: 'batched matmul-matvec', equation: 'bij,bjk,bk->bi', shapes: [[64, 256, 256], [64, 256, 256], [64, 256]] },
  { name: 'four-index transform, N=16', equation: 'pi,qj,ijkl,rk,sl->pqrs', shapes: [[16, 16], [16, 16], [16, 16, 16, 16], [16, 16], [16, 16]] },
  { name: 'biaffine scorer', equation: 'bxi,oij,byj->boxy', shapes: [[16, 40, 256], [8, 256, 256], [16, 40, 256]] },
  { name: 'matrix chain, skinny', equation: 'ab,bc,cd->ad', shapes: [[2000, 16], [16, 2000], [2000, 16]] },
  { name: 'MPS overlap, bond 64', equation: 'ia,ajb,bk,ic,cjd,dk->', shapes: [[2, 64], [64, 2, 64], [64, 2], [2, 64], [64, 2, 64], [64, 2]] },
  { name: 'opt_einsum_fx README (tiny)', equation: 'zij,zjk,zk->zi', shapes: [[7, 4, 5], [7, 5, 3], [7, 3]] },
];

interface Row {
  name: string;
  report: MeasureReport | null;
  editor: number | null;
  note: string;
}

async function run(name: string, problem: MeasureProblem, editor: number | null): Promise<Row> {
  try {
    const report = await measure(problem, { runs: RUNS, warmup: WARMUP, runTimeoutMs: 300_000, maxMemoryMB: MAX_MEMORY_MB });
    return { name, report, editor, note: '' };
  } catch (error) {
    if (error instanceof MeasureError) return { name, report: null, editor, note: `${error.code}: ${error.message}` };
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
        rows.push({ name: where, report: null, editor: null, note: error.message });
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
      const sized = symbols.length > 0 ? ` (${symbols.join(',')}=${DEFAULT_SIZE})` : '';
      rows.push(await run(`${where} ${problem.fused.labels.length > 0 ? problem.title : ''}${sized}`, problem, editor));
    }
  }
  return rows;
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

async function main(): Promise<void> {
  console.log(
    `einsight measure benchmark: onnxruntime-node CPU, ${WARMUP} warm-up + ${RUNS} timed runs per model, interleaved, medians ` +
      `(memory limit ${MAX_MEMORY_MB} MB)\n`,
  );
  const realistic: Row[] = [];
  for (const { name, equation, shapes } of REALISTIC) {
    const problem = problemFromContraction(bindShapes(parseEquation(equation), shapes));
    realistic.push(await run(`${name}: \`${equation}\``, problem, null));
  }
  console.log('Realistic contractions');
  console.log(table(realistic));
  console.log('\nexamples/ (every contraction site, chains once)');
  console.log(table(await exampleRows()));
  const target = realistic.find((r) => r.report?.equation === TARGET.equation)?.report;
  const measured = target?.measuredSpeedup ?? 0;
  console.log(
    `\n${TARGET.equation} at 512: measured ${times(measured)} (${target?.optimized.kind}), predicted ${times(target?.predictedSpeedup ?? null)}; ` +
      `target >= ${TARGET.speedup}x: ${measured >= TARGET.speedup ? 'met' : 'MISSED'}`,
  );
  if (measured < TARGET.speedup) process.exitCode = 1;
}

void main();
