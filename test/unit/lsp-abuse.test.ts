/**
 * The real server over stdio under a storm of edits and versions an editor should not send:
 * 1,000 rapid incremental changes, versions that go down or repeat, requests racing changes,
 * and changes the server cannot apply. Whatever arrives, the diagnostics match the text, and
 * every proposed edit is pinned to the version it was computed for and parses there. The
 * server runs with its heap capped at 256 MB: growing without bound would end it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CodeAction, Range, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { comparable, editStorm, pythonParses } from '../bench/lsp-abuse-inputs';
import { applyWorkspaceEdit, LspTestClient } from '../support/lsp-client';
import { loadFixture } from '../support/markers';

const fixes = loadFixture('fixes.py');
const EVERYWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
let client: LspTestClient;

before(async () => {
  const inherited = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${inherited ?? ''} --max-old-space-size=256`.trim();
  try {
    client = await LspTestClient.start();
  } finally {
    if (inherited === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = inherited;
  }
});

after(async () => {
  assert.equal(await client.stop(), 0, `server stderr:\n${client.serverStderr}`);
});

/** The versions an edit is pinned to, one per document it changes. */
function pinnedVersions(edit: WorkspaceEdit): number[] {
  return (edit.documentChanges ?? []).map((change) => ('textDocument' in change ? (change.textDocument.version as number) : NaN));
}

/** The range of `name` in fixes.py, `lines` lower. */
function shifted(name: string, lines: number): Range {
  const { start, end } = fixes.range(name);
  return { start: { ...start, line: start.line + lines }, end: { ...end, line: end.line + lines } };
}

test('1,000 rapid incremental edits end with the diagnostics and fixes of a fresh analysis', async () => {
  const uri = 'file:///abuse/storm.py';
  const base = loadFixture('diagnostics.py').text;
  await client.open(uri, base);
  await client.waitForDiagnostics(uri, 1);
  const editor = TextDocument.create(uri, 'python', 1, base);
  const { steps } = editStorm(editor, 1000, 4);
  const requests: Promise<unknown>[] = [];
  for (const [i, step] of steps.entries()) {
    await client.change(uri, step.version, step.changes);
    // Requests inside the storm make the server analyse versions in between, incrementally.
    if (i % 100 === 50) requests.push(client.hover(uri, { line: 6, character: 8 }), client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] }));
  }
  const final = await client.waitForDiagnostics(uri, 1001, 60_000);
  await Promise.all(requests);

  const fresh = 'file:///abuse/fresh.py';
  await client.open(fresh, editor.getText());
  const expected = await client.waitForDiagnostics(fresh, 1);
  assert.ok(expected.diagnostics.length > 0, 'the storm leaves findings to compare');
  assert.deepEqual(comparable(final.diagnostics), comparable(expected.diagnostics));

  const stormFix = (await client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] })) as CodeAction[];
  const freshFix = (await client.codeActions(fresh, EVERYWHERE, { only: ['source.fixAll'] })) as CodeAction[];
  assert.equal(stormFix.length, freshFix.length);
  for (const [i, action] of stormFix.entries()) {
    assert.deepEqual(pinnedVersions(action.edit!), [1001]);
    assert.equal(applyWorkspaceEdit(editor.getText(), action.edit!, uri), applyWorkspaceEdit(editor.getText(), freshFix[i].edit!, fresh));
  }
});

test('versions that go down or repeat: the server follows the text, and pins edits to the version given', async () => {
  const uri = 'file:///abuse/versions.py';
  await client.open(uri, fixes.text, 'python', 10);
  await client.waitForDiagnostics(uri, 10);
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const texts: string[] = [];

  // Version 4 after version 10.
  await client.change(uri, 4, [{ range: top, text: '# lower\n' }]);
  texts.push(`# lower\n${fixes.text}`);
  const lower = await client.waitForDiagnostics(uri, 4);
  assert.deepEqual(lower.diagnostics.find((d) => d.code === 'EIN001')?.range, shifted('wasted', 1));
  const lowerActions = (await client.codeActions(uri, shifted('wasted', 1))) as CodeAction[];
  assert.equal(lowerActions.length, 2);

  // Version 4 again, for other text.
  await client.change(uri, 4, [{ range: top, text: '# again\n' }]);
  texts.push(`# again\n${texts[0]}`);
  const again = await client.nextDiagnostics((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'EIN001' && d.range.start.line === shifted('wasted', 2).start.line));
  assert.equal(again.version, 4);
  const againActions = (await client.codeActions(uri, shifted('wasted', 2))) as CodeAction[];
  assert.equal(againActions.length, 2);

  const results = [...lowerActions.map((a) => applyWorkspaceEdit(texts[0], a.edit!, uri)), ...againActions.map((a) => applyWorkspaceEdit(texts[1], a.edit!, uri))];
  for (const action of [...lowerActions, ...againActions]) assert.deepEqual(pinnedVersions(action.edit!), [4]);
  assert.deepEqual(await pythonParses(results), results.map(() => true));
  assert.ok(results[2].startsWith('# again\n# lower\n'), 'the second fix is for the second text');
});

