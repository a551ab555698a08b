/**
 * The language server against a hostile or broken client, over stdio as an editor drives it:
 * framing errors (the server used to stay alive but deaf), requests after `shutdown`, a client
 * that never answers `workspace/configuration`, didChange with tens of thousands of changes,
 * notebooks that list a cell twice or name a cell like an open text document.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { LspTestClient, SERVER_MODULE } from '../support/lsp-client';

/** numpy without optimize on (10,100)(100,50)(50,5): EIN001 at this call. */
const COSTLY = 'import numpy as np\nr = np.einsum("ij,jk,kl->il", np.ones((10, 100)), np.ones((100, 50)), np.ones((50, 5)))\n';

/** Writes raw bytes to a fresh server; resolves with its exit code and stderr. */
function rawSession(bytes: Buffer | string, keepOpenMs = 3000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_MODULE, '--stdio'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill(), keepOpenMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdin.write(bytes);
  });
}

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });

describe('framing errors end the server with a reason, instead of leaving it deaf', () => {
  const cases: [what: string, bytes: string, reason: RegExp][] = [
    ['headers ended by bare line feeds', `Content-Length: ${INITIALIZE.length}\n\n${INITIALIZE}`, /a header line ends with a bare line feed/],
    ['no Content-Length', `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${INITIALIZE}`, /a message has no Content-Length header/],
    ['a Content-Length that is not a number', `Content-Length: 12abc\r\n\r\n${INITIALIZE}`, /Content-Length is not a number of bytes: "12abc"/],
    ['a negative Content-Length', `Content-Length: -5\r\n\r\n{}`, /Content-Length is not a number of bytes: "-5"/],
    ['a header line without a colon', `Content-Length 5\r\n\r\n{}`, /a header line is not 'Name: value'/],
    ['a charset other than UTF-8', `Content-Length: 2\r\nContent-Type: application/json; charset=latin1\r\n\r\n{}`, /unsupported charset 'latin1'/],
    ['a Content-Length over the limit', `Content-Length: 99999999999\r\n\r\n`, /is over the 512 MiB einsight reads/],
    ['a valid message, then garbage', `${frame(INITIALIZE)}GET / HTTP/1.1\r\nHost: x\r\n\r\n`, /a header line is not 'Name: value': "GET \/ HTTP\/1.1"/],
  ];
  for (const [what, bytes, reason] of cases) {
    it(what, async () => {
      const { code, stderr } = await rawSession(bytes);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^einsight: cannot read the client's messages any more: /m);
      assert.match(stderr, reason);
      assert.match(stderr, /exiting so that the client can restart the server/);
    });
  }

  it('64 KiB of header without an end', async () => {
    const { code, stderr } = await rawSession(`X-Filler: ${'a'.repeat(70_000)}`);
    assert.equal(code, 1);
    assert.match(stderr, /no end of headers within 65,536 bytes/);
  });

  it('a well-framed body that is not JSON costs that message only: the next one is answered', async () => {
    const client = await LspTestClient.start();
    try {
      // A message the protocol client would never send, written beside it on the same pipe.
      client.writeRaw(frame('{not json'));
      await client.open('file:///after.py', COSTLY);
      const { diagnostics } = await client.waitForDiagnostics('file:///after.py', 1);
      assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001']);
      assert.match(client.serverStderr, /einsight: ignored a message: a message body is not JSON/);
    } finally {
      await client.stop();
    }
  });
});

describe('after shutdown', () => {
  it('requests fail with InvalidRequest, a second shutdown too, and exit ends the server with 0', async () => {
    const client = await LspTestClient.start();
    await client.open('file:///s.py', COSTLY);
    await client.waitForDiagnostics('file:///s.py', 1);
    assert.equal(await client.connection.sendRequest('shutdown'), null);
    for (const request of [() => client.hover('file:///s.py', { line: 1, character: 5 }), () => client.connection.sendRequest('shutdown'), () => client.codeLenses('file:///s.py')]) {
      await assert.rejects(request(), (error: { code: number; message: string }) => error.code === -32600 && /shut down/.test(error.message));
    }
    await client.connection.sendNotification('exit');
    assert.equal(await client.exitStatus(), 0);
  });
});

describe('a client that never answers workspace/configuration', () => {
  let release: () => void = () => undefined;
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start({ settings: { einsight: { minSpeedup: 100 } }, holdConfiguration: new Promise<void>((resolve) => (release = resolve)) });
  });
  after(async () => {
    release();
    await client.stop();
  });

  it('gets diagnostics with the defaults after the timeout, and its settings once it answers', async () => {
    await client.open('file:///config.py', COSTLY);
    const first = await client.waitForDiagnostics('file:///config.py', 1, 15_000);
    assert.deepEqual(first.diagnostics.map((d) => d.code), ['EIN001'], 'the defaults report a 12.5× speedup');
    assert.ok(client.messages.some((m) => /did not answer workspace\/configuration within 3 s; using the defaults until it does/.test(m.message)));
    release();
    // minSpeedup 100 from the late answer: the finding goes.
    const later = await client.nextDiagnostics((p) => p.uri === 'file:///config.py' && p.diagnostics.length === 0, 15_000, 'diagnostics under the late settings');
    assert.deepEqual(later.diagnostics, []);
  });
});

