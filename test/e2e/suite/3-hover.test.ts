/** The hover the server gives, as the editor's hover providers return it. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, openFixture, plain, positionOf, rangeOf, waitForDiagnostics } from './helpers';

const CONCRETE_HOVER = `**numpy.einsum** \`ij,jk,kl->il\`

Result shape \`(32, 4)\`

| label | size | from |
| --- | --- | --- |
| \`i\` | 32 | \`B = 32\` (line 3) |
| \`j\` | 64 | \`np.random.rand(B, 64)\` (line 4) |
| \`k\` | 128 | \`np.random.rand(64, 128)\` (line 5) |
| \`l\` | 4 | \`np.random.rand(128, 4)\` (line 6) |

| | FLOPs |
| --- | --- |
| naive (one loop over every index) | 3.15e6 |
| as written: numpy.einsum without optimize runs one loop over every index | 3.15e6 |
| best order (optimal) | 81,920 (38.4× fewer) |

Largest intermediate: 256 elements \`(4, 64)\`

| step | equation | result shape | FLOPs | BLAS |
| --- | --- | --- | --- | --- |
| 1 | \`kl,jk->lj\` | \`(4, 64)\` | 65,536 | GEMM |
| 2 | \`lj,ij->il\` | \`(32, 4)\` | 16,384 | GEMM |`;

/** The einsight hovers at a position (other providers may add their own). */
async function einsightHovers(uri: vscode.Uri, position: vscode.Position): Promise<{ text: string; range?: vscode.Range }[]> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers
    .map((hover) => ({ text: hover.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'), range: hover.range }))
    .filter((hover) => hover.text.startsWith('**numpy.einsum**'));
}

suite('hover', () => {
  suiteTeardown(closeAllEditors);

  test('on the call and on its equation string: sizes with their sources, FLOPs and the plan', async () => {
    const { document } = await openFixture('hover.py');
    await waitForDiagnostics(document.uri, (d) => d.length > 0);
    const onCall = await einsightHovers(document.uri, positionOf(document, "einsum('ij,jk,kl->il', a, b, c)"));
    assert.deepEqual(onCall.map((h) => h.text), [CONCRETE_HOVER]);
    assert.deepEqual(plain(onCall[0].range!), plain(rangeOf(document, "np.einsum('ij,jk,kl->il', a, b, c)")));
    const onEquation = await einsightHovers(document.uri, positionOf(document, "'ij,jk,kl->il', a, b, c", 2));
    assert.deepEqual(onEquation.map((h) => h.text), [CONCRETE_HOVER]);
  });

  test('symbolic sizes: FLOPs as polynomials', async () => {
    const { document } = await openFixture('hover.py');
    const [hover] = await einsightHovers(document.uri, positionOf(document, "einsum('ij,jk,kl->il', x, y, z)"));
    assert.ok(hover, 'an einsight hover on the symbolic call');
    assert.ok(hover.text.includes('| best order (optimal) | `4·N^2` — O(N^2) |'), hover.text);
  });

  test('nothing away from a contraction', async () => {
    const { document } = await openFixture('hover.py');
    assert.deepEqual(await einsightHovers(document.uri, positionOf(document, 'f = d + 1')), []);
  });
});
