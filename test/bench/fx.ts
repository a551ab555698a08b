/**
 * einsight's rewrites against opt_einsum_fx's passes (`npm run bench:fx`), on the forty torch
 * functions of fx_functions.py. einsight reads the module with shape hints written from the
 * example shapes and applies its fix-all until nothing is left to fix (as running
 * `einsight fix --write` again would); opt_einsum_fx traces each function with torch.fx and runs
 * `optimize_einsums_full` on the example inputs. fx_compare.py counts both graphs the same way.
 * einsight must cost no more FLOPs and no more scalar multiplications on every function.
 *
 * Needs a Python with torch (Debian's python3-torch), opt_einsum 3.4 ($EINSIGHT_PYTHONPATH, or
 * fetched with ../shared/tools/get_opt_einsum.sh into .bench/) and opt_einsum_fx's source
 * ($OPT_EINSUM_FX_PATH, or .bench/opt_einsum_fx): without them it says what is missing and stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { applyEdits } from 'einsight-server/rewrite/edits';
import { fixAll, prepareRewrites } from 'einsight-server/rewrite/index';
import { formatCount } from 'einsight-server/core/counts';
import { findPython } from '../support/python-runner';

const ROOT = path.resolve(__dirname, '../../..');
const FUNCTIONS = path.join(ROOT, 'test/bench/fx_functions.py');
const COMPARE = path.join(ROOT, 'test/bench/fx_compare.py');
const BENCH = path.join(ROOT, '.bench');

interface Counts {
  flops: number;
  scalings: number;
}

interface Row {
  name: string;
  original: Counts;
  fx: Counts;
  einsight: Counts;
  agree: boolean;
}

function skip(reason: string): never {
  console.log(`bench:fx skipped: ${reason}`);
  process.exit(0);
}

/** PYTHONPATH entries for opt_einsum 3.4 and opt_einsum_fx, or why they are missing. */
function pythonPath(): string[] {
  let optEinsum = process.env.EINSIGHT_PYTHONPATH;
  if (!optEinsum) {
    const tool = path.resolve(ROOT, '../shared/tools/get_opt_einsum.sh');
    if (!existsSync(tool)) skip('opt_einsum 3.4 is not available: set EINSIGHT_PYTHONPATH or provide ../shared/tools/get_opt_einsum.sh');
    const fetched = spawnSync('bash', [tool, path.join(BENCH, 'opt-einsum')], { encoding: 'utf8' });
    if (fetched.status !== 0) skip(`could not fetch opt_einsum 3.4 with ${tool}: ${fetched.stderr.trim()}`);
    optEinsum = fetched.stdout.trim().split('\n').at(-1)!;
  }
  const fx = process.env.OPT_EINSUM_FX_PATH ?? path.join(BENCH, 'opt_einsum_fx');
  if (!existsSync(path.join(fx, 'opt_einsum_fx', '__init__.py'))) {
    skip(
      `opt_einsum_fx's source is not in ${fx}: fetch github.com/Linux-cpp-lisp/opt_einsum_fx and set OPT_EINSUM_FX_PATH ` +
        'to the folder holding opt_einsum_fx/ (or extract it into .bench/opt_einsum_fx)',
    );
  }
  return [optEinsum, fx];
}

function runPython(python: string, env: NodeJS.ProcessEnv, args: string[]): string {
  const child = spawnSync(python, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`${python} ${args.join(' ')} failed:\n${child.stderr}`);
  return child.stdout;
}

/** The module with each function's shapes as an einsight hint on its first line. */
function hinted(source: string, shapes: Record<string, number[][]>): string {
  return source.replace(/^def (\w+)\(([^)]*)\):\n/gm, (line, name: string, params: string) => {
    const dims = shapes[name];
    if (!dims) return line;
    const hint = params
      .split(',')
      .map((p, k) => `${p.trim()}[${dims[k].join(', ')}] float64`)
      .join(' ');
    return `${line}    # einsight: ${hint}\n`;
  });
}

