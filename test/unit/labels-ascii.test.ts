/**
 * Labels that are not ASCII letters. numpy and torch raise on them (numpy: UnicodeEncodeError
 * or ValueError; torch: RuntimeError), opt_einsum and einops accept them; einsight used to price
 * them everywhere. `\N{...}` escapes used to become one shared placeholder: now an ASCII letter's
 * name decodes to the letter, and any other name stands for a character of its own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { fixAll, prepareRewrites } from 'einsight-server/rewrite/index';
import { findPython } from '../support/python-runner';

const HEAD = 'import numpy as np\nimport torch\nimport opt_einsum\nimport einops\na = np.ones((2, 3))\nb = np.ones((3, 4))\n';

async function only(call: string) {
  const text = `${HEAD}x = ${call}\n`;
  const analysis = await analyzePython(text);
  return { analysis, text, site: analysis.sites[0], findings: analysis.findings.map((f) => [f.code, f.message, text.slice(f.range.start, f.range.end)]) };
}

describe('labels numpy and torch refuse', () => {
  const cases: [call: string, shown: string, written: string][] = [
    ['np.einsum("iη,ηk->ik", a, b)', 'η', 'η'],
    ['np.einsum("i\\u0135,\\u0135k->ik", a, b)', 'ĵ', '\\u0135'],
    ['np.einsum("iＪ,Ｊk->ik", a, b)', 'Ｊ', 'Ｊ'],
    ['np.einsum("i\\N{GREEK SMALL LETTER ETA},\\N{GREEK SMALL LETTER ETA}k->ik", a, b)', '\\N{GREEK SMALL LETTER ETA}', '\\N{GREEK SMALL LETTER ETA}'],
    ['torch.einsum("iη,ηk->ik", torch.ones(2, 3), torch.ones(3, 4))', 'η', 'η'],
  ];
  for (const [call, shown, written] of cases) {
    it(`${call}: EIN002 at the label`, async () => {
      const { findings } = await only(call);
      const library = call.startsWith('torch') ? 'torch.einsum' : 'numpy.einsum';
      assert.deepEqual(findings, [['EIN002', `${library} takes only ASCII letters as labels: '${shown}' makes it raise`, written]]);
    });
  }

  it('numpy itself raises on them (where numpy is installed)', (t) => {
    const python = findPython(['numpy']);
    if (!python) return t.skip('no Python with numpy');
    const script = [
      'import numpy as np',
      'a, b = np.ones((2, 3)), np.ones((3, 4))',
      'for eq in ["iη,ηk->ik", "i\\u0135,\\u0135k->ik", "iＪ,Ｊk->ik", "i\\N{GREEK SMALL LETTER ETA},\\N{GREEK SMALL LETTER ETA}k->ik"]:',
      '    try:',
      '        np.einsum(eq, a, b); print("ok")',
      '    except Exception as e:',
      '        print(type(e).__name__)',
      'print(np.einsum("i\\N{LATIN SMALL LETTER J},\\N{latin small letter j}k->ik", a, b).shape)',
    ].join('\n');
    const result = spawnSync(python, ['-c', script], { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
    const lines = result.stdout.trim().split('\n');
    assert.ok(lines.slice(0, 4).every((line) => line !== 'ok'), result.stdout + result.stderr);
    assert.equal(lines[4], '(2, 4)');
  });
});

describe('\\N{...} escapes', () => {
  it('an ASCII letter by name is that letter, in either case', async () => {
    const { site, findings } = await only('np.einsum("i\\N{LATIN SMALL LETTER J},\\N{latin small letter j}\\N{LATIN CAPITAL LETTER K}->iK", a, b)');
    assert.deepEqual(findings, []);
    assert.equal(site.normalizedEquation, 'ij,jK->iK');
    assert.equal(site.baseline?.flops, 48n);
  });

  it('other names are labels of their own for opt_einsum and einops, and no fix writes them back', async () => {
    const { analysis, text, site, findings } = await only(
      'opt_einsum.contract("\\N{GREEK SMALL LETTER ALPHA}\\N{GREEK SMALL LETTER BETA},\\N{GREEK SMALL LETTER BETA}k,kl->\\N{GREEK SMALL LETTER ALPHA}l", a, b, np.ones((4, 5000)), optimize=False)',
    );
    assert.deepEqual(findings.map(([code]) => code), ['EIN001']);
    assert.deepEqual(site.contraction?.inputs, [[0, 1], [1, 2], [2, 3]], 'alpha and beta are two labels');
    await prepareRewrites();
    const fix = fixAll(analysis, text, {});
    assert.ok(!fix || fix.edits.every((e) => !/[\uE000-\uF8FF]/.test(e.newText)), 'no stand-in written into code');
  });

  it('einops takes non-ASCII names; opt_einsum takes non-ASCII letters', async () => {
    assert.deepEqual((await only('einops.einsum(a, b, "i é, é k -> i k")')).findings, []);
    assert.equal((await only('opt_einsum.contract("iη,ηk->ik", a, b)')).site.baseline?.flops, 48n);
  });
});
