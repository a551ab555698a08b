/**
 * The real server over stdio, asked about documents it does not have, sent parameters and raw
 * JSON-RPC no client should send, and given many documents and thousands of findings at once.
 * After each abuse a real request must still get its real answer.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { CancellationTokenSource, type CodeAction, type Hover, type Range } from 'vscode-languageserver-protocol';
import { Parser } from 'web-tree-sitter';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { fixAll, prepareRewrites } from 'einsight-server/rewrite/index';
import { TsSource } from 'einsight-server/rewrite/tfjs-source';
import { pythonModel, pythonParses, typescriptModel } from '../bench/lsp-abuse-inputs';
import { applyWorkspaceEdit, LspTestClient, SERVER_MODULE } from '../support/lsp-client';

const GOOD = "import numpy as np\na = np.ones((8, 64))\nb = np.ones((64, 128))\nc = np.ones((128, 4))\nd = np.einsum('ij,jk,kl->il', a, b, c)\n";
const TARGET = 'file:///abuse/target.py';
const CALL = { line: 4, character: 8 };
const EVERYWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start();
  await client.open(TARGET, GOOD);
  await client.waitForDiagnostics(TARGET, 1);
});

after(async () => {
  assert.equal(await client.stop(), 0, `server stderr:\n${client.serverStderr}`);
});

/** The real question after each abuse: the hover on the call, and the server still running. */
async function assertAnswering(what: string): Promise<void> {
  const hover = (await client.hover(TARGET, CALL)) as Hover | null;
  assert.match(JSON.stringify(hover?.contents), /numpy\.einsum/, `after ${what}`);
  assert.ok(client.alive, `after ${what}`);
}

test('requests about documents the server does not have get empty answers', async () => {
  await client.open('file:///abuse/notes.txt', "np.einsum('ij,jk->ik', a, b)", 'plaintext');
  await client.open('file:///abuse/closed.py', GOOD);
  await client.waitForDiagnostics('file:///abuse/closed.py', 1);
  await client.close('file:///abuse/closed.py');
  const unknown = [
    'file:///abuse/never-opened.py',
    'file:///abuse/closed.py',
    'file:///abuse/notes.txt',
    'file:///abuse/unknown.ipynb#cell0',
    'file:///abuse/%F0%9F%98%80%20space%3F.py',
    'untitled:Untitled-1',
    'x',
  ];
  for (const uri of unknown) {
    assert.equal(await client.hover(uri, CALL), null, uri);
    assert.deepEqual(await client.inlayHints(uri, { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }), [], uri);
    assert.deepEqual(await client.codeActions(uri, EVERYWHERE, { only: ['quickfix', 'source.fixAll'] }), [], uri);
    assert.deepEqual(await client.codeLenses(uri), [], uri);
    assert.deepEqual(await client.executeCommand('einsight.server.fixAll', [uri]), { applied: false, reason: 'the document is not open or is still changing' });
    await assertAnswering(uri);
  }
});

const BAD_POSITIONS: unknown[] = [
  { line: -1, character: 0 },
  { line: 0, character: -5 },
  { line: 0.5, character: 0 },
  { line: 2 ** 53, character: 0 },
  { line: 1e300, character: 1e300 },
  { line: '4', character: '8' },
  { line: null, character: null },
  { line: 4 },
  {},
  null,
  [4, 8],
  'here',
];

test('positions and ranges that are not positions get empty answers', async () => {
  for (const position of BAD_POSITIONS) {
    const what = JSON.stringify(position);
    const ranges = [{ start: position, end: CALL }, { start: CALL, end: position }, { start: position }, position];
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: TARGET }, position }), null, what);
    for (const range of ranges) {
      const context = { diagnostics: [] };
      assert.deepEqual(await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: TARGET }, range, context }), [], what);
      assert.deepEqual(await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri: TARGET }, range }), [], what);
    }
    await assertAnswering(what);
  }
});

