/** The hover the server gives, as the editor's hover providers return it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, openFixture, plain, positionOf, rangeOf, waitForDiagnostics } from './helpers';

/** The same hover as the language-server tests expect (test/unit/lsp-hover.test.ts); this file runs from test/e2e/out/suite/. */
const CONCRETE_HOVER = readFileSync(path.join(__dirname, '..', '..', '..', 'fixtures', 'lsp', 'hover.expected.md'), 'utf8');

/** The einsight hovers at a position (other providers may add their own). */
async function einsightHovers(uri: vscode.Uri, position: vscode.Position): Promise<{ text: string; range?: vscode.Range }[]> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers
    .map((hover) => ({ text: hover.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'), range: hover.range }))
    .filter((hover) => hover.text.startsWith('**numpy.einsum**'));
}

suite('hover', () => {
  suiteTeardown(closeAllEditors);

  test('on the call and on its equation string: the summary, the plan, the sizes and their sources', async () => {
    const { document } = await openFixture('hover.py');
    await waitForDiagnostics(document.uri, (d) => d.length > 0);
    const onCall = await einsightHovers(document.uri, positionOf(document, "einsum('ij,jk,kl->il', a, b, c)"));
    assert.deepEqual(onCall.map((h) => h.text), [CONCRETE_HOVER]);
    assert.deepEqual(plain(onCall[0].range!), plain(rangeOf(document, "np.einsum('ij,jk,kl->il', a, b, c)")));
    const onEquation = await einsightHovers(document.uri, positionOf(document, "'ij,jk,kl->il', a, b, c", 2));
    assert.deepEqual(onEquation.map((h) => h.text), [CONCRETE_HOVER]);
  });

  test('symbolic sizes: scalings and FLOPs as polynomials', async () => {
    const { document } = await openFixture('hover.py');
    const [hover] = await einsightHovers(document.uri, positionOf(document, "einsum('ij,jk,kl->il', x, y, z)"));
    assert.ok(hover, 'an einsight hover on the symbolic call');
    assert.ok(hover.text.includes('**O(N^3) as written → O(N^2)** with the best order (optimal): `4·N^2` FLOPs'), hover.text);
  });

  test('nothing away from a contraction', async () => {
    const { document } = await openFixture('hover.py');
    assert.deepEqual(await einsightHovers(document.uri, positionOf(document, 'f = d + 1')), []);
  });
});
