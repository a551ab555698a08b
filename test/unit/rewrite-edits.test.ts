/**
 * Exact edits of the quick fixes, fourslash style: a fixture marks the call with `/*here*\/`,
 * the test asks for the fixes of the site there, applies the one named, and compares the whole
 * resulting text. Hoisting rules, refusals, comments and line endings are pinned here (each
 * library's idiom in rewrite-edits-libraries.test.ts); rewrite-execution.test.ts proves the
 * numbers stay the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, applied, checkFixCase, fixAll, fixesAt, tagOf, type FixCase } from '../support/rewrite-harness';
import { parsePythonFixture } from '../support/python-fixtures';

const CASES: FixCase[] = [
  {
    name: 'a class body gets nested calls, never class attributes',
    source: `import numpy as np

A = np.ones((4, 16)); B = np.ones((16, 16)); C = np.ones((16, 16)); D = np.ones((16, 2))


class Config:
    W = /*here*/np.einsum('ab,bc,cd,de->ae', A, B, C, D)
`,
    fix: 'pairwise',
    expected: `import numpy as np

A = np.ones((4, 16)); B = np.ones((16, 16)); C = np.ones((16, 16)); D = np.ones((16, 2))


class Config:
    W = np.einsum('ab,be->ae', A, np.einsum('bc,ce->be', B, np.einsum('cd,de->ce', C, D)))
`,
  },
  {
    name: 'numpy steps keep BLAS dispatch: a call that asked for a path gets np.matmul for products of fresh arrays',
    source: `import numpy as np

A = np.ones((5, 16)); B = np.ones((16, 16)); C = np.ones((16, 2))
for _ in range(3):
    y = /*here*/np.einsum('ij,jk,kl->il', A, B, C, optimize='greedy')
`,
    fix: 'pairwise',
    expected: `import numpy as np

A = np.ones((5, 16)); B = np.ones((16, 16)); C = np.ones((16, 2))
for _ in range(3):
    y = np.matmul(A, np.matmul(B, C))
`,
  },
  {
    name: 'BLAS dispatch: a view is tensordot\'s (it copies into BLAS layout), and only the final result is transposed',
    source: `import numpy as np

