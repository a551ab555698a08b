/**
 * The language server follows each document's project (a real server over stdio): the
 * interpreter of einsight.python.interpreter or the one the client selected
 * (`einsight/pythonInterpreter`), asked once without holding analysis back; the hover says
 * where the environment came from; test code gets cost findings as hints.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspTestClient } from '../support/lsp-client';

const TORCH = 'import torch\nA = torch.ones(10, 100)\nB = torch.ones(100, 50)\nC = torch.ones(50, 5)\nr = torch.einsum("ij,jk,kl->il", A, B, C)\n';

function fakePython(dir: string, name: string, answer: object): string {
  const path = join(dir, name);
  fs.writeFileSync(path, `#!/bin/sh\necho '${JSON.stringify(answer)}'\n`, { mode: 0o755 });
  return path;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the interpreter decides torch baseline, and the hover says which interpreter it was', async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'einsight-lsp-env-'));
  const withOe = fakePython(dir, 'python-oe', { executable: '/env/bin/python', python: '3.12.1', numpy: '2.1.0', torch: '2.3.0', opt_einsum: '3.4.0' });
  const without = fakePython(dir, 'python-plain', { executable: '/plain/bin/python', python: '3.12.1', numpy: '2.1.0', torch: '2.3.0', opt_einsum: null });
  fs.writeFileSync(join(dir, 'model.py'), TORCH);
  const uri = pathToFileURL(join(dir, 'model.py')).href;
  const client = await LspTestClient.start({ settings: { python: { interpreter: withOe } } });
  try {
    await client.open(uri, TORCH);
    const hover = () => client.hover(uri, { line: 4, character: 6 }).then((h) => (h?.contents as MarkupContent | undefined)?.value ?? '');
    const asked = await until(hover, (text) => text.includes('Environment:'), 'the interpreter to answer');
    assert.match(asked, /As written: torch\.einsum runs opt_einsum's 'auto' \(optimal\) at every call\./);
    assert.match(asked, /Environment: opt_einsum 3\.4\.0 installed, torch 2\.3\.0 \(asked \/env\/bin\/python \(Python 3\.12\.1\)\)\./);
    // The client's selection counts only where the setting names none.
    await client.connection.sendNotification('einsight/pythonInterpreter', { path: without });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(await hover(), /asked \/env\/bin\/python/);
  } finally {
    assert.equal(await client.stop(), 0);
  }
  const selected = await LspTestClient.start({ settings: {} });
  try {
    await selected.open(uri, TORCH);
    await selected.connection.sendNotification('einsight/pythonInterpreter', { path: without });
    const hover = () => selected.hover(uri, { line: 4, character: 6 }).then((h) => (h?.contents as MarkupContent | undefined)?.value ?? '');
    const text = await until(hover, (t) => t.includes('/plain/bin/python'), 'the selected interpreter');
    assert.match(text, /As written: torch\.einsum without opt_einsum installed contracts left to right\./);
    assert.match(text, /Environment: no opt_einsum, torch 2\.3\.0 \(asked \/plain\/bin\/python/);
  } finally {
    assert.equal(await selected.stop(), 0);
  }
});

test('test code gets its cost findings as hints', async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'einsight-lsp-tests-'));
  fs.mkdirSync(join(dir, 'tests'));
  const text = 'import numpy as np\nA = np.ones((10, 100))\nB = np.ones((100, 50))\nC = np.ones((50, 5))\nx = np.einsum("ij,jk,kl->il", A, B, C)\n';
  const client = await LspTestClient.start({ settings: { python: { interpreter: '/nonexistent/python' } } });
  try {
    const testUri = pathToFileURL(join(dir, 'tests', 'test_model.py')).href;
    const codeUri = pathToFileURL(join(dir, 'model.py')).href;
    await client.open(testUri, text);
    await client.open(codeUri, text);
    const inTest = await client.waitForDiagnostics(testUri, 1);
    const inCode = await client.waitForDiagnostics(codeUri, 1);
    assert.deepEqual(inTest.diagnostics.map((d) => [d.code, d.severity]), [['EIN001', 4]]);
    assert.deepEqual(inCode.diagnostics.map((d) => [d.code, d.severity]), [['EIN001', 2]]);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});
