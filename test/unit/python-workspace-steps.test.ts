/**
 * The workspace index in slices: each `step` analyses units for a bounded time (the language
 * server answers requests between steps), makes progress however short that time is, and ends
 * where an analysis in one go ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { PythonWorkspace } from 'einsight-server/analysis/python/workspace';

const FILES = 12;

function moduleText(i: number): string {
  const previous = i > 0 ? `from pkg.mod${i - 1} import contract_${i - 1}\n` : '';
  const call = i > 0 ? `    y = contract_${i - 1}(x, np.ones((${4 + i}, 3)))\n` : '';
  return `import numpy as np\n${previous}\n\ndef contract_${i}(a, b):\n    return np.einsum("ij,jk->ik", a, b)\n\n\ndef run_${i}(batch):\n    x = np.ones((batch, ${4 + i}))\n${call}    return contract_${i}(x, np.ones((${4 + i}, 2)))\n\n\nrun_${i}(${i + 1})\n`;
}

async function indexed(): Promise<PythonWorkspace> {
  const workspace = await PythonWorkspace.create();
  workspace.setRoots(['/ws']);
  for (let i = 0; i < FILES; i++) workspace.add(`/ws/pkg/mod${i}.py`, moduleText(i));
  return workspace;
}

function comparable(analysis: FileAnalysis | null): string {
  return JSON.stringify(analysis, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
}

describe('the Python workspace index, step by step', () => {
  it('makes progress in steps with no time at all, and ends as an analysis in one go', async () => {
    const sliced = await indexed();
    const whole = await indexed();
    try {
      let steps = 0;
      while (!sliced.step(200, 0)) steps++;
      // One unit per step: every module and function of the twelve files, at least.
      assert.ok(steps >= FILES * 3, `${steps} steps`);
      whole.shapes();
      for (let i = 0; i < FILES; i++) {
        const file = `/ws/pkg/mod${i}.py`;
        assert.equal(comparable(sliced.analyze(file)), comparable(whole.analyze(file)), file);
      }
      // Sizes flowed across the files: mod5's call into mod4 is priced.
      assert.ok(sliced.analyze('/ws/pkg/mod5.py')!.sites.some((site) => site.best !== null));
    } finally {
      sliced.dispose();
      whole.dispose();
    }
  });
});
