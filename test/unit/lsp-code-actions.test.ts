/** Quick fixes, `source.fixAll.einsight` and the fix-all command, from the real server over stdio. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { applyWorkspaceEdit, LspTestClient } from '../support/lsp-client';
import { loadFixture, parseFixture } from '../support/markers';

const fixture = loadFixture('fixes.py');
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start();
});

after(async () => {
  assert.equal(await client.stop(), 0);
});

const NESTED = "np.einsum('ij,jl->il', a, np.einsum('jk,kl->jl', b, c))";

async function open(uri: string, text = fixture.text): Promise<Diagnostic[]> {
  await client.open(uri, text);
  return (await client.waitForDiagnostics(uri, 1)).diagnostics;
}

test('quick fixes for wasted work: pairwise in the best order (preferred), or a fixed optimize= path', async () => {
  const uri = 'file:///work/fix-wasted.py';
  const diagnostics = await open(uri);
  const wasted = diagnostics.find((d) => d.code === 'EIN001')!;
  const actions = (await client.codeActions(uri, fixture.range('wasted'), { diagnostics: [wasted] })) as CodeAction[];
  assert.deepEqual(
    actions.map((a) => [a.title, a.kind, a.isPreferred ?? false, a.diagnostics?.map((d) => d.code)]),
    [
      ['Contract pairwise in the best order, as nested calls (11.3× fewer FLOPs)', 'quickfix', true, ['EIN001']],
      ['Pass the best path as optimize= (11.3× fewer FLOPs)', 'quickfix', false, ['EIN001']],
    ],
  );
  // Edits are pinned to the document version they were computed for, and minimal.
  assert.deepEqual(actions[0].edit, {
    documentChanges: [{ textDocument: { uri, version: 1 }, edits: [{ range: fixture.range('wasted'), newText: NESTED }] }],
  });
  const line = fixture.range('wasted').end.line;
  assert.deepEqual(actions[1].edit, {
    documentChanges: [
      {
        textDocument: { uri, version: 1 },
        edits: [{ range: { start: { line, character: 37 }, end: { line, character: 37 } }, newText: ", optimize=['einsum_path', (1, 2), (0, 1)]" }],
      },
    ],
  });
});

test('applying the preferred fix removes the finding and keeps everything else', async () => {
  const uri = 'file:///work/fix-apply.py';
  await open(uri);
  const [preferred] = (await client.codeActions(uri, fixture.range('wasted'))) as CodeAction[];
  const fixed = applyWorkspaceEdit(fixture.text, preferred.edit!, uri);
  assert.equal(fixed, fixture.text.replace("np.einsum('ij,jk,kl->il', a, b, c)", NESTED));
  assert.ok(fixed.includes('  # keep this comment'));
  await client.change(uri, 2, [{ text: fixed }]);
  const after = await client.waitForDiagnostics(uri, 2);
  assert.deepEqual(after.diagnostics.map((d) => d.code), ['EIN004']);
});

test('a fusable chain: one einsum replaces the intermediate statement', async () => {
  const uri = 'file:///work/fix-chain.py';
  const diagnostics = await open(uri);
  const chain = diagnostics.find((d) => d.code === 'EIN004')!;
  const actions = (await client.codeActions(uri, chain.range, { diagnostics: [chain] })) as CodeAction[];
  assert.deepEqual(actions.map((a) => a.title), ['Fuse the 2 einsum calls into one, in the best order (32.5× fewer FLOPs)']);
  assert.deepEqual(actions[0].diagnostics, [chain]);
  const fixed = applyWorkspaceEdit(fixture.text, actions[0].edit!, uri);
  assert.equal(
    fixed,
    fixture.text.replace(
      "    t = torch.einsum('bn,nm->bm', x, w1)\n    return torch.einsum('bm,mk->bk', t, w2)",
      "    return torch.einsum('bn,nk->bk', x, torch.einsum('nm,mk->nk', w1, w2))",
    ),
  );
});

test('source.fixAll.einsight applies every preferred fix at once', async () => {
  const uri = 'file:///work/fix-all.py';
  await open(uri);
  const origin = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const actions = (await client.codeActions(uri, origin, { only: ['source.fixAll'] })) as CodeAction[];
  assert.deepEqual(actions.map((a) => [a.title, a.kind]), [['Apply 2 einsight fixes (EIN004, EIN001)', 'source.fixAll.einsight']]);
  const fixed = applyWorkspaceEdit(fixture.text, actions[0].edit!, uri);
  await client.change(uri, 2, [{ text: fixed }]);
  assert.deepEqual((await client.waitForDiagnostics(uri, 2)).diagnostics, []);
  // Asking only for source actions offers no quick fixes, and vice versa.
  assert.deepEqual(await client.codeActions(uri, origin, { only: ['refactor'] }), []);
  const quick = (await client.codeActions(uri, fixture.range('wasted'), { only: ['quickfix'] })) as CodeAction[];
  assert.ok(quick.every((a) => a.kind === 'quickfix'));
});

test('the fix-all command sends the same edit through workspace/applyEdit', async () => {
  const uri = 'file:///work/fix-command.py';
  await open(uri);
  const result = await client.executeCommand('einsight.server.fixAll', [uri]);
  assert.deepEqual(result, { applied: true });
  const request = client.appliedEdits.at(-1)!;
  assert.equal(request.label, 'einsight: fix all contractions');
  const fixed = applyWorkspaceEdit(fixture.text, request.edit, uri);
  assert.ok(fixed.includes(NESTED) && !fixed.includes('    t = torch.einsum'));
  assert.deepEqual(await client.executeCommand('einsight.server.fixAll', ['file:///work/not-open.py']), {
    applied: false,
    reason: 'the document is not open or is still changing',
  });
  assert.deepEqual(await client.executeCommand('einsight.server.fixAll', []), {
    applied: false,
    reason: 'expected the document uri as the first argument',
  });
  assert.equal(await client.executeCommand('einsight.noSuchCommand', [uri]), null);
});

test('nothing to fix: no actions, and the command says so', async () => {
  const uri = 'file:///work/fix-nothing.py';
  const clean = "import numpy as np\nx = np.einsum('ij,jk->ik', np.ones((2, 3)), np.ones((3, 4)))\n";
  assert.deepEqual(await open(uri, clean), []);
  assert.deepEqual(await client.codeActions(uri, { start: { line: 1, character: 6 }, end: { line: 1, character: 6 } }), []);
  assert.deepEqual(await client.executeCommand('einsight.server.fixAll', [uri]), { applied: false, reason: 'nothing to fix' });
});

test('diagnostics from an older version do not steer fixes', async () => {
  const uri = 'file:///work/fix-stale.py';
  const diagnostics = await open(uri);
  const wasted = diagnostics.find((d) => d.code === 'EIN001')!;
  // Insert a line above: the request comes with the version-1 diagnostic, ranges are version 2's.
  await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
  const moved = fixture.range('wasted');
  const range = { start: { ...moved.start, line: moved.start.line + 1 }, end: { ...moved.end, line: moved.end.line + 1 } };
  const actions = (await client.codeActions(uri, range, { diagnostics: [wasted] })) as CodeAction[];
  assert.equal(actions.length, 2);
  for (const action of actions) {
    assert.deepEqual(action.diagnostics, [], 'the old diagnostic is not claimed');
    const change = action.edit!.documentChanges![0] as { textDocument: { version: number } };
    assert.equal(change.textDocument.version, 2);
  }
});

test('a client without versioned edits gets plain changes', async () => {
  const plain = await LspTestClient.start({ documentChanges: false });
  try {
    const uri = 'file:///work/fix-plain.py';
    await plain.open(uri, fixture.text);
    await plain.waitForDiagnostics(uri, 1);
    const [preferred] = (await plain.codeActions(uri, fixture.range('wasted'))) as CodeAction[];
    assert.deepEqual(preferred.edit, { changes: { [uri]: [{ range: fixture.range('wasted'), newText: NESTED }] } });
  } finally {
    await plain.stop();
  }
});

test('in a notebook, the edit goes to the cell, at the cell version', async () => {
  const uri = 'file:///work/fix.ipynb';
  const use = parseFixture("d = [|/*wasted*/np.einsum('ij,jk,kl->il', a, b, c)|]");
  const cells = await client.openNotebook(uri, [
    'import numpy as np\na = np.random.rand(8, 64)\nb = np.random.rand(64, 128)\nc = np.random.rand(128, 4)',
    use.text,
  ]);
  await client.waitForDiagnostics(cells[1], 1);
  const [preferred] = (await client.codeActions(cells[1], use.range('wasted'))) as CodeAction[];
  assert.deepEqual(preferred.edit, {
    documentChanges: [{ textDocument: { uri: cells[1], version: 1 }, edits: [{ range: use.range('wasted'), newText: NESTED }] }],
  });
});

