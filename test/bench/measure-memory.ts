/**
 * `npm run bench:measure-memory`: the memory guard's count against the real peak, by runtime,
 * model and size. Each contraction is measured once (onnxruntime: 1 run; natively: the
 * minimum of 5 runs in a tiny budget) with the guard's factor set to 1, and the runner's peak
 * resident memory above its own base (RSS after loading, before the inputs) is divided by what
 * the guard counts from the shapes. The largest ratio per runtime, rounded up, is the
 * calibration in server/src/measure/memory.ts; the bench exits 1 when a ratio exceeds it.
 *
 * Options: --python PATH (default python3), --torch PATH (a Python with torch; default
 * /usr/bin/python3 when it has it).
 */
import { execFileSync } from 'node:child_process';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { measure } from 'einsight-server/measure/measure';
import { CALIBRATION, expectedPeakMB, type MemoryCheck, type MemoryRuntime } from 'einsight-server/measure/memory';
import { equationSite } from 'einsight-server/measure/native/equation-site';
import { measureNative } from 'einsight-server/measure/native/native';
import type { ArrayLibrary } from 'einsight-server/measure/native/python-program';
import { problemFromContraction, inputShapes } from 'einsight-server/measure/problem';

interface Case {
  name: string;
  equation: string;
  shapes: number[][];
}

const square = (n: number, k: number) => Array.from({ length: k }, () => [n, n]);
const CASES: Case[] = [
  ...[512, 1024, 2048].map((n) => ({ name: `matrix chain, ${n}`, equation: 'ij,jk,kl->il', shapes: square(n, 3) })),
  ...[1024, 2048, 4096].map((n) => ({ name: `matrix chain times vector, ${n}`, equation: 'ij,jk,kl,l->i', shapes: [...square(n, 3), [n]] })),
  ...[32, 64].map((b) => ({ name: `batched matmul-matvec, batch ${b}`, equation: 'bij,bjk,bk->bi', shapes: [[b, 256, 256], [b, 256, 256], [b, 256]] })),
  ...[16, 64].map((b) => ({ name: `biaffine scorer, batch ${b}`, equation: 'bxi,oij,byj->boxy', shapes: [[b, 40, 256], [8, 256, 256], [b, 40, 256]] })),
  ...[256, 1024].map((s) => ({ name: `attention scores, seq ${s}`, equation: 'bhqd,bhkd->bhqk', shapes: [[4, 8, s, 64], [4, 8, s, 64]] })),
  ...[24, 40].map((n) => ({ name: `four-index transform, N=${n}`, equation: 'pi,qj,ijkl,rk,sl->pqrs', shapes: [...square(n, 2), [n, n, n, n], ...square(n, 2)] })),
  { name: 'transposed product, 4096', equation: 'ji,kj->ik', shapes: square(4096, 2) },
  { name: 'skinny matrix chain, 4096', equation: 'ab,bc,cd->ad', shapes: [[4096, 8], [8, 8], [8, 4096]] },
  { name: 'three-way outer product', equation: 'ia,ib,ic->abc', shapes: [[4096, 128], [4096, 128], [4096, 64]] },
];

/** Much data, little arithmetic: numpy's one loop (as written, no optimize=) must stay quick. */
const NATIVE_CASES: Case[] = [
  ...[4096, 8192].map((n) => ({ name: `matrix-vector, ${n}`, equation: 'ij,j->i', shapes: [[n, n], [n]] })),
  ...[2048, 4096].map((n) => ({ name: `rank-8 product, ${n}`, equation: 'ik,kj->ij', shapes: [[n, 8], [8, n]] })),
  ...[2048, 4096].map((n) => ({ name: `skinny matrix chain, ${n}`, equation: 'ab,bc,cd->ad', shapes: [[n, 8], [8, 8], [8, n]] })),
  ...[512, 1024].map((s) => ({ name: `attention scores, seq ${s}`, equation: 'bqd,bkd->bqk', shapes: [[8, s, 16], [8, s, 16]] })),
  { name: 'outer product, 4096', equation: 'i,j->ij', shapes: [[4096], [4096]] },
];

