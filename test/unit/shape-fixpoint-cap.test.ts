/**
 * The cap on the shape fixed point: it counts the analyses since the program last changed over
 * every call, so the background index, stepping with small limits and deadlines, ends exactly
 * where one unlimited run ends and never steps forever; and a fixed point stopped by its cap
 * leaves what it has not settled unknown, never a half-iterated value stated as fact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { PythonDocument } from 'einsight-server/analysis/python/analyze';
import { FixedPoint } from 'einsight-server/analysis/shapes/fixpoint';
import { SymbolTable } from 'einsight-server/analysis/shapes/sizes';
import type { Value } from 'einsight-server/analysis/shapes/values';
import { PythonWorkspace } from 'einsight-server/analysis/python/workspace';

/**
 * Each parameter takes the next one's value in the recursive call: a size that grows reaches
 * `p0` only after `count` rounds, more than the cap allows (12 analyses per unit of the workspace).
 */
function rotating(count: number): string {
  const names = Array.from({ length: count }, (_, i) => `p${i}`);
  return [
    'import numpy as np',
    '',
    `def f(${names.join(', ')}):`,
    "    out = np.einsum('ij,jk->ik', p0, p1)",
    `    return f(${names.slice(1).join(', ')}, np.concatenate([p0, p0]))`,
    '',
    `f(${names.map(() => 'np.ones((2, 2))').join(', ')})`,
    '',
  ].join('\n');
}

const SETTLING = `import numpy as np
from pkg.rot import f


def g(a, b):
    return np.einsum('ij,jk->ik', a, b)


g(np.ones((3, 4)), np.ones((4, 5)))
g(np.ones((6, 4)), np.ones((4, 5)))
`;

async function workspace(): Promise<PythonWorkspace> {
  const made = await PythonWorkspace.create();
  made.setRoots(['/ws']);
  made.add('/ws/pkg/rot.py', rotating(80));
  made.add('/ws/pkg/use.py', SETTLING);
  return made;
}

