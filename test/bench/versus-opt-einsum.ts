/**
 * Our `optimal` against opt_einsum 3.4's, side by side in one run: opt_einsum runs in Python
 * (fetched by ../shared/tools/get_opt_einsum.sh), we run here, both timed the same way (the
 * median over batches of a millisecond or more). Two measures per case: the optimizer alone
 * (index sets and sizes prepared beforehand) and a whole site as the editor pays for it:
 * parse the equation, bind the sizes, find the path and price every step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costOfPath, toPathProblem, type PathCost } from 'einsight-server/core/cost';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { optimizePath } from 'einsight-server/core/paths/index';
import { REPO_ROOT, type OracleCase } from '../support/oracle';

const BATCH_MS = 1;
const CASE_MS = 20;
const MIN_BATCHES = 3;
const MAX_BATCHES = 50;
const SLOW_CALL_MS = 200;
const WARM_UP_MS = 3000;
/** Larger searches take milliseconds each: they warm up within their own timing. */
const WARM_UP_MAX_OPERANDS = 6;

/** Keeps every result reachable, so no call can be optimized away. */
export let lastResult: unknown = null;

/** Milliseconds per call: the median over batches, as opt_einsum_times.py measures. */
export function medianCallMs(call: () => unknown): number {
  let started = performance.now();
  lastResult = call();
  const first = performance.now() - started;
  if (first > SLOW_CALL_MS) {
    const times = [first];
    for (let i = 0; i < 2; i++) {
      started = performance.now();
      lastResult = call();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[1];
  }
  const perBatch = Math.max(1, Math.floor(BATCH_MS / Math.max(first, 1e-4)));
  const times: number[] = [];
  let spent = 0;
  while (times.length < MAX_BATCHES && (spent < CASE_MS || times.length < MIN_BATCHES)) {
    started = performance.now();
    for (let i = 0; i < perBatch; i++) lastResult = call();
    const elapsed = performance.now() - started;
    times.push(elapsed / perBatch);
    spent += elapsed;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface CaseTimes {
  id: string;
  n: number;
  alone: number;
  e2e: number;
}

interface Reference {
  version: string;
  python: string;
  results: { id: string; alone_ms: number; e2e_ms: number }[];
}

/** The PYTHONPATH that holds opt_einsum 3.4 (fetched by get_opt_einsum.sh), or why there is none. */
function locateOptEinsum(): { pythonPath: string } | { error: string } {
  // A worktree elsewhere than the clone can point at the shared folder with EINSIGHT_SHARED.
  const shared = process.env.EINSIGHT_SHARED ?? join(REPO_ROOT, '..', 'shared');
  const fetcher = join(shared, 'tools', 'get_opt_einsum.sh');
  if (!existsSync(fetcher)) return { error: `${fetcher} is missing (the shared folder sits beside the repository; or set EINSIGHT_SHARED)` };
  const fetched = spawnSync('bash', [fetcher, join(tmpdir(), 'oe-oracle')], { encoding: 'utf8', timeout: 300_000 });
  const pythonPath = fetched.stdout.trim().split('\n').pop() ?? '';
  if (fetched.status !== 0 || !existsSync(join(pythonPath, 'opt_einsum'))) {
    return { error: `get_opt_einsum.sh failed (${fetched.status ?? fetched.signal}): ${fetched.stderr.trim()}` };
  }
  return { pythonPath };
}

/** opt_einsum's times for `cases`, or why they could not be taken. */
function referenceTimes(pythonPath: string, cases: OracleCase[]): Reference | string {
  const input = JSON.stringify(cases.map(({ id, eq, shapes }) => ({ id, eq, shapes })));
  const script = join(REPO_ROOT, 'test', 'bench', 'opt_einsum_times.py');
  const timed = spawnSync('python3', [script], {
    input,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: pythonPath },
    timeout: 900_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (timed.status !== 0) return `python3 ${script} failed (${timed.status ?? timed.signal}): ${timed.stderr.trim()}`;
  return JSON.parse(timed.stdout) as Reference;
}

function priceSite(c: OracleCase): PathCost {
  const contraction = bindShapes(parseEquation(c.eq), c.shapes);
  const { path } = optimizePath(toPathProblem(contraction), { optimizer: 'optimal' });
  return costOfPath(contraction, path);
}

/** Warm, as a language server is after its first files: V8 settles its optimized code only after tens of thousands of calls. */
function warmUp(cases: OracleCase[]): void {
  const small = cases.filter((c) => c.n <= WARM_UP_MAX_OPERANDS);
  const problems = small.map((c) => toPathProblem(bindShapes(parseEquation(c.eq), c.shapes)));
  const warmUntil = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUntil) {
    small.forEach((c, i) => {
      optimizePath(problems[i], { optimizer: 'optimal' });
      priceSite(c);
    });
  }
}

function ourTimes(cases: OracleCase[]): CaseTimes[] {
  return cases.map((c) => {
    const problem = toPathProblem(bindShapes(parseEquation(c.eq), c.shapes));
    return {
      id: c.id,
      n: c.n,
      alone: medianCallMs(() => optimizePath(problem, { optimizer: 'optimal' })),
      e2e: medianCallMs(() => priceSite(c)),
    };
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function formatMs(ms: number): string {
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(ms >= 0.01 ? 1 : 2)} µs`;
}

function table(title: string, ours: CaseTimes[], theirs: Map<string, CaseTimes>, measure: 'alone' | 'e2e'): string[] {
  const lines = [
    '',
    title,
    '| operands | cases | opt_einsum median | opt_einsum p90 | einsight median | einsight p90 | speed-up (median) | speed-up (p90) | smallest speed-up of a case |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const counts = [...new Set(ours.map((t) => t.n))].sort((a, b) => a - b);
  for (const n of counts) {
    const here = ours.filter((t) => t.n === n && theirs.has(t.id));
    const mine = here.map((t) => t[measure]).sort((a, b) => a - b);
    const ref = here.map((t) => theirs.get(t.id)![measure]).sort((a, b) => a - b);
    let worst = { id: '', ratio: Infinity };
    for (const t of here) {
      const ratio = theirs.get(t.id)![measure] / t[measure];
      if (ratio < worst.ratio) worst = { id: t.id, ratio };
    }
    const [rm, r9, om, o9] = [quantile(ref, 0.5), quantile(ref, 0.9), quantile(mine, 0.5), quantile(mine, 0.9)];
    lines.push(
      `| ${n} | ${here.length} | ${formatMs(rm)} | ${formatMs(r9)} | ${formatMs(om)} | ${formatMs(o9)} | ${(rm / om).toFixed(1)}x | ${(r9 / o9).toFixed(1)}x | ${worst.id} (${worst.ratio.toFixed(1)}x) |`,
    );
  }
  return lines;
}

/** The side-by-side tables by operand count (3 to 9), as printed by `npm run bench:paths`. */
export function versusOptEinsum(all: OracleCase[]): string[] {
  const most = Number(process.env.EINSIGHT_BENCH_MAX_OPERANDS ?? 9);
  const cases = all.filter((c) => c.n >= 3 && c.n <= most);
  const located = locateOptEinsum();
  if ('error' in located) return ['', `opt_einsum could not be run, so there is no side-by-side table: ${located.error}`];
  warmUp(cases);
  const ours: CaseTimes[] = [];
  const theirs = new Map<string, CaseTimes>();
  let who = '';
  for (const n of [...new Set(cases.map((c) => c.n))].sort((a, b) => a - b)) {
    // Each size is timed on both sides back to back, so the machine's load hits both alike.
    const group = cases.filter((c) => c.n === n);
    const reference = referenceTimes(located.pythonPath, group);
    if (typeof reference === 'string') return ['', `opt_einsum could not be run, so there is no side-by-side table: ${reference}`];
    for (const r of reference.results) theirs.set(r.id, { id: r.id, n, alone: r.alone_ms, e2e: r.e2e_ms });
    ours.push(...ourTimes(group));
    who = `opt_einsum ${reference.version} on CPython ${reference.python} vs einsight on Node ${process.version}`;
  }
  return [
    '',
    `optimal, side by side in this run (${who}); times per call, median and 90th percentile over the cases of each size`,
    ...table('The optimizer alone (opt_einsum.paths.optimal vs optimizePath)', ours, theirs, 'alone'),
    ...table('A whole site: parse, bind sizes, optimize, price every step (contract_path vs parseEquation + bindShapes + optimizePath + costOfPath)', ours, theirs, 'e2e'),
  ];
}
