/**
 * Shortcuts that make reading sites and shapes cheaper, each held to what the plain way gives:
 * `namedChildren` returning a node's own children when it drops none, `scopeAt` asking the scope
 * table only about nodes of the scope-making types (and keeping no table keyed by every node),
 * the einsum reader telling most calls apart by their method name before its table, and the
 * shape analysis keeping one cell key per global name.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { PythonProgram } from 'einsight-server/analysis/python/program';
import { buildScopes, type Scope } from 'einsight-server/analysis/python/scopes';
import { ShapeAnalysis } from 'einsight-server/analysis/python/shape-analysis';
import type { EinsumCall } from 'einsight-server/analysis/python/sites';
import { field, namedChildren, walk, type PyNode } from 'einsight-server/analysis/python/syntax';

const ROOT = join(__dirname, '../../..');
const TRUTH = join(ROOT, 'test/fixtures/shapes-truth');

/** Comments and continuations inside calls, scopes of every kind, defaults, decorators, wrappers. */
const TRICKY = `import numpy as np
import functools
import lib
from opt_einsum import contract as oe
E = np.einsum
ein = functools.partial(np.einsum, optimize=True)
class Model:
    scale = [x * 2 for x in range(3)]  # a class-level comprehension
    def forward(self, a, b=np.ones((2, 2)), *, c=lambda z: z @ z):
        # a comment in the body
        g = (y for y in a if y)
        w = {k: v for k, v in zip(a, b)}
        s = {q for q in a}
        r = np.einsum(  # the equation
            "ij,jk->ik", \\
            a, b)
        t = E("ij,jk->ik", a, b) + ein("ij,jk->ik", a, b) + oe("ij,jk->ik", a, b)
        u = self.helper.einsum("ij,jk->ik", a, b) + lib.einsum("ij,jk->ik", a, b)
        return (lambda m: m.dot(m))(r) + a.matmul(b) @ t.T + np.linalg.norm(u)
@functools.lru_cache
def plain(x):
    def inner(y):
        global E
        return [np.einsum("i,i->", y, y) for _ in x]
    return inner
`;

function sources(): { name: string; text: string }[] {
  const truth = readdirSync(TRUTH)
    .filter((f) => f.endsWith('.py'))
    .map((f) => ({ name: f, text: readFileSync(join(TRUTH, f), 'utf8') }));
  return [{ name: 'tricky.py', text: TRICKY }, ...truth];
}

function nodes(root: PyNode): PyNode[] {
  const all: PyNode[] = [];
  walk(root, (n) => void all.push(n));
  return all;
}

/** What `scopeAt` gave with the scope table asked about every ancestor. */
function scopeByEveryAncestor(node: PyNode, byNode: Map<PyNode, Scope>, module: Scope): Scope {
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    const scope = byNode.get(parent);
    if (!scope) continue;
    if (scope.kind === 'module' || scope.kind === 'comprehension') return scope;
    if (child.field === 'body') return scope;
    if (child.type === 'comment') {
      const header = field(parent, 'parameters') ?? field(parent, 'superclasses') ?? field(parent, 'name');
      if (header !== null && child.start >= header.end) return scope;
    }
  }
  return module;
}

describe('read-phase shortcuts', () => {
  it('namedChildren gives the same nodes as filtering, and the node’s own array when it drops none', async () => {
    const parser = await PythonParser.create();
    try {
      let shared = 0;
      let copied = 0;
      for (const { name, text } of sources()) {
        for (const node of nodes(parser.parse(text).module)) {
          const expected = node.children.filter((c) => c.named && c.type !== 'comment' && c.type !== 'line_continuation');
          const got = namedChildren(node);
          assert.deepEqual([...got], expected, `${name}: ${node.type} at ${node.start}`);
          if (expected.length === node.children.length) {
            assert.equal(got, node.children);
            shared++;
          } else {
            assert.notEqual(got, node.children);
            copied++;
          }
        }
      }
      assert.ok(shared > 0 && copied > 0);
    } finally {
      parser.dispose();
    }
  });

  it('scopeAt finds the scope a walk asking the table about every ancestor finds', async () => {
    const parser = await PythonParser.create();
    try {
      for (const { name, text } of sources()) {
        const parsed = parser.parse(text);
        const module = new PythonProgram().add(name, null, parsed, buildScopes(parsed.module, text));
        const { scopeByNode, module: moduleScope } = module.facts;
        const kinds = new Set<string>();
        for (const node of nodes(parsed.module)) {
          const scope = module.resolver.scopeAt(node);
          kinds.add(scope.kind);
          assert.equal(scope, scopeByEveryAncestor(node, scopeByNode, moduleScope), `${name}: ${node.type} at ${node.start}`);
        }
        if (name === 'tricky.py') assert.deepEqual([...kinds].sort(), ['class', 'comprehension', 'function', 'lambda', 'module']);
      }
    } finally {
      parser.dispose();
    }
  });

  it('the einsum reader reads every call as its full reading does, with and without declared wrappers', async () => {
    const parser = await PythonParser.create();
    try {
      for (const einsumFunctions of [undefined, { 'lib.einsum': 'numpy.einsum(optimize=True)' }]) {
        for (const { name, text } of sources()) {
          const parsed = parser.parse(text);
          const program = new PythonProgram(einsumFunctions);
          const read = program.add(name, null, parsed, buildScopes(parsed.module, text)).reader;
          const full = new PythonProgram(einsumFunctions).add(name, null, parsed, buildScopes(parsed.module, text)).reader as unknown as {
            compute(node: PyNode): EinsumCall | null;
          };
          let found = 0;
          for (const node of nodes(parsed.module)) {
            if (node.type !== 'call') continue;
            const got = read.read(node);
            const expected = full.compute(node);
            assert.equal(got === null, expected === null, `${name}: call at ${node.start}`);
            // As the shape analysis asks, with the callee it already has.
            assert.equal(read.read(node, field(node, 'function')), got);
            if (got && expected) {
              assert.deepEqual({ ...got, node: null }, { ...expected, node: null });
              found++;
            }
          }
          if (name === 'tricky.py') assert.equal(found, einsumFunctions ? 6 : 5);
        }
      }
    } finally {
      parser.dispose();
    }
  });

  it('a global name’s cell key is the one it was built as, kept per module, and not kept for long names', () => {
    const analysis = new ShapeAnalysis(new PythonProgram());
    const [first, second] = [{}, {}];
    const long = 'a_rather_long_global_name';
    const expected = (module: object, name: string) => `global:${analysis.nodeId(module)}:${name}`;
    for (const [module, name] of [[first, 'np'], [second, 'np'], [first, long], [second, 'x']] as const) {
      assert.equal(analysis.globalKey(module, name), expected(module, name));
      assert.equal(analysis.globalKey(module, name), expected(module, name));
    }
    assert.notEqual(analysis.globalKey(first, 'np'), analysis.globalKey(second, 'np'));
  });
});
