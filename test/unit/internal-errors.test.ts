/**
 * A defect inside einsight (injected here) is never swallowed: the analysis throws, and the
 * CLI names the file as not analysed with the stack to report, while the other files are
 * still checked. (The language server's side, logging and a 'failed' status, is in
 * lsp-service.test.ts.) Before, reading a function or pricing a site caught every error and
 * returned nothing: "0 contraction sites", with no word of why.
 */
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import baseline = require('einsight-server/analysis/baseline');
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { ConstantEvaluator as PythonConstants } from 'einsight-server/analysis/python/constants';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { ConstantEvaluator as TypeScriptConstants } from 'einsight-server/analysis/typescript/constants';
import { runCli } from '../support/cli';

const root = fs.mkdtempSync(join(tmpdir(), 'einsight-defects-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

class Defect extends TypeError {
  constructor() {
    super('injected defect');
  }
}
const thrower = () => {
  throw new Defect();
};

const PY = 'import numpy as np\nx = 2 * np.einsum("ij,jk,kl->il", np.ones((11, 21)), np.ones((21, 31)), np.ones((31, 41)))\n';
const TS = "import * as tf from '@tensorflow/tfjs';\nexport const x = tf.mul(tf.einsum('ij,jk->ik', tf.ones([12, 22]), tf.ones([22, 32])), 2);\n";

describe('internal errors are reported, never swallowed', () => {
  it('a defect while reading Python code fails the analysis', async () => {
    const evaluate = mock.method(PythonConstants.prototype, 'evaluate', thrower);
    try {
      await assert.rejects(analyzePython(PY), Defect);
    } finally {
      evaluate.mock.restore();
    }
    assert.equal((await analyzePython(PY)).sites.length, 1);
  });

  it('a defect while reading TypeScript code fails the analysis', () => {
    const evaluate = mock.method(TypeScriptConstants.prototype, 'evaluate', thrower);
    try {
      assert.throws(() => analyzeTypeScript(TS), Defect);
    } finally {
      evaluate.mock.restore();
    }
    assert.equal(analyzeTypeScript(TS).sites.length, 1);
  });

  it('a defect while pricing a site fails the analysis instead of leaving the site unpriced', async () => {
    const cost = mock.method(baseline, 'baselineCost', thrower);
    try {
      // Sizes no other test prices: the cost cache must not answer.
      await assert.rejects(analyzePython(PY.replace('(11, 21)', '(13, 21)')), Defect);
    } finally {
      cost.mock.restore();
    }
  });

  it('einsight check names the file as not analysed, with the stack, and checks the others', async () => {
    const dir = join(root, 'check');
    fs.mkdirSync(dir);
    fs.writeFileSync(join(dir, 'a.py'), PY);
    fs.writeFileSync(join(dir, 'b.ts'), TS.replace('tf.ones([12', 'tf.ones([1000'));
    const evaluate = mock.method(PythonConstants.prototype, 'evaluate', thrower);
    let result;
    try {
      result = await runCli(['check', dir]);
    } finally {
      evaluate.mock.restore();
    }
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^einsight check: '.*a\.py' not analysed: internal error in einsight \(please report it\): TypeError: injected defect\n\s+at /);
    assert.match(result.stdout, /in 1 file \(1 contraction site\)\.\n$/);
  });

  it('einsight fix leaves the file untouched and says why', async () => {
    const file = join(root, 'fix.py');
    fs.writeFileSync(file, PY);
    const evaluate = mock.method(PythonConstants.prototype, 'evaluate', thrower);
    let result;
    try {
      result = await runCli(['fix', '--write', file]);
    } finally {
      evaluate.mock.restore();
    }
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^einsight fix: '.*fix\.py' not analysed, left untouched: internal error in einsight \(please report it\): TypeError: injected defect/);
    assert.equal(fs.readFileSync(file, 'utf8'), PY);
  });
});
