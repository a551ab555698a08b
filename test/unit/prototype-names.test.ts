/**
 * Names from user code that are also members of `Object.prototype` (`constructor`,
 * `hasOwnProperty`, `valueOf`, `toString`, `__proto__`, ...) in every role the front ends look
 * names up: callee, variable, attribute, method, import alias, hint shape and size name, dims
 * table and settings key, einops axis. Looked up on a plain object, such a name finds an
 * inherited function and the analysis used to throw, dropping the module's sites silently.
 * Each snippet keeps a costly three-operand einsum whose exact cost must survive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { parseSettings } from 'einsight-server/workspace/settings';
import { parseDims } from 'einsight-server/cli/args';
import { runCli } from '../support/cli';

const PROTOTYPE_NAMES = [
  'constructor',
  'hasOwnProperty',
  'valueOf',
  'toString',
  '__proto__',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
] as const;

/** numpy without optimize over (10,20)(20,30)(30,40): 720,000 FLOPs. */
const PY_HEAD = 'import math\nimport numpy as np\na = np.ones((10, 20))\nb = np.ones((20, 30))\nc = np.ones((30, 40))\n';
const PY_COSTLY = 'np.einsum("ij,jk,kl->il", a, b, c)';

function pythonSnippets(name: string): [role: string, source: string][] {
  return [
    ['callee times a site', `${PY_HEAD}x = ${name}(2) * ${PY_COSTLY}\n`],
    ['site times a callee', `${PY_HEAD}x = ${PY_COSTLY} * ${name}(a)\n`],
    ['callee on a site', `${PY_HEAD}x = ${name}(${PY_COSTLY})\n`],
    ['variable as operand', `${PY_HEAD}${name} = np.ones((10, 20))\nx = np.einsum("ij,jk,kl->il", ${name}, b, c)\n`],
    ['variable as factor', `${PY_HEAD}${name} = 3\nx = ${name} * ${PY_COSTLY}\n`],
    ['module attribute', `${PY_HEAD}q = np.${name}(a)\nx = ${PY_COSTLY}\n`],
    ['math attribute in a size', `${PY_HEAD}n = math.${name}(3)\nq = np.ones((n, 4))\nx = ${PY_COSTLY} * math.${name}\n`],
    ['method', `${PY_HEAD}x = ${PY_COSTLY}.${name}(2)\ny = a.${name}\n`],
    ['method on a generator', `${PY_HEAD}g = np.random.default_rng()\nq = g.${name}((3, 4))\nx = ${PY_COSTLY}\n`],
    ['keyword', `${PY_HEAD}q = np.ones((3, 4), ${name}=1)\nx = ${PY_COSTLY}\n`],
    ['function and class', `${PY_HEAD}def ${name}(t):\n    return t * 2\nclass K:\n    ${name} = 1\nx = ${name}(${PY_COSTLY})\n`],
    ['import alias', `import numpy as ${name}\na = ${name}.ones((10, 20))\nb = ${name}.ones((20, 30))\nc = ${name}.ones((30, 40))\nx = ${name}.einsum("ij,jk,kl->il", a, b, c)\n`],
    ['imported name', `from numpy import einsum as ${name}, ones\na = ones((10, 20))\nb = ones((20, 30))\nc = ones((30, 40))\nx = ${name}("ij,jk,kl->il", a, b, c)\n`],
    ['hint shape and size', `import numpy as np\n# einsight: ${name}[${name}, 20] ${name}=10\nb = np.ones((20, 30))\nc = np.ones((30, 40))\nx = np.einsum("ij,jk,kl->il", ${name}, b, c)\n`],
    ['attribute hint', `import numpy as np\nclass M:\n    def f(self, b, c):\n        # einsight: self.${name}[10, 20] b[20, 30] c[30, 40]\n        return np.einsum("ij,jk,kl->il", self.${name}, b, c)\n`],
  ];
}

function assertCostly(analysis: FileAnalysis, flops: bigint, what: string): void {
  assert.equal(analysis.notAnalysed, undefined, `${what}: ${analysis.notAnalysed?.reason}`);
  const costly = analysis.sites.filter((s) => s.baseline?.flops === flops);
  assert.equal(costly.length, 1, `${what}: sites ${analysis.sites.map((s) => `${s.callee} ${s.baseline?.flops}`).join('; ')}`);
}

describe('names of Object.prototype members in Python code', () => {
  for (const name of PROTOTYPE_NAMES) {
    it(`'${name}' in every role leaves the file's sites and costs intact`, async () => {
      for (const [role, source] of pythonSnippets(name)) assertCostly(await analyzePython(source), 720000n, `${name} as ${role}`);
    });
  }

  it('a dims table keyed by such names sizes the shapes that use them', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const source = `import numpy as np\n# einsight: q[${name}, 20]\nb = np.ones((20, 30))\nc = np.ones((30, 40))\nx = np.einsum("ij,jk,kl->il", q, b, c)\n`;
      assertCostly(await analyzePython(source, { dims: Object.fromEntries([[name, 10]]) }), 720000n, `dims ${name}`);
    }
  });

  it('einops axes named like prototype members', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const source = `import numpy as np\nimport einops\na = np.ones((10, 20))\nb = np.ones((20, 30))\nx = einops.einsum(a, b, "${name} j, j k -> ${name} k")\n`;
      const analysis = await analyzePython(source);
      assert.equal(analysis.notAnalysed, undefined);
      assert.deepEqual(analysis.sites.map((s) => s.baseline?.flops), [12000n], name);
    }
  });
});

