/**
 * Measuring in the site's own library: the generated benchmark script, run with every Python
 * here that has numpy (pyenv's numpy 2.x, Debian's 1.24) and the one that has torch. It must
 * time the call exactly as written — numpy's one loop when the source passes no optimize=, a
 * path search when it does — against the code of the site's own quick fix (the order, the
 * scalar placement, the fused chain), with agreeing results; and say plainly what it cannot
 * measure. No GPU here: torch's documented fallback is the CPU, with the reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { measureNative } from 'einsight-server/measure/native/native';
import { equationSite } from 'einsight-server/measure/native/equation-site';
import { pythonProgram } from 'einsight-server/measure/native/python-program';
import { pythonScript } from 'einsight-server/measure/native/python-script';
import { NativeFailure, pythonCommand, runScript } from 'einsight-server/measure/native/script-run';
import { runCli } from '../support/cli';
import { parseFixture } from '../support/markers';
import { REPO_ROOT } from '../support/oracle';
import { findPython, pythonsWith } from '../support/python-runner';

const FIXTURE = parseFixture(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'measure', 'native.py'), 'utf8'));
const FILE = join(mkdtempSync(join(tmpdir(), 'einsight-native-')), 'native.py');
writeFileSync(FILE, FIXTURE.text);
const QUICK = ['--no-onnxruntime', '--budget', '0.01', '--warmup', '1', '--json'];
const NUMPY_PYTHONS = pythonsWith(['numpy']);
const TORCH_PYTHON = findPython(['torch']);

function at(marker: string): string {
  const { line, character } = FIXTURE.position(marker);
  return `${FILE}:${line + 1}:${character + 1}`;
}

async function native(marker: string, python: string): Promise<Record<string, any>> {
  const r = await runCli(['measure', at(marker), '--python', python, ...QUICK]);
  assert.ok(r.code === 0 || r.code === 2, r.stderr);
  return JSON.parse(r.stdout) as Record<string, any>;
}

describe('measure in numpy, with every Python here that has it', () => {
  it('finds at least one (CI installs Debian python3-numpy)', () => assert.ok(NUMPY_PYTHONS.length > 0));

  for (const python of NUMPY_PYTHONS) {
    it(`${python}: no optimize= runs numpy's one loop; the quick fix's pairwise calls agree and are faster`, async () => {
      const out = await native('naive', python);
      const n = out.native;
      assert.equal(n.status, 'measured', n.reason);
      assert.equal(n.library.name, 'numpy');
      assert.deepEqual(n.asWritten.numpy, { searches: 0, givenPaths: 0, loops: 1, mostOperandsInOneLoop: 4, blasCalls: 0 });
      assert.equal(n.asWritten.code, "def _ein_as_written(_ein_x0, _ein_x1, _ein_x2, _ein_x3):\n    return (np.einsum('ij,jk,kl,l->i', _ein_x0, _ein_x1, _ein_x2, _ein_x3))\n");
      assert.deepEqual(n.rewritten.fixes.map((f: { code: string }) => f.code), ['EIN001']);
      assert.match(n.rewritten.code, /\n {4}t_k = np\.einsum\('kl,l->k', _ein_x2, _ein_x3\)\n/);
      assert.deepEqual(n.rewritten.numpy, { searches: 0, givenPaths: 0, loops: 3, mostOperandsInOneLoop: 2, blasCalls: 0 });
      assert.equal(n.agreement.agree, true, n.agreement.why);
      assert.ok(n.agreement.maxAbsDiff <= n.agreement.tolerance && n.agreement.tolerance < 1e-9 * n.agreement.maxAbs);
      assert.deepEqual([n.asWritten.outputDtype, n.rewritten.outputDtype, n.dtype, n.dtypeSource], ['float64', 'float64', 'float64', 'library default']);
      assert.ok(n.asWritten.timing.samplesMs.length >= 5 && n.rewritten.timing.samplesMs.length >= 5);
      assert.ok(n.measuredSpeedup > 1, `${n.measuredSpeedup}`);
      assert.match(out.headline, /^as written in numpy: .* → optimized: .* \(.*×\); the finding predicted 1,536× from FLOPs$/);
      assert.equal(out.finding.code, 'EIN001');
    });

    it(`${python}: optimize='greedy' as written searches a path at every call`, async () => {
      const n = (await native('searched', python)).native;
      assert.equal(n.status, 'measured', n.reason);
      assert.match(n.asWritten.code, /, optimize="greedy"\)\)\n$/);
      assert.equal(n.asWritten.numpy.searches, 1);
      assert.equal(n.asWritten.numpy.givenPaths, 0);
      assert.ok(n.asWritten.numpy.mostOperandsInOneLoop <= 2, 'pairwise, not one loop');
    });
  }

  for (const python of NUMPY_PYTHONS) {
    it(`${python}: a call with a path runs it as written; the fix's steps are direct BLAS calls, counted, and agree`, async () => {
      const out = await native('given', python);
      const n = out.native;
      assert.equal(n.status, 'measured', n.reason);
      assert.match(n.asWritten.code, /optimize=\["einsum_path", \(0, 1\), \(0, 1\), \(0, 1\)\]\)\)\n$/);
      assert.equal(n.asWritten.error, null);
      // numpy's own steps for a given path: BLAS inside einsum (not counted) and one-operand loops, by version.
      assert.deepEqual([n.asWritten.numpy.searches, n.asWritten.numpy.givenPaths, n.asWritten.numpy.blasCalls], [0, 1, 0]);
      assert.match(n.rewritten.code, /t_k = np\.matmul\(_ein_x2, _ein_x3\)\n {4}t_j = np\.matmul\(_ein_x1, t_k\)\n {4}return \(np\.matmul\(_ein_x0, t_j\)\)/);
      assert.deepEqual(n.rewritten.numpy, { searches: 0, givenPaths: 0, loops: 0, mostOperandsInOneLoop: 0, blasCalls: 3 });
      assert.equal(n.agreement.agree, true, n.agreement.why);
      assert.deepEqual(n.rewritten.fixes.map((f: { code: string }) => f.code), ['EIN001']);
    });
  }

  const python = NUMPY_PYTHONS[0];

  it('a scalar-placement finding measures its own fix: the factors moved onto one operand', async () => {
    const out = await native('scaled', python);
    const n = out.native;
    assert.match(n.asWritten.code, /np\.einsum\('ij,jk->ik', _ein_x0 \* 3\.0, _ein_x1 \/ 8\.0\)/);
    assert.match(n.rewritten.code, /np\.einsum\('ij,jk->ik', _ein_x0 \* \(3\.0 \/ 8\.0\), _ein_x1\)/);
    assert.deepEqual(n.rewritten.fixes.map((f: { code: string }) => f.code), ['EIN005']);
    assert.equal(n.agreement.agree, true, n.agreement.why);
    assert.equal(out.finding.predicts, 'multiplications');
  });

  it('a chain measures its calls as written against the fused call of its fix', async () => {
    const out = await native('producer', python);
    const n = out.native;
    assert.equal(out.source.chain, 0);
    assert.match(n.asWritten.code, /\n {4}t = \(np\.einsum\('ij,jk->ik', _ein_x0, _ein_x1\)\)\n {4}return \(np\.einsum\('ik,k->i', t, _ein_x2\)\)\n$/);
    assert.deepEqual(n.rewritten.fixes.map((f: { code: string }) => f.code), ['EIN004']);
    assert.doesNotMatch(n.rewritten.code, /\bt = /);
    assert.equal(n.agreement.agree, true, n.agreement.why);
  });

  it('refuses by name what only the rest of the program defines, and measures onnxruntime anyway', async () => {
    const r = await runCli(['measure', at('userdefined'), '--python', python, '--runs', '1', '--warmup', '0', '--budget', '0.01', '--json']);
    const out = JSON.parse(r.stdout);
    assert.equal(r.code, 0);
    assert.deepEqual(out.native, {
      status: 'unavailable',
      reason: "the code uses 'PLAN', defined elsewhere in your program; einsight runs only the contraction, never your code",
      setting: null,
    });
    assert.equal(out.onnxruntime.status, 'measured');
    assert.match(out.headline, /^on onnxruntime \(not measured in the library\): /);
  });

  it('an equation with --library numpy measures the matrix chain at 128: the loop is orders of magnitude slower', async () => {
    const args = ['--equation', 'ij,jk,kl,l->i', '--shapes', '128x128,128x128,128x128,128', '--library', 'numpy', '--python', python];
    const out = JSON.parse((await runCli(['measure', ...args, ...QUICK])).stdout);
    assert.equal(out.native.agreement.agree, true);
    assert.ok(out.native.measuredSpeedup > 100, `${out.native.measuredSpeedup}`);
  });
});

describe('measure in torch', { skip: TORCH_PYTHON === null && 'no Python here has torch (CI installs python3-torch)' }, () => {
  it('times torch as written against the quick fix, on CUDA when there is one, else on the CPU saying why', async () => {
    const out = await native('torch', TORCH_PYTHON as string);
    const n = out.native;
    assert.equal(n.status, 'measured', n.reason);
    assert.equal(n.library.name, 'torch');
    assert.equal(typeof n.library.optEinsum.available, 'boolean');
    if (n.device.kind === 'cpu') assert.match(n.device.message, /^torch\.cuda\.is_available\(\) is False: /);
    else assert.equal(n.device.kind, 'cuda');
    assert.deepEqual([n.asWritten.outputDtype, n.rewritten.outputDtype], ['float32', 'float32']);
    assert.deepEqual(n.rewritten.fixes.map((f: { code: string }) => f.code), ['EIN001']);
    assert.match(n.rewritten.code, /torch\.einsum\('ij,j->i', _ein_x0, t_j\)/);
    assert.equal(n.agreement.agree, true, n.agreement.why);
  });
});

describe('measure in tfjs, with the workspace\'s tfjs and Node', () => {
  const TS_PATH = join(REPO_ROOT, 'test', 'fixtures', 'measure', 'native.ts');
  const TS = parseFixture(readFileSync(TS_PATH, 'utf8'));
  async function tfjs(marker: string, file = TS_PATH): Promise<Record<string, any>> {
    const { line, character } = TS.position(marker);
    const r = await runCli(['measure', `${file}:${line + 1}:${character + 1}`, '--stdin', ...QUICK], TS.text);
    return JSON.parse(r.stdout) as Record<string, any>;
  }

  it('as written, tfjs refuses three operands; the fix\'s pairwise calls are timed', async () => {
    const out = await tfjs('threeOperands');
    const n = out.native;
    assert.equal(n.status, 'measured', n.reason);
    assert.deepEqual([n.language, n.interpreter, n.library.name, n.library.backend], ['javascript', 'node', '@tensorflow/tfjs', 'cpu']);
    assert.equal(n.asWritten.error, 'Error: Support for more than 2 input tensors is not implemented yet.');
    assert.equal(n.asWritten.timing, null);
    assert.equal(n.rewritten.code, "function _ein_rewritten(_ein_x0, _ein_x1, _ein_x2) {\n  return (tf.einsum('ij,j->i', _ein_x0, tf.einsum('jk,k->j', _ein_x1, _ein_x2)));\n}\n");
    assert.ok(n.rewritten.timing.samplesMs.length >= 5);
    assert.deepEqual([n.agreement, n.measuredSpeedup], [null, null]);
    assert.match(out.headline, /^as written, @tensorflow\/tfjs cannot run it \(Error: Support for more than 2 input tensors is not implemented yet\.\); optimized: /);
  });

  it('a chain of tf.einsum calls against the fused call of its fix, results agreeing', async () => {
    const n = (await tfjs('producer')).native;
    assert.match(n.asWritten.code, /\n {2}const t = \(tf\.einsum\('ij,jk->ik', _ein_x0, _ein_x1\)\);\n {2}return \(tf\.einsum\('ik,k->i', t, _ein_x2\)\.mul\(0\.5\)\);\n/);
    assert.deepEqual(n.rewritten.fixes.map((f: { code: string }) => f.code), ['EIN004']);
    assert.equal(n.agreement.agree, true, n.agreement.why);
    assert.deepEqual([n.asWritten.outputDtype, n.asWritten.outputShape], ['float32', [64]]);
  });

  it('scalar factors moved by the fix', async () => {
    const n = (await tfjs('scaled')).native;
    assert.match(n.asWritten.code, /tf\.einsum\('ij,jk->ik', _ein_x0\.mul\(3\), _ein_x1\.div\(8\)\)/);
    assert.match(n.rewritten.code, /tf\.einsum\('ij,jk->ik', _ein_x0, _ein_x1\.mul\(3 \/ 8\)\)/);
    assert.equal(n.agreement.agree, true, n.agreement.why);
  });

  it('a workspace without tfjs: onnxruntime only, saying so', async () => {
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'einsight-no-tfjs-')), 'model.ts');
    const n = (await tfjs('producer', elsewhere)).native;
    assert.equal(n.status, 'unavailable');
    assert.match(n.reason, /^no @tensorflow\/tfjs is installed for .*einsight-no-tfjs-.* \(npm install @tensorflow\/tfjs, or @tensorflow\/tfjs-node for its native backend\)$/);
  });
});

describe('measure in the library: what cannot run says why, and how to fix it', () => {
  it('no such interpreter', async () => {
    const n = (await native('naive', '/nonexistent/python3')).native;
    assert.deepEqual(n, {
      status: 'unavailable',
      reason: "cannot run the interpreter '/nonexistent/python3': there is no such program",
      setting: 'einsight.measure.python',
    });
  });

  it('an interpreter without the library', { skip: findPython(['jax']) !== null && 'jax is installed here' }, async () => {
    const n = (await native('jax', NUMPY_PYTHONS[0])).native;
    assert.equal(n.status, 'unavailable');
    assert.match(n.reason, new RegExp(`^${NUMPY_PYTHONS[0].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot import jax \\(ModuleNotFoundError: No module named 'jax'\\): choose an interpreter that has it$`));
    assert.equal(n.setting, 'einsight.measure.python');
  });

  it('the script is capped: inputs beyond the cap fail as "out of memory", not the machine', { skip: process.platform !== 'linux' && 'RLIMIT_DATA is Linux' }, async () => {
    const c = bindShapes(parseEquation('ij,j->i'), [[4096, 4096], [4096]]);
    const site = await equationSite(c, [], 'numpy');
    const program = await pythonProgram(site.analysis, site.text, site.site, [[4096, 4096], [4096]]);
    const script = pythonScript(program, { seed: 0, dtype: null, warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 1, capMB: 16, allowCuda: false });
    await assert.rejects(runScript(pythonCommand(NUMPY_PYTHONS[0]), script, { loadTimeoutMs: 60_000, runTimeoutMs: 60_000 }), (e: unknown) => {
      assert.ok(e instanceof NativeFailure && e.code === 'memory', String(e));
      assert.match(e.message, /^MemoryError: Unable to allocate 128\. MiB/);
      return true;
    });
  });

  it('the guard refuses before anything runs, naming the setting', async () => {
    const c = bindShapes(parseEquation('ij,j->i'), [[8192, 8192], [8192]]);
    const site = await equationSite(c, [], 'numpy');
    let spawned = false;
    const options = { python: NUMPY_PYTHONS[0], seed: 0, warmup: 1, budgetMs: 10, maxMemoryMB: 100, runTimeoutMs: 60_000, loadTimeoutMs: 60_000, onSpawn: () => (spawned = true) };
    const n = await measureNative({ ...site, shapes: [[8192, 8192], [8192]] }, options);
    assert.equal(n.status, 'refused');
    assert.match(n.status === 'refused' ? n.reason : '', /^measuring needs about 596 MB \(inputs 513 MB, intermediates 0 MB, results 0\.13 MB, /);
    assert.equal(spawned, false);
  });
});