test('positions past the end, reversed ranges and odd contexts are answered for the text there is', async () => {
  const past = { line: 2 ** 31 - 1, character: 2 ** 31 - 1 };
  assert.equal(await client.hover(TARGET, past), null);
  assert.deepEqual(await client.inlayHints(TARGET, { start: past, end: { line: 0, character: 0 } }), []);
  // From inside the call to far past the end: the call's fixes, as for any range that touches it.
  assert.equal(((await client.codeActions(TARGET, { start: CALL, end: past })) as CodeAction[]).length, 2);
  // A range that ends before it starts holds nothing, for code actions as for inlay hints.
  assert.deepEqual(await client.codeActions(TARGET, { start: past, end: CALL }), []);
  const contexts: unknown[] = [null, 'quickfix', { only: 'quickfix' }, { only: [null, 7, {}] }, { diagnostics: 'all' }, { diagnostics: [null, 1, { source: 'einsight', data: null }, { source: 'einsight', data: { unitVersion: 1, site: 99 } }] }];
  for (const context of contexts) {
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: TARGET }, range: { start: CALL, end: CALL }, context })) as CodeAction[];
    assert.ok(Array.isArray(actions), JSON.stringify(context));
    assert.ok(actions.every((a) => a.edit?.documentChanges?.length === 1), JSON.stringify(context));
  }
  for (const args of [[null], [{ uri: 5 }], [123], [{}], 'x', null, [TARGET.toUpperCase()]]) {
    assert.deepEqual(
      await client.connection.sendRequest('workspace/executeCommand', { command: 'einsight.server.fixAll', arguments: args }),
      args && Array.isArray(args) && typeof args[0] === 'string'
        ? { applied: false, reason: 'the document is not open or is still changing' }
        : { applied: false, reason: 'expected the document uri as the first argument' },
    );
  }
  await assertAnswering('odd ranges and contexts');
});

test('requests cancelled as soon as they are sent are answered or cancelled, never lost', async () => {
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const source = new CancellationTokenSource();
      const request = client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: TARGET }, range: { start: CALL, end: CALL }, context: { diagnostics: [] } }, source.token);
      if (i % 2 === 0) source.cancel();
      return request.then(
        (answer) => (Array.isArray(answer) ? 'answered' : 'odd'),
        (error: { code?: number }) => (error.code === -32800 ? 'cancelled' : `error ${error.code}`),
      );
    }),
  );
  assert.ok(outcomes.every((o) => o === 'answered' || o === 'cancelled'), outcomes.join(', '));
  await assertAnswering('cancelled requests');
});

/** Frames `body` (any text, valid JSON or not) as one LSP message. */
function frame(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]);
}