/** Fix-all until nothing is left to fix (each round re-analyses the fixed text). */
async function rewritten(text: string): Promise<{ text: string; rounds: number }> {
  let current = text;
  for (let round = 1; round <= 5; round++) {
    const fix = fixAll(await analyzePython(current, {}), current);
    if (!fix) return { text: current, rounds: round - 1 };
    current = applyEdits(current, fix.edits).text;
  }
  return { text: current, rounds: 5 };
}

function ratio(before: number, after: number): string {
  if (after === before) return '1.00×';
  return after === 0 ? '—' : `${(before / after).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const python = findPython(['torch']);
  if (!python) skip('no Python imports torch (install python3-torch)');
  const extra = pythonPath();
  const env = { ...process.env, PYTHONPATH: [...extra, process.env.PYTHONPATH ?? ''].filter(Boolean).join(path.delimiter) };
  await prepareRewrites();
  const shapes = JSON.parse(runPython(python, env, [COMPARE, 'shapes', FUNCTIONS])) as Record<string, number[][]>;
  const original = hinted(readFileSync(FUNCTIONS, 'utf8'), shapes);
  const started = performance.now();
  const { text, rounds } = await rewritten(original);
  const rewriteMs = performance.now() - started;
  mkdirSync(BENCH, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'einsight-fx-'));
  try {
    writeFileSync(path.join(dir, 'original.py'), original);
    writeFileSync(path.join(dir, 'rewritten.py'), text);
    const rows = runPython(python, env, [COMPARE, 'compare', path.join(dir, 'original.py'), path.join(dir, 'rewritten.py')])
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Row);
    report(rows, rounds, rewriteMs);
    if (rows.length < 40 || rows.some((r) => !r.agree || r.einsight.flops > r.fx.flops || r.einsight.scalings > r.fx.scalings)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(rows: Row[], rounds: number, rewriteMs: number): void {
  console.log(`einsight vs opt_einsum_fx on ${rows.length} torch functions (FLOPs as opt_einsum counts them; scalar multiplications in elements)`);
  console.log(`einsight: fix-all in ${rounds} round(s), ${rewriteMs.toFixed(0)} ms for the module`);
  console.log('| function | as written FLOPs | opt_einsum_fx FLOPs | einsight FLOPs | einsight vs fx | as written scalars | fx scalars | einsight scalars | values agree |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  let worse = 0;
  for (const r of rows) {
    const bad = r.einsight.flops > r.fx.flops || r.einsight.scalings > r.fx.scalings || !r.agree;
    if (bad) worse++;
    console.log(
      `| ${r.name} | ${formatCount(BigInt(r.original.flops))} | ${formatCount(BigInt(r.fx.flops))} | ${formatCount(BigInt(r.einsight.flops))} | ` +
        `${ratio(r.fx.flops, r.einsight.flops)} | ${r.original.scalings} | ${r.fx.scalings} | ${r.einsight.scalings} | ${r.agree ? 'yes' : 'NO'}${bad ? ' ✗' : ''} |`,
    );
  }
  const total = (pick: (r: Row) => number) => rows.reduce((sum, r) => sum + pick(r), 0);
  const fewerFlops = rows.filter((r) => r.einsight.flops < r.fx.flops).length;
  const fewerScalars = rows.filter((r) => r.einsight.scalings < r.fx.scalings).length;
  console.log(
    `totals: as written ${formatCount(BigInt(total((r) => r.original.flops)))} FLOPs, opt_einsum_fx ${formatCount(BigInt(total((r) => r.fx.flops)))}, ` +
      `einsight ${formatCount(BigInt(total((r) => r.einsight.flops)))}; scalar multiplications ${total((r) => r.original.scalings)} / ${total((r) => r.fx.scalings)} / ${total((r) => r.einsight.scalings)}`,
  );
  console.log(`einsight costs fewer FLOPs on ${fewerFlops}, fewer scalar multiplications on ${fewerScalars}, more on ${worse} of ${rows.length} functions`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
