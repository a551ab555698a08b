/**
 * Abuse over the wire: malformed params, unknown documents, out-of-range positions, garbage
 * text. The server answers each with an empty result (never a crash) and keeps working.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspTestClient } from '../support/lsp-client';

let client: LspTestClient;
const GOOD = "import numpy as np\na = np.ones((8, 64))\nb = np.ones((64, 128))\nc = np.ones((128, 4))\nd = np.einsum('ij,jk,kl->il', a, b, c)\n";

before(async () => {
  client = await LspTestClient.start();
});

after(async () => {
  assert.equal(await client.stop(), 0, `server stderr:\n${client.serverStderr}`);
});

/** The server still analyses a fresh document correctly. */
async function assertStillWorking(name: string): Promise<void> {
  const uri = `file:///work/alive-${name}.py`;
  await client.open(uri, GOOD);
  const { diagnostics } = await client.waitForDiagnostics(uri, 1);
  assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001']);
  assert.ok(client.alive);
}

const MALFORMED: unknown[] = [{}, { textDocument: null }, { textDocument: { uri: 42 } }, { textDocument: { uri: '' }, position: null }];

test('malformed requests get empty answers', async () => {
  const uri = 'file:///work/target.py';
  await client.open(uri, GOOD);
  await client.waitForDiagnostics(uri, 1);
  for (const params of MALFORMED) {
    assert.equal(await client.connection.sendRequest('textDocument/hover', params), null, JSON.stringify(params));
    assert.deepEqual(await client.connection.sendRequest('textDocument/inlayHint', params), [], JSON.stringify(params));
    assert.deepEqual(await client.connection.sendRequest('textDocument/codeAction', params), [], JSON.stringify(params));
    assert.deepEqual(await client.connection.sendRequest('textDocument/codeLens', params), [], JSON.stringify(params));
    assert.equal(await client.connection.sendRequest('workspace/executeCommand', params), null, JSON.stringify(params));
  }
  // Positional params (a client sends a bare number or string as such) are refused by the protocol layer.
  for (const params of [[uri, 0], 0, 'x', null]) {
    await assert.rejects(client.connection.sendRequest('textDocument/hover', params), (error: { code: number }) => error.code === -32602);
  }
  // Well-formed shape, nonsense values.
  const position = { line: -1, character: 1.5 };
  assert.equal(await client.hover(uri, position), null);
  assert.equal(await client.hover(uri, { line: 1e9, character: 1e9 }), null);
  assert.deepEqual(await client.inlayHints(uri, { start: { line: 9, character: 0 }, end: { line: 0, character: 0 } }), []);
  assert.deepEqual(
    await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 4, character: 6 }, end: { line: 4, character: 6 } }, context: { diagnostics: [null, 7, { data: 'x' }], only: [3, null] } }),
    [],
  );
  await assertStillWorking('requests');
});

test('malformed or misdirected notifications are dropped with a log line', async () => {
  const notifications: [string, unknown][] = [
    ['textDocument/didOpen', { textDocument: { uri: 'file:///x.py', languageId: 'python', version: 'one', text: 'x' } }],
    ['textDocument/didOpen', null],
    ['textDocument/didChange', { textDocument: { uri: 'file:///never-opened.py', version: 2 }, contentChanges: [{ text: 'x' }] }],
    ['textDocument/didChange', { textDocument: { uri: 'file:///work/target.py', version: 2 }, contentChanges: [{ range: 'everything', text: 'x' }] }],
    ['textDocument/didChange', { textDocument: { uri: 'file:///work/target.py', version: 2 }, contentChanges: 'all of it' }],
    ['textDocument/didClose', { textDocument: {} }],
    ['notebookDocument/didOpen', { notebookDocument: { uri: 'file:///n.ipynb', cells: 'many' } }],
    ['notebookDocument/didChange', { notebookDocument: { uri: 'file:///unknown.ipynb' }, change: { cells: {} } }],
    ['notebookDocument/didClose', { notebookDocument: 5 }],
    ['workspace/didChangeConfiguration', { settings: 'loud' }],
    ['workspace/didChangeConfiguration', null],
    ['$/unknownNotification', { anything: true }],
  ];
  for (const [method, params] of notifications) await client.connection.sendNotification(method, params);
  await assertStillWorking('notifications');
  assert.ok(client.logs.some((l) => l.includes('ignored a malformed textDocument/didChange')), client.logs.join('\n'));
});

test('an unknown request method is a protocol error, not a crash', async () => {
  await assert.rejects(client.connection.sendRequest('einsight/noSuchRequest', {}), /Unhandled method/);
  await assertStillWorking('unknown-method');
});

test('edits at positions past the end are clamped, as editors do', async () => {
  const uri = 'file:///work/clamped.py';
  await client.open(uri, 'x = 1\n');
  await client.waitForDiagnostics(uri, 1);
  await client.change(uri, 2, [{ range: { start: { line: 99, character: 99 }, end: { line: 120, character: 0 } }, text: GOOD }]);
  const { diagnostics } = await client.waitForDiagnostics(uri, 2);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['EIN001', 5]]);
});

test('garbage text is analysed without complaint', async () => {
  const uri = 'file:///work/garbage.py';
  const junk = ['\u0000\u0001\uFFFF', 'np.einsum(', "np.einsum('", 'np.einsum("ij,jk->ik"', '((((((((', '"""', '\uD800', 'def f(:\n  np.einsum(*x, **y)'].join('\n');
  await client.open(uri, junk);
  await client.waitForDiagnostics(uri, 1);
  const deep = `x = ${'('.repeat(1000)}1${')'.repeat(1000)}\n`;
  await client.change(uri, 2, [{ text: deep + GOOD }]);
  const { diagnostics } = await client.waitForDiagnostics(uri, 2);
  assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001']);
});

test('the same document opened twice, closed twice, changed after close', async () => {
  const uri = 'file:///work/twice.py';
  await client.open(uri, 'x = 1\n');
  await client.open(uri, GOOD, 'python', 7);
  assert.deepEqual((await client.waitForDiagnostics(uri, 7)).diagnostics.map((d) => d.code), ['EIN001']);
  await client.close(uri);
  await client.close(uri);
  await client.change(uri, 8, [{ text: 'y = 2' }]);
  assert.equal(await client.hover(uri, { line: 4, character: 6 }), null);
  await assertStillWorking('twice');
});