test('garbage JSON-RPC on the wire: the server logs or refuses each message and keeps serving', async () => {
  const child = spawn(process.execPath, [SERVER_MODULE, '--stdio'], { stdio: 'pipe' });
  const responses = new Map<number, Response>();
  let buffered = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let match; (match = /^Content-Length: (\d+)\r\n\r\n/.exec(buffered.toString('latin1'))); ) {
      const start = match[0].length;
      const length = Number(match[1]);
      if (buffered.length < start + length) break;
      const message = JSON.parse(buffered.subarray(start, start + length).toString('utf8'));
      buffered = buffered.subarray(start + length);
      if (typeof message.id === 'number' && !message.method) responses.set(message.id, message);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const answer = async (id: number) => {
    for (let waited = 0; !responses.has(id); waited += 10) {
      if (waited > 10_000) throw new Error(`no answer to request ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return responses.get(id)!;
  };
  const send = (message: unknown) => child.stdin.write(frame(JSON.stringify(message)));
  try {
    await abuseRawServer(send, (body) => child.stdin.write(frame(body)), answer);
    assert.equal(await exited, 0);
  } finally {
    child.kill();
  }
});

type Response = { result?: unknown; error?: { code: number } };

async function abuseRawServer(send: (message: unknown) => void, sendRaw: (body: string) => void, answer: (id: number) => Promise<Response>): Promise<void> {
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  await answer(1);
  send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: TARGET, languageId: 'python', version: 1, text: GOOD } } });
  const hover = { jsonrpc: '2.0', method: 'textDocument/hover', params: { textDocument: { uri: TARGET }, position: CALL } };
  const garbage = [
    '{not json',
    '',
    '[]',
    '42',
    'null',
    '"text"',
    '{}',
    '{"jsonrpc":"2.0"}',
    '{"jsonrpc":"2.0","id":90}',
    '{"jsonrpc":"2.0","id":91,"method":5}',
    '{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover","params":{}}',
    '{"jsonrpc":"2.0","id":92,"result":{}}',
    '{"jsonrpc":"2.0","id":93,"error":{"code":1}}',
    '{"jsonrpc":"2.0","method":"$/cancelRequest","params":null}',
    '{"jsonrpc":"2.0","method":"textDocument/didChange","params":7}',
    '\u0000\u0001\uFFFF\uD800',
  ];
  let id = 100;
  for (const body of garbage) {
    sendRaw(body);
    send({ ...hover, id: ++id });
    assert.match(JSON.stringify((await answer(id)).result), /numpy\.einsum/, `after ${JSON.stringify(body)}`);
  }
  // Requests with params no handler accepts are answered, with nothing or with an error.
  for (const params of ['garbage', 7, [1, 2, 3], null, { textDocument: [] }]) {
    send({ jsonrpc: '2.0', id: ++id, method: 'textDocument/hover', params });
    const response = await answer(id);
    assert.ok(response.error !== undefined || response.result === null, JSON.stringify(params));
  }
  send({ jsonrpc: '2.0', id: ++id, method: 'initialize', params: {} });
  assert.ok((await answer(id)).error, 'a second, malformed initialize is refused');
  send({ ...hover, id: ++id });
  assert.match(JSON.stringify((await answer(id)).result), /numpy\.einsum/);
  send({ jsonrpc: '2.0', id: ++id, method: 'shutdown' });
  await answer(id);
  send({ jsonrpc: '2.0', method: 'exit' });
}

test('100 documents opened at once each get their own findings, and lose them on close', async () => {
  const uris = Array.from({ length: 100 }, (_, i) => `file:///abuse/many/doc${i}.py`);
  // Document i contracts a (8 + i)-row matrix: its message names its own FLOP count, 98,304 per row.
  const texts = uris.map((_, i) => GOOD.replace('np.ones((8, 64))', `np.ones((${8 + i}, 64))`));
  const published = uris.map((uri) => client.waitForDiagnostics(uri, 3, 60_000));
  for (const [i, uri] of uris.entries()) await client.open(uri, texts[i], 'python', 3);
  const results = await Promise.all(published);
  for (const [i, { diagnostics }] of results.entries()) {
    assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001'], uris[i]);
    const written = /every index: ([\d.,e+]+) FLOPs/.exec(String(diagnostics[0].message))?.[1] ?? '';
    const flops = Number(written.replace(/,/g, ''));
    assert.ok(Math.abs(flops / (98_304 * (8 + i)) - 1) < 0.01, `${uris[i]}: ${written} FLOPs`);
  }
  for (const uri of uris) await client.close(uri);
  for (const uri of uris) await client.waitForStatus(uri, 'closed');
  assert.ok(uris.every((uri) => client.diagnosticsOf(uri).length === 0));
  await assertAnswering('100 documents');
});

test('fix-all over thousands of findings answers at once, and the fixed file parses', { timeout: 60_000 }, async () => {
  const uri = 'file:///abuse/wide.py';
  const text = pythonModel(1000);
  await client.open(uri, text);
  const { diagnostics } = await client.waitForDiagnostics(uri, 1, 30_000);
  assert.equal(diagnostics.length, 2000);
  const actions = (await client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] })) as CodeAction[];
  assert.deepEqual(actions.map((a) => a.title), ['Apply 2000 einsight fixes (EIN004, EIN001)']);
  const fixed = applyWorkspaceEdit(text, actions[0].edit!, uri);
  assert.deepEqual(await pythonParses([fixed]), [true]);
  await client.change(uri, 2, [{ text: fixed }]);
  assert.deepEqual((await client.waitForDiagnostics(uri, 2, 30_000)).diagnostics, []);
  await client.close(uri);
});

