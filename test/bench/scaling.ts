/**
 * `npm run bench:scaling`: how analysis time grows with the number of sites, on generated
 * files that stress the data-flow queries: many sites sharing operand names, one name
 * reassigned at every site, chains through distinct names, one function per chain; Python and
 * TypeScript. Each size is twice the previous: a ratio near 2 is linear, near 4 quadratic.
 * Before the queries were indexed (issue #17), Python took 3 s for 16,000 sites sharing
 * names and 51 s for 32,000; TypeScript 121 s for 32,000. Run without the time limit.
 * `--sizes 4000,8000` picks the sizes. Prints numbers; asserts nothing.
 */
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';

const PY_HEAD = 'import numpy as np\na = np.ones((8, 8))\nb = np.ones((8, 8))\nx = a\n';
const TS_HEAD = "import * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([8, 8]);\nconst b = tf.ones([8, 8]);\nlet x = a;\n";

interface Case {
  name: string;
  language: 'python' | 'typescript';
  source: (n: number) => string;
}

function repeat(head: string, n: number, body: (i: number) => string): string {
  const parts = [head];
  for (let i = 0; i < n; i++) parts.push(body(i));
  return parts.join('');
}

export const CASES: Case[] = [
  { name: 'sites sharing operand names', language: 'python', source: (n) => repeat(PY_HEAD, n, (i) => `y${i} = np.einsum('ij,jk->ik', a, b)\n`) },
  { name: 'one name reassigned at every site', language: 'python', source: (n) => repeat(PY_HEAD, n, () => `x = np.einsum('ij,jk->ik', x, b)\n`) },
  {
    name: 'chains through distinct names, scaled',
    language: 'python',
    source: (n) => repeat(PY_HEAD, n / 2, (i) => `t${i} = np.einsum('ij,jk->ik', a, b)\ny${i} = np.einsum('ij,jk->ik', t${i}, b) * 2\ny${i} *= 3\n`),
  },
  {
    name: 'one function per chain',
    language: 'python',
    source: (n) => repeat(PY_HEAD, n / 2, (i) => `def f${i}(q):\n    t = np.einsum('ij,jk->ik', a, q)\n    return np.einsum('ij,jk->ik', t, b)\n`),
  },
  { name: 'sites sharing operand names', language: 'typescript', source: (n) => repeat(TS_HEAD, n, (i) => `export const y${i} = tf.einsum('ij,jk->ik', a, b);\n`) },
  { name: 'one name reassigned at every site', language: 'typescript', source: (n) => repeat(TS_HEAD, n, () => `x = tf.einsum('ij,jk->ik', x, b);\n`) },
  {
    name: 'chains through distinct names, scaled',
    language: 'typescript',
    source: (n) => repeat(TS_HEAD, n / 2, (i) => `const t${i} = tf.einsum('ij,jk->ik', a, b);\nexport const y${i} = tf.mul(tf.einsum('ij,jk->ik', t${i}, b), 2);\n`),
  },
  {
    name: 'one function per chain',
    language: 'typescript',
    source: (n) =>
      repeat(TS_HEAD, n / 2, (i) => `export function f${i}(q: tf.Tensor) {\n  const t = tf.einsum('ij,jk->ik', a, q);\n  return tf.einsum('ij,jk->ik', t, b);\n}\n`),
  },
];

async function analyse(c: Case, text: string): Promise<number> {
  const options = { timeLimitMs: Infinity };
  const analysis = c.language === 'python' ? await analyzePython(text, options) : analyzeTypeScript(text, options);
  return analysis.sites.length;
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--sizes');
  const sizes = flag >= 0 ? process.argv[flag + 1].split(',').map(Number) : [4000, 8000, 16000, 32000, 64000];
  // Warm the JIT up as a running server is.
  for (const c of CASES) await analyse(c, c.source(2000));
  console.log(`analysis time by number of sites (ratio: time over the previous size's; 2 is linear, 4 quadratic)\n`);
  console.log(`${'case'.padEnd(50)}${sizes.map((n) => `${n.toLocaleString('en-US')} sites`.padStart(20)).join('')}`);
  for (const c of CASES) {
    let previous: number | null = null;
    const cells: string[] = [];
    for (const n of sizes) {
      const text = c.source(n);
      const started = performance.now();
      const sites = await analyse(c, text);
      const ms = performance.now() - started;
      if (sites !== n) throw new Error(`${c.language} ${c.name}: ${sites} sites, expected ${n}`);
      cells.push(`${Math.round(ms).toLocaleString('en-US')} ms${previous ? ` (${(ms / previous).toFixed(1)}×)` : ''}`.padStart(20));
      previous = ms;
    }
    console.log(`${`${c.language}: ${c.name}`.padEnd(50)}${cells.join('')}`);
  }
}

void main();