/** tf.einsum on (10,20)(20,30): 12,000 FLOPs. */
const TS_HEAD = "import * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([10, 20]);\nconst b = tf.ones([20, 30]);\n";
const TS_SITE = "tf.einsum('ij,jk->ik', a, b)";

function typeScriptSnippets(name: string): [role: string, source: string][] {
  return [
    ['callee', `${TS_HEAD}${name}(2);\nexport const x = ${TS_SITE};\n`],
    ['callee on a site', `${TS_HEAD}export const x = ${name}(${TS_SITE});\n`],
    ['scale operand', `${TS_HEAD}export const x = tf.mul(${TS_SITE}, ${name});\n`],
    ['scale op', `${TS_HEAD}export const y = tf.${name}(${TS_SITE}, 2);\n`],
    ['variable as operand', `import * as tf from '@tensorflow/tfjs';\nconst ${name} = tf.ones([10, 20]);\nconst b = tf.ones([20, 30]);\nexport const x = tf.einsum('ij,jk->ik', ${name}, b);\n`],
    ['module attribute', `${TS_HEAD}const q = tf.${name}([3, 4]);\nexport const x = ${TS_SITE};\n`],
    ['Math attribute in a size', `${TS_HEAD}const n = Math.${name}(3);\nconst q = tf.ones([n, 4]);\nconst m = Math.${name};\nexport const x = ${TS_SITE};\n`],
    ['method', `${TS_HEAD}export const x = ${TS_SITE}.${name}(2);\nconst y = a.${name};\n`],
    ['import alias', `import * as ${name} from '@tensorflow/tfjs';\nconst a = ${name}.ones([10, 20]);\nconst b = ${name}.ones([20, 30]);\nexport const x = ${name}.einsum('ij,jk->ik', a, b);\n`],
    ['named import alias', `import { einsum as ${name}, ones } from '@tensorflow/tfjs';\nconst a = ones([10, 20]);\nconst b = ones([20, 30]);\nexport const x = ${name}('ij,jk->ik', a, b);\n`],
    ['hint shape and size', `import * as tf from '@tensorflow/tfjs';\ndeclare const ${name}: tf.Tensor;\n// einsight: ${name}[${name}, 20] ${name}=10\nconst b = tf.ones([20, 30]);\nexport const x = tf.einsum('ij,jk->ik', ${name}, b);\n`],
  ];
}

describe('names of Object.prototype members in TypeScript code', () => {
  for (const name of PROTOTYPE_NAMES) {
    it(`'${name}' in every role leaves the file's sites and costs intact`, () => {
      for (const [role, source] of typeScriptSnippets(name)) {
        if (name === '__proto__' && /const __proto__|declare const __proto__|as __proto__/.test(source)) continue;
        assertCostly(analyzeTypeScript(source), 12000n, `${name} as ${role}`);
      }
    });
  }

  it('a dims table keyed by such names sizes the shapes that use them', () => {
    for (const name of PROTOTYPE_NAMES) {
      const source = `import * as tf from '@tensorflow/tfjs';\ndeclare const q: tf.Tensor;\n// einsight: q[${name}, 20]\nconst b = tf.ones([20, 30]);\nexport const x = tf.einsum('ij,jk->ik', q, b);\n`;
      assertCostly(analyzeTypeScript(source, { dims: Object.fromEntries([[name, 10]]) }), 12000n, `dims ${name}`);
    }
  });
});

describe('tables keyed by user-chosen names', () => {
  it('the einsight.dimensions and einsight.severity settings keep every key', () => {
    const raw = JSON.parse(`{"dimensions": {${PROTOTYPE_NAMES.map((n) => `"${n}": 7`).join(', ')}}, "severity": {"constructor": "error", "valueof": "off"}}`);
    const { settings, problems } = parseSettings(raw);
    assert.deepEqual(problems, []);
    for (const name of PROTOTYPE_NAMES) assert.ok(Object.hasOwn(settings.dimensions, name) && settings.dimensions[name] === 7, name);
    assert.deepEqual(Object.entries(settings.severity), [['constructor', 'error'], ['valueof', 'off']]);
  });

  it('--dims keeps every name, __proto__ included', () => {
    const dims = parseDims(PROTOTYPE_NAMES.map((n, i) => `${n}=${i + 1}`).join(','));
    assert.deepEqual(Object.keys(dims), [...PROTOTYPE_NAMES]);
    assert.equal(dims.__proto__, 5);
  });

  it('a command named like a prototype member is an unknown command', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const result = await runCli([name]);
      assert.equal(result.code, 2, name);
      assert.match(result.stderr, new RegExp(`^einsight: unknown command '${name}'`), name);
    }
  });
});