describe('didChange with many content changes', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('10,000 cursors on a 100,000-line file, then 150,000 changes: each version analysed, none dropped', async () => {
    const uri = 'file:///multi.py';
    const lines = [COSTLY.trimEnd(), ...Array.from({ length: 100_000 }, (_, i) => `x${i} = ${i}`)];
    await client.open(uri, `${lines.join('\n')}\n`);
    await client.waitForDiagnostics(uri, 1, 60_000);
    const typed = [];
    for (let line = 100_000; line >= 2; line -= 10) typed.push({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '_' });
    await client.change(uri, 2, typed);
    assert.deepEqual((await client.waitForDiagnostics(uri, 2, 60_000)).diagnostics.map((d) => d.code), ['EIN001']);
    const many = Array.from({ length: 150_000 }, () => ({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }));
    await client.change(uri, 3, many);
    const third = await client.waitForDiagnostics(uri, 3, 60_000);
    assert.deepEqual(third.diagnostics.map((d) => [d.code, d.range.start.line]), [['EIN001', 150_001]]);
    assert.doesNotMatch(client.serverStderr, /RangeError/);
  });
});

describe('notebooks that repeat a cell or borrow a document uri', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  function openNotebook(uri: string, cells: { document: string; text: string }[], documents = cells) {
    return client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri, notebookType: 'jupyter-notebook', version: 1, cells: cells.map((c) => ({ kind: 2, document: c.document })) },
      cellTextDocuments: documents.map((c) => ({ uri: c.document, languageId: 'python', version: 1, text: c.text })),
    });
  }

  it('a cell listed twice is analysed once: one finding, not two', async () => {
    const cell = { document: 'vscode-notebook-cell:/twice.ipynb#a', text: COSTLY };
    await openNotebook('file:///twice.ipynb', [cell, cell], [cell]);
    const { diagnostics } = await client.waitForDiagnostics(cell.document, 1);
    assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001']);
  });

  it('a cell added again by a structure change is not doubled either', async () => {
    const cell = { document: 'vscode-notebook-cell:/again.ipynb#a', text: COSTLY };
    await openNotebook('file:///again.ipynb', [cell]);
    await client.waitForDiagnostics(cell.document, 1);
    await client.changeNotebook('file:///again.ipynb', 2, { cells: { structure: { array: { start: 1, deleteCount: 0, cells: [{ kind: 2, document: cell.document }] } } } });
    await client.waitForStatus('file:///again.ipynb', 'ready');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(client.diagnosticsOf(cell.document).map((d) => d.code), ['EIN001']);
  });

  it('a cell whose uri is an open text document leaves that document alone', async () => {
    const uri = 'file:///shared/model.py';
    await client.open(uri, COSTLY);
    await client.waitForDiagnostics(uri, 1);
    await openNotebook('file:///shared/hijack.ipynb', [
      { document: uri, text: 'import numpy as np\n' },
      { document: 'vscode-notebook-cell:/shared/hijack.ipynb#b', text: 'y = 1\n' },
    ]);
    // The text document still takes its own changes and reports its own findings.
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    const { diagnostics } = await client.waitForDiagnostics(uri, 2);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['EIN001', 2]]);
  });

  it('130,000 cells added in one structure change', async () => {
    const notebook = 'file:///huge.ipynb';
    const first = { document: 'vscode-notebook-cell:/huge.ipynb#0', text: COSTLY };
    await openNotebook(notebook, [first]);
    await client.waitForDiagnostics(first.document, 1);
    const cells = Array.from({ length: 130_000 }, (_, i) => ({ kind: 1, document: `vscode-notebook-cell:/huge.ipynb#m${i}` }));
    await client.changeNotebook(notebook, 2, { cells: { structure: { array: { start: 1, deleteCount: 0, cells } } } });
    await client.changeNotebook(notebook, 3, {
      cells: { textContent: [{ document: { uri: first.document, version: 2 }, changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# more\n' }] }] },
    });
    const { diagnostics } = await client.waitForDiagnostics(first.document, 2, 60_000);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['EIN001', 2]]);
    assert.doesNotMatch(client.serverStderr, /RangeError|Maximum call stack/);
  });
});

describe('a file the server does not analyse, or not fully', () => {
  it('says so in the Problems panel and the status, never "no findings"', async () => {
    const client = await LspTestClient.start();
    try {
      const uri = 'file:///huge/generated.py';
      await client.open(uri, COSTLY + '#'.repeat(8 * 1024 * 1024));
      const { diagnostics } = await client.waitForDiagnostics(uri, 1, 60_000);
      const reason = 'not analysed: the file is too large to analyse (8 MiB of text; einsight reads up to 8 MiB)';
      assert.deepEqual(diagnostics, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 3, source: 'einsight', message: reason }]);
      const status = await client.waitForStatus(uri, 'ready');
      assert.equal(status.message, reason);
      assert.equal(status.findings, 0);
    } finally {
      await client.stop();
    }
  });
});
