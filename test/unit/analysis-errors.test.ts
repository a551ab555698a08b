import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeFixture, loadPythonFixture, siteAt, textAt } from '../support/python-fixtures';

describe('equation and shape errors become located findings, never exceptions', () => {
  it('points inside the literal through prefixes, escapes and concatenation', async () => {
    const { fixture, analysis } = await analyzeFixture('errors.py');
    const expected: Record<string, [code: string, message: string]> = {
      badChar: ['EIN002', "invalid character '!': einsum labels are single letters"],
      badOutput: ['EIN002', "output label 'q' does not appear in any input"],
      concatenated: ['EIN002', "output label 'z' does not appear in any input"],
      afterEscape: ['EIN002', "output label 'z' does not appear in any input"],
      escape: ['EIN002', "invalid character '!': einsum labels are single letters"],
      operandCount: ['EIN002', 'the equation has 3 input terms but 2 operands were given'],
      mismatch: ['EIN003', "label 'j' has size 3 in operand 0 but size 4 in operand 1"],
      rank: ['EIN003', "operand 1 ('jkl') has 3 labels but its shape has 2 dimensions"],
      sublistItem: ['EIN002', 'sublist item 99 (operand 0, position 1) is not a label: use an integer from 0 to 51 or \'...\''],
    };
    assert.deepEqual(fixture.names, Object.keys(expected));
    const located = analysis.findings.map((f) => ({ code: f.code, message: f.message, range: f.range }));
    assert.deepEqual(
      located,
      Object.entries(expected).map(([name, [code, message]]) => ({ code, message, range: fixture.range(name) })),
    );
    for (const site of analysis.sites) assert.equal(site.baseline, null);
    // The normalized equation survives a shape error.
    assert.equal(analysis.sites[6].normalizedEquation, 'ij,jk->ik');
  });

  it('analyses the parts of a file with syntax errors that parse', async () => {
    const { fixture, analysis } = await analyzeFixture('syntax_errors.py');
    assert.ok(analysis.syntaxErrors.length > 0);
    // The call inside `unfinished` is torn apart by the parser's recovery; the rest reads fine.
    assert.equal(analysis.sites.length, 2);
    for (const name of ['ok', 'alsoOk']) {
      const site = siteAt(analysis, fixture, name);
      assert.ok(site.best !== null, name);
    }
    assert.equal(siteAt(analysis, fixture, 'ok').best?.flops, 6n);
    assert.equal(siteAt(analysis, fixture, 'alsoOk').best?.flops, 48n);
  });

  it('never throws on arbitrary text', async () => {
    const texts = ['', '\n\n', 'np.einsum(', '"""', 'import torch\ntorch.einsum(*', 'def f(:\n\ttorch.einsum("ij", x, y, z)', '\uFEFFx = 1', 'torch.einsum("", )'];
    for (const text of texts) {
      const analysis = await analyzePython(text);
      assert.ok(Array.isArray(analysis.sites), JSON.stringify(text));
    }
    // Every fixture, cut and spliced at random.
    const alphabet = ['(', ')', '[', ']', '"', "'", ',', '->', '...', '@', '*', '=', ':', '\n    ', '#', 'einsum(', '\u00e9', '\ud83d\ude00', '\\', 'f"{'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (const name of ['forms.py', 'equations.py', 'shapes.py', 'chains.py', 'scalars.py', 'libraries.py', 'errors.py', 'hints.py']) {
      let text = loadPythonFixture(name).text;
      for (let step = 0; step < 30; step++) {
        const at = random(text.length + 1);
        text = random(2) === 0 ? text.slice(0, at) + alphabet[random(alphabet.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + random(40));
        const analysis = await analyzePython(text);
        assert.ok(Array.isArray(analysis.findings), `${name} after ${step} mutations`);
      }
    }
  });
});

describe('hint comments', () => {
  it('reports unreadable hints and still reads the readable ones', async () => {
    const { fixture, analysis } = await analyzeFixture('hints.py');
    const hints = analysis.findings.filter((f) => f.code === 'EIN008').map((f) => [f.message, textAt(fixture, f.range)]);
    assert.deepEqual(hints, [
      ["'[' is never closed", '['],
      ["expected a variable name, a size such as 'batch=32', or 'ignore'", '{'],
    ]);
    assert.deepEqual(siteAt(analysis, fixture, 'readable').operands.map((o) => o.shape?.dims), [[4, 5], [5, 6]]);
  });

  it('silences the codes an ignore comment names, on any line of the call', async () => {
    const { fixture, analysis } = await analyzeFixture('hints.py');
    const codes = (name: string) => analysis.findings.filter((f) => f.site === siteAt(analysis, fixture, name).id).map((f) => f.code);
    assert.deepEqual(siteAt(analysis, fixture, 'silenced').ignored, ['EIN003']);
    assert.deepEqual(codes('silenced'), []);
    assert.deepEqual(siteAt(analysis, fixture, 'silencedAll').ignored, []);
    assert.deepEqual(codes('silencedAll'), []);
    assert.deepEqual(codes('reported'), ['EIN003']);
  });
});
