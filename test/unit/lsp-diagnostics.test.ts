/** Diagnostics published by the real server over stdio: codes, links, exact ranges, edits, settings. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DiagnosticSeverity, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient, SERVER_MODULE } from '../support/lsp-client';
import { loadFixture } from '../support/markers';

const fixture = loadFixture('diagnostics.py');
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start();
});

after(async () => {
  assert.equal(await client.stop(), 0);
});

function byCode(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.find((d) => d.code === code);
  assert.ok(found, `no ${code} among ${diagnostics.map((d) => d.code).join(', ')}`);
  return found;
}

test('the server announces what it does', async () => {
  assert.deepEqual((client.initializeResult as { capabilities: unknown }).capabilities, {
    textDocumentSync: { openClose: true, change: 2 },
    notebookDocumentSync: {
      notebookSelector: ['file', 'untitled'].map((scheme) => ({
        notebook: { scheme },
        cells: [{ language: 'python' }, { language: 'typescript' }, { language: 'typescriptreact' }, { language: 'javascript' }, { language: 'javascriptreact' }],
      })),
    },
    hoverProvider: true,
    inlayHintProvider: true,
    codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.einsight'] },
    codeLensProvider: { resolveProvider: false },
    executeCommandProvider: { commands: ['einsight.server.fixAll', 'einsight.server.measure'] },
  });
});

test('opening a file publishes each finding with its code, link, severity and exact range', async () => {
  const uri = 'file:///work/diagnostics.py';
  await client.open(uri, fixture.text);
  const { diagnostics, version } = await client.waitForDiagnostics(uri, 1);
  assert.equal(version, 1);
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['EIN001', 'EIN002', 'EIN003', 'EIN004'],
  );
  const wasted = byCode(diagnostics, 'EIN001');
  assert.deepEqual(wasted.range, fixture.range('wasted'));
  assert.equal(wasted.severity, DiagnosticSeverity.Warning);
  assert.equal(wasted.source, 'einsight');
  assert.deepEqual(wasted.codeDescription, { href: 'https://github.com/einsight/einsight/blob/main/docs/rules/EIN001.md' });
  assert.equal(
    wasted.message,
    'numpy.einsum without optimize runs one loop over every index: 786,432 FLOPs; the best path (optimal) needs 69,632 FLOPs (11.3× fewer)',
  );
  // Equation and shape errors sit on the very characters inside the string.
  const label = byCode(diagnostics, 'EIN002');
  assert.deepEqual(label.range, fixture.range('unknownLabel'));
  assert.equal(label.severity, DiagnosticSeverity.Error);
  assert.equal(label.message, "output label 'x' does not appear in any input");
  const mismatch = byCode(diagnostics, 'EIN003');
  assert.deepEqual(mismatch.range, fixture.range('mismatch'));
  assert.equal(mismatch.message, "label 'j' has size 64 in operand 0 but size 128 in operand 1");
});

test('a fusable chain points at every statement it would rewrite', async () => {
  const uri = 'file:///work/chain.py';
  await client.open(uri, fixture.text);
  const chain = byCode((await client.waitForDiagnostics(uri, 1)).diagnostics, 'EIN004');
  assert.deepEqual(chain.range, fixture.range('chain'));
  // Each whole statement: `t = ...` and `return ...`.
  const statement = (name: string) => ({ start: { line: fixture.range(name).start.line, character: 4 }, end: fixture.range(name).end });
  assert.deepEqual(chain.relatedInformation, [
    { location: { uri, range: statement('first') }, message: "bn,nm->bm: its result 't' only feeds the next call of the chain" },
    { location: { uri, range: statement('chain') }, message: "bm,mk->bk: the chain's result" },
  ]);
});

test('incremental edits move and clear diagnostics, for the version edited', async () => {
  const uri = 'file:///work/edit.py';
  await client.open(uri, fixture.text);
  await client.waitForDiagnostics(uri, 1);
  // Insert a line above everything: every range moves down by one.
  await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# header\n' }]);
  const moved = await client.waitForDiagnostics(uri, 2);
  const unknown = fixture.range('unknownLabel');
  assert.deepEqual(byCode(moved.diagnostics, 'EIN002').range, {
    start: { ...unknown.start, line: unknown.start.line + 1 },
    end: { ...unknown.end, line: unknown.end.line + 1 },
  });
  // Delete the stray output label: its error goes, the others stay.
  const at = { line: unknown.start.line + 1, character: unknown.start.character };
  await client.change(uri, 3, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' }]);
  const fixed = await client.waitForDiagnostics(uri, 3);
  assert.deepEqual(
    fixed.diagnostics.map((d) => d.code),
    ['EIN001', 'EIN003', 'EIN004'],
  );
});

test('a burst of edits is analysed once, for the last version', async () => {
  const uri = 'file:///work/burst.py';
  await client.open(uri, 'import numpy as np\n');
  await client.waitForDiagnostics(uri, 1);
  const analysed = () => client.statuses.filter((s) => s.uri === uri && s.state === 'ready').map((s) => s.documents[0].version);
  const before = analysed().length;
  const line = "x = np.einsum('ij,jk->ik', np.ones((2, 3)), np.ones((3, 4)))\n";
  for (let i = 0; i < line.length && i < 10; i++) {
    const character = i;
    await client.change(uri, 2 + i, [{ range: { start: { line: 1, character }, end: { line: 1, character } }, text: line[i] }]);
  }
  await client.change(uri, 11, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 10 } }, text: line }]);
  const last = await client.waitForDiagnostics(uri, 11);
  assert.equal(last.version, 11);
  const versions = analysed().slice(before);
  assert.ok(versions.length < 10, `expected the burst to be folded, got analyses of versions ${versions.join(', ')}`);
});

test('diagnostics an edit leaves as they were are not published again', async () => {
  const uri = 'file:///work/unchanged.py';
  await client.open(uri, `${fixture.text}\n# notes\n`);
  const first = await client.waitForDiagnostics(uri, 1);
  assert.ok(first.diagnostics.length > 0);
  const publications = () => client.published.filter((p) => p.uri === uri).length;
  const before = publications();
  // Typing in a comment below every finding changes no diagnostic.
  const end = { line: fixture.text.split('\n').length, character: 7 };
  await client.change(uri, 2, [{ range: { start: end, end }, text: ' more' }]);
  const second = await client.waitForDiagnostics(uri, 2);
  assert.deepEqual(second.diagnostics, first.diagnostics);
  assert.equal(publications(), before, 'the unchanged list is not sent again');
  // An edit above the findings moves them: published, at their new lines.
  await client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
  const third = await client.waitForDiagnostics(uri, 3);
  assert.equal(publications(), before + 1);
  assert.deepEqual(third.diagnostics.map((d) => d.range.start.line), first.diagnostics.map((d) => d.range.start.line + 1));
});

test('severity settings: per code and per rule name, "off" hides a rule, and a change re-publishes', async () => {
  const uri = 'file:///work/severity.py';
  client.settings = { severity: { EIN001: 'error', 'fusable-chain': 'off' } };
  await client.changeSettings(client.settings);
  await client.open(uri, fixture.text);
  const first = await client.waitForDiagnostics(uri, 1);
  assert.equal(byCode(first.diagnostics, 'EIN001').severity, DiagnosticSeverity.Error);
  assert.equal(first.diagnostics.find((d) => d.code === 'EIN004'), undefined);
  const republished = client.nextDiagnostics((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'EIN004'));
  await client.changeSettings({ severity: { EIN003: 'hint' } });
  const second = await republished;
  assert.equal(byCode(second.diagnostics, 'EIN001').severity, DiagnosticSeverity.Warning);
  assert.equal(byCode(second.diagnostics, 'EIN003').severity, DiagnosticSeverity.Hint);
  await client.changeSettings({});
});

test('einsight.minSpeedup and einsight.enable', async () => {
  const uri = 'file:///work/threshold.py';
  await client.changeSettings({ minSpeedup: 20 });
  await client.open(uri, fixture.text);
  const strict = await client.waitForDiagnostics(uri, 1);
  assert.equal(strict.diagnostics.find((d) => d.code === 'EIN001'), undefined, 'an 11.3x saving is under a 20x threshold');
  const disabled = client.nextDiagnostics((p) => p.uri === uri && p.diagnostics.length === 0);
  await client.changeSettings({ enable: false });
  await disabled;
  await client.waitForStatus(uri, 'disabled');
  const enabled = client.nextDiagnostics((p) => p.uri === uri && p.diagnostics.length > 0);
  await client.changeSettings({});
  assert.ok((await enabled).diagnostics.some((d) => d.code === 'EIN001'));
});

test('a bad setting is reported once, in words, and the defaults apply', async () => {
  const uri = 'file:///work/bad-settings.py';
  await client.changeSettings({ minSpeedup: 'fast' });
  await client.open(uri, fixture.text);
  const { diagnostics } = await client.waitForDiagnostics(uri, 1);
  assert.ok(diagnostics.some((d) => d.code === 'EIN001'));
  await client.waitForStatus(uri, 'ready');
  const warnings = client.messages.filter((m) => m.message.startsWith('einsight.minSpeedup'));
  assert.deepEqual(warnings, [{ type: 2, message: 'einsight.minSpeedup must be a number ≥ 1 (got "fast"); using 2' }]);
  await client.changeSettings({});
});

test('only files, unsaved buffers and notebook cells are analysed: a diff view of a file is not', async () => {
  const file = 'file:///work/viewed.py';
  const views = ['git:/work/viewed.py?%7B%22ref%22%3A%22HEAD%22%7D', 'vscode-vfs://github/einsight/viewed.py', 'output:einsight'];
  for (const uri of views) await client.open(uri, fixture.text);
  await client.open('untitled:Untitled-1', fixture.text);
  await client.open(file, fixture.text);
  assert.ok((await client.waitForDiagnostics(file, 1)).diagnostics.length > 0);
  assert.ok((await client.waitForDiagnostics('untitled:Untitled-1', 1)).diagnostics.length > 0);
  for (const uri of views) {
    assert.equal(client.diagnostics.get(uri), undefined, uri);
    assert.equal(await client.hover(uri, { line: 6, character: 8 }), null, uri);
  }
});

test('a Python-only workspace never loads the TypeScript compiler; a TypeScript file does', async () => {
  const probe = path.join(mkdtempSync(path.join(os.tmpdir(), 'einsight-probe-')), 'loads.txt');
  writeFileSync(probe, '');
  process.env.EINSIGHT_LOAD_PROBE = probe;
  const command = [process.execPath, '--require', require.resolve('../support/load-probe'), SERVER_MODULE, '--stdio'];
  const python = await LspTestClient.start({ command });
  try {
    const uri = 'file:///work/only-python.py';
    await python.open(uri, fixture.text);
    const { diagnostics } = await python.waitForDiagnostics(uri, 1);
    await python.codeActions(uri, diagnostics[0].range);
    await python.hover(uri, diagnostics[0].range.start);
    assert.equal(readFileSync(probe, 'utf8'), '', 'no thread loaded typescript');
    await python.open('file:///work/model.ts', "import * as tf from '@tensorflow/tfjs';\nexport const r = tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4]));\n", 'typescript');
    await python.waitForDiagnostics('file:///work/model.ts', 1);
    assert.match(readFileSync(probe, 'utf8'), /^typescript loaded on thread \d+\n/);
  } finally {
    delete process.env.EINSIGHT_LOAD_PROBE;
    assert.equal(await python.stop(), 0);
  }
});

test('the log says which server, for which client, the settings, and what the Python environment has', async () => {
  const uri = 'file:///work/logged.py';
  await client.open(uri, fixture.text);
  await client.waitForDiagnostics(uri, 1);
  const deadline = Date.now() + 15_000;
  while (!client.logs.some((l) => l.startsWith('einsight: Python environment (asked')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(client.logs[0], /^einsight language server \d+\.\d+\.\d+ \(Node \d+\.\d+\.\d+, pid \d+\) for an unnamed client; analyses run on their own thread$/);
  assert.ok(client.logs.some((l) => /^einsight: settings \(asked of the client\) for file:\/\/\/work\/\S+: /.test(l)), client.logs.join('\n'));
  // The interpreter's answer: its path, its Python, and each package's version or its absence.
  assert.ok(
    client.logs.some((l) => /^einsight: Python environment \(asked of .+ \(Python 3\.\d+\.\d+\)\): numpy .+, torch .+, opt_einsum .+$/.test(l)),
    client.logs.join('\n'),
  );
});

test('closing a file clears its diagnostics and its status', async () => {
  const uri = 'file:///work/close.py';
  await client.open(uri, fixture.text);
  await client.waitForDiagnostics(uri, 1);
  const cleared = client.nextDiagnostics((p) => p.uri === uri);
  await client.close(uri);
  assert.deepEqual((await cleared).diagnostics, []);
  await client.waitForStatus(uri, 'closed');
});

test('settings pushed by a client that cannot be asked', async () => {
  const pushed = await LspTestClient.start({ pullSettings: false, settings: { severity: { EIN002: 'off' } } });
  try {
    const uri = 'file:///work/pushed.py';
    await pushed.open(uri, fixture.text);
    const first = await pushed.waitForDiagnostics(uri, 1);
    assert.equal(first.diagnostics.find((d) => d.code === 'EIN002'), undefined);
    assert.deepEqual(pushed.configurationRequests, []);
    const again = pushed.nextDiagnostics((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'EIN002'));
    await pushed.changeSettings({ severity: { EIN001: 'off' } });
    const second = await again;
    assert.equal(second.diagnostics.find((d) => d.code === 'EIN001'), undefined);
  } finally {
    await pushed.stop();
  }
});

const CHAINED = [
  'import numpy as np',
  'a = np.random.rand(64, 64)',
  'b = np.random.rand(64, 64)',
  'c = np.random.rand(64, 8)',
  '',
  "w = np.einsum('ij,jk,kl->il', a, b, c)",
  "v = np.einsum('ij,jk,kl->il', a, b, c)",
  '',
].join('\n');

test('typing asks the editor to refresh nothing: it asks for hints and lenses itself after an edit', async () => {
  const uri = 'file:///work/no-refresh.py';
  const before = client.refreshRequests.length;
  await client.open(uri, fixture.text);
  await client.waitForDiagnostics(uri, 1);
  const line = fixture.text.split('\n').length - 1;
  for (let version = 2; version <= 6; version++) {
    const at = { line, character: 0 };
    await client.change(uri, version, [{ range: { start: at, end: at }, text: 'x' }]);
    await client.waitForDiagnostics(uri, version);
  }
  assert.deepEqual(client.refreshRequests.slice(before), []);
});

test('a call typed above others renumbers them, yet their diagnostics are not published again', async () => {
  const uri = 'file:///work/renumbered.py';
  await client.open(uri, CHAINED);
  const first = await client.waitForDiagnostics(uri, 1);
  assert.equal(first.diagnostics.length, 2);
  // What code actions need stays on the server (they find their diagnostic by range, code and message).
  assert.ok(first.diagnostics.every((d) => d.data === undefined), JSON.stringify(first.diagnostics));
  const publications = () => client.published.filter((p) => p.uri === uri).length;
  const before = publications();
  // A transpose has no finding: typed on the blank line, it becomes the first site without moving a line.
  await client.change(uri, 2, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: "t = np.einsum('ij->ji', a)" }]);
  assert.deepEqual((await client.waitForDiagnostics(uri, 2)).diagnostics, first.diagnostics);
  assert.equal(publications(), before);
  // Quick fixes still find the diagnostics the client sends back.
  const [preferred] = (await client.codeActions(uri, first.diagnostics[1].range, { diagnostics: [first.diagnostics[1]] })) as CodeAction[];
  assert.deepEqual(preferred.diagnostics, [first.diagnostics[1]]);
});

test('after many edits, diagnostics, lenses and hints are those of a fresh analysis of the same text', async () => {
  const uri = 'file:///work/edited-many.py';
  await client.open(uri, CHAINED);
  await client.waitForDiagnostics(uri, 1);
  const at = (line: number, character: number) => ({ line, character });
  const edits = [
    { range: { start: at(4, 0), end: at(4, 0) }, text: "t = np.einsum('ij->ji', a)" },
    { range: { start: at(0, 0), end: at(0, 0) }, text: '# header\n\n' },
    { range: { start: at(9, 0), end: at(9, 0) }, text: "u = np.einsum('ij,jk,kl->il', a, b, c)\n" },
    { range: { start: at(7, 0), end: at(8, 0) }, text: '' },
    { range: { start: at(8, 14), end: at(8, 15) }, text: 'q' },
    { range: { start: at(8, 14), end: at(8, 15) }, text: 'i' },
  ];
  let text = CHAINED;
  for (const [i, edit] of edits.entries()) {
    await client.change(uri, 2 + i, [edit]);
    text = applyChange(text, edit);
    const edited = await client.waitForDiagnostics(uri, 2 + i);
    const freshUri = `file:///work/fresh-${i}.py`;
    await client.open(freshUri, text);
    const fresh = await client.waitForDiagnostics(freshUri, 1);
    const renamed = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(freshUri, uri));
    assert.deepEqual(edited.diagnostics, renamed(fresh.diagnostics), `after edit ${i + 1}`);
    assert.deepEqual(await client.codeLenses(uri), renamed(await client.codeLenses(freshUri)), `lenses after edit ${i + 1}`);
    const all = { start: at(0, 0), end: at(100, 0) };
    assert.deepEqual(await client.inlayHints(uri, all), renamed(await client.inlayHints(freshUri, all)), `hints after edit ${i + 1}`);
    await client.close(freshUri);
  }
});

function applyChange(text: string, change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }): string {
  const offset = ({ line, character }: { line: number; character: number }) => text.split('\n').slice(0, line).join('\n').length + (line > 0 ? 1 : 0) + character;
  return text.slice(0, offset(change.range.start)) + change.text + text.slice(offset(change.range.end));
}
