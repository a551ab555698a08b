/**
 * What the shape analysis records per expression lives in arrays the syntax nodes point into
 * (recorded-values.ts), not in node-keyed maps. These tests hold it to what the maps gave: a
 * value is current only while the run of its unit that recorded it is that unit's latest, a
 * unit that is gone has none, a freed entry never answers for another node, and two analyses
 * of one tree (each analysis of a document is a new one) keep their values apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnitCache, readPython } from 'einsight-server/analysis/python/front-end';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { PythonProgram, type PythonModule } from 'einsight-server/analysis/python/program';
import { RecordedValues } from 'einsight-server/analysis/python/recorded-values';
import { ShapeAnalysis } from 'einsight-server/analysis/python/shape-analysis';
import { buildScopes } from 'einsight-server/analysis/python/scopes';
import { walk, type PyNode } from 'einsight-server/analysis/python/syntax';
import type { Unit } from 'einsight-server/analysis/python/frame';
import type { Value } from 'einsight-server/analysis/shapes/values';

function node(start: number): PyNode {
  return { type: 'identifier', named: true, field: null, start, end: start + 1, children: [], parent: null, missing: false, recordIndex: -1 };
}

const unitA = { kind: 'module', module: {} as PythonModule } as Unit;
const unitB = { kind: 'module', module: {} as PythonModule } as Unit;
const int = (value: number): Value => ({ t: 'int', dim: { size: { coefficient: BigInt(value), symbols: [] } } }) as unknown as Value;

describe('recorded values', () => {
  it('keeps a value while the run that recorded it is its unit’s latest, and frees what the next run did not reach', () => {
    const store = new RecordedValues();
    const [x, y] = [node(0), node(1)];
    const first = store.begin(unitA);
    store.set(x, int(1), first.stamp);
    store.set(y, int(2), first.stamp);
    store.finish(first.previous);
    assert.deepEqual([store.get(x), store.get(y)], [int(1), int(2)]);
    const second = store.begin(unitA);
    // While the second run goes on, nothing of the first is current.
    assert.equal(store.get(x), null);
    store.set(x, int(3), second.stamp);
    store.finish(second.previous);
    assert.deepEqual([store.get(x), store.get(y)], [int(3), null]);
    // y's freed entry goes to the next node recorded; y does not read it.
    const z = node(2);
    const third = store.begin(unitB);
    store.set(z, int(4), third.stamp);
    store.finish(third.previous);
    assert.equal(z.recordIndex, y.recordIndex);
    assert.deepEqual([store.get(x), store.get(y), store.get(z)], [int(3), null, int(4)]);
    // A node recorded last by another unit stays with that unit's run.
    const fourth = store.begin(unitB);
    store.set(x, int(5), fourth.stamp);
    store.finish(fourth.previous);
    const fifth = store.begin(unitA);
    store.finish(fifth.previous);
    assert.deepEqual([store.get(x), store.get(z)], [int(5), null]);
    store.withdraw(unitB);
    assert.equal(store.get(x), null);
  });

  it('forgets a node recorded by a unit that never ran, as a stale stamp did', () => {
    const store = new RecordedValues();
    const x = node(0);
    const run = store.begin(unitA);
    store.set(x, int(1), run.stamp);
    store.set(x, int(2), store.current(unitB));
    assert.equal(store.get(x), null);
  });

  it('keeps the values of two stores of one tree apart, the second by node', () => {
    const [one, two] = [new RecordedValues(), new RecordedValues()];
    const x = node(0);
    const a = one.begin(unitA);
    const b = two.begin(unitA);
    one.set(x, int(1), a.stamp);
    two.set(x, int(2), b.stamp);
    const index = x.recordIndex;
    one.set(x, int(3), a.stamp);
    assert.deepEqual([one.get(x), two.get(x)], [int(3), int(2)]);
    assert.equal(x.recordIndex, index);
    two.withdraw(unitA);
    assert.deepEqual([one.get(x), two.get(x)], [int(3), null]);
  });

  it('never reads another store’s entry through the index a node took first', () => {
    const [one, two] = [new RecordedValues(), new RecordedValues()];
    const [x, y] = [node(0), node(1)];
    const a = one.begin(unitA);
    const b = two.begin(unitA);
    // Both nodes take index 0, each of another store.
    one.set(x, int(1), a.stamp);
    two.set(y, int(2), b.stamp);
    assert.deepEqual([x.recordIndex, y.recordIndex], [0, 0]);
    assert.deepEqual([one.get(y), two.get(x)], [null, null]);
    one.set(y, int(3), a.stamp);
    two.set(x, int(4), b.stamp);
    assert.deepEqual([one.get(x), one.get(y), two.get(x), two.get(y)], [int(1), int(3), int(4), int(2)]);
  });
});

const MODULE = `import numpy as np
x = np.ones((2, 3))
w = np.zeros((3, 4))
y = np.einsum('ij,jk->ik', x, w)
`;

describe('recorded values in the shape analysis', () => {
  it('reads the same sites and shapes when a second analysis reads a tree the first one marked', async () => {
    const parser = await PythonParser.create();
    try {
      const parsed = parser.parse(MODULE);
      const first = readPython(parsed, {}, new UnitCache(), null);
      const second = readPython(parsed, {}, new UnitCache(), null);
      assert.deepEqual(first.sites.map((s) => s.operands.map((o) => o.shape?.dims)), [[[2, 3], [3, 4]]]);
      assert.equal(JSON.stringify(second.sites), JSON.stringify(first.sites));
    } finally {
      parser.dispose();
    }
  });

  it('has no value for an expression its unit no longer reaches after an edit, and the value again once it does', async () => {
    const parser = await PythonParser.create();
    try {
      const program = new PythonProgram();
      const add = (text: string) => {
        const parsed = parser.parse(text);
        program.add('a.py', null, parsed, buildScopes(parsed.module, text));
        return parsed;
      };
      const operand = (module: PyNode, text: string) => {
        let found: PyNode | null = null;
        walk(module, (n) => {
          if (n.parent?.type === 'argument_list' && text.slice(n.start, n.end) === 'x' && text.slice(n.parent.start - 9, n.parent.start) === 'np.einsum') found = n;
        });
        return found!;
      };
      const analysis = new ShapeAnalysis(program);
      const before = add(MODULE);
      analysis.run();
      const x = operand(before.module, MODULE);
      assert.equal(analysis.valueAt(x)?.t, 'array');
      const raised = MODULE.replace('y = ', 'raise SystemExit\ny = ');
      const after = add(raised);
      analysis.run();
      const moved = operand(after.module, raised);
      // The statement's syntax node is the one kept from the first parse, now unreachable.
      assert.equal(moved, x);
      assert.equal(analysis.valueAt(moved), null);
      const again = add(MODULE);
      analysis.run();
      assert.equal(analysis.valueAt(operand(again.module, MODULE))?.t, 'array');
    } finally {
      parser.dispose();
    }
  });
});