function comparable(analysis: FileAnalysis | null): string {
  return JSON.stringify(analysis, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
}

const FILES = ['/ws/pkg/rot.py', '/ws/pkg/use.py'];

const text = (value: string): Value => ({ t: 'str', value });
const ORIGIN = { kind: 'unknown', at: null, detail: 'x' } as const;
/** Units are objects, as the analysis's are: a forgotten one is held weakly. */
interface Unit {
  key: string;
}

describe('the shape fixed point under its cap', () => {
  it('steps with small limits and deadlines to exactly what one unlimited run gives', async () => {
    const whole = await workspace();
    try {
      whole.shapes();
      const expected = FILES.map((file) => comparable(whole.analyze(file)));
      // Unknown beats wrong: p0 had not settled at the cap (it is (2, 2) only on the first call).
      const rot = whole.analyze('/ws/pkg/rot.py')!;
      assert.equal(rot.sites.length, 1);
      assert.equal(rot.sites[0].operands[0].shape, null);
      // The program that settles keeps its shapes.
      assert.deepEqual(
        whole.analyze('/ws/pkg/use.py')!.sites[0].operands.map((operand) => operand.shape?.dims ?? null),
        [['a.shape[0]', 4], [4, 5]],
      );
      for (const [units, ms] of [[1, 0], [1, 50], [200, 0], [200, 50]]) {
        const sliced = await workspace();
        try {
          let steps = 0;
          while (!sliced.step(units, ms)) steps++;
          // Four units (two modules, f and g): 48 analyses, then a few with f's inputs unknown.
          assert.ok(steps <= 2 * 4 * 12, `${steps} steps of ${units} units, ${ms} ms`);
          assert.deepEqual(FILES.map((file) => comparable(sliced.analyze(file))), expected, `${units} units, ${ms} ms`);
        } finally {
          sliced.dispose();
        }
      }
    } finally {
      whole.dispose();
    }
  });

  it('counts the cap afresh after a change, and steps to the end again', async () => {
    const edited = await workspace();
    try {
      while (!edited.step(1, 0));
      edited.add('/ws/pkg/use.py', SETTLING.replace('(6, 4)', '(7, 4)'));
      let steps = 0;
      while (!edited.step(1, 0)) steps++;
      assert.ok(steps > 0 && steps <= 2 * 4 * 12, `${steps} steps`);
      assert.equal(edited.analysis.fixed.gaveUp, false);
      assert.deepEqual(
        edited.analyze('/ws/pkg/use.py')!.sites[0].operands.map((operand) => operand.shape?.dims ?? null),
        [['a.shape[0]', 4], [4, 5]],
      );
    } finally {
      edited.dispose();
    }
  });

  it('makes a cell that never settles unknown once the cap is reached', () => {
    const fixed = new FixedPoint<Unit>(new SymbolTable(), (unit) => unit.key);
    let round = 0;
    // Reads the cell and contributes a new string to it every time: widening does not stop strings.
    const analyse = (unit: Unit): void => {
      fixed.read('cell', unit);
      fixed.contribute('cell', unit.key, 'here', text(`v${round++}`), 'cell', ORIGIN);
    };
    fixed.schedule({ key: 'unit' });
    let steps = 0;
    while (!fixed.run(analyse, 1, 1, 0)) steps++;
    // Twelve analyses (the cap of a one-unit program), then the cell is unknown and one more settles it.
    assert.equal(round, 13);
    assert.equal(steps, 12);
    assert.deepEqual(fixed.read('cell', null), { t: 'unknown' });
    assert.equal(fixed.gaveUp, false);
  });

  it('gives up after twice the cap when even unknown cells do not settle it, in bounded steps', () => {
    const fixed = new FixedPoint<Unit>(new SymbolTable(), (unit) => unit.key);
    let analyses = 0;
    const analyse = (unit: Unit): void => {
      analyses++;
      fixed.schedule(unit);
    };
    fixed.schedule({ key: 'unit' });
    let steps = 0;
    while (!fixed.run(analyse, 1, 1, Infinity)) steps++;
    // 24 calls of one analysis each; the last says it is done (given up).
    assert.equal(analyses, 24);
    assert.equal(steps, 23);
    assert.equal(fixed.gaveUp, true);
    // Asked again without a change, it stays given up and analyses nothing.
    assert.equal(fixed.run(analyse, 1, 1), true);
    assert.equal(analyses, 24);
    // A change counts afresh.
    fixed.restart();
    assert.equal(fixed.gaveUp, false);
    assert.equal(fixed.run(analyse, 1, 1), false);
    assert.equal(analyses, 25);
  });

  it('neither analyses nor counts a forgotten unit, queued or reading a cell that changes', () => {
    const fixed = new FixedPoint<Unit>(new SymbolTable(), (unit) => unit.key);
    const gone = Array.from({ length: 20 }, (_, i) => ({ key: `gone${i}` }));
    const live = { key: 'live' };
    const analysed: string[] = [];
    const analyse = (unit: Unit): void => {
      analysed.push(unit.key);
      fixed.read('cell', unit);
    };
    for (const unit of gone) fixed.schedule(unit);
    assert.equal(fixed.run(analyse, 21), true);
    analysed.length = 0;
    // The gone units read the cell; a change to it must not schedule them, nor may those still
    // queued be analysed or count against the live program's cap (one unit: 12 analyses).
    fixed.restart();
    for (const unit of gone) {
      fixed.schedule(unit);
      fixed.forget(unit);
    }
    fixed.schedule(live);
    fixed.contribute('cell', 'live', 'here', text('changed'), 'cell', ORIGIN);
    assert.equal(fixed.run(analyse, 1), true);
    assert.deepEqual(analysed, ['live']);
    assert.equal(fixed.gaveUp, false);
  });

  it('keeps a small text known after a large one with many functions is replaced by it', async () => {
    // Found by the fuzz: the large text's functions read the global np; when np went away two
    // texts later, they were scheduled again though gone, used up the small text's cap (12
    // analyses for its one unit), and the analysis gave up: every shape became unknown.
    const large = `${Array.from({ length: 30 }, (_, i) => `def f${i}():\n    return np.ones(3)\n`).join('')}import numpy as np\n`;
    const small = 'import numpy as np\n';
    const edited = "import numpy as xp\nr = xp.einsum('ij,jk->ik', xp.ones((4, 5)), xp.ones((5, 6)))\n";
    const document = await PythonDocument.open();
    try {
      document.analyze(large, null);
      document.analyze(small, null);
      const analysis = document.analyze(edited, [{ start: 0, end: small.length, text: edited }]);
      assert.equal(analysis.sites[0].baseline?.flops, 2n * 4n * 5n * 6n);
    } finally {
      document.dispose();
    }
  });
});
