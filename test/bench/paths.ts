/**
 * `npm run bench:paths`: our optimizers against opt_einsum 3.4 on the oracle cases. Prints,
 * per method, how many cases come out lower / equal / higher in FLOPs than opt_einsum's
 * reference, the geometric mean of (our time / opt_einsum's recorded `ms`), and the worst
 * cases; then the size targets (a 14-operand exact search, greedy on 1,000 operands); then
 * `optimal` against opt_einsum's, both run now, by operand count (versus-opt-einsum.ts).
 */
import { costOfPath } from 'einsight-server/core/cost';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { toPathProblem } from 'einsight-server/core/cost';
import { optimizePath } from 'einsight-server/core/paths/index';
import type { OptimizerName } from 'einsight-server/core/paths/types';
import { loadOracle, type OracleCase, type OracleMethod } from '../support/oracle';
import { randomNetwork } from '../support/random-networks';
import { versusOptEinsum } from './versus-opt-einsum';

/** Median wall time of `run`, repeated until it has taken at least ~20 ms (at most 50 runs). */
function timeMs<T>(run: () => T): { ms: number; result: T } {
  const times: number[] = [];
  let result = run();
  let total = 0;
  while (times.length < 50 && (total < 20 || times.length < 3)) {
    const started = performance.now();
    result = run();
    const ms = performance.now() - started;
    times.push(ms);
    total += ms;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

/** What contract_path does: parse, bind sizes, find the path, cost it. */
function solve(c: OracleCase, optimizer: OptimizerName, memoryLimit: number | null): bigint {
  const contraction = bindShapes(parseEquation(c.eq), c.shapes);
  const { path } = optimizePath(toPathProblem(contraction), { optimizer, memoryLimit });
  return costOfPath(contraction, path).flops;
}

interface Row {
  label: string;
  cases: number;
  lower: number;
  equal: number;
  higher: number;
  geoRatio: number;
  worstRatio: { id: string; ratio: number };
  worstFlops: { id: string; factor: number } | null;
}

function compare(label: string, cases: OracleCase[], ours: OptimizerName, ref: OracleMethod, limited = false): Row {
  const row: Row = { label, cases: 0, lower: 0, equal: 0, higher: 0, geoRatio: 0, worstRatio: { id: '', ratio: 0 }, worstFlops: null };
  let logSum = 0;
  for (const c of cases) {
    const reference = limited ? c.ref_memory_limited?.[ref] : c.ref[ref];
    if (reference?.flops === undefined || reference.ms === undefined) continue;
    const { ms, result } = timeMs(() => solve(c, ours, limited ? (c.memory_limit as number) : null));
    const refFlops = BigInt(reference.flops);
    if (result < refFlops) row.lower++;
    else if (result === refFlops) row.equal++;
    else {
      row.higher++;
      const factor = Number(result) / Number(refFlops);
      if (!row.worstFlops || factor > row.worstFlops.factor) row.worstFlops = { id: c.id, factor };
    }
    const ratio = ms / reference.ms;
    logSum += Math.log(ratio);
    if (ratio > row.worstRatio.ratio) row.worstRatio = { id: c.id, ratio };
    row.cases++;
  }
  row.geoRatio = Math.exp(logSum / Math.max(1, row.cases));
  return row;
}

function printRows(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log('| ours vs opt_einsum | cases | lower | equal | higher | time ratio (geo mean) | speed-up | slowest case (ratio) | worst FLOPs (×ref) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    const worst = r.worstFlops ? `${r.worstFlops.id} (${r.worstFlops.factor.toFixed(3)})` : '—';
    console.log(
      `| ${r.label} | ${r.cases} | ${r.lower} | ${r.equal} | ${r.higher} | ${r.geoRatio.toFixed(4)} | ${(1 / r.geoRatio).toFixed(1)}x | ${r.worstRatio.id} (${r.worstRatio.ratio.toFixed(3)}) | ${worst} |`,
    );
  }
}

function exactMinimumCheck(cases: OracleCase[]): string {
  const withMin = cases.filter((c) => c.exact_min_flops !== undefined);
  const hits = withMin.filter((c) => solve(c, 'optimal', null) === BigInt(c.exact_min_flops as number | string)).length;
  return `optimal = exact_min_flops on ${hits}/${withMin.length} cases (${((100 * hits) / withMin.length).toFixed(1)}%; target 100%)`;
}

function sizeTargets(): string[] {
  const lines: string[] = [];
  const fourteen = randomNetwork({ operands: 14, regularity: 3, outputs: 2, seed: 14 });
  const exact = timeMs(() => optimizePath(fourteen, { optimizer: 'optimal' }));
  lines.push(`optimal, 14 operands (random, regularity 3): ${exact.ms.toFixed(1)} ms (target < 1000 ms)`);
  const sixteen = randomNetwork({ operands: 16, regularity: 3, outputs: 2, seed: 16 });
  lines.push(`optimal, 16 operands: ${timeMs(() => optimizePath(sixteen, { optimizer: 'optimal' })).ms.toFixed(1)} ms`);
  const thousand = randomNetwork({ operands: 1000, regularity: 3, outputs: 4, seed: 1000 });
  const greedy = timeMs(() => optimizePath(thousand, { optimizer: 'greedy' }));
  lines.push(`greedy, 1,000 operands (regularity 3): ${greedy.ms.toFixed(1)} ms (target < 100 ms)`);
  return lines;
}

function main(): void {
  const small = loadOracle('paths.jsonl');
  const large = loadOracle('paths-large.jsonl');
  console.log(`einsight bench:paths — node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  console.log('time ratio = our median time for parse + path + cost / opt_einsum contract_path ms (lower is faster)');
  printRows('paths.jsonl (1–9 operands)', [
    compare('optimal vs optimal', small, 'optimal', 'optimal'),
    compare('branch-2 vs branch-2', small, 'branch-2', 'branch-2'),
    compare('dp vs dp', small, 'dp', 'dp'),
    compare('greedy vs greedy', small, 'greedy', 'greedy'),
    compare('random-greedy vs greedy', small, 'random-greedy', 'greedy'),
    compare('auto vs optimal', small, 'auto', 'optimal'),
  ]);
  printRows('paths.jsonl with memory_limit', [
    compare('optimal vs optimal', small, 'optimal', 'optimal', true),
    compare('greedy vs greedy', small, 'greedy', 'greedy', true),
  ]);
  printRows('paths-large.jsonl (12–40 operands)', [
    compare('dp vs dp', large, 'dp', 'dp'),
    compare('greedy vs greedy', large, 'greedy', 'greedy'),
    compare('random-greedy vs greedy', large, 'random-greedy', 'greedy'),
    compare('auto vs greedy', large, 'auto', 'greedy'),
    compare('auto-hq vs dp', large, 'auto-hq', 'dp'),
  ]);
  console.log(`\n${exactMinimumCheck(small)}`);
  for (const line of sizeTargets()) console.log(line);
  for (const line of versusOptEinsum(small)) console.log(line);
}

main();
