/**
 * `npm run bench:record`: what `einsight record` costs the recorded program.
 *
 * - Per wrapped call: CPU time per call of tiny einsums (2x2 matrices, so the call itself is
 *   cheap and the recorder's share shows), with and without the recorder, by library and
 *   number of operands; for calls from the project (recorded) and from an installed package
 *   (recognised and passed through). Target: at most 5 µs more per recorded call.
 * - A program that never calls an einsum: interpreter start-up (`-c pass`) and `import numpy`,
 *   with and without the recorder (median CPU time of many starts). Target: no measurable change.
 *
 * CPU time (process_time) rather than wall time: this machine's other processes do not count.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findPython } from '../support/python-runner';
import { REPO_ROOT } from '../support/oracle';

const RECORDER = join(REPO_ROOT, 'server', 'python', 'recorder');
const HERE = join(REPO_ROOT, 'test', 'bench');
/** numpy's calls are cheap; torch's cost tens of µs, so fewer keep the bench short. */
const CALLS: Record<string, number> = { numpy: 20_000, torch: 4_000 };
const REPEATS = 9;
const STARTS = 30;
const TARGET_US = 5;

interface Layout {
  project: string;
  site: string;
  out: string;
}

function layout(): Layout {
  const root = mkdtempSync(join(tmpdir(), 'einsight-bench-record-'));
  const paths = { project: join(root, 'project'), site: join(root, 'site'), out: join(root, 'out') };
  for (const dir of Object.values(paths)) mkdirSync(dir);
  copyFileSync(join(HERE, 'record_overhead.py'), join(paths.project, 'record_overhead.py'));
  copyFileSync(join(HERE, 'record_overhead_package.py'), join(paths.site, 'record_overhead_package.py'));
  return paths;
}

function env(paths: Layout, recording: boolean): NodeJS.ProcessEnv {
  const base = { ...process.env, PYTHONPATH: paths.site };
  if (!recording) return base;
  return { ...base, PYTHONPATH: `${RECORDER}${delimiter}${paths.site}`, EINSIGHT_RECORD_DIR: paths.out, EINSIGHT_RECORD_ROOT: paths.project };
}

function timeCalls(python: string, paths: Layout, library: string, operands: number, recording: boolean): { project: number; package: number } {
  const run = spawnSync(python, [join(paths.project, 'record_overhead.py'), library, String(operands), String(CALLS[library]), String(REPEATS)], {
    env: env(paths, recording),
    encoding: 'utf8',
    cwd: paths.project,
  });
  if (run.status !== 0) throw new Error(`${python} record_overhead.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { project: number; package: number };
}

/** Median CPU ms of `python -c CODE`, without and with the recorder (a copy in a fresh folder, as `einsight record` makes). */
function startCpuMs(python: string, paths: Layout, code: string): { plain: number; recorded: number } {
  const recorder = join(paths.project, '..', 'recorder');
  mkdirSync(recorder, { recursive: true });
  for (const file of ['sitecustomize.py', '_einsight_recorder.py', '_einsight_output.py']) copyFileSync(join(RECORDER, file), join(recorder, file));
  const run = spawnSync(python, [join(HERE, 'record_startup.py'), String(STARTS), code, recorder, paths.out, paths.project], { encoding: 'utf8', cwd: paths.project });
  if (run.status !== 0) throw new Error(`record_startup.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim()) as { plain: number; recorded: number };
}

function main(): number {
  const numpy = findPython(['numpy']);
  if (!numpy) {
    console.log('bench:record: no Python with numpy; nothing to measure');
    return 0;
  }
  const torch = findPython(['torch']);
  const paths = layout();
  let worst = 0;
  try {
    console.log(`Per-call overhead (µs of CPU per call, least of ${REPEATS} rounds of ${CALLS.numpy.toLocaleString('en-US')} numpy / ${CALLS.torch.toLocaleString('en-US')} torch calls; 2x2 operands)`);
    console.log('library  operands   plain   recorded  overhead   package call  overhead');
    const libraries: [string, string][] = [['numpy', numpy], ...(torch ? [['torch', torch] as [string, string]] : [])];
    for (const [library, python] of libraries) {
      for (const operands of [1, 2, 3, 5]) {
        const plain = timeCalls(python, paths, library, operands, false);
        const recorded = timeCalls(python, paths, library, operands, true);
        const overhead = recorded.project - plain.project;
        worst = Math.max(worst, overhead);
        console.log(
          `${library.padEnd(8)} ${String(operands).padStart(8)} ${plain.project.toFixed(2).padStart(7)} ${recorded.project.toFixed(2).padStart(10)} ${overhead.toFixed(2).padStart(9)}` +
            `   ${recorded.package.toFixed(2).padStart(12)} ${(recorded.package - plain.package).toFixed(2).padStart(9)}`,
        );
      }
    }
    console.log(`worst recorded-call overhead: ${worst.toFixed(2)} µs (target ≤ ${TARGET_US} µs) ${worst <= TARGET_US ? 'OK' : 'MISSED'}`);
    console.log('');
    console.log(`A program without einsum calls (median CPU time of ${STARTS} starts each, ms)`);
    console.log('program                 plain   recorded  difference');
    for (const [name, code] of [['python -c pass', 'pass'], ['import numpy', 'import numpy']]) {
      const { plain, recorded } = startCpuMs(numpy, paths, code);
      console.log(`${name.padEnd(20)} ${plain.toFixed(1).padStart(8)} ${recorded.toFixed(1).padStart(10)} ${(recorded - plain).toFixed(1).padStart(11)}`);
    }
  } finally {
    rmSync(join(paths.project, '..'), { recursive: true, force: true });
  }
  return worst <= TARGET_US ? 0 : 1;
}

process.exitCode = main();
