import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { diffEdit } from 'einsight-server/workspace/content-changes';
import { maskMagics, NotebookUnit, TextUnit } from 'einsight-server/workspace/units';

function applyEdits(text: string, edits: { start: number; end: number; text: string }[]): string {
  for (const edit of edits) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

test('incremental changes keep the exact text and record the edits that made it', () => {
  const unit = new TextUnit({ uri: 'file:///a.py', languageId: 'python', version: 1, text: 'x = 1\ny = 2\n' });
  const before = unit.snapshot();
  unit.takeEdits();
  unit.applyChanges(
    [
      { range: { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } }, text: '20' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# head\n' },
      // Past the end of the line: clamped, as editors do.
      { range: { start: { line: 3, character: 99 }, end: { line: 3, character: 99 } }, text: 'z = 3' },
    ],
    2,
  );
  const after = unit.snapshot();
  assert.equal(after.text, '# head\nx = 1\ny = 20\nz = 3');
  assert.equal(after.slices[0].version, 2);
  assert.equal(unit.version, before.version + 1);
  const edits = unit.takeEdits();
  assert.deepEqual(edits, [
    { start: 10, end: 11, text: '20' },
    { start: 0, end: 0, text: '# head\n' },
    { start: 20, end: 20, text: 'z = 3' },
  ]);
  assert.equal(applyEdits(before.text, edits!), after.text);
  // The old snapshot is untouched: a feature answering for version 1 still reads version 1.
  assert.equal(before.text, 'x = 1\ny = 2\n');
  assert.deepEqual(before.slices[0].document.positionAt(8), { line: 1, character: 2 });
});

test('a full-text change is one edit over the whole text', () => {
  const unit = new TextUnit({ uri: 'file:///a.py', languageId: 'python', version: 1, text: 'abc' });
  unit.takeEdits();
  unit.applyChanges([{ text: 'xyz\n' }], 5);
  assert.deepEqual(unit.takeEdits(), [{ start: 0, end: 3, text: 'xyz\n' }]);
  assert.equal(unit.editorVersion, 5);
});

test('an analyzer that lost its state gets a parse from scratch', () => {
  const unit = new TextUnit({ uri: 'file:///a.py', languageId: 'python', version: 1, text: 'abc' });
  assert.equal(unit.takeEdits(), null, 'the first analysis parses from scratch');
  unit.applyChanges([{ text: 'x' }], 2);
  unit.forgetEdits();
  unit.applyChanges([{ text: 'y' }], 3);
  assert.equal(unit.takeEdits(), null);
  assert.deepEqual(unit.takeEdits(), []);
});

function cell(uri: string, text: string, version = 1, languageId = 'python') {
  return { uri, code: true, document: TextDocument.create(uri, languageId, version, text) };
}

test('a notebook is its code cells in order, each mapped back to its own cell', () => {
  const unit = new NotebookUnit('nb.ipynb', 'python', [
    cell('nb#0', 'import numpy as np\na = np.ones((2, 3))'),
    { uri: 'nb#md', code: false, document: TextDocument.create('nb#md', 'markdown', 1, '# Title') },
    cell('nb#1', '%timeit f()\nb = np.einsum("ij->j", a)'),
  ]);
  const snapshot = unit.snapshot();
  assert.equal(snapshot.text, 'import numpy as np\na = np.ones((2, 3))\n#timeit f()\nb = np.einsum("ij->j", a)');
  assert.deepEqual(unit.documentUris(), ['nb#0', 'nb#md', 'nb#1']);
  const einsum = snapshot.text.indexOf('np.einsum');
  assert.deepEqual(snapshot.locate({ start: einsum, end: einsum + 9 }), {
    uri: 'nb#1',
    range: { start: { line: 1, character: 4 }, end: { line: 1, character: 13 } },
  });
  assert.equal(snapshot.offsetAt('nb#1', { line: 1, character: 4 }), einsum);
  assert.equal(snapshot.offsetAt('nb#md', { line: 0, character: 0 }), null, 'markup cells are not analysed');
  assert.equal(snapshot.offsetAt('elsewhere', { line: 0, character: 0 }), null);
  // A range running from one cell into the next cannot be shown in either.
  assert.equal(snapshot.locate({ start: 5, end: einsum }), null);
  assert.equal(snapshot.rangeIn('nb#0', { start: einsum, end: einsum + 1 }), null);
});

test('a change to one cell is one minimal edit of the joined text', () => {
  const unit = new NotebookUnit('nb.ipynb', 'python', [cell('nb#0', 'a = 1'), cell('nb#1', 'b = 2')]);
  unit.takeEdits();
  const before = unit.snapshot().text;
  unit.cells[1].document = TextDocument.create('nb#1', 'python', 2, 'b = 25');
  unit.cellsChanged();
  const after = unit.snapshot();
  assert.equal(after.text, 'a = 1\nb = 25');
  const edits = unit.takeEdits()!;
  assert.deepEqual(edits, [{ start: 11, end: 11, text: '5' }]);
  assert.equal(applyEdits(before, edits), after.text);
  assert.equal(after.slice('nb#1')!.version, 2);
});

test('diffEdit finds the smallest replaced span', () => {
  assert.deepEqual(diffEdit('abcdef', 'abXYef'), { start: 2, end: 4, text: 'XY' });
  assert.deepEqual(diffEdit('aaa', 'aaaa'), { start: 3, end: 3, text: 'a' });
  assert.deepEqual(diffEdit('abc', ''), { start: 0, end: 3, text: '' });
  assert.deepEqual(diffEdit('same', 'same'), { start: 4, end: 4, text: '' });
});

test('IPython magics become comments of the same length; non-Python cell magics blank their cell', () => {
  assert.equal(maskMagics('%matplotlib inline\n  !pip install x\nx = 1 % 2'), '#matplotlib inline\n  #pip install x\nx = 1 % 2');
  assert.equal(maskMagics('%%timeit\ny = f(x)'), '#%timeit\ny = f(x)');
  const bash = '%%bash\necho hi';
  assert.equal(maskMagics(bash), ' '.repeat(6) + '\n' + ' '.repeat(7));
});
