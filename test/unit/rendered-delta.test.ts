/** What crosses from the analysis thread after each analysis: only the changes to each list. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RenderingReceiver, RenderingSender, sameData, spliceBetween } from 'einsight-server/service/rendered-delta';
import type { RenderedAnalysis } from 'einsight-server/workspace/session';

type Lists = Partial<Record<'diagnostics' | 'codeLenses' | 'inlayHints', [string, unknown[]][]>>;

function rendering(version: number, lists: Lists): RenderedAnalysis {
  return { version, state: 'ready', error: null, durationMs: 1, sites: 0, observed: null, notice: null, diagnostics: [], codeLenses: [], inlayHints: [], ...lists } as RenderedAnalysis;
}

const d = (line: number, message = `finding on ${line}`) => ({ range: { start: { line, character: 0 }, end: { line, character: 4 } }, message });

test('the splice between two lists spans what lies between their common head and tail', () => {
  assert.equal(spliceBetween([d(1), d(2)], [d(1), d(2)]), null);
  assert.deepEqual(spliceBetween([d(1), d(2), d(3)], [d(1), d(9), d(3)]), { start: 1, deleteCount: 1, items: [d(9)] });
  assert.deepEqual(spliceBetween([d(1), d(3)], [d(1), d(2), d(3)]), { start: 1, deleteCount: 0, items: [d(2)] });
  assert.deepEqual(spliceBetween([d(1), d(2), d(3)], [d(3)]), { start: 0, deleteCount: 2, items: [] });
  // Repeated items: head and tail never overlap.
  assert.deepEqual(spliceBetween([d(1), d(1)], [d(1), d(1), d(1)]), { start: 2, deleteCount: 0, items: [d(1)] });
  assert.deepEqual(spliceBetween([], [d(1)]), { start: 0, deleteCount: 0, items: [d(1)] });
});

test('JSON data compares by value, arrays and objects apart', () => {
  assert.ok(sameData({ a: [1, { b: null }] }, { a: [1, { b: null }] }));
  assert.ok(!sameData({ a: [1] }, { a: { 0: 1 } }));
  assert.ok(!sameData({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!sameData({ a: 1, b: undefined }, { a: 1, c: undefined }));
  assert.ok(!sameData(null, {}));
});

test('the receiver rebuilds every rendering; a list left as it was keeps its identity', () => {
  const sender = new RenderingSender();
  const receiver = new RenderingReceiver();
  const cross = (r: RenderedAnalysis) => receiver.apply(structuredClone(sender.delta(r)));
  const first = rendering(1, { diagnostics: [['a', [d(1), d(2)]], ['b', []]], codeLenses: [['a', [d(1)]], ['b', []]] });
  const one = cross(first);
  assert.deepEqual(one, first);
  const second = rendering(2, { diagnostics: [['a', [d(1), d(2, 'changed')]], ['b', []]], codeLenses: [['a', [d(1)]], ['b', []]] });
  const delta = sender.delta(second);
  assert.equal(delta.complete, false);
  assert.deepEqual(delta.changes.diagnostics, [['a', { start: 1, deleteCount: 1, items: [d(2, 'changed')] }], ['b', null]]);
  const two = receiver.apply(structuredClone(delta));
  assert.deepEqual(two, second);
  assert.notEqual(two.diagnostics[0][1], one.diagnostics[0][1]);
  assert.equal(two.diagnostics[1][1], one.diagnostics[1][1]);
  assert.equal(two.codeLenses[0][1], one.codeLenses[0][1]);
  // A cell added and one removed (notebooks): the new one is sent whole, the old one is forgotten.
  const third = rendering(3, { diagnostics: [['a', [d(1), d(2, 'changed')]], ['c', [d(7)]]], codeLenses: [['a', [d(1)]], ['c', []]] });
  assert.deepEqual(cross(third), third);
  const fourth = rendering(4, { diagnostics: [['b', [d(5)]]] });
  assert.deepEqual(cross(fourth), fourth);
});

test('a thread that restarted sends its first rendering whole, and the receiver starts from it', () => {
  const receiver = new RenderingReceiver();
  const before = new RenderingSender();
  receiver.apply(structuredClone(before.delta(rendering(1, { diagnostics: [['a', [d(1), d(2), d(3)]]] }))));
  const restarted = new RenderingSender();
  const after = rendering(2, { diagnostics: [['a', [d(2)]]] });
  const delta = restarted.delta(after);
  assert.equal(delta.complete, true);
  assert.deepEqual(receiver.apply(structuredClone(delta)), after);
});
