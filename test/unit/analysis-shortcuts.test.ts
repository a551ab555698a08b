/**
 * Caches and shortcuts that make the analysis cheaper give the very results the full work
 * gives: parsed equations shared between sites, the torch.fx scan skipped in modules whose
 * text cannot name a graph builder, values shared between expressions (integer literals,
 * library names), one empty set for the scopes that declare no `global`, and sorted indexes
 * built without a sort when their items come in order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEquation } from 'einsight-server/core/equation';
import { SortedByOffset } from 'einsight-server/analysis/sorted-offsets';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { buildScopes, type Scope } from 'einsight-server/analysis/python/scopes';
import { analyze } from '../support/rewrite-harness';

describe('parsed equations are shared between calls', () => {
  it('gives the same parse for the same text and options, frozen so no caller can change it for another', () => {
    const text = 'bij,bjk->bik';
    const first = parseEquation(text);
    const snapshot = JSON.parse(JSON.stringify(first));
    const again = parseEquation(text);
    assert.equal(again, first);
    assert.deepEqual(JSON.parse(JSON.stringify(again)), snapshot);
    assert.throws(() => (first.inputs[0].labels as string[]).push('z'), TypeError);
    assert.throws(() => {
      (first.output.range as { start: number }).start = 3;
    }, TypeError);
    assert.throws(() => {
      (first as { text: string }).text = 'ij->i';
    }, TypeError);
    assert.deepEqual(JSON.parse(JSON.stringify(parseEquation(text))), snapshot);
  });

  it('keys the parse by its options: the same text read as letters or as names, with or without any character', () => {
    assert.deepEqual(parseEquation('ab,bc', { style: 'letters' }).inputs.map((t) => t.labels), [['a', 'b'], ['b', 'c']]);
    assert.deepEqual(parseEquation('ab,bc', { style: 'named' }).inputs.map((t) => t.labels), [['ab'], ['bc']]);
    assert.deepEqual(parseEquation('a b,b c').inputs.map((t) => t.labels), [['a', 'b'], ['b', 'c']]);
    assert.deepEqual(parseEquation('a1,1b->ab', { anyCharacter: true }).inputs.map((t) => t.labels), [['a', '1'], ['1', 'b']]);
    assert.throws(() => parseEquation('a1,1b->ab'), /1/);
    // An invalid equation is not kept: it fails the same way every time.
    assert.throws(() => parseEquation('ij,jk->iz'), /output label 'z'/);
    assert.throws(() => parseEquation('ij,jk->iz'), /output label 'z'/);
  });

  it('parses again what the bounded cache let go, and long equations every time, to the same result', () => {
    const snapshot = JSON.stringify(parseEquation('ij,jk,kl->il'));
    for (let i = 0; i < 1100; i++) parseEquation(`${'a'.repeat(1 + (i % 40))}${String.fromCharCode(0x4e00 + i)}->`);
    assert.equal(JSON.stringify(parseEquation('ij,jk,kl->il')), snapshot);
    const long = Array.from({ length: 120 }, (_, i) => `x${i} y${i}`).join(', ') + ' -> x0';
    const parsed = parseEquation(long);
    assert.equal(parsed.inputs.length, 120);
    assert.notEqual(parseEquation(long), parsed);
    assert.deepEqual(parseEquation(long), parsed);
  });
});

const SITE = `    out = torch.einsum('ij,jk,kl->il', x, y, z)
    return graph
`;

/** Why the analysis thinks each site runs only while tracing (null: it runs at every call). */
async function traced(source: string): Promise<(string | null | undefined)[]> {
  return (await analyze(source)).sites.map((s) => s.context.traced);
}

