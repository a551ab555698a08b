/**
 * Each library's idiom, fourslash style (see rewrite-edits.test.ts): the callee as the file
 * spells it, letters or einops' named axes, and each library's explicit-path argument.
 */
import { test } from 'node:test';
import { checkFixCase, type FixCase } from '../support/rewrite-harness';

const CASES: FixCase[] = [
  {
    name: 'torch alias: nested T.einsum calls',
    source: `import torch as T
x = T.randn(8, 32)
W = T.randn(32, 32)
U = T.randn(32, 2)
y = /*here*/T.einsum('ij,jk,kl->il', x, W, U)
`,
    fix: 'pairwise',
    expected: `import torch as T
x = T.randn(8, 32)
W = T.randn(32, 32)
U = T.randn(32, 2)
y = T.einsum('ij,jl->il', x, T.einsum('jk,kl->jl', W, U))
`,
  },
  {
    name: 'einops: named axes, pattern last',
    source: `import einops
import torch

x = torch.randn(16, 32)
w = torch.randn(32, 32)
v = torch.randn(32, 2)
y = /*here*/einops.einsum(x, w, v, 'batch i, i j, j k -> batch k')
`,
    fix: 'pairwise',
    expected: `import einops
import torch

x = torch.randn(16, 32)
w = torch.randn(32, 32)
v = torch.randn(32, 2)
y = einops.einsum(x, einops.einsum(w, v, 'i j, j k -> i k'), 'batch i, i k -> batch k')
`,
  },
  {
    name: 'opt_einsum: oe.contract with an explicit path list',
    source: `import numpy as np
import opt_einsum as oe

a = np.ones((8, 40))
b = np.ones((40, 40))
c = np.ones((40, 3))
while True:
    y = /*here*/oe.contract('ij,jk,kl->il', a, b, c)
`,
    fix: 'optimize',
    expected: `import numpy as np
import opt_einsum as oe

a = np.ones((8, 40))
b = np.ones((40, 40))
c = np.ones((40, 3))
while True:
    y = oe.contract('ij,jk,kl->il', a, b, c, optimize=[(1, 2), (0, 1)])
`,
  },
  {
    name: 'opt_einsum: nested oe.contract calls',
    source: `import numpy as np
import opt_einsum as oe

a = np.ones((8, 40))
b = np.ones((40, 40))
c = np.ones((40, 3))
while True:
    y = /*here*/oe.contract('ij,jk,kl->il', a, b, c)
`,
    fix: 'pairwise',
    expected: `import numpy as np
import opt_einsum as oe

a = np.ones((8, 40))
b = np.ones((40, 40))
c = np.ones((40, 3))
while True:
    y = oe.contract('ij,jl->il', a, oe.contract('jk,kl->jl', b, c))
`,
  },
  {
    name: 'jax: a fused chain in jnp.einsum',
    source: `import jax.numpy as jnp

a = jnp.ones((40, 40))
b = jnp.ones((40, 40))
v = jnp.ones(40)
t = jnp.einsum('ij,jk->ik', a, b)
y = /*here*/jnp.einsum('ik,k->i', t, v)
`,
    fix: 'fuse',
    expected: `import jax.numpy as jnp

a = jnp.ones((40, 40))
b = jnp.ones((40, 40))
v = jnp.ones(40)
y = jnp.einsum('ij,j->i', a, jnp.einsum('jk,k->j', b, v))
`,
  },
  {
    name: 'tensorflow: a fused chain in tf.einsum',
    source: `import tensorflow as tf

a = tf.ones((40, 40))
b = tf.ones((40, 40))
v = tf.ones((40,))
t = tf.einsum('ij,jk->ik', a, b)
y = /*here*/tf.einsum('ik,k->i', t, v)
`,
    fix: 'fuse',
    expected: `import tensorflow as tf

a = tf.ones((40, 40))
b = tf.ones((40, 40))
v = tf.ones((40,))
y = tf.einsum('ij,j->i', a, tf.einsum('jk,k->j', b, v))
`,
  },
];

for (const c of CASES) test(`${c.fix}: ${c.name}`, () => checkFixCase(c));
