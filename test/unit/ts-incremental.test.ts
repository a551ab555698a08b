/**
 * An editor buffer analysed edit after edit (incremental parse, scopes and sites reused for
 * the functions an edit did not touch) must give exactly what a fresh analysis of the same
 * text gives, whatever the edits: typing, deleting, pasting, in functions, in module-level
 * code, in hint comments, through syntax errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeTypeScript, TypeScriptDocument, type TextEdit } from 'einsight-server/analysis/typescript/analyze';
import { TYPESCRIPT_FIXTURES } from '../support/typescript-harness';

const MODEL = readFileSync(path.join(TYPESCRIPT_FIXTURES, 'model.ts'), 'utf8');

function apply(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const SNIPPETS = ['0', '1', ' ', '\n', ',', 'x', "'ij,jk->ik'", 'tf.einsum(', ')', '// einsight: x[2, 3]\n', '{', '}', ';', ' state = x; ', ' const HIDDEN = 8; '];

for (const seed of [11, 29]) test(`random edits analysed incrementally match a fresh analysis after every edit (seed ${seed})`, () => {
  const random = seeded(seed);
  const document = new TypeScriptDocument('ts');
  let text = MODEL;
  assert.deepEqual(document.analyze(text, null, {}), analyzeTypeScript(text, {}));
  for (let round = 0; round < 150; round++) {
    const start = Math.floor(random() * text.length);
    const deleting = random() < 0.4;
    const end = deleting ? Math.min(text.length, start + 1 + Math.floor(random() * 6)) : start;
    const edit = { start, end, text: deleting ? '' : SNIPPETS[Math.floor(random() * SNIPPETS.length)] };
    text = apply(text, edit);
    const incremental = document.analyze(text, [edit], {});
    assert.deepEqual(incremental, analyzeTypeScript(text, {}), `after edit ${round}: ${JSON.stringify(edit)}`);
    // Every few edits, undo back to the model so the file keeps its sites.
    if (round % 10 === 9) {
      const reset = { start: 0, end: text.length, text: MODEL };
      text = MODEL;
      assert.deepEqual(document.analyze(text, [reset], {}), analyzeTypeScript(text, {}));
    }
  }
});

test('typing inside one function keeps the sites of the others and moves them', () => {
  const document = new TypeScriptDocument('ts');
  const before = document.analyze(MODEL, null, {});
  const at = MODEL.indexOf('tf.randomNormal([HIDDEN, 256])');
  const edit = { start: at, end: at, text: 'tf.randomNormal([HIDDEN, 256]).add(' };
  const closing = { start: at + edit.text.length + 'tf.randomNormal([HIDDEN, 256])'.length, end: at + edit.text.length + 'tf.randomNormal([HIDDEN, 256])'.length, text: ')' };
  let text = apply(MODEL, edit);
  text = apply(text, closing);
  const after = document.analyze(text, [edit, closing], {});
  assert.deepEqual(after, analyzeTypeScript(text, {}));
  assert.equal(after.sites.length, before.sites.length);
  const moved = after.sites.filter((s, i) => s.range.start !== before.sites[i].range.start);
  assert.ok(moved.length > 0 && moved.every((s) => s.range.start > at));
});

test('edits that do not reproduce the text fall back to a full parse', () => {
  const document = new TypeScriptDocument('ts');
  document.analyze(MODEL, null, {});
  const text = MODEL.replace('HEADS = 4', 'HEADS = 8');
  assert.deepEqual(document.analyze(text, [{ start: 0, end: 0, text: '' }], {}), analyzeTypeScript(text, {}));
});

test('changing the options re-reads every function', () => {
  const document = new TypeScriptDocument('ts');
  document.analyze(MODEL, null, {});
  const options = { dims: { batch: 8, seq: 16 } };
  assert.deepEqual(document.analyze(MODEL, [], options), analyzeTypeScript(MODEL, options));
});

test('a function that starts assigning a module-level let changes what the others know of it', () => {
  const text = `import * as tf from '@tensorflow/tfjs';\nlet w = tf.ones([2, 3]);\nexport function f() {\n  return tf.einsum('ij->ji', w);\n}\nexport function g() {\n  return 1;\n}\n`;
  const document = new TypeScriptDocument('ts');
  assert.deepEqual(document.analyze(text, null, {}).sites[0].operands[0].shape?.dims, [2, 3]);
  const at = text.indexOf('return 1;');
  const edit = { start: at, end: at, text: 'w = tf.ones([5, 5]); ' };
  const after = apply(text, edit);
  const incremental = document.analyze(after, [edit], {});
  assert.deepEqual(incremental, analyzeTypeScript(after, {}));
  assert.equal(incremental.sites[0].operands[0].shape, null);
});