describe('the torch.fx scan runs wherever the text can name a graph builder', () => {
  const FX = 'builds a torch.fx graph (einsums on its proxies record nodes)';

  for (const [imports, builder] of [
    ['import torch', 'torch.fx.Graph()'],
    ['import torch as T', 'T.fx.Graph()'],
    ['from torch import fx', 'fx.Graph()'],
    ['from torch import fx as F', 'F.GraphModule(None, None)'],
    ['import torch.fx', 'torch.fx.symbolic_trace(None)'],
    ['from torch.fx import Graph as G', 'G()'],
    ['from torch.fx.proxy import *', 'GraphAppendingTracer(None)'],
    ['import importlib\nfx = importlib.import_module("torch.fx")', 'fx.Tracer()'],
  ]) {
    it(`${imports.replace('\n', '; ')}: ${builder}`, async () => {
      assert.deepEqual(await traced(`${imports}\nimport torch\n\n\ndef build(x, y, z):\n    graph = ${builder}\n${SITE}`), [FX]);
    });
  }

  it('finds no builder where the text names none, torch imported or not', async () => {
    assert.deepEqual(await traced(`import torch\n\n\ndef build(x, y, z):\n    graph = dict()\n${SITE}`), [null]);
    assert.deepEqual(await traced(`from mylib import Graph\nimport torch\n\n\ndef build(x, y, z):\n    graph = Graph()\n${SITE}`), [null]);
    assert.deepEqual(await traced(`import numpy as np\nfrom graphs import *\n\n\ndef build(x, y, z):\n    graph = Graph()\n    out = np.einsum('ij,jk,kl->il', x, y, z)\n    return graph\n`), [null]);
  });
});

describe('values shared between expressions', () => {
  it('every literal 3 is one value, yet each name bound to one keeps its own origin', async () => {
    const analysis = await analyze(`import numpy as np
n = 3
m = 3


def f():
    a = np.ones((n, m))
    b = np.ones((3, 3))
    return np.einsum('ij,jk->ik', a, b)
`);
    const [a, b] = analysis.sites[0].operands.map((o) => o.shape!);
    assert.deepEqual([a.dims, b.dims], [[3, 3], [3, 3]]);
    assert.deepEqual(a.dimSources.map((s) => s.detail), ['n = 3', 'm = 3']);
    assert.deepEqual(b.dimSources.map((s) => s.kind), ['constructor', 'constructor']);
  });

  it('reads library names the same through every import form (one value per name)', async () => {
    const analysis = await analyze(`import numpy as np
import numpy.random as npr
from numpy import random


def f():
    a = np.random.rand(2, 3)
    b = npr.rand(3, 4)
    c = random.rand(4, 5)
    return np.einsum('ij,jk,kl->il', a, b, c)
`);
    assert.deepEqual(analysis.sites[0].operands.map((o) => o.shape?.dims), [[2, 3], [3, 4], [4, 5]]);
  });
});

describe('scopes share one empty set of global and nonlocal names', () => {
  it('gives each declaring scope its own names and leaves every other scope empty', async () => {
    const text = `x = 1


def f():
    global x
    y = 2

    def g():
        nonlocal y
        global z
        y = 3


def h():
    global x, w
`;
    const parser = await PythonParser.create();
    try {
      const facts = buildScopes(parser.parse(text).module, text);
      const byName = new Map<string, Scope>();
      const visit = (scope: Scope) => {
        byName.set(scope.name, scope);
        scope.children.forEach(visit);
      };
      visit(facts.module);
      const names = (scope: Scope | undefined) => [[...scope!.globals], [...scope!.nonlocals]];
      assert.deepEqual(names(byName.get('<module>')), [[], []]);
      assert.deepEqual(names(byName.get('f')), [['x'], []]);
      assert.deepEqual(names(byName.get('f.g')), [['z'], ['y']]);
      assert.deepEqual(names(byName.get('h')), [['x', 'w'], []]);
    } finally {
      parser.dispose();
    }
  });
});

describe('items sorted by offset', () => {
  it('keeps items given in order as they are, and sorts others stably', () => {
    const inOrder = new SortedByOffset(['a', 'b', 'c', 'd'], (s) => ({ a: 1, b: 1, c: 5, d: 9 })[s]!);
    assert.deepEqual(inOrder.between(0, 100), ['a', 'b', 'c', 'd']);
    assert.deepEqual(inOrder.between(1, 6), ['a', 'b', 'c']);
    assert.equal(inOrder.countFrom(5), 2);
    const shuffled = new SortedByOffset(['c', 'a', 'd', 'b', 'e'], (s) => ({ a: 1, b: 1, c: 5, d: 9, e: 5 })[s]!);
    assert.deepEqual(shuffled.between(0, 100), ['a', 'b', 'c', 'e', 'd']);
    assert.deepEqual(shuffled.between(2, 9), ['c', 'e']);
    assert.deepEqual(new SortedByOffset([], () => 0).between(0, 1), []);
  });
});
