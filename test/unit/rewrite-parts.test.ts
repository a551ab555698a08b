/** The pieces of the rewrite engine: names, labels, trees, hoisting, statement removal, edits, parsing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Contraction } from 'einsight-server/core/contraction';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { applyEdits, editsConflict, mergeTouching } from 'einsight-server/rewrite/edits';
import { einsumCall, type EinsumStyle } from 'einsight-server/rewrite/emit';
import { deleteStatement } from 'einsight-server/rewrite/hoist';
import { relabel, stepEquation } from 'einsight-server/rewrite/labels';
import { NameAllocator } from 'einsight-server/rewrite/names';
import { emitPairwise, type LeafInput } from 'einsight-server/rewrite/pairwise';
import { contractionTree, leafOrder } from 'einsight-server/rewrite/plan';
import { parsesAfter, prepareRewrites, pythonSource } from 'einsight-server/rewrite/python-parsers';
import { RewriteRefusal } from 'einsight-server/rewrite/refusal';
import { walk, type PyNode } from 'einsight-server/analysis/python/syntax';
import type { OperandEffect } from 'einsight-server/analysis/python/effects';

function contraction(equation: string, shapes: number[][]): Contraction {
  return bindShapes(parseEquation(equation), shapes);
}

const NUMPY: EinsumStyle = { callee: 'np.einsum', labels: 'letters', equationLast: false, quote: "'", keywords: '' };

function leaf(text: string, order: number, effect: OperandEffect = 'stable'): LeafInput {
  return { text, valueText: text, effect, order, tight: true };
}

test('fresh names avoid the file, keywords and builtins, and each other', () => {
  const names = new NameAllocator(['t_ik', 'x']);
  assert.equal(names.fresh('t_ik'), 't_ik_2');
  assert.equal(names.fresh('t_ik'), 't_ik_3');
  assert.equal(names.fresh('sum'), 'sum_2');
  assert.equal(names.fresh('lambda'), 'lambda_2');
  assert.equal(names.fresh('1x'), 't_1x');
  assert.equal(names.fresh('a-b'), 'a_b');
});

test('labels keep valid letters and rename clashes and invalid ones', () => {
  const c: Contraction = { ...contraction('ij,jk->ik', [[2, 3], [3, 4]]), labels: ['i', 'i', 'é'] };
  const lc = relabel(c, 'letters');
  assert.deepEqual(lc.contraction.labels, ['i', 'a', 'b']);
  assert.equal(stepEquation(lc, lc.contraction.inputs, lc.contraction.output), 'ia,ab->ib');
  const named = relabel({ ...c, labels: ['batch', 'batch', 'x y'] }, 'named');
  assert.deepEqual(named.contraction.labels, ['batch', 'batch_2', 'xy']);
  assert.equal(stepEquation(named, named.contraction.inputs, named.contraction.output), 'batch batch_2, batch_2 xy -> batch xy');
});

test('more than 52 distinct labels cannot be written with letters', () => {
  const labels = Array.from({ length: 53 }, (_, i) => `L${i}`);
  const c: Contraction = { inputs: [labels.map((_, i) => i)], output: [0], labels, sizes: labels.map(() => ({ value: 2, symbol: null })) };
  assert.throws(() => relabel(c, 'letters'), RewriteRefusal);
});

test('trees order children by their first operand and keep broadcast labels together', () => {
  const c = contraction('...ij,kl,...jk->...il', [[5, 2, 3], [4, 6], [5, 3, 4]]);
  const root = contractionTree(c, [[0, 2], [0, 1]]);
  assert.deepEqual(leafOrder(root), [0, 2, 1]);
  const inner = root.children[0];
  assert.equal(inner.kind, 'step');
  const lc = relabel(c, 'letters');
  assert.equal(stepEquation(lc, inner.kind === 'step' ? inner.children.map((n) => n.labels) : [], inner.labels), '...ij,...jk->...ik');
});

test('calls that would run out of order are hoisted, in source order', () => {
  const c = contraction('ij,kl,jk->il', [[2, 40], [40, 40], [40, 40]]);
  const request = {
    contraction: c,
    root: contractionTree(c, [[0, 2], [0, 1]]),
    leaves: [leaf('A', 0), leaf('f()', 10, 'effect'), leaf('g()', 20, 'effect')],
    style: NUMPY,
    names: new NameAllocator([]),
    hoist: { offset: 0, indent: '', inline: false, newline: '\n', effects: true },
  };
  assert.deepEqual(emitPairwise(request), {
    lines: ['op1 = f()', 'op2 = g()'],
    expression: "np.einsum('ik,kl->il', np.einsum('ij,jk->ik', A, op2), op1)",
  });
  assert.throws(() => emitPairwise({ ...request, hoist: null }), RewriteRefusal);
});

test('an operand call runs before any contraction: it may modify an earlier operand in place', () => {
  const c = contraction('ab,bc,cd->ad', [[2, 40], [40, 40], [40, 3]]);
  const request = {
    contraction: c,
    root: contractionTree(c, [[0, 1], [0, 1]]),
    leaves: [leaf('A', 0), leaf('B', 10), leaf('bump(A)', 20, 'effect')],
    style: NUMPY,
    names: new NameAllocator([]),
    hoist: { offset: 0, indent: '', inline: false, newline: '\n', effects: true },
  };
  assert.deepEqual(emitPairwise(request), {
    lines: ['op2 = bump(A)'],
    expression: "np.einsum('ac,cd->ad', np.einsum('ab,bc->ac', A, B), op2)",
  });
  assert.throws(() => emitPairwise({ ...request, hoist: null }), /operands that run code would be evaluated in another order or after a contraction/);
});

test('a read a call could change keeps its place before the call; no temporary when the tree already keeps it', () => {
  const c = contraction('ab,bc,cd->ad', [[40, 2], [2, 40], [40, 3]]);
  const request = {
    contraction: c,
    root: contractionTree(c, [[1, 2], [0, 1]]),
    leaves: [leaf('self.W', 0, 'read'), leaf('f()', 10, 'effect'), leaf('B', 20)],
    style: NUMPY,
    names: new NameAllocator([]),
    hoist: { offset: 0, indent: '', inline: false, newline: '\n', effects: true },
  };
  assert.deepEqual(emitPairwise(request), { lines: [], expression: "np.einsum('ab,bd->ad', self.W, np.einsum('bc,cd->bd', f(), B))" });
  const later = { ...request, root: contractionTree(c, [[0, 1], [0, 1]]), leaves: [leaf('f()', 0, 'effect'), leaf('self.W', 10, 'read'), leaf('B', 20)] };
  assert.deepEqual(emitPairwise(later), { lines: [], expression: "np.einsum('ac,cd->ad', np.einsum('ab,bc->ac', f(), self.W), B)" });
});

test('einops puts the pattern last', () => {
  assert.equal(einsumCall({ callee: 'einops.einsum', labels: 'named', equationLast: true, quote: '"', keywords: '' }, 'a b -> b', ['x']), 'einops.einsum(x, "a b -> b")');
});

function nodeOf(text: string, type: string, needle: string): PyNode {
  const source = pythonSource(text);
  let found: PyNode | null = null;
  walk(source.module, (n) => {
    if (!found && n.type === type && source.textOf(n) === needle) found = n;
  });
  assert.ok(found, `no ${type} '${needle}'`);
  return found;
}

test('temporaries go before the statement only where nothing else moves', async () => {
  await prepareRewrites();
  const call = 'f(a)';
  const hoistable = (text: string) => pythonSource(text).hoistPoint(nodeOf(text, 'call', call)) !== null;
  assert.equal(hoistable('y = f(a)\n'), true);
  assert.equal(hoistable('def g():\n    return 1 + f(a)\n'), true);
  assert.equal(hoistable('x = 1; y = f(a)\n'), true);
  assert.equal(hoistable('y = g() + f(a)\n'), false, 'g() runs first');
  assert.equal(hoistable('y = [f(a) for _ in r]\n'), false, 'comprehension');
  assert.equal(hoistable('h = lambda: f(a)\n'), false, 'lambda');
  assert.equal(hoistable('y = b if c else f(a)\n'), false, 'conditional branch');
  assert.equal(hoistable('y = c or f(a)\n'), false, 'short circuit');
  assert.equal(hoistable('y = f(a) or c\n'), true, 'left of or always runs');
  assert.equal(hoistable('class K:\n    y = f(a)\n'), false, 'class body');
  assert.equal(hoistable('if c: y = f(a)\n'), false, 'one-line body');
  assert.equal(hoistable('while f(a):\n    pass\n'), false, 'loop condition');
  assert.equal(hoistable('x[g()] += f(a)\n'), false, 'target with a call');
  const point = pythonSource('def g():\n\tif c:\n\t\ty = f(a)\n').hoistPoint(nodeOf('def g():\n\tif c:\n\t\ty = f(a)\n', 'call', call));
  assert.deepEqual(point, { offset: 18, indent: '\t\t', inline: false, newline: '\n', effects: true });
  // After a read an operand call could change, only contractions may move before the statement.
  const effectsAllowed = (text: string) => pythonSource(text).hoistPoint(nodeOf(text, 'call', call))?.effects;
  assert.equal(effectsAllowed('x = 1\ny = x + f(a)\n'), true, 'a local name no call can rebind');
  assert.equal(effectsAllowed('class M:\n    def __init__(self):\n        self.b = 1\n\n    def g(self):\n        return self.b + f(a)\n'), false, 'a plain attribute read');
  assert.equal(hoistable('class M:\n    def g(self):\n        return self.b + f(a)\n'), false, 'an attribute that may be a property');
  assert.equal(effectsAllowed('acc[0] += f(a)\n'), false, 'the target is read first');
});

test('removing a statement takes its line, or its separator, and keeps a trailing comment', async () => {
  await prepareRewrites();
  const remove = (text: string, statement: string) => {
    const source = pythonSource(text);
    const start = text.indexOf(statement);
    return applyEdits(text, [deleteStatement(source, { start, end: start + statement.length })]).text;
  };
  assert.equal(remove('a = 1\nt = f()\nb = 2\n', 't = f()'), 'a = 1\nb = 2\n');
  assert.equal(remove('a = 1\n    t = f()  # why\n', 't = f()'), 'a = 1\n    # why\n');
  assert.equal(remove('t = f(); b = 2\n', 't = f()'), 'b = 2\n');
  assert.equal(remove('a = 1; t = f()\n', 't = f()'), 'a = 1\n');
  assert.equal(remove('a = 1\r\nt = f()\r\nb = 2\r\n', 't = f()'), 'a = 1\r\nb = 2\r\n');
});

test('edits: overlap is refused, touching edits merge, conflicts are detected', () => {
  assert.throws(() => applyEdits('abcdef', [{ range: { start: 1, end: 3 }, newText: 'x' }, { range: { start: 2, end: 4 }, newText: 'y' }]), RangeError);
  assert.deepEqual(
    mergeTouching([
      { range: { start: 2, end: 2 }, newText: '(' },
      { range: { start: 2, end: 3 }, newText: '' },
      { range: { start: 5, end: 5 }, newText: ')' },
    ]),
    [
      { range: { start: 2, end: 3 }, newText: '(' },
      { range: { start: 5, end: 5 }, newText: ')' },
    ],
  );
  assert.equal(editsConflict({ range: { start: 2, end: 2 }, newText: 'a' }, { range: { start: 2, end: 2 }, newText: 'b' }), true);
  assert.equal(editsConflict({ range: { start: 1, end: 3 }, newText: '' }, { range: { start: 3, end: 4 }, newText: '' }), false);
});

test('a fix that breaks the syntax is caught; errors elsewhere are tolerated', async () => {
  await prepareRewrites();
  const clean = 'y = f(a)\n';
  assert.equal(parsesAfter(clean, [{ range: { start: 4, end: 8 }, newText: 'f(a' }]), false);
  assert.equal(parsesAfter(clean, [{ range: { start: 4, end: 8 }, newText: 'g(a)' }]), true);
  assert.equal(parsesAfter(clean, [{ range: { start: 0, end: 0 }, newText: 'def h():\n    return 1\n' }]), true);
  assert.equal(parsesAfter(clean, [{ range: { start: 0, end: 0 }, newText: 'def h(:\n    return 1\n' }]), false);
  const broken = 'y = f(a)\ndef g(:\n    pass\n';
  assert.equal(parsesAfter(broken, [{ range: { start: 4, end: 8 }, newText: 'g(a)' }]), true);
  assert.equal(parsesAfter(broken, [{ range: { start: 4, end: 8 }, newText: 'g(a' }]), false);
});
