/**
 * Data-flow queries are indexed once per analysis (issue #17): before, each operand of each
 * site scanned every read of its name (and TypeScript every statement of the file), so N
 * sites sharing names cost N². Timings are in `npm run bench:scaling`; here the indexes are
 * checked against the scans they replace, the work handed to TypeScript's data flow is
 * counted, and files of 20,000 sites are analysed exactly.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { SortedByOffset } from 'einsight-server/analysis/sorted-offsets';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { MutationAnalysis } from 'einsight-server/analysis/python/mutation';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { NameResolver } from 'einsight-server/analysis/python/resolve';
import { buildScopes } from 'einsight-server/analysis/python/scopes';
import { walk, textOf, type PyNode } from 'einsight-server/analysis/python/syntax';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { FileScopes } from 'einsight-server/analysis/typescript/scopes';
import { seededRandom } from 'einsight-server/core/random';

describe('the offset index', () => {
  it('answers "between" and "from" as a scan of the unsorted items does', () => {
    const next = seededRandom(17);
    const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: int(0, 40) }, (_, i) => ({ i, at: int(0, 30) }));
      const index = new SortedByOffset(items, (item) => item.at);
      const from = int(-2, 32);
      const to = int(from, 34);
      const scanned = items.filter((item) => item.at >= from && item.at < to).map((item) => item.i).sort((a, b) => a - b);
      assert.deepEqual(index.between(from, to).map((item) => item.i).sort((a, b) => a - b), scanned);
      assert.equal(index.countFrom(from), items.filter((item) => item.at >= from).length);
    }
  });
});

describe('which binding a read sees, by binary search', () => {
  it('agrees with a scan of the bindings at every read, through loops, walruses and rebinding', async () => {
    const text = [
      'x = 1',
      'print(x)',
      'for x in range(3):',
      '    print(x)',
      '    x = x + 1',
      '    print(x)',
      'y = (x := 5) + x',
      'print(x)',
      'x = f(x := 2, x)',
      'print(x)',
      'with open(p) as x:',
      '    print(x)',
      'def g():',
      '    return x',
      'x = 3',
    ].join('\n');
    const parser = await PythonParser.create();
    try {
      const parsed = parser.parse(text);
      const facts = buildScopes(parsed.module, text);
      const resolver = new NameResolver(facts, text);
      const bindings = facts.module.bindings.get('x')!;
      const effective = (b: (typeof bindings)[number]) => (['loop', 'with', 'except', 'walrus'].includes(b.kind) ? b.node.end : b.statement.end);
      const reads: PyNode[] = [];
      walk(parsed.module, (node) => {
        if (node.type === 'identifier' && textOf(text, node) === 'x' && !bindings.some((b) => b.node === node)) reads.push(node);
      });
      assert.ok(reads.length >= 9);
      for (const read of reads) {
        const deferred = resolver.scopeAt(read) !== facts.module;
        let scanned = null;
        for (const binding of bindings) if (effective(binding) <= read.start) scanned = binding;
        const expected = deferred ? bindings[bindings.length - 1] : (scanned ?? bindings[bindings.length - 1]);
        assert.equal(resolver.resolve(read), expected, `read at ${read.start}`);
      }
    } finally {
      parser.dispose();
    }
  });
});

describe('files of 20,000 sites', () => {
  const N = 20_000;

  it('TypeScript data flow is handed each identifier a bounded number of times', () => {
    let handed = 0;
    const original = FileScopes.prototype.identifiersIn;
    const counted = mock.method(FileScopes.prototype, 'identifiersIn', function (this: FileScopes, name: string, node: Parameters<typeof original>[1]) {
      const found = original.call(this, name, node);
      handed += found.length;
      return found;
    });
    const head = "import * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([8, 8]);\nconst b = tf.ones([8, 8]);\n";
    const lines = [head];
    for (let i = 0; i < N / 2; i++) lines.push(`const t${i} = tf.einsum('ij,jk->ik', a, b);\nexport const y${i} = tf.einsum('ij,jk->ik', t${i}, b);\n`);
    let analysis;
    try {
      analysis = analyzeTypeScript(lines.join(''), { timeLimitMs: Infinity });
    } finally {
      counted.mock.restore();
    }
    assert.equal(analysis.sites.length, N);
    assert.equal(analysis.chains.length, N / 2);
    // Each of the ~3N identifiers a few times; a scan per operand hands over N² / 2 (2·10⁸ here).
    assert.ok(handed < 10 * N, `${handed} identifiers handed to data flow`);
  });

  it('Python: sites sharing operand names, and one name reassigned at every site, are analysed exactly', async () => {
    const head = 'import numpy as np\na = np.ones((8, 8))\nb = np.ones((8, 8))\nx = a\n';
    const shared = [head, ...Array.from({ length: N }, (_, i) => `y${i} = np.einsum('ij,jk->ik', a, b)\n`)].join('');
    const reassigned = [head, ...Array.from({ length: N }, () => `x = np.einsum('ij,jk->ik', x, b)\n`)].join('');
    for (const text of [shared, reassigned]) {
      const analysis = await analyzePython(text, { timeLimitMs: Infinity });
      assert.equal(analysis.sites.length, N);
      assert.ok(analysis.sites.every((s) => s.baseline?.flops === 1024n));
    }
  });
});

describe('a chain of einsums nested hundreds deep', () => {
  /** How many expressions the mutation check looks at for `depth` nested `np.einsum` calls. */
  async function pathLookups(depth: number): Promise<number> {
    const counted = mock.method(MutationAnalysis.prototype, 'pathOf');
    try {
      const text = `import numpy as np\nx = ${'np.einsum("ij->ji", '.repeat(depth)}np.ones((2, 3))${')'.repeat(depth)}\n`;
      const analysis = await analyzePython(text, { timeLimitMs: Infinity });
      assert.equal(analysis.sites.length, depth);
      return counted.mock.callCount();
    } finally {
      counted.mock.restore();
    }
  }

  it('is checked for writes in quadratic work, not cubic (400 deep took 4 s, 650 deep 70 s: found by npm run fuzz)', async () => {
    // Each link reads every operand further in; each was walked once per containing read.
    const [small, large] = [await pathLookups(150), await pathLookups(300)];
    assert.ok(large / small < 5, `${small} then ${large} lookups: doubling the depth should about quadruple them, not octuple`);
  });
});
