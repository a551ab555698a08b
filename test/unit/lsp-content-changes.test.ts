/**
 * One didChange may carry thousands of content changes (a multi-cursor edit; VS Code allows
 * 10,000). They used to cost O(changes × text) — 69 s on a 100,000-line file — and above
 * ~110,000 changes a RangeError dropped the version. They are now applied in one pass over an
 * array of lines; the result must be exactly what applying them one by one to the whole text
 * gives, positions clamped as `TextDocument.offsetAt` clamps them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { seededRandom } from 'einsight-server/core/random';
import { applyContentChanges, splitLines } from 'einsight-server/workspace/content-changes';
import { TextUnit } from 'einsight-server/workspace/units';
import { applyOneByOne } from '../support/content-changes';

const PIECES = ['a', 'bc', ' ', '\n', '\r\n', '\r', 'é', '😀', 'x\ny', '\r\r\n\n', ''];

function randomChanges(next: () => number, count: number, lines: number): TextDocumentContentChangeEvent[] {
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const text = () => Array.from({ length: int(0, 3) }, () => PIECES[int(0, PIECES.length - 1)]).join('');
  const position = () => ({ line: int(-1, lines + 1), character: int(-1, 12) });
  return Array.from({ length: count }, () => (next() < 0.02 ? { text: text() } : { range: { start: position(), end: position() }, text: text() }));
}

describe('content changes applied in one pass', () => {
  it('give exactly what applying them one by one gives (seeded: CR, LF, CRLF, astral characters, clamped and reversed ranges)', () => {
    const next = seededRandom(20261126);
    for (let round = 0; round < 400; round++) {
      const text = Array.from({ length: Math.floor(next() * 12) }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
      const changes = randomChanges(next, 17 + Math.floor(next() * 30), splitLines(text).length);
      const document = TextDocument.create('file:///x', 'python', 1, text);
      const { document: after, edits } = applyContentChanges(document, changes, 2);
      const expected = applyOneByOne(text, changes);
      assert.equal(after.getText(), expected, JSON.stringify({ text, changes }));
      assert.equal(after.version, 2);
      // The one edit reported turns the old text into the new one.
      const [edit] = edits;
      assert.equal(text.slice(0, edit.start) + edit.text + text.slice(edit.end), expected);
      assert.equal(document.getText(), text);
    }
  });

  it('splits lines as TextDocument does', () => {
    for (const text of ['', 'a', 'a\n', 'a\r\nb', '\r\r\n\n', 'x\ry\n\n']) {
      const document = TextDocument.create('file:///x', 'python', 1, text);
      assert.equal(splitLines(text).length, document.lineCount, JSON.stringify(text));
      assert.equal(splitLines(text).join(''), text);
    }
  });

  it('10,000 cursors typing on a 100,000-line file, and 150,000 changes in one didChange', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `x${i} = np.einsum("ij,jk->ik", a, b)\n`);
    const unit = new TextUnit({ uri: 'file:///big.py', languageId: 'python', version: 1, text: lines.join('') });
    // VS Code sends a multi-cursor edit last cursor first.
    const typed: TextDocumentContentChangeEvent[] = [];
    for (let line = 99_990; line >= 0; line -= 10) typed.push({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '# ' });
    unit.applyChanges(typed, 2);
    const text = unit.snapshot().text;
    assert.equal(text.length, lines.join('').length + 2 * 10_000);
    assert.ok(text.startsWith('# x0 = np.einsum'));
    assert.equal(text.split('\n')[10], '# x10 = np.einsum("ij,jk->ik", a, b)');
    // Many changes, each adding a line: no call receives them all as arguments.
    const pasted: TextDocumentContentChangeEvent[] = [];
    for (let i = 0; i < 150_000; i++) pasted.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'y\n' });
    unit.applyChanges(pasted, 3);
    assert.equal(unit.snapshot().slices[0].version, 3);
    assert.ok(unit.snapshot().text.startsWith('y\n'.repeat(150_000) + '# x0'));
  });
});