interface Row {
  runtime: string;
  name: string;
  counted: number;
  peakAboveBase: number;
}

const MB = (x: number) => `${x.toFixed(0).padStart(6)} MB`;

async function onnx(c: Case): Promise<Row> {
  const problem = problemFromContraction(bindShapes(parseEquation(c.equation), c.shapes));
  const r = await measure(problem, { runs: 1, warmup: 0, maxMemoryMB: 16_384, runTimeoutMs: 600_000 });
  return { runtime: 'onnxruntime', name: c.name, counted: r.memory.countedMB, peakAboveBase: r.memory.peakRssMB - r.memory.baseRssMB };
}

async function native(c: Case, library: ArrayLibrary, python: string): Promise<Row | null> {
  const contraction = bindShapes(parseEquation(c.equation), c.shapes);
  const site = await equationSite(contraction, [], library);
  const shapes = inputShapes(problemFromContraction(contraction));
  const options = { python, seed: 0, warmup: 1, budgetMs: 10, maxMemoryMB: 16_384, runTimeoutMs: 600_000, loadTimeoutMs: 120_000 };
  const r = await measureNative({ ...site, shapes }, options);
  if (r.status !== 'measured') {
    console.log(`  ${library} ${c.name}: ${r.status}: ${r.reason}`);
    return null;
  }
  const m: MemoryCheck & { peakRssMB: number | null; baseRssMB: number | null } = r.memory;
  return { runtime: `${library} ${r.library.version}`, name: c.name, counted: m.countedMB, peakAboveBase: (m.peakRssMB ?? 0) - (m.baseRssMB ?? 0) };
}

function hasTorch(python: string): boolean {
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const python = option('--python') ?? 'python3';
  const torch = option('--torch') ?? (hasTorch('/usr/bin/python3') ? '/usr/bin/python3' : undefined);
  const rows: Row[] = [];
  for (const c of CASES) rows.push(await onnx(c));
  for (const c of NATIVE_CASES) {
    const row = await native(c, 'numpy', python);
    if (row) rows.push(row);
  }
  if (torch) {
    for (const c of NATIVE_CASES) {
      const row = await native(c, 'torch', torch);
      if (row) rows.push(row);
    }
  }
  console.log(`| runtime | contraction | counted | peak above base | ratio | guard expects |`);
  console.log(`|---|---|---:|---:|---:|---:|`);
  const guardOf = (r: Row): MemoryRuntime => (r.runtime === 'onnxruntime' ? 'onnxruntime' : 'python');
  for (const r of rows) {
    const expected = expectedPeakMB(guardOf(r), r.counted);
    console.log(`| ${r.runtime} | ${r.name} | ${MB(r.counted)} | ${MB(r.peakAboveBase)} | ${(r.peakAboveBase / r.counted).toFixed(2)} | ${MB(expected)} |`);
  }
  let failed = false;
  for (const runtime of ['onnxruntime', 'python'] as MemoryRuntime[]) {
    const mine = rows.filter((r) => guardOf(r) === runtime);
    const over = mine.filter((r) => r.peakAboveBase > expectedPeakMB(runtime, r.counted));
    const worst = Math.max(...mine.map((r) => r.peakAboveBase / expectedPeakMB(runtime, r.counted)));
    const { factor, fixedMB } = CALIBRATION[runtime];
    console.log(`${runtime}: guard ${factor} × counted + ${fixedMB} MB; the closest peak reaches ${(100 * worst).toFixed(0)}% of it; ${over.length} of ${mine.length} above`);
    if (over.length > 0) failed = true;
  }
  if (failed) {
    console.log('FAIL: a peak exceeds the calibrated guard');
    process.exitCode = 1;
  }
}

void main();