test('TypeScript fix-all over a thousand findings answers at once', { timeout: 60_000 }, async () => {
  const uri = 'file:///abuse/wide.ts';
  const text = typescriptModel(500);
  await client.open(uri, text, 'typescript');
  const { diagnostics } = await client.waitForDiagnostics(uri, 1, 30_000);
  assert.equal(diagnostics.length, 1000);
  const actions = (await client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] })) as CodeAction[];
  assert.deepEqual(actions.map((a) => a.title), ['Apply 1000 einsight fixes (EIN009, EIN004)']);
  await client.change(uri, 2, [{ text: applyWorkspaceEdit(text, actions[0].edit!, uri) }]);
  assert.deepEqual((await client.waitForDiagnostics(uri, 2, 30_000)).diagnostics, []);
  await client.close(uri);
});

test('fix-all leaves out a fix that would not parse and keeps the others', async () => {
  const uri = 'file:///abuse/one-broken.py';
  const call = "np.einsum('ij,jk,kl->il', a, b, c)";
  // The middle call is a site, but any rewrite of it touches the stray parenthesis' syntax error.
  const text = `${GOOD.split('\n').slice(0, 4).join('\n')}\nd = ${call}\nprint(${call}))\nf = ${call}\n`;
  await client.open(uri, text);
  assert.equal((await client.waitForDiagnostics(uri, 1)).diagnostics.filter((d) => d.code === 'EIN001').length, 3);
  assert.deepEqual(await client.codeActions(uri, { start: { line: 5, character: 8 }, end: { line: 5, character: 8 } }), []);
  const [all] = (await client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] })) as CodeAction[];
  assert.equal(all.title, 'Apply 2 einsight fixes (EIN001)');
  const fixed = applyWorkspaceEdit(text, all.edit!, uri);
  assert.ok(fixed.includes(`print(${call}))\n`), 'the call before the stray parenthesis is left as it was');
  assert.ok(!fixed.includes(`d = ${call}`) && !fixed.includes(`f = ${call}`));
});

/** Calls `count` on every call of `object[method]` while `run` runs. */
async function counting<T extends object>(object: T, method: keyof T, run: () => unknown): Promise<number> {
  const original = object[method] as (...args: unknown[]) => unknown;
  let calls = 0;
  object[method] = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  } as T[keyof T];
  try {
    await run();
  } finally {
    object[method] = original as T[keyof T];
  }
  return calls;
}

test('fix-all parses a file a few times in all, not once per finding (a 50,000-line file took minutes)', async () => {
  await prepareRewrites();
  const python = pythonModel(100);
  const pythonAnalysis = await analyzePython(python);
  assert.equal(pythonAnalysis.findings.length, 200);
  const pythonParsesCount = await counting(Parser.prototype, 'parse', () => assert.ok(fixAll(pythonAnalysis, python)));
  assert.ok(pythonParsesCount <= 4, `${pythonParsesCount} tree-sitter parses for 200 findings`);

  const typescript = typescriptModel(100);
  const typescriptAnalysis = await analyzeTypeScript(typescript);
  assert.equal(typescriptAnalysis.findings.length, 200);
  const typescriptChecks = await counting(TsSource.prototype, 'parsesAfter', () => assert.ok(fixAll(typescriptAnalysis, typescript)));
  assert.ok(typescriptChecks <= 2, `${typescriptChecks} whole-file syntax checks for 200 findings`);
});
