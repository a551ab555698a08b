/**
 * `einsight measure`: the JSON contract the extension reads, the text report, sites picked by
 * FILE:LINE[:COL] or id through the Python analysis, clear errors, and cancellation of the real
 * process (SIGTERM as the editor sends it; SIGKILL leaves no runner behind either).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { parseFixture } from '../support/markers';
import { REPO_ROOT } from '../support/oracle';

const FIXTURE = parseFixture(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'measure', 'sites.py'), 'utf8'));
const FILE = join(mkdtempSync(join(tmpdir(), 'einsight-measure-')), 'sites.py');
writeFileSync(FILE, FIXTURE.text);
const CLI = join(REPO_ROOT, 'server', 'out', 'cli', 'main.js');
const FAST = ['--runs', '2', '--warmup', '1', '--budget', '0.01'];

/** FILE:LINE:COL of a marker, 1-based as the CLI takes it. */
function at(marker: string): string {
  const { line, character } = FIXTURE.position(marker);
  return `${FILE}:${line + 1}:${character + 1}`;
}

async function measureJson(args: string[], stdin = ''): Promise<{ code: number; json: Record<string, any>; stderr: string }> {
  const r = await runCli(['measure', ...args, '--json'], stdin);
  return { code: r.code, json: JSON.parse(r.stdout), stderr: r.stderr };
}

const VARIANT_KEYS = ['agrees', 'description', 'flops', 'kind', 'maxAbsDiff', 'nodes', 'scalarMultiplies', 'timing'];

describe('einsight measure --json', () => {
  it('has every field, FLOPs as exact integers', async () => {
    const r = await runCli(['measure', '--equation', 'ij,jk,kl,l->i', '--shapes', '32x32,32x32,32x32,32', '--json', ...FAST]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json).sort(), [
      'equation', 'explanation', 'finding', 'headline', 'inputShapes', 'native', 'onnxruntime', 'sizes', 'source', 'text', 'title',
    ]);
    const ort = json.onnxruntime;
    assert.deepEqual(Object.keys(ort).sort(), [
      'agree', 'asWritten', 'candidates', 'ep', 'maxAbsDiff', 'measuredSpeedup', 'memory', 'optimized', 'optimizer', 'path',
      'predictedSpeedup', 'runs', 'seed', 'status', 'tolerance', 'verdict', 'warmup',
    ]);
    for (const variant of [ort.asWritten, ort.optimized, ...ort.candidates]) {
      assert.deepEqual(Object.keys(variant).sort(), VARIANT_KEYS);
      assert.deepEqual(Object.keys(variant.timing).sort(), ['medianMs', 'minMs', 'p90Ms', 'samplesMs']);
      assert.equal(variant.timing.samplesMs.length, 2);
    }
    assert.deepEqual(Object.keys(ort.ep).sort(), ['message', 'requested', 'used']);
    assert.deepEqual(Object.keys(ort.memory).sort(), ['baseRssMB', 'capMB', 'countedMB', 'inputsMB', 'intermediatesMB', 'limitMB', 'neededMB', 'outputMB', 'peakRssMB']);
    assert.match(r.stdout, /"flops": 133120,/); // 2·32³ twice + 2·32², as written
    assert.match(r.stdout, /"flops": 6144,/); // 3 · 2·32², optimized
    assert.equal(json.source, null);
    assert.deepEqual(json.sizes, { i: 32, j: 32, k: 32, l: 32 });
    assert.deepEqual(ort.path, [[2, 3], [1, 2], [0, 1]]);
    assert.equal(ort.optimizer, 'optimal');
    assert.equal(ort.agree, true);
    // No library named: onnxruntime only, and the native section says how to get it.
    assert.deepEqual(json.native, {
      status: 'unavailable',
      reason: 'an equation names no library: add --library (numpy, torch, jax, tensorflow) to measure it natively',
      setting: null,
    });
    assert.match(json.headline, /^on onnxruntime \(not measured in the library\): as written .* → optimized .* \(.*×\); 21\.7× predicted from onnxruntime's FLOPs$/);
    assert.match(json.text, /^einsight measure: ij,jk,kl,l->i\n/);
    // Progress for the editor: one JSON line per step on stderr.
    const progress = r.stderr.trim().split('\n').map((l) => JSON.parse(l).progress);
    assert.deepEqual(Object.keys(progress[0]).sort(), ['fraction', 'index', 'phase', 'section', 'total', 'variant']);
  });

  it('reports errors as JSON with the sizes to ask for', async () => {
    const { code, json } = await measureJson(['--equation', 'ij,jk->ik', '--shapes', 'Nx4,4xM']);
    assert.equal(code, 2);
    assert.deepEqual(json, {
      error: { code: 'missing-sizes', message: 'measuring needs concrete sizes; give N=…, M=… (--dims)', missingDims: ['N', 'M'], location: null },
    });
  });
});

