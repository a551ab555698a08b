import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { PythonDocument, analyzePython, analyzePythonCells } from 'einsight-server/analysis/python/analyze';
import { cellPosition } from 'einsight-server/analysis/python/cells';
import type { UnitCache } from 'einsight-server/analysis/python/front-end';
import { loadPythonFixture } from '../support/python-fixtures';

/** Everything but object identity: two analyses of the same text compare equal. */
function comparable(analysis: FileAnalysis): string {
  return JSON.stringify(analysis, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
}

describe('incremental analysis of a document', () => {
  it('gives after each edit what a full analysis of the new text gives', async () => {
    const text = loadPythonFixture('chains.py').text;
    const document = await PythonDocument.open();
    document.analyze(text, null);
    // One character inside an equation, then a deletion and an insertion elsewhere.
    const at = text.indexOf('"ik,k->i"') + 2;
    const edits = [
      { start: at, end: at + 1, text: 'j' },
      { start: 0, end: text.indexOf('\n') + 1, text: '' },
      { start: 0, end: 0, text: 'import math\n' },
    ];
    let current = text;
    for (const edit of edits) {
      current = current.slice(0, edit.start) + edit.text + current.slice(edit.end);
      const incremental = document.analyze(current, [edit]);
      assert.equal(comparable(incremental), comparable(await analyzePython(current)));
    }
    document.dispose();
  });

  it('agrees with a full analysis after every edit of a random edit sequence, on every fixture', async () => {
    const pieces = ['a', ' ', '\n', '(', ')', "'", '#', '1', 'B = 3\n', 'global A\n', '    ', 'einsum', ','];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (const name of ['forms.py', 'shapes.py', 'chains.py', 'scalars.py', 'libraries.py', 'hints.py']) {
      let text = loadPythonFixture(name).text;
      const document = await PythonDocument.open();
      document.analyze(text, null);
      for (let step = 0; step < 25; step++) {
        const start = random(text.length + 1);
        const edit =
          random(3) === 0
            ? { start, end: Math.min(text.length, start + 1 + random(3)), text: '' }
            : { start, end: start, text: pieces[random(pieces.length)] };
        text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
        const incremental = document.analyze(text, [edit]);
        assert.equal(comparable(incremental), comparable(await analyzePython(text)), `${name}, edit ${step}: ${JSON.stringify(edit)}`);
      }
      document.dispose();
    }
  });

  it("keeps a global's known shape however often an edit changes it (widening counts one iteration, not the document's life)", async () => {
    // Found by the fuzz, whose one document lives through hundreds of inputs: from the second
    // edit of A's first dimension on, the incremental analysis widened it to unknown.
    const textWith = (rows: number) => `import numpy as np\nA = np.ones((${rows}, 30))\nB = np.ones((30, 20))\n\ndef f():\n    return np.einsum('ij,jk->ik', A, B)\n`;
    const document = await PythonDocument.open();
    let text = textWith(10);
    document.analyze(text, null);
    for (let rows = 11; rows <= 18; rows++) {
      const at = text.indexOf('((') + 2;
      const edit = { start: at, end: at + 2, text: String(rows) };
      text = textWith(rows);
      const incremental = document.analyze(text, [edit]);
      assert.equal(incremental.sites[0].baseline?.flops, BigInt(2 * rows * 30 * 20), `after the edit to ${rows} rows`);
      assert.equal(comparable(incremental), comparable(await analyzePython(text)));
    }
    document.dispose();
  });

  it('moves ranges that point below an unchanged function when the text between them changes', async () => {
    const text = 'import numpy as np\n\ndef f(a, b):\n    return np.einsum(EQ, a, b)\n\nx = 1\nEQ = "ij,jk->iq"\n';
    const document = await PythonDocument.open();
    document.analyze(text, null);
    const at = text.indexOf('x = 1');
    const edited = `${text.slice(0, at)}# moved\n${text.slice(at)}`;
    const analysis = document.analyze(edited, [{ start: at, end: at, text: '# moved\n' }]);
    const error = analysis.sites[0].diagnostics[0];
    assert.equal(edited.slice(error.range.start, error.range.end), 'q');
    assert.equal(comparable(analysis), comparable(await analyzePython(edited)));
    document.dispose();
  });

  it('re-copies only the statements an edit touched', async () => {
    const text = 'import numpy as np\n\ndef f(a):\n    return np.einsum("ii", a)\n\ndef g(b):\n    return np.einsum("ij->", b)\n';
    const document = await PythonDocument.open();
    document.analyze(text, null);
    const [imports, f, g] = document.parsed!.module.children;
    const at = text.indexOf('"ii"') + 2;
    const edited = document.analyze(`${text.slice(0, at)}i${text.slice(at)}`, [{ start: at, end: at, text: 'i' }]);
    const children = document.parsed!.module.children;
    assert.equal(children[0], imports);
    assert.notEqual(children[1], f);
    assert.equal(children[2], g);
    // The untouched function moved by one character and its offsets followed.
    assert.equal(g.start, text.indexOf('def g') + 1);
    assert.equal(edited.sites[0].normalizedEquation, 'iii->');
    document.dispose();
  });

  it('keeps one reading per unchanged unit however often an edit above it moves it', async () => {
    const text = 'import numpy as np\n\ndef f(a):\n    return np.einsum("ii", a)\n\ndef g(b):\n    return np.einsum("ij->", b)\n';
    const document = await PythonDocument.open();
    document.analyze(text, null);
    const at = text.indexOf('"ii"') + 2;
    const typed = `${text.slice(0, at)}i${text.slice(at)}`;
    for (let step = 0; step < 20; step++) {
      const typing = step % 2 === 0;
      document.analyze(typing ? typed : text, [typing ? { start: at, end: at, text: 'i' } : { start: at, end: at + 1, text: '' }]);
    }
    const { units } = document as unknown as { units: UnitCache };
    // g moved twenty times: its reading moved with it, and none of its earlier places is kept
    // (each was carried on with its offset maps, up to 64 copies per unit).
    assert.equal(units.byText.get(text.slice(text.indexOf('def g')).trimEnd())?.length, 1);
    document.dispose();
  });

  it('falls back to a full parse when the edits do not produce the text', async () => {
    const document = await PythonDocument.open();
    document.analyze('import numpy as np\nx = 1\n', null);
    const text = 'import numpy as np\nr = np.einsum("ij,jk", np.ones((2, 3)), np.ones((3, 4)))\n';
    const analysis = document.analyze(text, [{ start: 0, end: 0, text: '#' }]);
    assert.equal(analysis.sites[0].best?.flops, 48n);
    document.dispose();
  });
});

describe('notebook cells', () => {
  it('analyses cells as one module in order, with magics blanked out', async () => {
    const cells = ['import numpy as np\nA = np.ones((2, 3))', '%timeit A.sum()\n!ls\nr = np.einsum("ij,jk->ik", A, np.ones((3, 4)))\n'];
    const { analysis, cells: joined } = await analyzePythonCells(cells);
    assert.equal(joined.text.length, cells[0].length + 1 + cells[1].length);
    assert.equal(analysis.syntaxErrors.length, 0);
    const site = analysis.sites[0];
    assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[2, 3], [3, 4]]);
    const position = cellPosition(joined, site.range.start);
    assert.deepEqual(position, { cell: 1, offset: cells[1].indexOf('np.einsum') });
  });
});