test('a withheld fix is listed greyed out with its reason, where the client can show that', async () => {
  const source = parseFixture(
    [
      'import numpy as np',
      'A = np.random.rand(5, 16)',
      'B = np.random.rand(16, 16)',
      'C = np.random.rand(16, 2)',
      'buffer = np.empty((5, 2))',
      "[|/*call*/np.einsum('ij,jk,kl->il', A, B, C, out=buffer)|]",
    ].join('\n'),
  );
  const uri = 'file:///work/fix-withheld.py';
  await open(uri, source.text);
  const actions = (await client.codeActions(uri, source.range('call'))) as CodeAction[];
  const withheld = actions.filter((a) => a.disabled);
  assert.deepEqual(
    withheld.map((a) => [a.title, a.kind, a.disabled?.reason, a.edit]),
    [['Contract pairwise in the best order', 'quickfix', 'not offered: the call passes out=, which pairwise calls would not honour', undefined]],
  );
  const hover = await client.hover(uri, source.range('call').start);
  assert.match(JSON.stringify(hover), /Contract pairwise in the best order: not offered: the call passes out=/);
  const plain = await LspTestClient.start({ disabledSupport: false });
  try {
    await plain.open(uri, source.text);
    await plain.waitForDiagnostics(uri, 1);
    const offered = (await plain.codeActions(uri, source.range('call'))) as CodeAction[];
    assert.ok(offered.length > 0 && offered.every((a) => !a.disabled), 'a client without disabledSupport gets only fixes it can apply');
  } finally {
    await plain.stop();
  }
});
