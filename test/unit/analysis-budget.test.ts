/**
 * Each file's analysis has a time limit (`timeLimitMs`, `--time-limit`): past it, calls are not
 * read and sites not priced, what was done is kept, and the file says it is not fully
 * analysed, from the first call left out. Expiry is driven here by a mocked clock check, not
 * by real time, so the tests say exactly what is kept.
 */
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { AnalysisBudget } from 'einsight-server/analysis/budget';
import { PythonDocument, analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { runCli } from '../support/cli';

const root = fs.mkdtempSync(join(tmpdir(), 'einsight-budget-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Ten einsum calls and no other call: the reader's checks count exactly these. */
function pythonFile(n = 10): string {
  let text = 'import numpy as np\n# einsight: a[10, 20] b[20, 30] c[30, 40]\n';
  for (let i = 0; i < n; i++) text += `y${i} = np.einsum("ij,jk,kl->il", a, b, c)\n`;
  return text;
}

/** Runs `analyse` with a clock that runs out after `checks` checks of the budget. */
async function expiringAfter<T>(checks: number, analyse: () => T | Promise<T>): Promise<T> {
  let seen = 0;
  const clock = mock.getter(AnalysisBudget.prototype, 'expired', () => ++seen > checks);
  try {
    return await analyse();
  } finally {
    clock.mock.restore();
  }
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

describe('the time limit on a file’s analysis', () => {
  it('with no time at all, nothing is read and the file says so from the first call', async () => {
    const text = pythonFile();
    const analysis = await analyzePython(text, { timeLimitMs: 0 });
    assert.equal(analysis.sites.length, 0);
    assert.equal(
      analysis.incomplete?.reason,
      'not fully analysed: too large to analyse within the 0 ms limit (10 calls); 10 calls not read, from here on',
    );
    assert.equal(lineOf(text, analysis.incomplete!.range.start), 3);
  });

  it('time running out while reading keeps the calls read, and prices none after', async () => {
    const text = pythonFile();
    const analysis = await expiringAfter(4, () => analyzePython(text, { timeLimitMs: 60_000 }));
    assert.equal(analysis.sites.length, 4);
    assert.ok(analysis.sites.every((s) => s.baseline === null));
    assert.deepEqual(analysis.findings, []);
    assert.equal(
      analysis.incomplete?.reason,
      'not fully analysed: too large to analyse within the 60 s limit (10 calls); 6 calls not read, 4 contractions of 4 not priced, from here on',
    );
    assert.equal(lineOf(text, analysis.incomplete!.range.start), 3);
  });

  it('time running out while pricing keeps the costs and findings of the sites priced', async () => {
    const text = pythonFile();
    const analysis = await expiringAfter(12, () => analyzePython(text.replaceAll('a, b, c', 'a, b, c '), { timeLimitMs: 60_000 }));
    assert.equal(analysis.sites.length, 10);
    assert.deepEqual(analysis.sites.map((s) => s.baseline?.flops ?? null), [720000n, 720000n, null, null, null, null, null, null, null, null]);
    assert.deepEqual(analysis.findings.map((f) => f.code), ['EIN001', 'EIN001']);
    assert.equal(analysis.incomplete?.reason.endsWith('8 contractions of 10 not priced, from here on'), true);
    assert.deepEqual(analysis.incomplete?.range, analysis.sites[2].range);
  });

  it('an editor document does not keep a reading cut short: the next analysis is whole', async () => {
    const text = `import numpy as np\n# einsight: a[10, 20] b[20, 30] c[30, 40]\ndef f():\n    return np.einsum("ij,jk,kl->il", a, b, c)\n`;
    const document = await PythonDocument.open();
    try {
      assert.equal((await expiringAfter(0, () => document.analyze(text, null, {}))).sites.length, 0);
      const edited = `${text}x = 1\n`;
      const again = document.analyze(edited, [{ start: text.length, end: text.length, text: 'x = 1\n' }], {});
      assert.equal(again.incomplete, undefined);
      assert.deepEqual(again.sites.map((s) => s.baseline?.flops), [720000n]);
    } finally {
      document.dispose();
    }
  });

  it('TypeScript: the same limit, the same report', async () => {
    let text = "import * as tf from '@tensorflow/tfjs';\ndeclare const a: tf.Tensor, b: tf.Tensor;\n// einsight: a[10, 20] b[20, 30]\n";
    for (let i = 0; i < 5; i++) text += `export const y${i} = tf.einsum('ij,jk->ik', a, b);\n`;
    const analysis = await expiringAfter(2, () => analyzeTypeScript(text, { timeLimitMs: 1500 }));
    assert.equal(analysis.sites.length, 2);
    assert.equal(
      analysis.incomplete?.reason,
      'not fully analysed: too large to analyse within the 1.5 s limit (5 calls); 3 calls not read, 2 contractions of 2 not priced, from here on',
    );
    assert.equal(lineOf(text, analysis.incomplete!.range.start), 4);
  });
});

describe('--time-limit in einsight check and fix', () => {
  const file = join(root, 'generated.py');
  fs.writeFileSync(file, pythonFile(3000));

  it('check names the file as not fully analysed, in text, JSON and SARIF (exit 1)', async () => {
    const text = await runCli(['check', file, '--time-limit', '0.001']);
    assert.equal(text.code, 1);
    assert.match(text.stderr, new RegExp(`^${file}:3:6: not fully analysed: too large to analyse within the 1 ms limit \\(\\d[\\d,]* calls\\); `, 'm'));
    const json = JSON.parse((await runCli(['check', file, '--time-limit', '0.001', '--format', 'json'])).stdout);
    assert.equal(json.notAnalysed.length, 1);
    assert.match(json.notAnalysed[0].reason, /^not fully analysed: too large/);
    assert.equal(json.notAnalysed[0].file, file);
    const sarif = JSON.parse((await runCli(['check', file, '--time-limit', '0.001', '--format', 'sarif'])).stdout);
    const [notification] = sarif.runs[0].invocations[0].toolExecutionNotifications;
    assert.equal(notification.level, 'warning');
    assert.match(notification.message.text, /^not fully analysed: too large/);
    assert.deepEqual(notification.locations[0].physicalLocation.region, { startLine: 3, startColumn: 6, endLine: 3, endColumn: 40 });
  });

  it('a whole analysis lists nothing as not analysed', async () => {
    const json = JSON.parse((await runCli(['check', file, '--format', 'json'])).stdout);
    assert.deepEqual(json.notAnalysed, []);
    assert.equal(json.sites.length, 3000);
  });

  it('fix leaves a file not fully analysed untouched', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const result = await runCli(['fix', '--write', file, '--time-limit', '0.001']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /not fully analysed: too large .*; left as it is\n$/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('a time limit that is not a positive number of seconds is a usage error', async () => {
    for (const bad of ['0', '-1', 'ten', '1e3', '100000']) {
      const result = await runCli(['check', file, '--time-limit', bad]);
      assert.equal(result.code, 2, bad);
      assert.match(result.stderr, /--time-limit expects a number of seconds above 0/);
    }
  });
});