A = np.ones((16, 5)).T; B = np.ones((16, 16)); C = np.ones((16, 2)); D = np.ones((2, 7))
for _ in range(3):
    y = /*here*/np.einsum('ij,jk,kl,lm->mi', A, B, C, D, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np

A = np.ones((16, 5)).T; B = np.ones((16, 16)); C = np.ones((16, 2)); D = np.ones((2, 7))
for _ in range(3):
    t_jl = np.matmul(B, C)
    t_il = np.tensordot(A, t_jl, axes=(1, 0))
    y = np.matmul(t_il, D).transpose(1, 0)
`,
  },
  {
    name: 'BLAS dispatch: batched products of plain arrays are np.matmul, the batch label leading',
    source: `import numpy as np
X = np.ones((4, 10, 12)); Y = np.ones((4, 12, 14)); Z = np.ones((4, 14, 2))
for _ in range(3):
    y = /*here*/np.einsum('bij,bjk,bkl->lib', X, Y, Z, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np
X = np.ones((4, 10, 12)); Y = np.ones((4, 12, 14)); Z = np.ones((4, 14, 2))
for _ in range(3):
    y = np.matmul(X, np.matmul(Y, Z)).transpose(2, 1, 0)
`,
  },
  {
    name: 'BLAS dispatch: two indices summed in one step are one tensordot over both axes',
    source: `import numpy as np
P = np.ones((6, 3, 4)); Q = np.ones((3, 4, 9)); R = np.ones((9, 2))
for _ in range(3):
    y = /*here*/np.einsum('ijk,jkl,lm->im', P, Q, R, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np
P = np.ones((6, 3, 4)); Q = np.ones((3, 4, 9)); R = np.ones((9, 2))
for _ in range(3):
    y = np.tensordot(P, np.tensordot(Q, R, axes=(2, 0)), axes=((1, 2), (0, 1)))
`,
  },
  {
    name: 'BLAS dispatch: no np.matmul on an array that may be a subclass (a masked array): that step stays an einsum',
    source: `import numpy as np
M = np.ma.masked_array(np.ones((4, 10, 12))).astype(np.float64)  # einsight: M[4, 10, 12]
Y = np.ones((4, 12, 14)); Z = np.ones((4, 14, 2))
for _ in range(3):
    y = /*here*/np.einsum('bij,bjk,bkl->bil', M, Y, Z, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np
M = np.ma.masked_array(np.ones((4, 10, 12))).astype(np.float64)  # einsight: M[4, 10, 12]
Y = np.ones((4, 12, 14)); Z = np.ones((4, 14, 2))
for _ in range(3):
    y = np.einsum('bij,bjl->bil', M, np.matmul(Y, Z), optimize=True)
`,
  },
  {
    name: 'BLAS dispatch: integer operands keep einsum steps',
    source: `import numpy as np
I = np.ones((5, 16), dtype=np.int64); J = np.ones((16, 16), dtype=np.int64); K = np.ones((16, 2), dtype=np.int64)
for _ in range(3):
    y = /*here*/np.einsum('ij,jk,kl->il', I, J, K, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np
I = np.ones((5, 16), dtype=np.int64); J = np.ones((16, 16), dtype=np.int64); K = np.ones((16, 2), dtype=np.int64)
for _ in range(3):
    y = np.einsum('ij,jl->il', I, np.einsum('jk,kl->jl', J, K, optimize=True), optimize=True)
`,
  },
  {
    name: 'BLAS dispatch: an einsum imported bare has no module to name tensordot by: einsum steps',
    source: `import numpy as np
from numpy import einsum
A = np.ones((5, 16)); B = np.ones((16, 16)); C = np.ones((16, 2))
for _ in range(3):
    y = /*here*/einsum('ij,jk,kl->il', A, B, C, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np
from numpy import einsum
A = np.ones((5, 16)); B = np.ones((16, 16)); C = np.ones((16, 2))
for _ in range(3):
    y = einsum('ij,jl->il', A, einsum('jk,kl->jl', B, C, optimize=True), optimize=True)
`,
  },
  {
    name: 'BLAS dispatch: a size-1 dimension einsum broadcasts (here through an intermediate) is not tensordot\'s: einsum steps',
    source: `import numpy as np
A = np.ones((5, 16)); B = np.ones((1, 16)); C = np.ones((16, 2))
for _ in range(3):
    y = /*here*/np.einsum('ij,jk,kl->il', A, B, C, optimize=True)
`,
    fix: 'pairwise',
    expected: `import numpy as np
A = np.ones((5, 16)); B = np.ones((1, 16)); C = np.ones((16, 2))
for _ in range(3):
    y = np.einsum('ij,jl->il', A, np.einsum('jk,kl->jl', B, C, optimize=True), optimize=True)
`,
  },
  {
    name: 'a comment inside the call: no pairwise rewrite, it would drop the comment',
    source: `import numpy as np

A = np.ones((4, 16))
B = np.ones((16, 16))
C = np.ones((16, 2))
y = /*here*/np.einsum('ij,jk,kl->il',
              A,  # the batch
              B, C)
`,
    fix: 'pairwise',
    expected: null,
  },
  {
    name: 'a comment inside the call: optimize= is added after the last argument',
    source: `import numpy as np

A = np.ones((4, 16))
B = np.ones((16, 16))
C = np.ones((16, 2))
y = /*here*/np.einsum('ij,jk,kl->il',
              A,  # the batch
              B, C)
`,
    fix: 'optimize',
    expected: `import numpy as np

A = np.ones((4, 16))
B = np.ones((16, 16))
C = np.ones((16, 2))
y = np.einsum('ij,jk,kl->il',
              A,  # the batch
              B, C, optimize=['einsum_path', (1, 2), (0, 1)])
`,
  },
  {
    name: 'a walrus operand is hoisted in parentheses',
    source: `import numpy as np

A = np.ones((2, 40))
y = /*here*/np.einsum('ij,kl,jk->il', A, np.random.rand(40, 40), R := np.random.rand(40, 40))
`,
    fix: 'pairwise',
    expected: `import numpy as np

A = np.ones((2, 40))
op1 = np.random.rand(40, 40)
op2 = (R := np.random.rand(40, 40))
y = np.einsum('ik,kl->il', np.einsum('ij,jk->ik', A, op2), op1)
`,
  },
  {
    name: 'a lambda whose calls would run out of order: no pairwise rewrite',
    source: `import numpy as np

A = np.ones((2, 40))
f = lambda: /*here*/np.einsum('ij,kl,jk->il', A, np.random.rand(40, 40), np.random.rand(40, 40))
`,
    fix: 'pairwise',
    expected: null,
  },
  {
    name: 'a syntax error elsewhere does not block the fix',
    source: `import numpy as np

A = np.ones((4, 16))
B = np.ones((16, 16))
C = np.ones((16, 2))
y = /*here*/np.einsum('ij,jk,kl->il', A, B, C)


def broken(:
    pass
`,
    fix: 'pairwise',
    expected: `import numpy as np

A = np.ones((4, 16))
B = np.ones((16, 16))
C = np.ones((16, 2))
y = np.einsum('ij,jl->il', A, np.einsum('jk,kl->jl', B, C))


def broken(:
    pass
`,
  },
  {
    name: 'a chain on one line with semicolons',
    source: `import numpy as np

A = np.ones((40, 40)); B = np.ones((40, 40)); v = np.ones(40)
t = np.einsum('ij,jk->ik', A, B); y = /*here*/np.einsum('ik,k->i', t, v)
`,
    fix: 'fuse',
    expected: `import numpy as np

A = np.ones((40, 40)); B = np.ones((40, 40)); v = np.ones(40)
y = np.einsum('ij,j->i', A, np.einsum('jk,k->j', B, v))
`,
  },
  {
    name: 'matmul: parentheses moved, the trailing comment kept',
    source: `import numpy as np

A = np.ones((40, 40))
B = np.ones((40, 40))
C = np.ones((40, 2))
y = /*here*/(A @ B) @ C  # keep me
`,
    fix: 'matmul',
    expected: `import numpy as np

A = np.ones((40, 40))
B = np.ones((40, 40))
C = np.ones((40, 2))
y = A @ (B @ C)  # keep me
`,
  },
  {
    name: 'matmul: methods re-nested',
    source: `import numpy as np

A = np.ones((40, 40))
B = np.ones((40, 40))
v = np.ones((40, 2))
y = /*here*/A.dot(B).dot(v)
`,
    fix: 'matmul',
    expected: `import numpy as np

A = np.ones((40, 40))
B = np.ones((40, 40))
v = np.ones((40, 2))
y = A.dot(B.dot(v))
`,
  },
  {
    name: 'scalars: three factors folded into one product',
    source: `import numpy as np

q = np.ones((64, 32))
k = np.ones((64, 32))
y = 2.0 * /*here*/np.einsum('ij,kj->ik', q / 4, k * 3)
`,
    fix: 'scalar',
    expected: `import numpy as np

q = np.ones((64, 32))
k = np.ones((64, 32))
y = np.einsum('ij,kj->ik', q * (2.0 / 4 * 3), k)
`,
  },
  {
    name: 'scalars: y *= c after the call moves onto the smaller operand',
    source: `import numpy as np


def f():
    a = np.ones(50)
    b = np.ones(40)
    y = /*here*/np.einsum('i,j->ij', a, b)
    y *= 0.5
    return y
`,
    fix: 'scalar',
    expected: `import numpy as np


def f():
    a = np.ones(50)
    b = np.ones(40)
    y = np.einsum('i,j->ij', a, b * 0.5)
    return y
`,
  },
  {
    name: 'CRLF files get CRLF temporaries',
    source: 'import numpy as np\r\n\r\n\r\ndef f():\r\n    # einsight: A[4, 16] float64 B[16, 16] float64 C[16, 16] float64 D[16, 2] float64\r\n    A = B = C = D = None\r\n    return /*here*/np.einsum("ab,bc,cd,de->ae", A, B, C, D)\r\n',
    fix: 'pairwise',
    expected:
      'import numpy as np\r\n\r\n\r\ndef f():\r\n    # einsight: A[4, 16] float64 B[16, 16] float64 C[16, 16] float64 D[16, 2] float64\r\n    A = B = C = D = None\r\n    t_ce = np.einsum("cd,de->ce", C, D)\r\n    t_be = np.einsum("bc,ce->be", B, t_ce)\r\n    return np.einsum("ab,be->ae", A, t_be)\r\n',
  },
];

for (const c of CASES) test(`${c.fix}: ${c.name}`, () => checkFixCase(c));

test('edits are minimal: temporaries are one insertion, the call one replacement', async () => {
  const fixture = parsePythonFixture(`import numpy as np


def f(A, B, C, D):
    # einsight: A[4, 16] float64 B[16, 16] float64 C[16, 16] float64 D[16, 2] float64
    y = /*here*/np.einsum('ab,bc,cd,de->ae', A, B, C, D)  # stays
    return y
`);
  const analysis = await analyze(fixture.text);
  const [fix] = fixesAt(analysis, fixture.text, fixture.offset('here')).filter((f) => tagOf(f) === 'pairwise');
  const call = fixture.offset('here');
  const statement = fixture.text.lastIndexOf('y = ', call);
  assert.deepEqual(fix.edits, [
    {
      range: { start: statement, end: statement },
      newText: "t_ce = np.einsum('cd,de->ce', C, D)\n    t_be = np.einsum('bc,ce->be', B, t_ce)\n    ",
    },
    { range: { start: call, end: call + "np.einsum('ab,bc,cd,de->ae', A, B, C, D)".length }, newText: "np.einsum('ab,be->ae', A, t_be)" },
  ]);
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.code, 'EIN001');
  assert.equal(fix.isPreferred, true);
});

test('matmul edits only add and remove parentheses', async () => {
  const fixture = parsePythonFixture(`import numpy as np

A = np.ones((40, 40))
B = np.ones((40, 40))
C = np.ones((40, 2))
y = /*open*/(A @ /*b*/B/*close*/) @ C/*end*/
`);
  const analysis = await analyze(fixture.text);
  const [fix] = fixesAt(analysis, fixture.text, fixture.offset('open')).filter((f) => tagOf(f) === 'matmul');
  const at = (name: string) => fixture.offset(name);
  assert.deepEqual(fix.edits, [
    { range: { start: at('open'), end: at('open') + 1 }, newText: '' },
    { range: { start: at('b'), end: at('b') }, newText: '(' },
    { range: { start: at('close'), end: at('close') + 1 }, newText: '' },
    { range: { start: at('end'), end: at('end') }, newText: ')' },
  ]);
});

test('fix-all gives two rewrites in one function distinct temporaries', async () => {
  const text = `import numpy as np


def f(A, B, C, D):
    # einsight: A[4, 16] float64 B[16, 16] float64 C[16, 16] float64 D[16, 2] float64
    y = np.einsum('ab,bc,cd,de->ae', A, B, C, D)
    z = np.einsum('ab,bc,cd,de->ae', A, B, C, D)
    return y + z
`;
  const all = fixAll(await analyze(text), text);
  assert.ok(all);
  assert.equal(all.kind, 'source.fixAll');
  assert.equal(all.title, 'Apply 2 einsight fixes (EIN001)');
  assert.equal(
    applied(text, all),
    `import numpy as np


def f(A, B, C, D):
    # einsight: A[4, 16] float64 B[16, 16] float64 C[16, 16] float64 D[16, 2] float64
    t_ce = np.einsum('cd,de->ce', C, D)
    t_be = np.einsum('bc,ce->be', B, t_ce)
    y = np.einsum('ab,be->ae', A, t_be)
    t_ce_2 = np.einsum('cd,de->ce', C, D)
    t_be_2 = np.einsum('bc,ce->be', B, t_ce_2)
    z = np.einsum('ab,be->ae', A, t_be_2)
    return y + z
`,
  );
});

test('fix-all takes the chain fusion over the member rewrites it would collide with', async () => {
  const text = `import numpy as np

A = np.ones((30, 30)); B = np.ones((30, 30)); C = np.ones((30, 30)); v = np.ones(30)
AB = np.einsum('ij,jk->ik', A, B)
y = np.einsum('ik,kl,l->i', AB, C, v)
`;
  const analysis = await analyze(text);
  assert.deepEqual(analysis.findings.map((f) => f.code).sort(), ['EIN001', 'EIN004']);
  const all = fixAll(analysis, text);
  assert.equal(all?.title, 'Apply 1 einsight fix (EIN004)');
  assert.equal(fixAll(analysis, text, { only: ['EIN001'] })?.title, 'Apply 1 einsight fix (EIN001)');
  assert.equal(fixAll(analysis, text, { only: ['EIN006'] }), null);
});

test('a file without findings has no fixes', async () => {
  const text = 'import numpy as np\ny = np.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)))\n';
  const analysis = await analyze(text);
  assert.equal(fixAll(analysis, text), null);
  assert.deepEqual(
    analysis.sites.flatMap((s) => fixesAt(analysis, text, s.range.start)),
    [],
  );
});
