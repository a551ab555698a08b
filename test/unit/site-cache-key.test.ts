/**
 * The cost cache is shared by every file the CLI checks and every analysis of a document: a
 * key that two different sites share gives one the other's costs. Found by the Python fuzz.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CostCache, evaluate } from 'einsight-server/analysis/evaluate';
import { readPython } from 'einsight-server/analysis/python/front-end';
import { PythonParser } from 'einsight-server/analysis/python/parser';

const CHAIN = "np.einsum('ij,jk,kl,lm->im', a, b, c, d";

describe('the site key of the cost cache', () => {
  it('tells an optimize= argument it cannot read from no optimize= argument', async () => {
    const parser = await PythonParser.create();
    try {
      const analyse = (text: string, cache: CostCache) => evaluate(readPython(parser.parse(text), {}, null, null), {}, cache);
      const withPath = `import numpy as np\npath = np.einsum_path('ij,jk,kl,lm->im', a, b, c, d)[0]\nr = ${CHAIN}, optimize=path)\n`;
      const without = `import numpy as np\nr = ${CHAIN})\n`;
      const shared = new CostCache();
      const first = analyse(withPath, shared).sites.at(-1)!;
      const second = analyse(without, shared).sites[0];
      const alone = analyse(without, new CostCache()).sites[0];
      // Without optimize numpy runs one loop over every index; with a path computed elsewhere it does not.
      assert.equal(alone.baseline?.method, 'naive');
      assert.notEqual(first.baseline?.method, 'naive');
      assert.equal(second.baseline?.method, 'naive');
      assert.equal(second.baseline?.flops, alone.baseline?.flops);
      assert.deepEqual(second.diagnostics.map((d) => d.code), alone.diagnostics.map((d) => d.code));
    } finally {
      parser.dispose();
    }
  });
});