test('requests racing changes: each edit is for the version the request saw, and parses there', async () => {
  const uri = 'file:///abuse/race.py';
  await client.open(uri, fixes.text);
  await client.waitForDiagnostics(uri, 1);
  const textOf = new Map([[1, fixes.text]]);
  const answers: { asked: number; actions: Promise<CodeAction[] | null> }[] = [];
  let text = fixes.text;
  for (let version = 2; version <= 61; version++) {
    const asked = version - 1;
    // The fix-all command goes through workspace/applyEdit, quick fixes come back as the answer.
    if (version % 10 === 0) void client.executeCommand('einsight.server.fixAll', [uri]);
    else answers.push({ asked, actions: client.codeActions(uri, fixes.range('wasted')) });
    const end = TextDocument.create(uri, 'python', asked, text).positionAt(text.length);
    text += `# edit ${version}\n`;
    textOf.set(version, text);
    await client.change(uri, version, [{ range: { start: end, end }, text: `# edit ${version}\n` }]);
  }
  await client.waitForDiagnostics(uri, 61);
  const edits: { version: number; edit: WorkspaceEdit }[] = [];
  for (const { asked, actions } of answers) {
    for (const action of (await actions) ?? []) {
      assert.deepEqual(pinnedVersions(action.edit!), [asked], 'an answer is for the text its request saw');
      edits.push({ version: asked, edit: action.edit! });
    }
  }
  await client.executeCommand('einsight.server.fixAll', [uri]);
  for (const applied of client.appliedEdits.filter((a) => JSON.stringify(a.edit).includes(uri))) {
    const [version] = pinnedVersions(applied.edit);
    assert.ok(textOf.has(version), `pinned to version ${version}, which the editor had`);
    edits.push({ version, edit: applied.edit });
  }
  assert.ok(edits.length > 0);
  const results = edits.map(({ version, edit }) => applyWorkspaceEdit(textOf.get(version)!, edit, uri));
  assert.deepEqual(await pythonParses(results), results.map(() => true));
});

test('after a change it cannot apply, the server proposes nothing until it has the whole text again', async () => {
  const uri = 'file:///abuse/out-of-step.py';
  await client.open(uri, fixes.text);
  assert.ok((await client.waitForDiagnostics(uri, 1)).diagnostics.length > 0);
  // The editor applied this; the server cannot (a negative line), so its copy is stale from here.
  await client.change(uri, 2, [{ range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, text: '\n\n' }]);
  const status = await client.waitForStatus(uri, 'failed');
  assert.match(status.message ?? '', /out of step with the editor/);
  assert.deepEqual(client.diagnosticsOf(uri), [], 'findings for the stale text are withdrawn');
  assert.ok(client.logs.some((l) => l.includes(`${uri} is out of step with the editor until the editor sends its whole text`)));
  // A well-formed incremental change applies to the stale copy: still nothing is proposed.
  await client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#\n' }]);
  assert.deepEqual(await client.codeActions(uri, shifted('wasted', 3)), []);
  assert.deepEqual(await client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] }), []);
  assert.equal(await client.hover(uri, shifted('wasted', 3).start), null);
  assert.deepEqual(await client.executeCommand('einsight.server.fixAll', [uri]), { applied: false, reason: 'nothing to fix' });
  // The whole text: in step again.
  const text = `#\n\n\n${fixes.text}`;
  await client.change(uri, 4, [{ text }]);
  const { diagnostics } = await client.waitForDiagnostics(uri, 4);
  assert.deepEqual(diagnostics.find((d) => d.code === 'EIN001')?.range, shifted('wasted', 3));
  const actions = (await client.codeActions(uri, shifted('wasted', 3))) as CodeAction[];
  assert.equal(actions.length, 2);
  assert.deepEqual(pinnedVersions(actions[0].edit!), [4]);
  assert.deepEqual(await pythonParses([applyWorkspaceEdit(text, actions[0].edit!, uri)]), [true]);
});

test('a notebook whose cell change cannot be applied proposes nothing until it is reopened', async () => {
  const uri = 'file:///abuse/out-of-step.ipynb';
  const cells = await client.openNotebook(uri, ['import numpy as np\na = np.random.rand(8, 64)\nb = np.random.rand(64, 128)\nc = np.random.rand(128, 4)', "d = np.einsum('ij,jk,kl->il', a, b, c)"]);
  assert.equal((await client.waitForDiagnostics(cells[1], 1)).diagnostics.length, 1);
  await client.changeNotebook(uri, 2, { cells: { textContent: [{ document: { uri: cells[1], version: 2 }, changes: [{ range: 'all', text: '' }] }] } });
  assert.match((await client.waitForStatus(uri, 'failed')).message ?? '', /out of step with the editor/);
  assert.deepEqual(client.diagnosticsOf(cells[1]), []);
  assert.deepEqual(await client.codeActions(cells[1], { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } }), []);
  await client.closeNotebook(uri, cells);
  await client.waitForStatus(uri, 'closed');
  const reopened = await client.openNotebook(uri, ['import numpy as np\na = np.random.rand(8, 64)\nb = np.random.rand(64, 128)\nc = np.random.rand(128, 4)', "d = np.einsum('ij,jk,kl->il', a, b, c)"]);
  assert.equal((await client.waitForDiagnostics(reopened[1], 1)).diagnostics.length, 1);
});
