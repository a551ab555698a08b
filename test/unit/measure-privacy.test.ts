/**
 * What measuring leaves behind: nothing. onnxruntime-node's telemetry would write a device id
 * and an event queue under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and an empty
 * /tmp/mat-debug-<pid>.log for every process that creates a session; einsight turns it off for
 * every session it creates (in this process, in the runner child, through the CLI) and writes
 * no temporary files of its own. HOME and TMPDIR point at empty folders, which must stay empty.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/oracle';
import { findPython } from '../support/python-runner';

// Before anything loads onnxruntime: its telemetry reads HOME when the first session starts.
const HOME = mkdtempSync(join(tmpdir(), 'einsight-home-'));
const TEMP = mkdtempSync(join(tmpdir(), 'einsight-tmp-'));
process.env.HOME = HOME;

const CLI = join(REPO_ROOT, 'server', 'out', 'cli', 'main.js');
const PYTHON = findPython(['numpy']);

/** Every file and folder under `dir`, relative to it. */
function contents(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** When this file started: a debug log older than that is another process's that had the same pid. */
const STARTED = Date.now() - 1000;

/** onnxruntime's debug log of process `pid`, wherever a temporary folder may be. */
function debugLogOf(pid: number): string[] {
  return ['/tmp', tmpdir(), TEMP].map((dir) => join(dir, `mat-debug-${pid}.log`)).filter((file) => existsSync(file) && statSync(file).mtimeMs >= STARTED);
}

describe('measure writes and sends nothing', { skip: process.platform === 'win32' && 'telemetry files are a Linux/macOS matter' }, () => {
  it('a session created in this process leaves no telemetry files', async () => {
    const { ort } = await import('einsight-server/measure/onnxruntime');
    const { GraphBuilder } = await import('einsight-server/measure/graph-builder');
    const graph = new GraphBuilder('privacy');
    graph.input('x0', [2, 2]);
    graph.output(graph.node('Relu', ['x0'], [2, 2]));
    const session = await ort.InferenceSession.create(graph.encode('privacy test'));
    await session.run({ x0: new ort.Tensor('float32', new Float32Array([1, -1, 2, -2]), [2, 2]) });
    await session.release();
    assert.deepEqual(contents(HOME), []);
    assert.deepEqual(debugLogOf(process.pid), []);
  });

  it('the runner child leaves no telemetry files', async () => {
    const { measure } = await import('einsight-server/measure/measure');
    const { problemFromContraction } = await import('einsight-server/measure/problem');
    const { bindShapes, parseEquation } = await import('einsight-server/core/equation');
    const problem = problemFromContraction(bindShapes(parseEquation('ij,jk,kl->il'), [[8, 16], [16, 32], [32, 4]]));
    let runner = 0;
    const report = await measure(problem, { runs: 2, warmup: 1, onSpawn: (pid) => (runner = pid) });
    assert.equal(report.agree, true);
    assert.ok(runner > 0);
    assert.deepEqual(contents(HOME), []);
    assert.deepEqual(debugLogOf(runner), []);
  });

  const cli = (args: string[], input = '') =>
    spawnSync(process.execPath, [CLI, 'measure', ...args, '--runs', '2', '--budget', '0.01'], {
      env: { ...process.env, HOME, TMPDIR: TEMP, ORT_DISABLE_TELEMETRY: '' },
      encoding: 'utf8',
      input,
    });

  it('einsight measure, run as a user runs it, leaves HOME and TMPDIR as they were', () => {
    const result = cli(['--equation', 'ij,jk->ik', '--shapes', '4x5,5x6']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(contents(HOME), []);
    assert.deepEqual(contents(TEMP), []);
  });

  it('so does measuring in the library: numpy through Python, tfjs through Node (the scripts go in on stdin)', { skip: PYTHON === null && 'no Python with numpy' }, () => {
    const python = cli(['--equation', 'ij,jk,k->i', '--shapes', '8x8,8x8,8', '--library', 'numpy', '--python', PYTHON as string, '--json']);
    assert.equal(JSON.parse(python.stdout).native.status, 'measured', python.stdout);
    const tfjs = cli([`${join(REPO_ROOT, 'model.ts')}:3`, '--stdin', '--json'], "import * as tf from '@tensorflow/tfjs';\nconst a = tf.randomNormal([8, 8]);\nconst y = tf.einsum('ij,jk->ik', a, a);\n");
    assert.equal(JSON.parse(tfjs.stdout).native.status, 'measured', tfjs.stdout);
    assert.deepEqual(contents(HOME), []);
    assert.deepEqual(contents(TEMP), []);
  });
});