describe('einsight measure (text)', () => {
  it('prints times, FLOPs, agreement and both speedups; scalars go where written', async () => {
    const r = await runCli(['measure', '--equation', 'ij,jk,k->i', '--shapes', '40x30,30x20,20', '--scalars', '0.5@0,/4@out', ...FAST]);
    assert.equal(r.code, 0, r.stderr);
    for (const line of [
      /^einsight measure: ij,jk,k->i\n/,
      /\n {2}sizes {11}i=40 j=30 k=20\n/,
      /\n {2}inputs {10}40x30, 30x20, 20 {2}\(seeded uniform \[-1, 1\)\)\n/,
      /\nin the library: not measured: an equation names no library: add --library/,
      /\nonnxruntime — cpu, float32, seed 0\n/,
      /\n {2}runs {12}1 warm-up \+ 2 timed, each model\n/,
      /\n {2}as written {10}.* ms .* ms .* ms {5}49,600 {3}one Einsum node, operands in source order/,
      // The smallest tensor on the path is the 20-element input vector.
      /\n {2}optimized, Einsum.* ms {6}3,600 {3}2 Einsum nodes in path order, scalar 0\.125 applied once to the input 2\n/,
      /\n {2}outputs {9}agree: max \|diff\| /,
      /\n {2}speedup {9}.*× measured \(median\); 13\.8× predicted from FLOPs/,
      /\n {2}=> optimized/,
    ]) {
      assert.match(r.stdout, line);
    }
    assert.match(r.stderr, /^measuring on onnxruntime, as written…\nmeasuring on onnxruntime, optimized \(Einsum\)…\nmeasuring on onnxruntime, optimized \(MatMul\)…\n$/);
  });

  it('points at the equation character that is wrong', async () => {
    const r = await runCli(['measure', '--equation', 'ij,jk->iz', '--shapes', '2x3,3x4']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "einsight measure: output label 'z' does not appear in any input\n  ij,jk->iz\n          ^\n");
  });

  it('refuses what would not fit under --max-memory, saying what it needs', async () => {
    const r = await runCli(['measure', '--equation', 'ij,jk->ik', '--shapes', '1024x1024,1024x1024', '--max-memory', '10']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /\nonnxruntime: not measured: measuring needs about 132 MB \(inputs 8 MB, intermediates 28 MB, results 4 MB, .*\), over the 10 MB limit/);
  });

  it('says when CUDA is missing and measures on CPU', async () => {
    const { code, json } = await measureJson(['--equation', 'ij,jk->ik', '--shapes', '8x8,8x8', '--ep', 'cuda', ...FAST]);
    assert.equal(code, 0);
    if (json.onnxruntime.ep.used === 'cpu') assert.match(json.text, /\nonnxruntime — cpu \(asked for cuda: the CUDA execution provider is not available/);
    else assert.equal(json.onnxruntime.ep.message, null);
  });

  for (const [args, message] of [
    [['--equation', 'ij->i', '--ep', 'tpu'], /--ep must be cpu or cuda \(got 'tpu'\)/],
    [['sites.py', '--equation', 'ij->i'], /give either FILE:LINE or --equation, not both/],
    [['sites.py'], /expected FILE:LINE\[:COL\] \(or FILE --site ID\), got 'sites\.py'/],
    [['--equation', 'ij->i', '--runs', '0'], /--runs must be at least 1/],
    [['--equation', 'ij->i', '--scalars', '2@5'], /--scalars: operand 5 does not exist \(the equation has 1\)/],
    [['notes.txt:3'], /cannot tell the language of notes\.txt from its extension; pass --language \(python, typescript, /],
    [['notes.txt:3', '--language', 'rust'], /measure reads python, typescript, .* sources, not rust/],
  ] as const) {
    it(`usage error: ${args.join(' ')}`, async () => {
      const r = await runCli(['measure', ...args]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
    });
  }
});

describe('einsight measure FILE:LINE', () => {
  it('measures the call at a line and column, with the library baseline beside it', async () => {
    const { code, json } = await measureJson([at('chain4'), ...FAST]);
    assert.equal(code, 0);
    const { line, character } = FIXTURE.position('chain4');
    assert.deepEqual({ ...json.source, baseline: undefined }, { file: FILE, line: line + 1, column: character + 1, site: 0, chain: null, baseline: undefined });
    assert.match(json.source.baseline.description, /^numpy\.einsum/);
    assert.equal(json.source.baseline.flops, 4 * 64 ** 4);
    assert.equal(json.equation, 'ij,jk,kl,l->i');
    assert.equal(json.title, 'np.einsum ij,jk,kl,l->i');
    assert.match(json.text, /\n {2}library {9}numpy\.einsum.*: 6\.71e7 FLOPs as written\n/);
  });

  it('takes the first call on a line when no column is given', async () => {
    const { json } = await measureJson([`${FILE}:${FIXTURE.position('chain4').line + 1}`, ...FAST]);
    assert.equal(json.source.site, 0);
  });

  it('measures a whole chain: its calls as written, fused when optimized, the scalar folded', async () => {
    for (const marker of ['producer', 'consumer']) {
      const { code, json } = await measureJson([at(marker), ...FAST]);
      assert.equal(code, 0);
      assert.equal(json.source.chain, 0);
      assert.match(json.title, /^chain of 2 calls, fused /);
      assert.deepEqual(json.onnxruntime.asWritten.nodes, ['Einsum', 'Einsum', 'Mul']);
      assert.deepEqual(json.inputShapes, [[8, 16, 4], [4, 6], [8, 16, 4]]);
      assert.match(json.onnxruntime.optimized.description, /scalar 0\.5 applied once/);
      assert.equal(json.onnxruntime.agree, true);
    }
  });

  it('runs a matmul chain in its written order', async () => {
    const { code, json } = await measureJson([at('matmul'), ...FAST]);
    assert.equal(code, 0);
    assert.equal(json.onnxruntime.asWritten.description, '2 MatMul steps in the written order');
    assert.equal(json.onnxruntime.asWritten.flops, 2 * 64 ** 3 + 2 * 64 ** 2);
    assert.equal(json.onnxruntime.optimized.flops, 4 * 64 ** 2);
  });

  it('asks for symbolic sizes, then measures with --dims', async () => {
    const missing = await measureJson([at('symbolic')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.json.error.code, 'missing-sizes');
    assert.deepEqual(missing.json.error.missingDims, ['i', 'j', 'k']);
    assert.equal(missing.json.error.location, at('symbolic'));
    const measured = await measureJson([at('symbolic'), '--dims', 'i=5,j=6,k=7', ...FAST]);
    assert.equal(measured.code, 0);
    assert.deepEqual(measured.json.inputShapes, [[5, 6], [6, 7]]);
  });

  it('measures a site by id in an unsaved buffer read from stdin', async () => {
    const { code, json } = await measureJson(['unsaved.py', '--site', '2', '--stdin', ...FAST], FIXTURE.text);
    assert.equal(code, 0);
    assert.equal(json.source.site, 2);
    assert.equal(json.source.file, 'unsaved.py');
  });

  it('reads TypeScript through its front end (tfjs)', async () => {
    const ts = parseFixture(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'measure', 'sites.ts'), 'utf8'));
    const { line, character } = ts.position('tfjs');
    const { code, json } = await measureJson([`model.ts:${line + 1}:${character + 1}`, '--stdin', ...FAST], ts.text);
    assert.equal(code, 0);
    assert.equal(json.title, 'tf.einsum ij,jk,k->i');
    assert.deepEqual(json.inputShapes, [[64, 32], [32, 48], [48]]);
    assert.match(json.source.baseline.description, /^tf\.einsum \(tfjs\) contracts left to right/);
  });

  it('says where there is nothing to measure', async () => {
    const r = await runCli(['measure', at('nothing')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `einsight measure: ${at('nothing')}: no einsum call or matmul chain there (the file has 5 sites)\n`);
    const pastEnd = await runCli(['measure', `${FILE}:99`]);
    assert.equal(pastEnd.stderr, `einsight measure: ${FILE}:99: line 99 is past the end of the file (21 lines)\n`);
    const missing = await runCli(['measure', join(REPO_ROOT, 'no-such-file.py:3')]);
    assert.match(missing.stderr, /: cannot read .*no-such-file\.py: no such file or folder\n$/);
  });
});

/** Child pids of a process (POSIX `ps`). */
function childrenOf(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  return table
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number))
    .filter(([, parent]) => parent === pid)
    .map(([child]) => child);
}

/** Whether a process still runs: a zombie (killed, not yet reaped by whoever adopted it) does not. */
function running(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Starts a measurement that would run for many minutes; resolves once its timed runs have begun. */
function startLongMeasurement() {
  const cli = spawn(process.execPath, [CLI, 'measure', '--equation', 'ij,jk,kl->il', '--shapes', '3072x3072,3072x3072,3072x3072', '--runs', '1000', '--warmup', '0', '--json']);
  let stdout = '';
  cli.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => cli.on('close', (code, signal) => resolve({ code, signal })));
  const running = new Promise<void>((resolve) => {
    let buffered = '';
    cli.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      if (/"phase":"run"/.test(buffered)) resolve();
    });
  });
  return { cli, running, exited, stdout: () => stdout };
}

describe('einsight measure: cancellation', () => {
  it('stops within a second or two on SIGTERM, runner included, and says so', async () => {
    const { cli, running, exited, stdout } = startLongMeasurement();
    await running;
    const [runner] = childrenOf(cli.pid as number);
    assert.ok(runner, 'the runner child is running');
    const sent = Date.now();
    cli.kill('SIGTERM');
    const { code } = await exited;
    assert.ok(Date.now() - sent < 2000, 'the CLI exits promptly');
    assert.equal(code, 130);
    assert.deepEqual(JSON.parse(stdout()).error, { code: 'cancelled', message: 'measurement cancelled', missingDims: [], location: null });
    assert.ok(await gone(runner, 2000), 'the runner is gone');
  });

  it('leaves no runner behind when the CLI itself is killed', async () => {
    const { cli, running, exited } = startLongMeasurement();
    await running;
    const [runner] = childrenOf(cli.pid as number);
    cli.kill('SIGKILL');
    await exited;
    assert.ok(await gone(runner, 2000), 'the runner notices and ends itself');
  });
});
